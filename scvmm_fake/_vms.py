"""VMM's virtual machines: its record around a ``hyperv_fake`` VM, with the cloud it belongs to and
the network adapters VMM connected to VM networks.

Facts: VMM's VM objects carry a cloud, a host and an operating system; a virtual network adapter
connects to a VM network and VM subnet with ``IPv4AddressType`` ``Dynamic`` or ``Static`` (a
static one takes its address from a pool, §4 [3P:Savill-MWS2016]). The Hyper-V side (VM GUID,
generation, disks) is read from the host's VM, so it is never stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from hyperv_fake import VM, HardDiskDrive

from ._addresses import IPAddress
from ._clouds import Cloud
from ._hostgroups import VMHost
from ._networks import VMNetwork, VMSubnet
from ._pools import AllocatedIPAddress, StaticIPAddressPool

__all__ = ["IPv4AddressType", "NetworkAdapterSpec", "VirtualNetworkAdapter", "VirtualMachine"]


class IPv4AddressType(str, Enum):
    """``VirtualNetworkAdapter.IPv4AddressType``."""

    Dynamic = "Dynamic"
    Static = "Static"


@dataclass(frozen=True)
class NetworkAdapterSpec:
    """What ``New-SCVirtualNetworkAdapter -VMNetwork [-VMSubnet] [-IPv4AddressType]
    [-IPv4AddressPool]`` asks for; the subnet defaults to the VM network's first."""

    vm_network: VMNetwork
    vm_subnet: VMSubnet | None = None
    ipv4_address_type: IPv4AddressType | str = IPv4AddressType.Dynamic
    ipv4_address_pool: StaticIPAddressPool | None = None


@dataclass(eq=False)
class VirtualNetworkAdapter:
    """A VM's NIC as VMM knows it; ``adapter_name`` is the Hyper-V adapter's name on the VM."""

    id: str
    adapter_name: str
    vm_network: VMNetwork = field(repr=False)
    vm_subnet: VMSubnet = field(repr=False)
    ipv4_address_type: IPv4AddressType
    allocation: AllocatedIPAddress | None = field(default=None, repr=False)

    @property
    def ipv4_addresses(self) -> tuple[IPAddress, ...]:
        return () if self.allocation is None else (self.allocation.address,)


@dataclass(eq=False)
class VirtualMachine:
    """``Microsoft.SystemCenter.VirtualMachineManager.VM``: VMM's id, the Hyper-V VM, its cloud."""

    id: str
    name: str
    vm_host: VMHost = field(repr=False)
    vm: VM = field(repr=False)
    cloud: Cloud | None = field(default=None, repr=False)
    operating_system: str = ""
    virtual_network_adapters: list[VirtualNetworkAdapter] = field(default_factory=list, repr=False)

    @property
    def vm_id(self) -> str:
        """The Hyper-V VM GUID (``VMId``)."""
        return str(self.vm.id)

    @property
    def generation(self) -> int:
        return int(self.vm.generation)

    @property
    def disks(self) -> list[HardDiskDrive]:
        """The Hyper-V VM's hard disk drives (``path``, ``size_bytes``)."""
        return list(self.vm.disks)
