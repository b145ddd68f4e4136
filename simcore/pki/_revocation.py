"""Revocation sources: anything that can answer "is this certificate revoked?".

A :class:`~simcore.pki.CertificateAuthority` is one (it answers for itself and
every CA below it); :class:`CrlRevocationSource` answers from exported CRLs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from cryptography import x509

__all__ = ["CrlRevocationSource", "RevocationSource"]


@runtime_checkable
class RevocationSource(Protocol):
    """Answers revocation queries; must be deterministic for given inputs."""

    def is_revoked(self, cert: x509.Certificate) -> bool: ...


class CrlRevocationSource:
    """Revocation answers from X.509 CRLs, matched by issuer name and serial.

    The CRLs are trusted as given (their signatures are not checked here).
    """

    def __init__(self, crls: Iterable[x509.CertificateRevocationList]) -> None:
        self._crls = tuple(crls)

    def is_revoked(self, cert: x509.Certificate) -> bool:
        return any(
            crl.issuer == cert.issuer
            and crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None
            for crl in self._crls
        )
