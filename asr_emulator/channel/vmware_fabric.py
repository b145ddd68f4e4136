"""A configuration server's fabric: ``customDetails`` ``VMwareDetails`` rendered from its agent's last
inventory (PROTOCOL.md §5.3), and the shape that inventory must have.

ASR knows the configuration server, its process servers, master targets, run-as accounts and
vCenters only from what its agent reports, as it knows VMM clouds from the Provider. Time fields
follow the agent's heartbeat (policy ``VMWARE_COMPONENTS_FOLLOW_CS``), so they cost nothing while
nobody reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simcore import Clock

from ..wire.render import fmt_time
from .discovery import check_shape
from .policy import VMWARE_COMPONENTS_FOLLOW_CS, VMWARE_FABRIC_TYPE, VMWARE_VERSION_STATUS
from .records import FabricRecord

__all__ = ["VMwareFabricRecord", "parse_vmware_inventory"]

_DISK = {"id": str, "name": str, "sizeBytes": int, "type": str}
_MACHINE = {"id": str, "name": str, "discoveryType": str, "osType": str, "poweredOn": bool, "disks": [_DISK],
            "nics": [dict]}
_INVENTORY = {
    "sequence": int,
    "configurationServer": {"id": str, "hostName": str, "ipAddress": str, "agentVersion": str, "agentCount": int},
    "runAsAccounts": [{"accountId": str, "accountName": str}],
    "processServers": [{"id": str, "friendlyName": str, "ipAddress": str, "machineCount": int}],
    "masterTargets": [{"id": str, "name": str, "ipAddress": str, "retentionVolumes": [dict], "dataStores": [dict]}],
    "vCenters": [{"id": str, "friendlyName": str, "ipAddress": str, "port": int, "processServerId": str,
                  "runAsAccountId": str, "discoveryStatus": str, "vms": [_MACHINE]}],
    "physicalServers": [_MACHINE],
}
#: A replication pair (optional section: a server that protects nothing may leave it out).
_PAIR = {"machineId": str, "protectionStage": str, "processServerId": str, "masterTargetId": str,
         "recoveryPoints": [{"id": str, "time": object, "type": str}]}


def parse_vmware_inventory(body: Any) -> dict[str, Any]:
    """``body`` checked against the configuration server inventory's shape (400 naming the field)."""
    check_shape(body, _INVENTORY, "inventory")
    checked: dict[str, Any] = body
    if "replicationPairs" in checked:
        check_shape(checked["replicationPairs"], [_PAIR], "inventory.replicationPairs")
    return checked


@dataclass(eq=False)
class VMwareFabricRecord(FabricRecord):
    """The fabric of one configuration server; ``inventory`` is its agent's last applied report and
    ``last_heartbeat()`` its agent's last heartbeat (virtual seconds)."""

    fabric_type: str = VMWARE_FABRIC_TYPE
    clock: Clock | None = field(default=None, repr=False)
    last_heartbeat: Callable[[], float | None] = field(default=lambda: None, repr=False)
    inventory: dict[str, Any] | None = None

    def _time(self) -> str | None:
        return None if self.clock is None else fmt_time(self.clock, self.last_heartbeat())

    def custom_details(self) -> dict[str, Any]:
        """``VMwareDetails`` (SDK 2.0.0): what the inventory holds, counts derived from it."""
        report = self.inventory or {}
        cs = report.get("configurationServer") or {}
        running, health = VMWARE_COMPONENTS_FOLLOW_CS
        beat = self._time()
        version = cs.get("agentVersion")
        servers = report.get("processServers") or []
        targets = report.get("masterTargets") or []
        pairs = report.get("replicationPairs") or []
        return {
            "instanceType": VMWARE_FABRIC_TYPE,
            "processServers": [{
                "friendlyName": ps["friendlyName"], "id": ps["id"], "ipAddress": ps["ipAddress"],
                "osType": ps.get("osType"), "agentVersion": ps.get("agentVersion"), "lastHeartbeat": beat,
                "hostId": ps.get("hostId"), "machineCount": str(ps["machineCount"]),
                "replicationPairCount": str(sum(1 for p in pairs if p["processServerId"] == ps["id"])),
                "psServiceStatus": running, "health": health, "healthErrors": [],
                "agentVersionDetails": {"version": ps.get("agentVersion"), "status": VMWARE_VERSION_STATUS},
            } for ps in servers],
            "masterTargetServers": [{
                "id": mt["id"], "ipAddress": mt["ipAddress"], "name": mt["name"], "osType": mt.get("osType"),
                "osVersion": mt.get("osVersion"), "agentVersion": mt.get("agentVersion"), "lastHeartbeat": beat,
                "retentionVolumes": mt["retentionVolumes"], "dataStores": mt["dataStores"],
                "validationErrors": [], "healthErrors": [],
                "agentVersionDetails": {"version": mt.get("agentVersion"), "status": VMWARE_VERSION_STATUS},
            } for mt in targets],
            "runAsAccounts": list(report.get("runAsAccounts") or []),
            "replicationPairCount": str(len(pairs)), "protectedServers": str(len(pairs)),  # one pair per machine
            "processServerCount": str(len(servers)),
            "agentCount": str(cs.get("agentCount", 0) + len(targets)),  # sources and targets talking to this CS
            "csServiceStatus": running, "ipAddress": cs.get("ipAddress"), "hostName": cs.get("hostName"),
            "agentVersion": version, "lastHeartbeat": beat,
            "agentVersionDetails": {"version": version, "status": VMWARE_VERSION_STATUS},
            "switchProviderBlockingErrorDetails": [],
        }
