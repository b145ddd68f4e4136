"""A VMware VM or physical server protected to the secondary site (``InMage``, vmware_fake/REFERENCE.md §7).

An ``InMageItem`` is a ``ProtectedItem`` whose primary and recovery containers are the one container
of its configuration server (both sites are that server's, REFERENCE.md §1). What it says about
replication is what the configuration server last reported of the machine's replication pair (the
``replicationPairs`` entry of its inventory, PROTOCOL.md §5.3): stage, RPO, retention window and the
points, rendered as the SDK's ``InMageReplicationDetails``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..policy import INMAGE_ACTIVE_SITE_TYPE, INMAGE_PROTECTED_ITEM_TYPE, INMAGE_PROTECTION_STATES, INMAGE_PROVIDER
from ..wire.render import fmt_time
from .protection import ProtectedItem
from .replication_health import RPO_EXCEEDED, ReplicationCondition

__all__ = ["InMageItem"]

_MIB = 1024 * 1024


@dataclass(eq=False)
class InMageItem(ProtectedItem):
    """One machine of a configuration server, protected with an InMage policy. ``vm`` is the machine's
    last inventory entry, ``pair`` its replication pair's, ``protection`` the enable input's settings
    (process server, master target, retention drive, multi-VM group) as the server was given them."""

    pair: dict[str, Any] = field(default_factory=dict, repr=False)
    protection: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def allowed_operations(self) -> list[str]:
        if self.running is not None:
            return []
        if self.test_vm is not None:
            return ["TestFailoverCleanup"]
        return list(INMAGE_PROTECTION_STATES[self.state].allowed_operations)

    def _conditions(self) -> list[tuple[ReplicationCondition, bool]]:
        """The RPO over the policy's threshold (``RPO_EXCEEDED``), as the server last reported the pair;
        none before the pair is protected or once it failed over."""
        rpo, threshold = self.pair.get("rpoInSeconds"), self.pair.get("rpoThresholdInSeconds")
        if (self.state in ("UnprotectedStatesBegin", "ProtectedStatesBegin") or self.pair.get("failover")
                or not isinstance(rpo, (int, float)) or not isinstance(threshold, (int, float))):
            return []
        return [(RPO_EXCEEDED, False)] if rpo >= threshold else []

    def last_replicated(self) -> float | None:
        """The newest point the master target holds (``lastRecoveryPoint``)."""
        last = self.pair.get("lastRecoveryPoint")
        return float(last) if isinstance(last, (int, float)) else None

    def recovery_vm(self) -> dict[str, Any] | None:
        """The replica VM the master target created at the last failover, as reported."""
        found = self.pair.get("recoveryVm")
        return found if isinstance(found, dict) else None

    def _time(self, key: str) -> str | None:
        value = self.pair.get(key)
        return fmt_time(self.clock, float(value)) if isinstance(value, (int, float)) else None

    def _consistency_points(self) -> dict[str, str]:
        """The newest point of each kind (``consistencyPoints``: kind → time)."""
        newest: dict[str, float] = {}
        for point in self.pair.get("recoveryPoints") or []:
            newest[str(point["type"])] = max(float(point["time"]), newest.get(str(point["type"]), float("-inf")))
        return {kind: fmt_time(self.clock, time) or "" for kind, time in newest.items()}

    def _disks(self) -> list[dict[str, Any]]:
        sizes = {str(disk["id"]): int(disk["sizeBytes"]) for disk in self.vm.get("disks", [])}
        return [{"diskId": disk["diskId"], "diskName": disk["diskName"], "protectionStage": self.pair.get("protectionStage"),
                 "rpoInSeconds": disk.get("rpoInSeconds"), "resyncRequired": str(bool(disk.get("resyncRequired"))).lower(),
                 "diskCapacityInBytes": sizes.get(str(disk["diskId"])), "psDataInMB": disk.get("psDataInMB"),
                 "targetDataInMB": disk.get("targetDataInMB"),
                 "lastRpoCalculatedTime": fmt_time(self.clock, self.clock.now)}
                for disk in self.pair.get("protectedDisks") or []]

    def _details(self) -> dict[str, Any]:
        """``InMageReplicationDetails`` (SDK 2.0.0)."""
        state = INMAGE_PROTECTION_STATES[self.state]
        pair, machine, agent = self.pair, self.vm, self.vm.get("agent") or {}
        progress = pair.get("initialReplicationProgress")
        return {
            "instanceType": INMAGE_PROVIDER, "activeSiteType": INMAGE_ACTIVE_SITE_TYPE,
            "osDetails": {"osType": machine.get("osType"), "osVhdId": None, "vhdName": None},
            "protectionStage": pair.get("protectionStage"), "vmId": self.vm_id,
            "vmProtectionState": pair.get("vmProtectionState", state.name),
            "vmProtectionStateDescription": state.description,
            "resyncDetails": {"initialReplicationType": "InitialReplication",
                              "initialReplicationProgressPercentage": None if progress is None else str(int(progress))},
            "retentionWindowStart": self._time("retentionWindowStart"),
            "retentionWindowEnd": self._time("retentionWindowEnd"),
            "rpoInSeconds": pair.get("rpoInSeconds"), "protectedDisks": self._disks(),
            "ipAddress": machine.get("ipAddress"), "lastHeartbeat": fmt_time(self.clock, self.clock.now),
            "processServerId": pair.get("processServerId", self.protection.get("processServerId")),
            "masterTargetId": pair.get("masterTargetId", self.protection.get("masterTargetId")),
            "consistencyPoints": self._consistency_points(),
            "multiVmGroupId": self.protection.get("multiVmGroupId"),
            "multiVmGroupName": self.protection.get("multiVmGroupName"),
            "multiVmSyncStatus": pair.get("multiVmSyncStatus"),
            "agentDetails": {"agentVersion": agent.get("version"), "agentUpdateStatus": None,
                             "postUpdateRebootStatus": None, "agentExpiryDate": None},
            "vCenterInfrastructureId": machine.get("vCenter"), "infrastructureVmId": machine.get("id"),
            "vmNics": [{"nicId": nic.get("name"), "vMNetworkName": nic.get("network"),
                        "ipConfigs": [{"isPrimary": True, "staticIPAddress": nic.get("ipAddress"),
                                       "ipAddressType": "Static" if nic.get("ipAddress") else "Dynamic"}]}
                       for nic in machine.get("nics", [])],
            "discoveryType": machine.get("discoveryType"),
            "datastores": sorted({str(d["datastore"]) for d in machine.get("disks", []) if d.get("datastore")}),
            "validationErrors": [], "lastRpoCalculatedTime": fmt_time(self.clock, self.clock.now),
            "lastUpdateReceivedTime": self._time("lastRecoveryPoint"),
            "replicaId": (self.recovery_vm() or {}).get("id"), "osVersion": machine.get("osName"),
        }

    def arm_properties(self) -> dict[str, Any]:
        return {**super().arm_properties(), "protectedItemType": INMAGE_PROTECTED_ITEM_TYPE,
                "providerSpecificDetails": self._details()}
