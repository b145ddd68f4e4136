"""The DR inventory: what the ASR Provider reports for clouds with ``DisasterRecoverySupported``.

Fact (§4, [D:HRM-ConfigureVault] [D:VMM-SetSCCloud]): with the flag set, VMM sends "cloud name,
virtual machine names, logical network names, virtual machine host names, and the relevant
properties for each object"; after registration "Site Recovery retrieves metadata from the VMM
server" (§5.2), and the Provider sends each VM's name and ID (§5.1). What counts as "relevant" is
the emulator's choice: the fields below (policy ``INVENTORY_ORDER`` orders them).

The snapshot is plain frozen dataclasses of strings, ints and tuples, so the Provider can
serialize it with ``dataclasses.asdict``; nothing in it refers back to the live model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ._clouds import Cloud
from ._core import sort_by_name
from ._inventory_replication import InventoryReplication
from ._networks import VMNetwork
from ._placement import pools_serving
from ._pools import StaticIPAddressPool
from ._vms import VirtualMachine

__all__ = [
    "InventorySubnet", "InventoryVMNetwork", "InventoryDisk", "InventoryNetworkAdapter", "InventoryVM",
    "InventoryPairingDefect", "InventoryPairing", "InventoryReplication",
    "InventoryCloud", "Inventory", "take_inventory",
]


@dataclass(frozen=True)
class InventorySubnet:
    """A VM subnet: its name and its subnets with VLANs (``"10.1.0.0/24"``, 10)."""

    id: str
    name: str
    subnets: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class InventoryVMNetwork:
    """A VM network a cloud can reach, with its logical network and subnets."""

    id: str
    name: str
    logical_network: str
    logical_network_id: str
    network_virtualization: bool
    logical_network_definition_isolation: bool
    isolation_type: str
    vm_subnets: tuple[InventorySubnet, ...]
    has_static_ip_pool: bool


@dataclass(frozen=True)
class InventoryDisk:
    path: str
    size_bytes: int


@dataclass(frozen=True)
class InventoryNetworkAdapter:
    """A VM's NIC: where it is connected and the static addresses VMM granted it."""

    id: str
    vm_network: str
    vm_subnet: str
    ipv4_address_type: str
    ip_addresses: tuple[str, ...]


@dataclass(frozen=True)
class InventoryVM:
    """A VM of a cloud: VMM's id, the Hyper-V VM GUID, and the properties ASR needs; ``replication``
    None unless it takes part in replication (policy ``REPLICATION_REPORTED``)."""

    id: str
    vm_id: str
    name: str
    operating_system: str
    generation: int
    host: str
    disks: tuple[InventoryDisk, ...]
    network_adapters: tuple[InventoryNetworkAdapter, ...]
    replication: InventoryReplication | None = None


@dataclass(frozen=True)
class InventoryPairingDefect:
    """One defect of one host of a paired cloud (``scvmm_fake.pairing_defects``): the host's FQDN,
    the ``DefectKind`` and the problem in words."""

    host: str
    kind: str
    detail: str


@dataclass(frozen=True)
class InventoryPairing:
    """A pairing that configures the cloud (the id ASR gave it), and its hosts' defects (none when
    every host is configured as the pairing promises)."""

    pairing_id: str
    role: str
    peer_cloud_id: str
    defects: tuple[InventoryPairingDefect, ...]


@dataclass(frozen=True)
class InventoryCloud:
    id: str
    name: str
    host_groups: tuple[str, ...]
    hosts: tuple[str, ...]
    capability_profiles: tuple[str, ...]
    paired: bool
    vm_networks: tuple[InventoryVMNetwork, ...]
    vms: tuple[InventoryVM, ...]
    pairings: tuple[InventoryPairing, ...] = ()


@dataclass(frozen=True)
class Inventory:
    """One VMM server's report at one virtual instant."""

    server: str
    fqdn: str
    taken_at: float
    clouds: tuple[InventoryCloud, ...]


def take_inventory(
    server: str,
    fqdn: str,
    now: float,
    clouds: list[Cloud],
    vm_networks: list[VMNetwork],
    vms: list[VirtualMachine],
    pools: list[StaticIPAddressPool],
    *,
    replication: Mapping[str, InventoryReplication] | None = None,
    pairings: Mapping[str, tuple[InventoryPairing, ...]] | None = None,
) -> Inventory:
    """The snapshot of the clouds with ``DisasterRecoverySupported`` (policies ``CLOUD_NETWORKS``,
    ``INVENTORY_ORDER``): each with the VM networks on its logical networks and its VMs, with the
    replication of each VM ``replication`` holds by VMM id, and (from ``pairings``, by cloud id)
    the pairings that configure it with their hosts' defects."""
    replicating = replication or {}
    flagged = [cloud for cloud in sort_by_name(clouds) if cloud.disaster_recovery_supported]
    return Inventory(server, fqdn, now, tuple(
        InventoryCloud(
            id=cloud.id,
            name=cloud.name,
            host_groups=tuple(sorted(group.path for group in cloud.host_groups)),
            hosts=tuple(sorted(host.name for host in cloud.hosts())),
            capability_profiles=tuple(sorted(cloud.capability_profiles)),
            paired=cloud.paired,
            vm_networks=tuple(
                _vm_network(network, pools)
                for network in sort_by_name(vm_networks) if network.logical_network in cloud.logical_networks
            ),
            vms=tuple(_vm(vm, replicating.get(vm.id)) for vm in sort_by_name(vm for vm in vms if vm.cloud is cloud)),
            pairings=(pairings or {}).get(cloud.id, ()),
        )
        for cloud in flagged
    ))


def _vm_network(network: VMNetwork, pools: list[StaticIPAddressPool]) -> InventoryVMNetwork:
    subnets = sort_by_name(network.vm_subnets)
    return InventoryVMNetwork(
        id=network.id,
        name=network.name,
        logical_network=network.logical_network.name,
        logical_network_id=network.logical_network.id,
        network_virtualization=network.logical_network.network_virtualization_enabled,
        logical_network_definition_isolation=network.logical_network.logical_network_definition_isolation,
        isolation_type=network.isolation_type.value,
        vm_subnets=tuple(
            InventorySubnet(subnet.id, subnet.name, tuple(
                (str(item.subnet), item.vlan_id) for item in subnet.subnet_vlans if item.subnet is not None))
            for subnet in subnets
        ),
        has_static_ip_pool=any(pools_serving(subnet, None, pools) for subnet in subnets),
    )


def _vm(vm: VirtualMachine, replication: InventoryReplication | None) -> InventoryVM:
    return InventoryVM(
        id=vm.id,
        vm_id=vm.vm_id,
        name=vm.name,
        operating_system=vm.operating_system,
        generation=vm.generation,
        host=vm.vm_host.name,
        disks=tuple(InventoryDisk(disk.path, disk.size_bytes) for disk in vm.disks),
        network_adapters=tuple(
            InventoryNetworkAdapter(
                nic.id, nic.vm_network.name, nic.vm_subnet.name, nic.ipv4_address_type.value,
                tuple(str(address) for address in nic.ipv4_addresses),
            )
            for nic in vm.virtual_network_adapters
        ),
        replication=replication,
    )
