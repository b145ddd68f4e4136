"""What a VMM server keeps of a cloud's pairing, and the pairing settings as ASR sends them.

Everything here is plain data that survives ``to_json``/``from_json`` unchanged: the payloads of
ASR's work items and the Provider's results carry it (PEM text, FQDNs, ints), because the two VMM
servers share nothing but what ASR relays (§5.1, DESIGN "How a workflow flows").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from cryptography import x509

from .errors import InvalidParameter
from .policy import PAIRING_TRUST_GROUP

__all__ = ["AuthenticationType", "PairingRole", "PairingSettings", "CloudPairing", "load_pem_certificate"]


class AuthenticationType(str, Enum):
    """The policy's ``allowedAuthenticationType``: 1 = Kerberos, 2 = Certificate (§5.3, asr_emulator policies)."""

    Kerberos = "Kerberos"
    Certificate = "Certificate"

    @property
    def code(self) -> int:
        return 1 if self is AuthenticationType.Kerberos else 2


_BY_CODE = {1: AuthenticationType.Kerberos, 2: AuthenticationType.Certificate}


class PairingRole(str, Enum):
    """Which side of the pair this cloud is (a cloud belongs to one pair only, §5.3)."""

    Primary = "Primary"
    Recovery = "Recovery"


@dataclass(frozen=True)
class PairingSettings:
    """Authentication type, port and (optional) replica storage location of one pairing."""

    authentication_type: AuthenticationType
    port: int
    replica_storage_location: str | None = None

    @classmethod
    def parse(cls, settings: Mapping[str, Any]) -> PairingSettings:
        """Read ``{authenticationType: "Certificate"|"Kerberos" | allowedAuthenticationType: 1|2,
        port | replicationPort: int, replicaStorageLocation?: str}``; refuse anything else."""
        if not isinstance(settings, Mapping):
            raise InvalidParameter(f"settings: expected an object, got {settings!r}")
        auth: object = settings.get("authenticationType", settings.get("allowedAuthenticationType"))
        if isinstance(auth, int) and not isinstance(auth, bool) and auth in _BY_CODE:
            kind = _BY_CODE[auth]
        elif isinstance(auth, str) and auth in AuthenticationType.__members__:
            kind = AuthenticationType(auth)
        else:
            raise InvalidParameter(f"settings.authenticationType: {auth!r} is not Kerberos (1) or Certificate (2)")
        port: object = settings.get("port", settings.get("replicationPort"))
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise InvalidParameter(f"settings.port: {port!r} is not a port between 1 and 65535")
        storage: object = settings.get("replicaStorageLocation")
        if storage is not None and (not isinstance(storage, str) or not storage):
            raise InvalidParameter(f"settings.replicaStorageLocation: {storage!r} is not a path")
        return cls(kind, port, storage)

    def to_json(self) -> dict[str, Any]:
        return {"authenticationType": self.authentication_type.value, "port": self.port,
                "replicaStorageLocation": self.replica_storage_location}


def load_pem_certificate(text: object, what: str) -> x509.Certificate:
    """The certificate in PEM ``text``, or ``InvalidParameter`` naming ``what``."""
    if not isinstance(text, str):
        raise InvalidParameter(f"{what}: expected PEM text, got {type(text).__name__}")
    try:
        return x509.load_pem_x509_certificate(text.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise InvalidParameter(f"{what}: not a PEM certificate ({exc})") from exc


def _strings(value: object, what: str) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) and item for item in value):
        raise InvalidParameter(f"{what}: expected a list of names, got {value!r}")
    return tuple(value)


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidParameter(f"{what}: a non-empty string is required, got {value!r}")
    return value


@dataclass(eq=False)
class CloudPairing:
    """The VMM side of one cloud pairing: who the peer is, what it trusts, and which hosts are done.

    ``configured_hosts`` are the computer names (FQDNs) of this cloud's hosts configured so far,
    in the order configured; ``revocation_check_disabled_on`` those where pairing itself set
    ``DisableCertRevocationCheck`` (policy ``PAIRING_REVOCATION_CHECK``).
    """

    pairing_id: str
    role: PairingRole
    cloud_id: str
    cloud_name: str
    peer_cloud_id: str
    peer_root_certificate: str | None
    peer_hosts: tuple[str, ...]
    settings: PairingSettings
    site_root_certificate: str
    configured_hosts: list[str] = field(default_factory=list)
    revocation_check_disabled_on: list[str] = field(default_factory=list)

    @property
    def trust_group(self) -> str:
        """Policy ``PAIRING_TRUST_GROUP``."""
        return PAIRING_TRUST_GROUP.format(pairing_id=self.pairing_id)

    @classmethod
    def parse_request(cls, pairing: Mapping[str, Any], *, cloud_id: str, cloud_name: str,
                      site_root_certificate: str) -> CloudPairing:
        """A new record from a "Configure the protection settings" payload (see ``pair_cloud``)."""
        if not isinstance(pairing, Mapping):
            raise InvalidParameter(f"pairing: expected an object, got {pairing!r}")
        role = pairing.get("role")
        if role not in PairingRole.__members__:
            raise InvalidParameter(f"pairing.role: {role!r} is not Primary or Recovery")
        settings = PairingSettings.parse(pairing.get("settings", {}))
        peer_root = pairing.get("peerRootCertificate")
        if settings.authentication_type is AuthenticationType.Certificate or peer_root is not None:
            load_pem_certificate(peer_root, "pairing.peerRootCertificate")
        return cls(_text(pairing.get("pairingId"), "pairing.pairingId"), PairingRole(role), cloud_id, cloud_name,
                   _text(pairing.get("peerCloudId"), "pairing.peerCloudId"),
                   peer_root if isinstance(peer_root, str) else None,
                   _strings(pairing.get("peerHosts", []), "pairing.peerHosts"), settings, site_root_certificate)

    def to_json(self) -> dict[str, Any]:
        return {
            "pairingId": self.pairing_id, "role": self.role.value, "cloudId": self.cloud_id,
            "cloudName": self.cloud_name, "peerCloudId": self.peer_cloud_id,
            "peerRootCertificate": self.peer_root_certificate, "peerHosts": list(self.peer_hosts),
            "settings": self.settings.to_json(), "siteRootCertificate": self.site_root_certificate,
            "trustGroup": self.trust_group, "configuredHosts": list(self.configured_hosts),
            "revocationCheckDisabledOn": list(self.revocation_check_disabled_on),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CloudPairing:
        """The record ``to_json`` wrote (what a checker reads back)."""
        return cls(data["pairingId"], PairingRole(data["role"]), data["cloudId"], data["cloudName"],
                   data["peerCloudId"], data.get("peerRootCertificate"), tuple(data["peerHosts"]),
                   PairingSettings.parse(data["settings"]), data["siteRootCertificate"],
                   list(data.get("configuredHosts", [])), list(data.get("revocationCheckDisabledOn", [])))
