"""Extended Key Usage purposes (what a certificate may be used for)."""

from __future__ import annotations

import enum

from cryptography.x509.oid import ExtendedKeyUsageOID, ObjectIdentifier

__all__ = ["Eku"]


class Eku(enum.Enum):
    """A TLS purpose, used both when issuing and when validating.

    * issuing with ``NONE`` omits the EKU extension entirely (an *empty* EKU
      extension is invalid per RFC 5280, so it is never produced);
    * validating for ``NONE`` means "no EKU requirement";
    * ``SERVER_AND_CLIENT`` (what Hyper-V Replica needs) requires both OIDs.
    """

    SERVER_AUTH = "server_auth"
    CLIENT_AUTH = "client_auth"
    SERVER_AND_CLIENT = "server_and_client"
    NONE = "none"

    @property
    def oids(self) -> tuple[ObjectIdentifier, ...]:
        """The EKU OIDs this purpose stands for, server first."""
        return _OIDS[self]

    def satisfied_by(self, usages: frozenset[ObjectIdentifier] | set[ObjectIdentifier]) -> bool:
        """True when every OID of this purpose is in ``usages``."""
        return all(oid in usages for oid in self.oids)


_OIDS: dict[Eku, tuple[ObjectIdentifier, ...]] = {
    Eku.SERVER_AUTH: (ExtendedKeyUsageOID.SERVER_AUTH,),
    Eku.CLIENT_AUTH: (ExtendedKeyUsageOID.CLIENT_AUTH,),
    Eku.SERVER_AND_CLIENT: (ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH),
    Eku.NONE: (),
}
