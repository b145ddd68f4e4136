"""Discovery: a Provider's inventory report becomes containers, networks and protectable items.

ASR knows clouds, VM networks and VMs only from what a Provider reports (DESIGN.md import
directions; §5.2 "Site Recovery retrieves metadata from the VMM server"). ``parse_inventory``
checks the report's shape (a typed 400 before anything changes, PROTOCOL.md §Inventory);
``apply_inventory`` makes the fabric's discovered resources equal to the report: each flagged cloud
is a container named by the cloud's GUID (asr-orchestration.md §A.0.7), each VM network of those clouds a
``replicationNetworks`` entry with its subnets (§5) and its logical network a
``replicationLogicalNetworks`` entry, each VM a protectable item with
``customDetails.instanceType`` ``HyperVVirtualMachine`` (asr-orchestration.md §A.3.1). What the report no longer holds is removed (policy
``DISCOVERED_KEPT_WHILE_IN_USE``).
"""

from __future__ import annotations

import posixpath
import uuid
from typing import Any

from ..errors import InvalidRequestContent
from ..models.protection import ProtectedItem
from ..models.resources import KINDS, StoredResource
from ..models.vault import Vault
from .policy import CONTAINER_PREFIX, LOGICAL_NETWORK_USAGE, NETWORK_TYPE, SUPPORTED_REPLICATION_PROVIDERS
from .records import VMM_FABRIC_TYPE, FabricRecord

__all__ = ["parse_inventory", "apply_inventory", "container_name", "check_shape", "merge", "prune"]

_SUBNET = {"id": str, "name": str, "subnets": [[object]]}
_NETWORK = {"id": str, "name": str, "logicalNetwork": str, "logicalNetworkId": str, "networkVirtualization": bool,
            "logicalNetworkDefinitionIsolation": bool, "vmSubnets": [_SUBNET]}
_DISK = {"path": str, "sizeBytes": int}
_VM = {"id": str, "vmId": str, "name": str, "operatingSystem": str, "generation": int, "host": str, "disks": [_DISK]}
_CLOUD = {"id": str, "name": str, "hosts": [str], "vmNetworks": [_NETWORK], "vms": [_VM]}
_INVENTORY = {"sequence": int, "clouds": [_CLOUD]}
_DEFECT = {"host": str, "kind": str, "detail": str}
_PAIRING = {"pairingId": str, "role": str, "defects": [_DEFECT]}  # ``clouds[].pairings``, optional


def check_shape(value: Any, schema: Any, path: str) -> None:
    """``value`` has ``schema``'s shape: a type, ``[item schema]`` or ``{field: schema}`` (extra fields allowed)."""
    if isinstance(schema, list):
        if not isinstance(value, list):
            raise InvalidRequestContent(f"The inventory field '{path}' must be an array.", target=path)
        for index, item in enumerate(value):
            check_shape(item, schema[0], f"{path}[{index}]")
    elif isinstance(schema, dict):
        if not isinstance(value, dict):
            raise InvalidRequestContent(f"The inventory field '{path}' must be an object.", target=path)
        for name, inner in schema.items():
            if name not in value:
                raise InvalidRequestContent(f"The inventory field '{path}.{name}' is required.", target=f"{path}.{name}")
            check_shape(value[name], inner, f"{path}.{name}")
    elif schema is not object and (not isinstance(value, schema) or (schema is not bool and isinstance(value, bool))):
        raise InvalidRequestContent(f"The inventory field '{path}' must be a {schema.__name__}.", target=path)


def parse_inventory(body: Any) -> dict[str, Any]:
    check_shape(body, _INVENTORY, "inventory")
    checked: dict[str, Any] = body
    for index, cloud in enumerate(checked["clouds"]):
        if "pairings" in cloud:
            check_shape(cloud["pairings"], [_PAIRING], f"inventory.clouds[{index}].pairings")
    return checked


def container_name(cloud_id: str) -> str:
    return CONTAINER_PREFIX + cloud_id


def _os_details(name: str) -> dict[str, Any]:
    return {"osType": "Windows" if "windows" in name.lower() else "Linux", "osEdition": name,
            "userSelectedOSName": name}


def _disk(disk: dict[str, Any]) -> dict[str, Any]:
    path = disk["path"].replace("\\", "/")
    extension = posixpath.splitext(path)[1].lstrip(".").upper()
    return {"maxSizeMB": disk["sizeBytes"] // (1024 * 1024), "vhdType": extension or "VHDX",
            "vhdId": str(uuid.uuid5(uuid.NAMESPACE_URL, disk["path"])), "vhdName": posixpath.basename(path)}


def _protectable_item(vm: dict[str, Any], provider_id: str) -> dict[str, Any]:
    return {
        "friendlyName": vm["name"], "recoveryServicesProviderId": provider_id,
        "protectionReadinessErrors": [], "supportedReplicationProviders": list(SUPPORTED_REPLICATION_PROVIDERS),
        "customDetails": {
            "instanceType": "HyperVVirtualMachine", "sourceItemId": vm["vmId"], "generation": str(vm["generation"]),
            "osDetails": _os_details(vm["operatingSystem"]), "diskDetails": [_disk(d) for d in vm["disks"]],
            "hasPhysicalDisk": "NotPresent", "hasFibreChannelAdapter": "NotPresent", "hasSharedVhd": "NotPresent",
            "hyperVHostId": vm["host"],
        },
    }


