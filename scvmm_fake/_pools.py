"""Static IP address pools and the addresses allocated from them.

Facts (§4, [D:VMM-NewSCStaticIPAddressPool] [D:VMM-GrantSCIPAddress] [D:VMM-RevokeSCIPAddress]
[D:VMM-GetSCIPAddress] [D:VMM-SetSCIPAddress]): a pool has a subnet, a range
(``IPAddressRangeStart``/``IPAddressRangeEnd``), a set "reserved for other use"
(``IPAddressReservedSet``), a set of load-balancer VIPs (``VIPAddressSet``), default gateways,
DNS/WINS settings; ``Grant-SCIPAddress`` allocates a specific address or one VMM chooses;
``Revoke-SCIPAddress -ReturnToPool`` (default true) gives it back; an allocated address is
*assigned* once it is granted to an object (``-GrantToObjectID``, at grant time or later with
``Set-SCIPAddress``) and *unassigned* before (``Get-SCIPAddress -Assigned/-UnAssigned``).

The model separates checking from changing: ``check_grant``/``check_revoke`` raise or return
what to do, ``allocate``/``release`` change state and cannot fail. Cmdlets call the first in
their plan and the second in their commit, so a refused call changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from ._addresses import AddressSet, IntervalList, IPAddress, IPNetwork, lowest_free, parse_address
from ._networks import LogicalNetworkDefinition, VMSubnet
from .errors import (
    AddressNotAllocated,
    IPAddressInUse,
    IPAddressOutOfRange,
    IPAddressPoolExhausted,
    IPAddressReserved,
    InvalidParameter,
)

__all__ = ["AllocatedToObjectType", "DefaultGateway", "StaticIPAddressPool", "AllocatedIPAddress"]


class AllocatedToObjectType(str, Enum):
    """``Grant-SCIPAddress -GrantToObjectType`` accepted values [D:VMM-GrantSCIPAddress]; the
    value ``None`` is spelt ``None_``."""

    VirtualNetworkAdapter = "VirtualNetworkAdapter"
    VIP = "VIP"
    HostNetworkAdapter = "HostNetworkAdapter"
    LoadBalancerConfiguration = "LoadBalancerConfiguration"
    VirtualMachine = "VirtualMachine"
    HostCluster = "HostCluster"
    VMSubnet = "VMSubnet"
    NetworkService = "NetworkService"
    NATConnection = "NATConnection"
    NetworkGateway = "NetworkGateway"
    StorageArray = "StorageArray"
    VMNetworkGateway = "VMNetworkGateway"
    None_ = "None"


@dataclass(frozen=True, init=False)
class DefaultGateway:
    """``New-SCDefaultGateway -IPAddress -Metric`` (no metric: automatic)."""

    ip_address: IPAddress
    metric: int | None = None

    def __init__(self, ip_address: str | IPAddress, metric: int | None = None) -> None:
        if metric is not None and (isinstance(metric, bool) or not isinstance(metric, int) or metric < 0):
            raise InvalidParameter(f"Metric: {metric!r} is not a metric (an int >= 0)")
        object.__setattr__(self, "ip_address", parse_address(ip_address, "DefaultGateway IPAddress"))
        object.__setattr__(self, "metric", metric)


@dataclass(eq=False)
class AllocatedIPAddress:
    """One address allocated from a pool (``AllocatedIPAddress``)."""

    id: str
    address: IPAddress
    allocating_address_pool: StaticIPAddressPool = field(repr=False)
    grant_to_object_type: AllocatedToObjectType
    grant_to_object_id: str | None = None
    description: str = ""

    @property
    def is_assigned(self) -> bool:
        """Assigned to an object, not only allocated (policy ``ASSIGNED_MEANS_GRANTED_TO_OBJECT``)."""
        return self.grant_to_object_id is not None


@dataclass(eq=False)
class StaticIPAddressPool:
    """``New-SCStaticIPAddressPool``, on a network site or on a VM subnet; allocation state inside."""

    id: str
    name: str
    subnet: IPNetwork
    ip_address_range_start: IPAddress
    ip_address_range_end: IPAddress
    ip_address_reserved_set: AddressSet
    vip_address_set: AddressSet
    logical_network_definition: LogicalNetworkDefinition | None = field(default=None, repr=False)
    vm_subnet: VMSubnet | None = field(default=None, repr=False)
    vlan_id: int = 0
    description: str = ""
    default_gateways: tuple[DefaultGateway, ...] = ()
    dns_servers: tuple[IPAddress, ...] = ()
    dns_suffix: str = ""
    dns_search_suffixes: tuple[str, ...] = ()
    wins_servers: tuple[IPAddress, ...] = ()
    enable_netbios: bool = False
    _allocations: dict[int, AllocatedIPAddress] = field(default_factory=dict, repr=False)
    _withheld: dict[int, None] = field(default_factory=dict, repr=False)
    # The keys of both dicts above as merged intervals, kept in step by allocate/release, so a grant
    # does not re-sort every allocation of the pool (building N VMs would be quadratic).
    _taken_intervals: IntervalList = field(default_factory=IntervalList, repr=False)

    # -- reading ------------------------------------------------------------------------------

    @property
    def allocated(self) -> list[AllocatedIPAddress]:
        """Every allocated address, in address order."""
        return [self._allocations[key] for key in sorted(self._allocations)]

    @property
    def total_addresses(self) -> int:
        return int(self.ip_address_range_end) - int(self.ip_address_range_start) + 1

    @property
    def available_addresses(self) -> int:
        """Addresses of the range a non-VIP grant could still take."""
        excluded = self._excluded(for_vip=False)
        return self.total_addresses - len(_clip(excluded, self.ip_address_range_start, self.ip_address_range_end))

    def in_range(self, address: IPAddress) -> bool:
        return (
            address.version == self.subnet.version
            and int(self.ip_address_range_start) <= int(address) <= int(self.ip_address_range_end)
        )

    def _gateway_set(self) -> AddressSet:
        return AddressSet.of((gateway.ip_address for gateway in self.default_gateways), self.subnet.version)

    def _taken(self) -> AddressSet:
        """Allocated and withheld addresses (O(intervals), not O(addresses))."""
        return self._taken_intervals.as_set(self.subnet.version)

    def _excluded(self, *, for_vip: bool) -> AddressSet:
        """What a grant may not take: taken addresses, reserved ones, gateways (policy
        ``GATEWAYS_NEVER_GRANTED``), and the VIP set for ordinary grants or its complement for VIPs."""
        blocked = self._taken().union(self.ip_address_reserved_set).union(self._gateway_set())
        if for_vip:
            return blocked.union(_complement(self.vip_address_set, self.ip_address_range_start, self.ip_address_range_end))
        return blocked.union(self.vip_address_set)

    # -- granting -----------------------------------------------------------------------------

    def check_grant(
        self, address: IPAddress | None, object_type: AllocatedToObjectType, *, excluding: AddressSet | None = None
    ) -> IPAddress:
        """The address a grant would allocate (the one asked for, or the lowest free one,
        policy ``NEXT_FREE_ADDRESS``), or the reason it cannot. ``excluding`` holds addresses
        the same call already plans to take (several NICs of one VM)."""
        for_vip = object_type is AllocatedToObjectType.VIP
        if address is None:
            excluded = self._excluded(for_vip=for_vip)
            if excluding is not None:
                excluded = excluded.union(excluding)
            found = lowest_free(self.ip_address_range_start, self.ip_address_range_end, excluded)
            if found is None:
                raise IPAddressPoolExhausted(f"pool {self.name!r} has no free {'VIP ' if for_vip else ''}address")
            return found
        if not self.in_range(address):
            raise IPAddressOutOfRange(
                f"{address} is outside the range {self.ip_address_range_start}-{self.ip_address_range_end} of pool {self.name!r}"
            )
        if int(address) in self._allocations or int(address) in self._withheld:
            raise IPAddressInUse(f"{address} is already allocated from pool {self.name!r}")
        if address in self.ip_address_reserved_set or address in self._gateway_set():
            raise IPAddressReserved(f"{address} is reserved in pool {self.name!r}")
        if (address in self.vip_address_set) != for_vip:
            where = "outside" if for_vip else "in"
            raise IPAddressReserved(f"{address} is {where} the VIP address set of pool {self.name!r}")
        return address

    def allocate(self, allocation: AllocatedIPAddress) -> None:
        self._allocations[int(allocation.address)] = allocation
        self._taken_intervals.add(int(allocation.address))

    # -- revoking -----------------------------------------------------------------------------

    def check_revoke(self, allocation: AllocatedIPAddress) -> None:
        if self._allocations.get(int(allocation.address)) is not allocation:
            raise AddressNotAllocated(f"{allocation.address} is not allocated from pool {self.name!r}")

    def release(self, allocation: AllocatedIPAddress, *, return_to_pool: bool) -> None:
        """Drop the allocation; without ``return_to_pool`` the address stays out of use
        (policy ``REVOKE_WITHOUT_RETURN_WITHHOLDS``)."""
        del self._allocations[int(allocation.address)]
        if return_to_pool:
            self._taken_intervals.discard(int(allocation.address))
        else:
            self._withheld[int(allocation.address)] = None

    @property
    def withheld(self) -> list[IPAddress]:
        """Addresses revoked with ``ReturnToPool = $false``, in address order."""
        make = type(self.ip_address_range_start)
        return [make(key) for key in sorted(self._withheld)]


def _complement(addresses: AddressSet, first: IPAddress, last: IPAddress) -> AddressSet:
    """The addresses of ``first``..``last`` not in ``addresses``."""
    gaps, cursor = [], int(first)
    for low, high in addresses.intervals:
        if low > cursor:
            gaps.append((cursor, min(low - 1, int(last))))
        cursor = max(cursor, high + 1)
    if cursor <= int(last):
        gaps.append((cursor, int(last)))
    return AddressSet(addresses.version, tuple((low, high) for low, high in gaps if low <= high))


def _clip(addresses: AddressSet, first: IPAddress, last: IPAddress) -> AddressSet:
    """``addresses`` restricted to ``first``..``last``."""
    clipped = ((max(low, int(first)), min(high, int(last))) for low, high in addresses.intervals)
    return AddressSet(addresses.version, tuple((low, high) for low, high in clipped if low <= high))

