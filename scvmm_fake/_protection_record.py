"""What the protection work items carry, parsed, and what the recovery VMM keeps of a placement.

The payloads are plain JSON relayed by ASR (DESIGN "How a workflow flows"); each parser refuses a
malformed field with ``InvalidParameter`` naming it, before anything changes. ``settings`` is the
replication policy's provider-specific input, the same dict ``PairCloud`` receives
(asr_emulator's ``SETTINGS_FIELDS``: ``replicationPort``, ``allowedAuthenticationType``,
``replicationFrequencyInSeconds``, ``recoveryPoints``,
``applicationConsistentSnapshotFrequencyInHours``, ``compression`` Enable|Disable,
``replicaDeletion`` Required|NotRequired, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._pairing_record import AuthenticationType, PairingSettings
from .errors import InvalidParameter

__all__ = ["ProtectionSettings", "TargetAdapter", "ProtectionTarget", "text", "flag"]

_DEFAULT_FREQUENCY = 300
"""Fact (§5.3): the copy frequency is 5 minutes where the policy does not set one (HyperVReplica2012)."""


def text(payload: Mapping[str, Any], name: str) -> str:
    """The payload's non-empty string ``name``."""
    value = payload.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidParameter(f"{name}: a non-empty string is required, got {value!r}")
    return value


def flag(payload: Mapping[str, Any], name: str) -> bool:
    value = payload.get(name)
    if not isinstance(value, bool):
        raise InvalidParameter(f"{name}: true or false is required, got {value!r}")
    return value


def _count(settings: Mapping[str, Any], name: str, default: int) -> int:
    value = settings.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidParameter(f"settings.{name}: {value!r} is not a count")
    return value


def _choice(settings: Mapping[str, Any], name: str, yes: str, no: str) -> bool:
    value = settings.get(name, no)
    if isinstance(value, bool):
        return value
    if value not in (yes, no):
        raise InvalidParameter(f"settings.{name}: {value!r} is not {yes} or {no}")
    return bool(value == yes)


@dataclass(frozen=True)
class ProtectionSettings:
    """The replication policy as ``Enable-VMReplication`` needs it (§2.1, §5.3)."""

    authentication_type: AuthenticationType
    port: int
    frequency_seconds: int
    recovery_points: int
    vss_frequency_hours: int
    compression: bool
    delete_replica: bool

    @classmethod
    def parse(cls, settings: object) -> ProtectionSettings:
        if not isinstance(settings, Mapping):
            raise InvalidParameter(f"settings: expected an object, got {settings!r}")
        pairing = PairingSettings.parse(settings)
        return cls(pairing.authentication_type, pairing.port,
                   _count(settings, "replicationFrequencyInSeconds", _DEFAULT_FREQUENCY),
                   _count(settings, "recoveryPoints", 0),
                   _count(settings, "applicationConsistentSnapshotFrequencyInHours", 0),
                   _choice(settings, "compression", "Enable", "Disable"),
                   _choice(settings, "replicaDeletion", "Required", "NotRequired"))


@dataclass(frozen=True)
class TargetAdapter:
    """A primary NIC: VMM's adapter id, its VM network there, the mapped recovery VM network (or None)."""

    id: str
    vm_network_id: str
    recovery_vm_network_id: str | None


@dataclass(eq=False)
class ProtectionTarget:
    """The recovery VMM's placement of one replica (``CreateProtectionTarget``); ``replica_id`` is
    VMM's id of the replica VM once ``REPLICA_DISCOVERY`` found it."""

    job_name: str
    vmm_vm_id: str
    vm_id: str
    vm_name: str
    primary_cloud_id: str
    recovery_cloud_id: str
    disks: tuple[tuple[str, int], ...]
    adapters: tuple[TargetAdapter, ...]
    settings: ProtectionSettings
    host_id: str = ""
    host_fqdn: str = ""
    replica_id: str | None = None

    @classmethod
    def parse_request(cls, payload: Mapping[str, Any]) -> ProtectionTarget:
        """A target (not yet placed) from a ``CreateProtectionTarget`` payload."""
        disks = payload.get("disks", [])
        if not isinstance(disks, list) or not all(
                isinstance(d, Mapping) and isinstance(d.get("path"), str) and isinstance(d.get("sizeBytes"), int)
                and not isinstance(d.get("sizeBytes"), bool) for d in disks):
            raise InvalidParameter(f"disks: expected [{{path, sizeBytes}}], got {disks!r}")
        adapters = payload.get("networkAdapters", [])
        if not isinstance(adapters, list) or not all(isinstance(a, Mapping) for a in adapters):
            raise InvalidParameter(f"networkAdapters: expected a list of objects, got {adapters!r}")
        parsed = []
        for index, adapter in enumerate(adapters):
            recovery = adapter.get("recoveryVmNetworkId")
            if recovery is not None and (not isinstance(recovery, str) or not recovery):
                raise InvalidParameter(f"networkAdapters[{index}].recoveryVmNetworkId: {recovery!r} is not an id")
            parsed.append(TargetAdapter(text(adapter, "id"), text(adapter, "vmNetworkId"), recovery))
        return cls(text(payload, "jobName"), text(payload, "vmmVmId"), text(payload, "vmId"), text(payload, "vmName"),
                   text(payload, "primaryCloudId"), text(payload, "recoveryCloudId"),
                   tuple((str(d["path"]), int(d["sizeBytes"])) for d in disks), tuple(parsed),
                   ProtectionSettings.parse(payload.get("settings")))

    def result(self, host_name: str) -> dict[str, Any]:
        """What ``CreateProtectionTarget`` answers."""
        return {"recoveryHost": self.host_fqdn, "recoveryHostName": host_name}
