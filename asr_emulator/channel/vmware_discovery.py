"""Discovery for a VMware fabric: a configuration server's inventory becomes its vCenters, its one
protection container and a protectable item per VMware VM and physical server (PROTOCOL.md §5.3).

The resources follow the SDK 2.0.0 models: ``replicationvCenters`` entries with ``VCenterProperties``,
the container ``cloud_<configuration server id>`` (policy ``VMWARE_CONTAINER_PREFIX``), and items
whose ``customDetails`` are ``VMwareVirtualMachineDetails`` (``discoveryType`` "vCenter" or
"Physical"). What the report no longer holds is removed unless in use (policy
``DISCOVERED_KEPT_WHILE_IN_USE``).
"""

from __future__ import annotations

from typing import Any

from ..models.resources import KINDS
from ..models.vault import Vault
from ..wire.render import fmt_time
from .discovery import merge, prune
from .policy import (
    VMWARE_CONTAINER_PREFIX, VMWARE_FABRIC_TYPE, VMWARE_FLAG_VALUES, VMWARE_MACHINE_TYPE, VMWARE_REPLICATION_PROVIDERS,
)
from .vmware_fabric import VMwareFabricRecord

__all__ = ["apply_vmware_inventory", "vmware_container_name"]

_MIB = 1024 * 1024


def vmware_container_name(configuration_server_id: str) -> str:
    return VMWARE_CONTAINER_PREFIX + configuration_server_id


def _flag(name: str, value: bool) -> str:
    yes, no = VMWARE_FLAG_VALUES[name]
    return str(yes if value else no)


def _machine_details(machine: dict[str, Any], vcenter: str | None) -> dict[str, Any]:
    agent = machine.get("agent") or None
    return {
        "instanceType": VMWARE_MACHINE_TYPE,
        "agentGeneratedId": None if agent is None else agent.get("id"),
        "agentInstalled": _flag("agentInstalled", agent is not None),
        "osType": machine["osType"], "agentVersion": None if agent is None else agent.get("version"),
        "ipAddress": machine.get("ipAddress"), "poweredOn": _flag("poweredOn", machine["poweredOn"]),
        "vCenterInfrastructureId": vcenter, "discoveryType": machine["discoveryType"],
        "diskDetails": [{"diskId": disk["id"], "diskName": disk["name"], "diskSizeInMB": str(disk["sizeBytes"] // _MIB),
                         "diskType": disk["type"], "diskConfiguration": VMWARE_FLAG_VALUES["diskConfiguration"],
                         "volumeList": []} for disk in machine["disks"]],
        "validationErrors": [],
    }


def _item(machine: dict[str, Any], vcenter: str | None, provider_id: str) -> dict[str, Any]:
    return {"friendlyName": machine["name"], "recoveryServicesProviderId": provider_id,
            "protectionReadinessErrors": [], "supportedReplicationProviders": list(VMWARE_REPLICATION_PROVIDERS),
            "customDetails": _machine_details(machine, vcenter)}


def apply_vmware_inventory(vault: Vault, fabric: VMwareFabricRecord, provider_id: str,
                           inventory: dict[str, Any]) -> dict[str, int]:
    """Make ``fabric``'s vCenters, container and protectable items those of ``inventory``; return counts."""
    f = (fabric.name,)
    fabric.inventory = inventory
    heartbeat = None if fabric.clock is None else fmt_time(fabric.clock, inventory.get("takenAt"))
    vcenters: set[str] = set()
    for vcenter in inventory["vCenters"]:
        vcenters.add(vcenter["id"].lower())
        merge(vault, "vcenter", f, vcenter["id"], {
            "friendlyName": vcenter["friendlyName"], "internalId": vcenter["id"], "lastHeartbeat": heartbeat,
            "discoveryStatus": vcenter["discoveryStatus"], "processServerId": vcenter["processServerId"],
            "ipAddress": vcenter["ipAddress"], "infrastructureId": vcenter["id"], "port": str(vcenter["port"]),
            "runAsAccountId": vcenter["runAsAccountId"], "fabricArmResourceName": fabric.name, "healthErrors": []})
    prune(vault, "vcenter", f, vcenters)
    container = vmware_container_name(fabric.name)
    existing = vault.resources.get(KINDS["container"], f, container)
    defaults = {} if existing is not None else {"protectedItemCount": 0, "pairingStatus": "NotPaired", "role": ""}
    merge(vault, "container", f, container, {
        **defaults, "fabricFriendlyName": fabric.friendly_name, "friendlyName": fabric.friendly_name,
        "fabricType": VMWARE_FABRIC_TYPE, "fabricSpecificDetails": None})
    machines = [(vm, vcenter["id"]) for vcenter in inventory["vCenters"] for vm in vcenter["vms"]]
    machines += [(server, None) for server in inventory["physicalServers"]]
    items: set[str] = set()
    for machine, vcenter_id in machines:
        items.add(machine["id"].lower())
        merge(vault, "protectable_item", (fabric.name, container), machine["id"],
              _item(machine, vcenter_id, provider_id),
              defaults={"protectionStatus": "Unprotected", "replicationProtectedItemId": None})
    prune(vault, "protectable_item", (fabric.name, container), items)
    return {"containers": 1, "vCenters": len(vcenters), "protectableItems": len(items)}

