"""Static IP address pool cmdlets: ``New/Get/Remove-SCStaticIPAddressPool`` and
``Grant/Revoke/Set/Get-SCIPAddress`` (§4, §5.5)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ._addresses import AddressSet, IPAddress, IPNetwork, parse_address, parse_subnet
from ._core import ServerCore, set_given
from ._networks import IsolationType, LogicalNetworkDefinition, VMSubnet
from ._pools import AllocatedIPAddress, AllocatedToObjectType, DefaultGateway, StaticIPAddressPool
from .errors import InvalidParameter, ObjectInUse, SubnetNotInScope, SubnetOverlap

__all__ = ["PoolCmdlets"]


class PoolCmdlets(ServerCore):
    """Pools on network sites or VM subnets, and the addresses granted from them."""

    def new_sc_static_ip_address_pool(
        self,
        name: str,
        *,
        subnet: str,
        logical_network_definition: LogicalNetworkDefinition | None = None,
        vm_subnet: VMSubnet | None = None,
        vlan: int | None = None,
        ip_address_range_start: str | None = None,
        ip_address_range_end: str | None = None,
        ip_address_reserved_set: str | None = None,
        vip_address_set: str | None = None,
        default_gateway: Sequence[DefaultGateway] = (),
        dns_server: Sequence[str] = (),
        dns_suffix: str = "",
        dns_search_suffix: Sequence[str] = (),
        wins_server: Sequence[str] = (),
        enable_netbios: bool = False,
        description: str = "",
    ) -> StaticIPAddressPool:
        """``New-SCStaticIPAddressPool``, by network site or by VM subnet [D:VMM-NewSCStaticIPAddressPool]."""
        def plan() -> Callable[[], StaticIPAddressPool]:
            self._check_name(name, "StaticIPAddressPool")
            network = parse_subnet(subnet, "Subnet")
            vlan_id = self._check_attachment(network, logical_network_definition, vm_subnet, vlan)
            start, end = _range(network, ip_address_range_start, ip_address_range_end)
            reserved = AddressSet.parse(ip_address_reserved_set, network.version, "IPAddressReservedSet")
            vips = AddressSet.parse(vip_address_set, network.version, "VIPAddressSet")
            _check_sets(network, start, end, reserved, vips)
            gateways = _gateways(network, default_gateway)
            dns = tuple(parse_address(item, "DNSServer") for item in dns_server)
            wins = tuple(parse_address(item, "WINSServer") for item in wins_server)
            siblings = [pool for pool in self._all("StaticIPAddressPool")
                        if (pool.logical_network_definition, pool.vm_subnet) == (logical_network_definition, vm_subnet)]
            self._check_unique(name, "static IP address pool", siblings, " on that site or VM subnet")
            if logical_network_definition is not None:
                self._check_overlap(logical_network_definition, network, start, end)

            def commit() -> StaticIPAddressPool:
                return self._add("StaticIPAddressPool", StaticIPAddressPool(
                    self._new_id(), name, network, start, end, reserved, vips,
                    logical_network_definition=logical_network_definition, vm_subnet=vm_subnet, vlan_id=vlan_id,
                    description=description, default_gateways=gateways, dns_servers=dns, dns_suffix=dns_suffix,
                    dns_search_suffixes=tuple(dns_search_suffix), wins_servers=wins, enable_netbios=enable_netbios,
                ))
            return commit
        return self._change("New-SCStaticIPAddressPool", {
            "name": name, "subnet": subnet, "logical_network_definition": logical_network_definition,
            "vm_subnet": vm_subnet, "ip_address_range_start": ip_address_range_start,
            "ip_address_range_end": ip_address_range_end, "ip_address_reserved_set": ip_address_reserved_set,
            "vip_address_set": vip_address_set,
        }, plan)

    def get_sc_static_ip_address_pool(
        self,
        name: str | None = None,
        *,
        logical_network_definition: LogicalNetworkDefinition | None = None,
        vm_subnet: VMSubnet | None = None,
        subnet: str | None = None,
    ) -> list[StaticIPAddressPool]:
        """``Get-SCStaticIPAddressPool [-Name] [-LogicalNetworkDefinition] [-VMSubnet] [-Subnet]``."""
        def query() -> list[StaticIPAddressPool]:
            wanted = None if subnet is None else parse_subnet(subnet, "Subnet")
            return [
                pool for pool in self._find("StaticIPAddressPool", name)
                if (logical_network_definition is None or pool.logical_network_definition is logical_network_definition)
                and (vm_subnet is None or pool.vm_subnet is vm_subnet)
                and (wanted is None or pool.subnet == wanted)
            ]
        return self._read("Get-SCStaticIPAddressPool", {
            "name": name, "logical_network_definition": logical_network_definition, "vm_subnet": vm_subnet,
            "subnet": subnet}, query)

    def remove_sc_static_ip_address_pool(self, static_ip_address_pool: StaticIPAddressPool) -> None:
        """``Remove-SCStaticIPAddressPool``; refused while addresses are allocated from it."""
        def plan() -> Callable[[], None]:
            self._require("StaticIPAddressPool", static_ip_address_pool)
            if static_ip_address_pool.allocated:
                raise ObjectInUse(f"pool {static_ip_address_pool.name!r} still has allocated addresses")
            return lambda: self._drop("StaticIPAddressPool", static_ip_address_pool)
        self._change("Remove-SCStaticIPAddressPool", {"static_ip_address_pool": static_ip_address_pool}, plan)

    def grant_sc_ip_address(
        self,
        *,
        static_ip_address_pool: StaticIPAddressPool,
        grant_to_object_type: AllocatedToObjectType | str,
        ip_address: str | None = None,
        grant_to_object_id: str | None = None,
        description: str = "",
    ) -> AllocatedIPAddress:
        """``Grant-SCIPAddress``: the address asked for, or the next free one (policy
        ``NEXT_FREE_ADDRESS``) [D:VMM-GrantSCIPAddress]."""
        def plan() -> Callable[[], AllocatedIPAddress]:
            self._require("StaticIPAddressPool", static_ip_address_pool)
            object_type = _object_type(grant_to_object_type)
            wanted = None if ip_address is None else parse_address(ip_address, "IPAddress")
            address = static_ip_address_pool.check_grant(wanted, object_type)

            def commit() -> AllocatedIPAddress:
                allocation = AllocatedIPAddress(
                    self._new_id(), address, static_ip_address_pool, object_type, grant_to_object_id, description
                )
                static_ip_address_pool.allocate(allocation)
                return self._add("AllocatedIPAddress", allocation)
            return commit
        return self._change("Grant-SCIPAddress", {
            "static_ip_address_pool": static_ip_address_pool, "grant_to_object_type": grant_to_object_type,
            "ip_address": ip_address, "grant_to_object_id": grant_to_object_id}, plan)

    def revoke_sc_ip_address(self, allocated_ip_address: AllocatedIPAddress, *, return_to_pool: bool = True) -> None:
        """``Revoke-SCIPAddress -AllocatedIPAddress [-ReturnToPool]`` (default: back to the pool)
        [D:VMM-RevokeSCIPAddress]."""
        self._change("Revoke-SCIPAddress", {"allocated_ip_address": allocated_ip_address,
                                            "return_to_pool": return_to_pool},
                     lambda: self._plan_revoke(allocated_ip_address, return_to_pool))

    def set_sc_ip_address(
        self,
        allocated_ip_address: AllocatedIPAddress,
        *,
        grant_to_object_id: str | None = None,
        description: str | None = None,
    ) -> AllocatedIPAddress:
        """``Set-SCIPAddress [-GrantToObjectID] [-Description]``: assign an allocated address to an
        object [D:VMM-SetSCIPAddress]."""
        def plan() -> Callable[[], AllocatedIPAddress]:
            self._require("AllocatedIPAddress", allocated_ip_address)
            return lambda: set_given(allocated_ip_address, grant_to_object_id=grant_to_object_id, description=description)
        return self._change("Set-SCIPAddress", {"allocated_ip_address": allocated_ip_address,
                                                "grant_to_object_id": grant_to_object_id}, plan)

    def get_sc_ip_address(
        self,
        *,
        static_ip_address_pool: StaticIPAddressPool | None = None,
        grant_to_object_id: str | None = None,
        ip_address: str | None = None,
        id: str | None = None,
        assigned: bool = False,
        unassigned: bool = False,
    ) -> list[AllocatedIPAddress]:
        """``Get-SCIPAddress [-StaticIPAddressPool|-GrantToObjectID|-IPAddress|-ID] [-Assigned|-UnAssigned]``
        [D:VMM-GetSCIPAddress], ordered by pool name then address."""
        def query() -> list[AllocatedIPAddress]:
            wanted = None if ip_address is None else parse_address(ip_address, "IPAddress")
            found = [
                item for item in self._all("AllocatedIPAddress")
                if (static_ip_address_pool is None or item.allocating_address_pool is static_ip_address_pool)
                and (grant_to_object_id is None or item.grant_to_object_id == grant_to_object_id)
                and (wanted is None or item.address == wanted)
                and (id is None or item.id == id)
                and (not assigned or item.is_assigned)
                and (not unassigned or not item.is_assigned)
            ]
            return sorted(found, key=lambda item: (item.allocating_address_pool.name.casefold(),
                                                   item.address.version, int(item.address)))
        return self._read("Get-SCIPAddress", {
            "static_ip_address_pool": static_ip_address_pool, "grant_to_object_id": grant_to_object_id,
            "ip_address": ip_address, "id": id, "assigned": assigned, "unassigned": unassigned}, query)

    # -- shared with the VM cmdlets -------------------------------------------------------------

    def _plan_revoke(self, allocation: AllocatedIPAddress, return_to_pool: bool) -> Callable[[], None]:
        if not isinstance(allocation, AllocatedIPAddress):
            raise InvalidParameter(f"AllocatedIPAddress: {allocation!r} is not an allocated address")
        self._require("StaticIPAddressPool", allocation.allocating_address_pool)
        allocation.allocating_address_pool.check_revoke(allocation)

        def commit() -> None:
            allocation.allocating_address_pool.release(allocation, return_to_pool=return_to_pool)
            self._drop("AllocatedIPAddress", allocation)
        return commit

    # -- validation -----------------------------------------------------------------------------

    def _check_attachment(
        self, network: IPNetwork, site: LogicalNetworkDefinition | None, vm_subnet: VMSubnet | None, vlan: int | None
    ) -> int:
        """The pool's VLAN id, after checking it sits on a site or a VM subnet that holds its subnet
        (policy ``POOL_ATTACHMENT``)."""
        if (site is None) == (vm_subnet is None):
            raise InvalidParameter("exactly one of LogicalNetworkDefinition and VMSubnet is required")
        if vm_subnet is not None:
            self._require("VMSubnet", vm_subnet)
            if vlan is not None:
                raise InvalidParameter("Vlan: taken only with LogicalNetworkDefinition")
            if vm_subnet.vm_network.isolation_type is not IsolationType.WindowsNetworkVirtualization:
                raise InvalidParameter(
                    f"VM subnet {vm_subnet.name!r} is not a network virtualization subnet; its pools belong to network sites"
                )
            if not any(item.subnet == network for item in vm_subnet.subnet_vlans):
                raise SubnetNotInScope(f"VM subnet {vm_subnet.name!r} does not hold subnet {network}")
            return 0
        assert site is not None
        self._require("LogicalNetworkDefinition", site)
        item = site.subnet_vlan_for(network)
        if item is None:
            raise SubnetNotInScope(f"network site {site.name!r} does not hold subnet {network}")
        if vlan is not None and vlan != item.vlan_id:
            raise InvalidParameter(f"Vlan: {vlan} is not the VLAN ({item.vlan_id}) of {network} in site {site.name!r}")
        return item.vlan_id

    def _check_overlap(self, site: LogicalNetworkDefinition, network: IPNetwork, start: IPAddress, end: IPAddress) -> None:
        """§4: "An IP subnet cannot overlap with any other subnet in a host group or child host
        groups" (policies ``OVERLAP_SCOPE``, ``SAME_SUBNET_POOLS``, ``VM_SUBNET_POOLS_MAY_OVERLAP``)."""
        for pool in self._all("StaticIPAddressPool"):
            other = pool.logical_network_definition
            if other is None or pool.subnet.version != network.version or not pool.subnet.overlaps(network):
                continue
            if not any(a.related_to(b) for a in site.host_groups for b in other.host_groups):
                continue
            if other is site and pool.subnet == network:
                if int(start) <= int(pool.ip_address_range_end) and int(pool.ip_address_range_start) <= int(end):
                    raise SubnetOverlap(f"the range overlaps that of pool {pool.name!r} on the same subnet {network}")
                continue
            raise SubnetOverlap(
                f"subnet {network} overlaps subnet {pool.subnet} of pool {pool.name!r} (site {other.name!r}) "
                "in the same host group or a child host group"
            )


