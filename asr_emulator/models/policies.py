"""Replication policies (HyperVReplica2012R2 / HyperVReplica2012) and the domain of each field.

Field names are the JSON names the SDK sends (asr-api.md §6). Domains come from the official
cmdlet and the Hyper-V facts in hyperv-scvmm.md §5.3 and its table of limits:
``allowedAuthenticationType`` 1 = Kerberos, 2 = Certificate; ``compression`` Enable|Disable;
``initialReplicationMethod`` OverNetwork|Offline; ``replicaDeletion`` Required|NotRequired;
``replicationFrequencyInSeconds`` 30|300|900 (2012R2 only); ``replicationPort`` a ushort;
additional recovery points 0–24 (WS2012: at most 15); app-consistent snapshots every 1–12 hours,
fewer hours than recovery points; an online start time no later than 24 hours ahead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from ..errors import InvalidParameter, InvalidRequestContent
from ..policy import INMAGE_PROVIDER
from .inmage_policy import INMAGE_FIELDS, InMageSettings

__all__ = ["PROVIDERS", "PolicySettings", "Policy", "SETTINGS_FIELDS", "DEFAULTS", "ProviderSettings",
           "settings_from_fields", "fields_of"]

#: The policy input types this emulator implements: VMM-to-VMM, and VMware/physical to a secondary
#: site (``InMage``, ``models.inmage_policy``). The SDK's other subtypes (A2A, HyperVReplicaAzure,
#: InMageAzureV2, InMageRcm, VMwareCbt, ...) are answered 501 by the wire.
PROVIDERS = ("HyperVReplica2012R2", "HyperVReplica2012", INMAGE_PROVIDER)

#: JSON field name -> (python attribute, JSON type) of the provider-specific input.
SETTINGS_FIELDS: dict[str, tuple[str, type]] = {
    "recoveryPoints": ("recovery_points", int),
    "applicationConsistentSnapshotFrequencyInHours": ("app_consistent_frequency_hours", int),
    "compression": ("compression", str),
    "initialReplicationMethod": ("initial_replication_method", str),
    "onlineReplicationStartTime": ("online_replication_start_time", str),
    "offlineReplicationImportPath": ("offline_replication_import_path", str),
    "offlineReplicationExportPath": ("offline_replication_export_path", str),
    "replicationPort": ("replication_port", int),
    "allowedAuthenticationType": ("allowed_authentication_type", int),
    "replicaDeletion": ("replica_deletion", str),
    "replicationFrequencyInSeconds": ("replication_frequency_seconds", int),
}

#: Policy: values of omitted optional fields (the cmdlet's defaults: compression Disable,
#: replica deletion NotRequired, online replication; Certificate authentication as the portal
#: recommends; a 5-minute copy frequency as Hyper-V's default; no extra recovery points).
DEFAULTS: dict[str, Any] = {
    "recoveryPoints": 0,
    "applicationConsistentSnapshotFrequencyInHours": 0,
    "compression": "Disable",
    "initialReplicationMethod": "OverNetwork",
    "allowedAuthenticationType": 2,
    "replicaDeletion": "NotRequired",
}
_REQUIRED = ("replicationPort",)
_TIMESPAN = re.compile(r"^(?:0\.)?(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,7})?$")
_ENUMS = {
    "compression": ("Enable", "Disable"),
    "initialReplicationMethod": ("OverNetwork", "Offline"),
    "replicaDeletion": ("Required", "NotRequired"),
    "allowedAuthenticationType": (1, 2),
    "replicationFrequencyInSeconds": (30, 300, 900),
}


@dataclass(frozen=True)
class PolicySettings:
    """The validated provider-specific settings of a policy (immutable: updates make a new one)."""

    instance_type: str
    replication_port: int
    recovery_points: int = 0
    app_consistent_frequency_hours: int = 0
    compression: str = "Disable"
    initial_replication_method: str = "OverNetwork"
    online_replication_start_time: str | None = None
    offline_replication_import_path: str | None = None
    offline_replication_export_path: str | None = None
    allowed_authentication_type: int = 2
    replica_deletion: str = "NotRequired"
    replication_frequency_seconds: int | None = None

    @classmethod
    def from_fields(cls, instance_type: str, fields: dict[str, Any], *, path: str) -> PolicySettings:
        """Build and validate settings from JSON field values (already type-checked by the wire).

        Raises ``InvalidParameter`` naming the first field (``path`` + name) outside its domain.
        """
        values = dict(fields)
        for name in _REQUIRED:
            if values.get(name) is None:
                raise InvalidRequestContent(f"The request content was invalid: the field '{path}.{name}' is required.",
                                            target=f"{path}.{name}")
        if instance_type == "HyperVReplica2012R2":
            values.setdefault("replicationFrequencyInSeconds", 300)
        for name, default in DEFAULTS.items():
            if values.get(name) is None:
                values[name] = default
        _validate(instance_type, values, path)
        kwargs = {SETTINGS_FIELDS[name][0]: value for name, value in values.items() if value is not None}
        return cls(instance_type=instance_type, **kwargs)

    def to_fields(self) -> dict[str, Any]:
        """The settings as input JSON fields (``replicaDeletion``), ``None`` ones left out."""
        out = {}
        for name, (attribute, _) in SETTINGS_FIELDS.items():
            value = getattr(self, attribute)
            if value is not None:
                out[name] = value
        return out


def _bad(path: str, name: str, value: Any, why: str) -> InvalidParameter:
    return InvalidParameter(f"The value {value!r} of '{path}.{name}' is invalid: {why}.", target=f"{path}.{name}")


def _validate(instance_type: str, values: dict[str, Any], path: str) -> None:
    for name, allowed in _ENUMS.items():
        value = values.get(name)
        if value is not None and value not in allowed:
            raise _bad(path, name, value, "allowed values are " + ", ".join(repr(a) for a in allowed))
    if instance_type == "HyperVReplica2012" and values.get("replicationFrequencyInSeconds") is not None:
        raise _bad(path, "replicationFrequencyInSeconds", values["replicationFrequencyInSeconds"],
                   "HyperVReplica2012 replicates every 5 minutes; the frequency is a HyperVReplica2012R2 setting")
    port = values["replicationPort"]
    if not 1 <= port <= 65535:
        raise _bad(path, "replicationPort", port, "a port is between 1 and 65535")
    most = 24 if instance_type == "HyperVReplica2012R2" else 15
    points = values["recoveryPoints"]
    if not 0 <= points <= most:
        raise _bad(path, "recoveryPoints", points, f"{instance_type} keeps 0 to {most} additional recovery points")
    hours = values["applicationConsistentSnapshotFrequencyInHours"]
    if hours != 0 and not (1 <= hours <= 12 and hours < points):
        raise _bad(path, "applicationConsistentSnapshotFrequencyInHours", hours,
                   "0 (off) or 1 to 12 hours, and fewer hours than recoveryPoints")
    offline = values["initialReplicationMethod"] == "Offline"
    for name in ("offlineReplicationImportPath", "offlineReplicationExportPath"):
        value = values.get(name)
        if offline and not value:
            raise InvalidParameter(f"The field '{path}.{name}' is required when initialReplicationMethod is 'Offline'.",
                                   target=f"{path}.{name}")
        if not offline and value is not None:
            raise _bad(path, name, value, "offline paths apply only when initialReplicationMethod is 'Offline'")
    start = values.get("onlineReplicationStartTime")
    if start is not None:
        if offline:
            raise _bad(path, "onlineReplicationStartTime", start, "a start time applies only to online replication")
        match = _TIMESPAN.match(start)
        if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59 or int(match.group(3)) > 59:
            raise _bad(path, "onlineReplicationStartTime", start, "a time of day 'hh:mm:ss' within the next 24 hours")


ProviderSettings = PolicySettings | InMageSettings


def fields_of(instance_type: str) -> dict[str, type]:
    """JSON field name -> JSON type of ``instance_type``'s policy input."""
    if instance_type == INMAGE_PROVIDER:
        return INMAGE_FIELDS
    return {name: kind for name, (_, kind) in SETTINGS_FIELDS.items()}


def settings_from_fields(instance_type: str, fields: dict[str, Any], *, path: str) -> ProviderSettings:
    """Validated settings of ``instance_type`` (one of ``PROVIDERS``) from JSON field values."""
    if instance_type == INMAGE_PROVIDER:
        return InMageSettings.from_fields(fields, path=path)
    return PolicySettings.from_fields(instance_type, fields, path=path)


@dataclass(frozen=True)
class Policy:
    """A ``replicationPolicies/{name}`` resource. ``internal_id`` is the GUID jobs name as target."""

    name: str
    internal_id: str
    settings: ProviderSettings

    def updated(self, settings: ProviderSettings) -> Policy:
        return replace(self, settings=settings)
