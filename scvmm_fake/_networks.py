"""Logical networks, network sites (logical network definitions), VM networks and VM subnets.

Facts (§4): a logical network is a named grouping of IP subnets and VLANs, its name unique in
the VMM installation [D:VMM-NewSCLogicalNetwork]; a network site (``LogicalNetworkDefinition``)
associates ``SubnetVLan``s with host groups [D:VMM-NewSCLogicalNetworkDefinition]; a VM network
sits on a logical network with an ``IsolationType`` of ``NoIsolation``, ``VLANNetwork``,
``WindowsNetworkVirtualization`` or ``External`` [D:VMM-NewSCVMNetwork]; VM subnets need a logical
network enabled for network virtualization, or (``Vlan`` parameter set) a network site
[D:VMM-NewSCVMSubnet].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum

from ._addresses import IPNetwork, parse_subnet
from ._hostgroups import HostGroup
from .errors import InvalidParameter

__all__ = [
    "IsolationType", "SubnetVLan", "LogicalNetwork", "LogicalNetworkDefinition", "VMNetwork", "VMSubnet",
    "check_subnet_vlans",
]

#: 802.1Q VLAN ids are 12 bits; 0 means untagged (no VLAN).
_MAX_VLAN_ID = 4094


class IsolationType(str, Enum):
    """``VMNetworkType``, the accepted values of ``New-SCVMNetwork -IsolationType`` [D:VMM-NewSCVMNetwork]."""

    NoIsolation = "NoIsolation"
    WindowsNetworkVirtualization = "WindowsNetworkVirtualization"
    External = "External"
    VLANNetwork = "VLANNetwork"


@dataclass(frozen=True, init=False)
class SubnetVLan:
    """``New-SCSubnetVLan -Subnet -VLanID``: an IP subnet (optional: a DHCP-only site needs none,
    §4 [3P:Savill-MWS2016]) with its VLAN id (0 = untagged)."""

    subnet: IPNetwork | None = None
    vlan_id: int = 0

    def __init__(self, subnet: str | IPNetwork | None = None, vlan_id: int = 0) -> None:
        if isinstance(vlan_id, bool) or not isinstance(vlan_id, int) or not 0 <= vlan_id <= _MAX_VLAN_ID:
            raise InvalidParameter(f"VLanID: {vlan_id!r} is not a VLAN id in 0..{_MAX_VLAN_ID}")
        object.__setattr__(self, "subnet", None if subnet is None else parse_subnet(subnet, "Subnet"))
        object.__setattr__(self, "vlan_id", vlan_id)

    def __str__(self) -> str:
        return f"{self.subnet or '-'} (VLAN {self.vlan_id})"


def check_subnet_vlans(subnet_vlans: Sequence[SubnetVLan], what: str) -> tuple[SubnetVLan, ...]:
    """The SubnetVLans as a tuple, refusing non-SubnetVLan items and subnets that overlap each other."""
    items = tuple(subnet_vlans)
    for item in items:
        if not isinstance(item, SubnetVLan):
            raise InvalidParameter(f"{what}: {item!r} is not a SubnetVLan")
    subnets = [item.subnet for item in items if item.subnet is not None]
    for index, subnet in enumerate(subnets):
        for other in subnets[index + 1:]:
            if subnet.version == other.version and subnet.overlaps(other):
                raise InvalidParameter(f"{what}: subnets {subnet} and {other} overlap")
    return items


@dataclass(eq=False)
class LogicalNetwork:
    """``New-SCLogicalNetwork``: the network's name and how VM networks may isolate on it."""

    id: str
    name: str
    description: str = ""
    network_virtualization_enabled: bool = False
    use_gre: bool = False
    is_pvlan: bool = False
    logical_network_definition_isolation: bool = False
    logical_network_definitions: list[LogicalNetworkDefinition] = field(default_factory=list, repr=False)


@dataclass(eq=False)
class LogicalNetworkDefinition:
    """A network site: SubnetVLans of a logical network, available to some host groups."""

    id: str
    name: str
    logical_network: LogicalNetwork = field(repr=False)
    subnet_vlans: tuple[SubnetVLan, ...] = ()
    host_groups: tuple[HostGroup, ...] = field(default=(), repr=False)

    def serves(self, group: HostGroup) -> bool:
        """True if hosts of ``group`` reach this site (it is associated with the group or an ancestor)."""
        return any(group.is_within(associated) for associated in self.host_groups)

    def subnet_vlan_for(self, subnet: IPNetwork) -> SubnetVLan | None:
        return next((item for item in self.subnet_vlans if item.subnet == subnet), None)


@dataclass(eq=False)
class VMNetwork:
    """``New-SCVMNetwork``: what VMs connect to; isolated on its logical network by ``isolation_type``."""

    id: str
    name: str
    logical_network: LogicalNetwork = field(repr=False)
    isolation_type: IsolationType
    description: str = ""
    vm_subnets: list[VMSubnet] = field(default_factory=list, repr=False)


@dataclass(eq=False)
class VMSubnet:
    """``New-SCVMSubnet``: a subnet of a VM network, optionally bound to a network site (VLAN set)."""

    id: str
    name: str
    vm_network: VMNetwork = field(repr=False)
    own_subnet_vlans: tuple[SubnetVLan, ...] = ()
    logical_network_definition: LogicalNetworkDefinition | None = field(default=None, repr=False)
    description: str = ""

    @property
    def subnet_vlans(self) -> tuple[SubnetVLan, ...]:
        """The subnet's SubnetVLans; for the subnet VMM creates with a ``NoIsolation`` network, those of
        every site of the logical network, as they are now (policy ``NO_ISOLATION_SUBNET``)."""
        if self.vm_network.isolation_type is IsolationType.NoIsolation:
            return tuple(
                item for site in self.vm_network.logical_network.logical_network_definitions for item in site.subnet_vlans
            )
        return self.own_subnet_vlans
