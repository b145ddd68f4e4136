"""What registration puts in the vault's resource store: a fabric and its Providers (asr-api.md §4) —
a VMM server's fabric here, a configuration server's in ``vmware_fabric``.

Both are ``ArmResource``s rendered by the existing read-only routes. A Provider's
``connectionStatus`` is derived when it is read (Connected while its last heartbeat is within
``HEARTBEAT_TIMEOUT_SECONDS``), so liveness costs nothing while nobody looks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simcore import Clock, Standing

from ..wire.render import fmt_time
from .policy import CONNECTED, HEARTBEAT_TIMEOUT_SECONDS, NOT_CONNECTED, PROVIDER_VERSION_STATE, PROVIDER_VERSION_STATUS

__all__ = ["FabricRecord", "ProviderRecord", "VMM_FABRIC_TYPE"]

#: Fact (asr-api.md §4): a VMM fabric's ``customDetails.instanceType`` and the ``fabricType`` of its
#: Providers and containers.
VMM_FABRIC_TYPE = "VMM"


@dataclass(eq=False)
class FabricRecord:
    """A ``replicationFabrics/{name}`` resource for one VMM server (``fabric_type`` names the site kind
    its Providers and containers show as ``fabricType``)."""

    name: str
    friendly_name: str
    internal_identifier: str
    fabric_type: str = VMM_FABRIC_TYPE

    def custom_details(self) -> dict[str, Any]:
        return {"instanceType": VMM_FABRIC_TYPE}

    def arm_properties(self) -> dict[str, Any]:
        # Shape of [EX:ReplicationFabrics_Get] (asr-api.md §4): bcdrState "Valid", health "Normal".
        return {
            "friendlyName": self.friendly_name,
            "encryptionDetails": {"kekState": "None"},
            "rolloverEncryptionDetails": {"kekState": "None"},
            "internalIdentifier": self.internal_identifier,
            "bcdrState": "Valid",
            "customDetails": self.custom_details(),
            "healthErrorDetails": [],
            "health": "Normal",
        }


@dataclass(eq=False)
class ProviderRecord:
    """A ``replicationRecoveryServicesProviders/{name}`` resource: one registered ASR Provider.

    ``thumbprint`` identifies its client certificate on the channel; ``last_heartbeat`` is the
    virtual time of its last authenticated call.
    """

    name: str
    fabric: FabricRecord
    friendly_name: str
    machine_name: str
    bios_id: str
    provider_version: str
    server_version: str
    thumbprint: str
    certificate: Any = field(repr=False)
    clock: Clock = field(repr=False)
    heard: float | None = None  # when the last authenticated call arrived
    heartbeat_timeout: float = HEARTBEAT_TIMEOUT_SECONDS
    #: The Provider's poll exchange with the service, if it ever stood down idle (simcore standings).
    standing: Callable[[], Standing | None] = field(default=lambda: None, repr=False)
    protected_item_count: int = 0  # protection is a later workflow's; nothing protects a VM yet

    @property
    def last_heartbeat(self) -> float | None:
        """The last call's arrival — or, while the Provider's idle polls are elided, the arrival
        of the last poll it would have made."""
        standing = self.standing()
        return self.heard if standing is None else standing.recurring(self.heard, self.clock.now)

    @last_heartbeat.setter
    def last_heartbeat(self, value: float | None) -> None:
        self.heard = value

    @property
    def connection_status(self) -> str:
        if self.last_heartbeat is None or self.clock.now - self.last_heartbeat > self.heartbeat_timeout:
            return NOT_CONNECTED
        return CONNECTED

    def arm_properties(self) -> dict[str, Any]:
        return {
            "fabricType": self.fabric.fabric_type,
            "friendlyName": self.friendly_name,
            "providerVersion": self.provider_version,
            "serverVersion": self.server_version,
            "providerVersionState": PROVIDER_VERSION_STATE,
            "fabricFriendlyName": self.fabric.friendly_name,
            "lastHeartBeat": fmt_time(self.clock, self.last_heartbeat),
            "connectionStatus": self.connection_status,
            "protectedItemCount": self.protected_item_count,
            "allowedScenarios": [],
            "healthErrorDetails": [],
            "draIdentifier": self.name,
            "machineId": self.fabric.name,
            "machineName": self.machine_name,
            "biosId": self.bios_id,
            "providerVersionDetails": {"version": self.provider_version, "status": PROVIDER_VERSION_STATUS},
        }