def _range(network: IPNetwork, start: str | None, end: str | None) -> tuple[IPAddress, IPAddress]:
    """The pool's range: given, or every host address (policy ``DEFAULT_RANGE``)."""
    hosts_first, hosts_last = network.network_address, network.broadcast_address
    if network.version == 4 and network.prefixlen < 31:
        hosts_first, hosts_last = hosts_first + 1, hosts_last - 1
    elif network.version == 6 and network.prefixlen < 128:
        hosts_first = hosts_first + 1
    first = hosts_first if start is None else parse_address(start, "IPAddressRangeStart")
    last = hosts_last if end is None else parse_address(end, "IPAddressRangeEnd")
    for what, address in (("IPAddressRangeStart", first), ("IPAddressRangeEnd", last)):
        if address.version != network.version or address not in network:
            raise InvalidParameter(f"{what}: {address} is not in subnet {network}")
    if int(last) < int(first):
        raise InvalidParameter(f"IPAddressRangeEnd {last} is before IPAddressRangeStart {first}")
    return first, last


def _check_sets(network: IPNetwork, start: IPAddress, end: IPAddress, reserved: AddressSet, vips: AddressSet) -> None:
    """Policy ``POOL_SETS_IN_SUBNET``: both sets in the subnet, VIPs in the range, no address in both."""
    if not reserved.within(network.network_address, network.broadcast_address):
        raise InvalidParameter(f"IPAddressReservedSet: {reserved} is not within subnet {network}")
    if not vips.within(start, end):
        raise InvalidParameter(f"VIPAddressSet: {vips} is not within the range {start}-{end}")
    if reserved.overlaps(vips):
        raise InvalidParameter("IPAddressReservedSet and VIPAddressSet share addresses")


def _gateways(network: IPNetwork, gateways: Sequence[DefaultGateway]) -> tuple[DefaultGateway, ...]:
    items = tuple(gateways)
    for gateway in items:
        if not isinstance(gateway, DefaultGateway):
            raise InvalidParameter(f"DefaultGateway: {gateway!r} is not a DefaultGateway")
        if gateway.ip_address.version != network.version or gateway.ip_address not in network:
            raise InvalidParameter(f"DefaultGateway: {gateway.ip_address} is not in subnet {network}")
    return items


def _object_type(value: AllocatedToObjectType | str) -> AllocatedToObjectType:
    try:
        return AllocatedToObjectType(value)
    except ValueError as exc:
        raise InvalidParameter(f"GrantToObjectType: {value!r} is not an AllocatedToObjectType") from exc

