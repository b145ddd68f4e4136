"""An issued end-entity certificate with its key and chain, plus exports.

The same objects serve the in-process emulators (thumbprints, validation) and
real TLS in socket mode (PEM files for :mod:`ssl`, PFX like Windows imports).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from ._errors import PkiError
from ._keys import PrivateKey

__all__ = ["IssuedCertificate", "common_name", "pem", "thumbprint"]


def pem(*certs: x509.Certificate) -> bytes:
    """Concatenated PEM encoding of ``certs``, in the given order."""
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def thumbprint(cert: x509.Certificate) -> str:
    """SHA-1 fingerprint as uppercase hex, the way Windows shows it."""
    return cert.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303 - display id, not security


def common_name(cert: x509.Certificate) -> str:
    """The first subject CN, or ``""`` when there is none."""
    attrs = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    value = attrs[0].value if attrs else ""
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _order_chain(leaf: x509.Certificate, others: Sequence[x509.Certificate]) -> tuple[x509.Certificate, ...]:
    """Leaf first, then ``others`` ordered by issuer linkage; leftovers keep their order."""
    remaining = list(others)
    ordered = [leaf]
    while remaining:
        nxt = next((c for c in remaining if c.subject == ordered[-1].issuer and c != ordered[-1]), None)
        if nxt is None:
            break
        ordered.append(nxt)
        remaining.remove(nxt)
    return tuple(ordered + remaining)


@dataclass(frozen=True, eq=False)
class IssuedCertificate:
    """A leaf certificate, its private key and its chain.

    ``chain`` is the leaf followed by its intermediates, leaf first, and never
    includes the root (the root is what the peer must already trust).
    """

    certificate: x509.Certificate
    private_key: PrivateKey
    chain: tuple[x509.Certificate, ...]

    def __post_init__(self) -> None:
        if not self.chain or self.chain[0] != self.certificate:
            object.__setattr__(self, "chain", (self.certificate, *self.chain))

    # -- identity ---------------------------------------------------------
    @property
    def thumbprint(self) -> str:
        """SHA-1 hex, uppercase (Windows ``Thumbprint``)."""
        return thumbprint(self.certificate)

    @property
    def subject(self) -> str:
        """The subject CN (``""`` if the subject is empty)."""
        return common_name(self.certificate)

    @property
    def sans(self) -> tuple[str, ...]:
        """DNS names and IP addresses from the SAN extension, in order."""
        try:
            ext = self.certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        except x509.ExtensionNotFound:
            return ()
        return tuple(
            str(name.value) for name in ext.value if isinstance(name, (x509.DNSName, x509.IPAddress))
        )

    @property
    def serial_number(self) -> int:
        return self.certificate.serial_number

    @property
    def not_before(self) -> datetime:
        return self.certificate.not_valid_before_utc

    @property
    def not_after(self) -> datetime:
        return self.certificate.not_valid_after_utc

    # -- export -----------------------------------------------------------
    def cert_pem(self) -> bytes:
        """The leaf alone, PEM."""
        return pem(self.certificate)

    def chain_pem(self) -> bytes:
        """Leaf then intermediates, PEM (what ``load_cert_chain`` wants)."""
        return pem(*self.chain)

    def key_pem(self) -> bytes:
        """Unencrypted PKCS#8 PEM private key."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def write_pem(self, cert_path: str | os.PathLike[str], key_path: str | os.PathLike[str] | None = None) -> None:
        """Write the chain to ``cert_path`` and the key to ``key_path``.

        Without ``key_path`` the key is appended to the chain file, which
        ``ssl.SSLContext.load_cert_chain(cert_path)`` accepts.
        """
        if key_path is None:
            with open(cert_path, "wb") as fh:
                fh.write(self.chain_pem() + self.key_pem())
            return
        with open(cert_path, "wb") as fh:
            fh.write(self.chain_pem())
        with open(key_path, "wb") as fh:
            fh.write(self.key_pem())

    def to_pfx(self, password: bytes | None = None, *, friendly_name: str | None = None) -> bytes:
        """PKCS#12 with key, leaf and intermediates (no root); no password if falsy."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
        )
        label = friendly_name or self.subject or self.thumbprint
        return pkcs12.serialize_key_and_certificates(
            label.encode("utf-8"),
            self.private_key,
            self.certificate,
            list(self.chain[1:]) or None,
            encryption,
        )

    @classmethod
    def from_pfx(cls, data: bytes, password: bytes | None = None) -> IssuedCertificate:
        """Load a PFX made by :meth:`to_pfx` (or any PFX with key and leaf)."""
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(data, password or None)
        except Exception as exc:  # wrong password, corrupt data, unsupported PBE
            raise PkiError(f"cannot load PFX: {exc}") from exc
        if key is None or cert is None:
            raise PkiError("PFX holds no private key or no certificate")
        return cls(certificate=cert, private_key=key, chain=_order_chain(cert, extra))  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"IssuedCertificate(subject={self.subject!r}, sans={self.sans!r}, thumbprint={self.thumbprint})"