def _network(network: dict[str, Any]) -> dict[str, Any]:
    subnets = [{"name": subnet["id"], "friendlyName": subnet["name"],
                "addressList": [str(pair[0]) for pair in subnet["subnets"] if pair]} for subnet in network["vmSubnets"]]
    return {"fabricType": VMM_FABRIC_TYPE, "subnets": subnets, "friendlyName": network["name"], "networkType": NETWORK_TYPE}


def _logical_network(network: dict[str, Any]) -> dict[str, Any]:
    """A ``replicationLogicalNetworks`` entry (policy ``LOGICAL_NETWORK_USAGE`` for the usage; the
    two statuses follow the VMM logical network's settings)."""
    return {"friendlyName": network["logicalNetwork"],
            "networkVirtualizationStatus": "Enabled" if network["networkVirtualization"] else "Disabled",
            "logicalNetworkUsage": LOGICAL_NETWORK_USAGE,
            "logicalNetworkDefinitionsStatus": "Isolated" if network["logicalNetworkDefinitionIsolation"]
            else "NotIsolated"}


def merge(vault: Vault, kind: str, parents: tuple[str, ...], name: str, properties: dict[str, Any], *,
           defaults: dict[str, Any] | None = None) -> None:
    """Insert, or update the discovered fields of, one resource (fields other workflows set are
    kept; ``defaults`` only start a new one)."""
    store = vault.resources
    current = store.get(KINDS[kind], parents, name)
    if isinstance(current, StoredResource):
        current.properties.update(properties)
    else:
        store.put(KINDS[kind], parents, StoredResource(name, {**(defaults or {}), **properties}))


def _in_use(vault: Vault, kind: str, names: tuple[str, ...]) -> bool:
    store = vault.resources
    if kind == "container":
        return bool(store.children(KINDS["container_mapping"], names) or store.children(KINDS["protected_item"], names))
    if kind == "network":
        return bool(store.children(KINDS["network_mapping"], names))
    if kind in ("logical_network", "vcenter"):
        return False
    item = store.get(KINDS["protectable_item"], names[:-1], names[-1])
    return item is not None and item.arm_properties().get("protectionStatus") != "Unprotected"


def prune(vault: Vault, kind: str, parents: tuple[str, ...], keep: set[str]) -> None:
    for resource in vault.resources.children(KINDS[kind], parents):
        if resource.name.lower() not in keep and not _in_use(vault, kind, (*parents, resource.name)):
            if kind == "container":
                for item in vault.resources.children(KINDS["protectable_item"], (*parents, resource.name)):
                    vault.resources.remove(KINDS["protectable_item"], (*parents, resource.name), item.name)
            vault.resources.remove(KINDS[kind], parents, resource.name)


def apply_inventory(vault: Vault, fabric: FabricRecord, provider_id: str, inventory: dict[str, Any]) -> dict[str, int]:
    """Make ``fabric``'s containers, networks and protectable items those of ``inventory``; return counts."""
    f = (fabric.name,)
    containers: set[str] = set()
    networks: set[str] = set()
    logical: set[str] = set()
    vms = 0
    protected = {item.vm_id: parents[1] for parents, item in vault.resources.everywhere(KINDS["protected_item"])
                 if isinstance(item, ProtectedItem)}  # Hyper-V VM id -> the container it is protected from
    for cloud in inventory["clouds"]:
        name = container_name(cloud["id"])
        containers.add(name.lower())
        existing = vault.resources.get(KINDS["container"], f, name)
        defaults = {} if existing is not None else {"protectedItemCount": 0, "pairingStatus": "NotPaired", "role": ""}
        merge(vault, "container", f, name, {  # pairingStatus and role belong to the pairing workflow
            **defaults, "fabricFriendlyName": fabric.friendly_name, "friendlyName": cloud["name"],
            "fabricType": VMM_FABRIC_TYPE, "fabricSpecificDetails": None})
        items: set[str] = set()
        for vm in cloud["vms"]:
            if (vm.get("replication") or {}).get("mode") == "Replica" or protected.get(vm["vmId"], name) != name:
                continue  # policy REPLICAS_NOT_PROTECTABLE
            items.add(vm["id"].lower())
            merge(vault, "protectable_item", (fabric.name, name), vm["id"], _protectable_item(vm, provider_id),
                   defaults={"protectionStatus": "Unprotected", "replicationProtectedItemId": None})  # protection's
        vms += len(items)
        prune(vault, "protectable_item", (fabric.name, name), items)
        for network in cloud["vmNetworks"]:
            networks.add(network["id"].lower())
            merge(vault, "network", f, network["id"], _network(network))
            logical.add(network["logicalNetworkId"].lower())
            merge(vault, "logical_network", f, network["logicalNetworkId"], _logical_network(network))
    prune(vault, "container", f, containers)
    prune(vault, "network", f, networks)
    prune(vault, "logical_network", f, logical)
    return {"containers": len(containers), "networks": len(networks), "protectableItems": vms}
