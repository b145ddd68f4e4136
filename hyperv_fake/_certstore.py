"""A host's certificate store: ``LocalMachine\\My`` (personal, by thumbprint), Trusted Root CAs and
cached CRLs (§1.3).

A trusted root is either a ``CertificateAuthority`` — which also answers revocation for
everything below it, as a reachable CRL would — or a bare ``x509.Certificate`` (no CRL). A CRL
imported into the store (``certutil -addstore CA <file>.crl``) answers revocation for the
certificates its issuer signed until its ``nextUpdate``.

Every change calls ``on_change`` (the host bumps its fabric's revision: a management server that
judges the host's certificates learns that they changed without re-reading every host).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cryptography import x509

from simcore.pki import CertificateAuthority, IssuedCertificate

__all__ = ["StoredCertificate", "CertificateStore"]


@dataclass(frozen=True)
class StoredCertificate:
    """A personal certificate as the store holds it; ``has_private_key`` False models a .cer import."""

    issued: IssuedCertificate
    has_private_key: bool = True

    @property
    def thumbprint(self) -> str:
        return self.issued.thumbprint

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        return self.issued.chain


class CertificateStore:
    """Personal certificates by thumbprint, trusted roots, and CRLs (the newest per issuer)."""

    def __init__(self, on_change: Callable[[], None] | None = None) -> None:
        self._personal: dict[str, StoredCertificate] = {}
        self._roots: tuple[CertificateAuthority | x509.Certificate, ...] = ()  # replaced, never mutated
        self._crls: tuple[x509.CertificateRevocationList, ...] = ()
        self._on_change = on_change or _nothing

    # -- personal (LocalMachine\My) -------------------------------------------------------------

    def add_personal(self, issued: IssuedCertificate, *, has_private_key: bool = True) -> StoredCertificate:
        stored = StoredCertificate(issued, has_private_key)
        self._personal[stored.thumbprint] = stored
        self._on_change()
        return stored

    def remove_personal(self, thumbprint: str) -> None:
        del self._personal[thumbprint.upper()]
        self._on_change()

    def personal(self, thumbprint: str) -> StoredCertificate | None:
        return self._personal.get(thumbprint.upper())

    @property
    def personal_certificates(self) -> tuple[StoredCertificate, ...]:
        return tuple(self._personal.values())

    # -- Trusted Root Certification Authorities ---------------------------------------------------

    def add_root(self, root: CertificateAuthority | x509.Certificate) -> None:
        if not any(_same_root(root, have) for have in self._roots):
            self._roots = (*self._roots, root)
            self._on_change()

    def remove_root(self, root: CertificateAuthority | x509.Certificate) -> None:
        kept = tuple(have for have in self._roots if not _same_root(root, have))
        if len(kept) == len(self._roots):
            raise KeyError("that root is not in the Trusted Root store")
        self._roots = kept
        self._on_change()

    @property
    def roots(self) -> tuple[CertificateAuthority | x509.Certificate, ...]:
        """The trusted roots; the same tuple object until the store changes (judgements are cached by it)."""
        return self._roots

    # -- cached CRLs ------------------------------------------------------------------------------

    def add_crl(self, crl: x509.CertificateRevocationList) -> None:
        """Keep ``crl``, replacing an older one of the same issuer (a newer one already kept stays)."""
        same = [have for have in self._crls if have.issuer == crl.issuer]
        if any(have.last_update_utc > crl.last_update_utc for have in same):
            return
        self._crls = (*(have for have in self._crls if have.issuer != crl.issuer), crl)
        self._on_change()

    @property
    def crls(self) -> tuple[x509.CertificateRevocationList, ...]:
        return self._crls


def _certificate(root: CertificateAuthority | x509.Certificate) -> x509.Certificate:
    return root.certificate if isinstance(root, CertificateAuthority) else root


def _same_root(a: CertificateAuthority | x509.Certificate, b: CertificateAuthority | x509.Certificate) -> bool:
    return _certificate(a) == _certificate(b)


def _nothing() -> None:
    pass
