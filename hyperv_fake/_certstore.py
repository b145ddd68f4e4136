"""A host's certificate store: ``LocalMachine\\My`` (personal, by thumbprint) and Trusted Root CAs (§1.3).

A trusted root is either a ``CertificateAuthority`` — which also answers revocation for
everything below it, as a reachable CRL would — or a bare ``x509.Certificate`` (no CRL).
"""

from __future__ import annotations

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
    """Personal certificates by thumbprint, and trusted roots."""

    def __init__(self) -> None:
        self._personal: dict[str, StoredCertificate] = {}
        self._roots: tuple[CertificateAuthority | x509.Certificate, ...] = ()  # replaced, never mutated

    # -- personal (LocalMachine\My) -------------------------------------------------------------

    def add_personal(self, issued: IssuedCertificate, *, has_private_key: bool = True) -> StoredCertificate:
        stored = StoredCertificate(issued, has_private_key)
        self._personal[stored.thumbprint] = stored
        return stored

    def remove_personal(self, thumbprint: str) -> None:
        del self._personal[thumbprint.upper()]

    def personal(self, thumbprint: str) -> StoredCertificate | None:
        return self._personal.get(thumbprint.upper())

    @property
    def personal_certificates(self) -> tuple[StoredCertificate, ...]:
        return tuple(self._personal.values())

    # -- Trusted Root Certification Authorities ---------------------------------------------------

    def add_root(self, root: CertificateAuthority | x509.Certificate) -> None:
        if not any(_same_root(root, have) for have in self._roots):
            self._roots = (*self._roots, root)

    def remove_root(self, root: CertificateAuthority | x509.Certificate) -> None:
        kept = tuple(have for have in self._roots if not _same_root(root, have))
        if len(kept) == len(self._roots):
            raise KeyError("that root is not in the Trusted Root store")
        self._roots = kept

    @property
    def roots(self) -> tuple[CertificateAuthority | x509.Certificate, ...]:
        """The trusted roots; the same tuple object until the store changes (judgements are cached by it)."""
        return self._roots


def _certificate(root: CertificateAuthority | x509.Certificate) -> x509.Certificate:
    return root.certificate if isinstance(root, CertificateAuthority) else root


def _same_root(a: CertificateAuthority | x509.Certificate, b: CertificateAuthority | x509.Certificate) -> bool:
    return _certificate(a) == _certificate(b)
