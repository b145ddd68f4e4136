"""Static IP address pools: creation rules, the overlap rule, grant / revoke / assign (§4, §5.5)."""

from __future__ import annotations

import ipaddress

import pytest

from scvmm_fake import (
    AddressNotAllocated,
    AllocatedToObjectType,
    DefaultGateway,
    DuplicateName,
    InvalidParameter,
    IPAddressInUse,
    IPAddressOutOfRange,
    IPAddressPoolExhausted,
    IPAddressReserved,
    ObjectInUse,
    SubnetNotInScope,
    SubnetOverlap,
    SubnetVLan,
    VMMServer,
)

ip = ipaddress.ip_address
NIC = AllocatedToObjectType.VirtualNetworkAdapter


def test_a_pool_keeps_the_settings_it_was_given(fabric) -> None:
    pool = fabric.pool
    assert (str(pool.subnet), pool.vlan_id) == ("10.1.0.0/24", 10)  # the VLAN of the subnet in the site
    assert (pool.ip_address_range_start, pool.ip_address_range_end) == (ip("10.1.0.10"), ip("10.1.0.99"))
    assert str(pool.ip_address_reserved_set) == "10.1.0.25-10.1.0.35, 10.1.0.38"
    assert str(pool.vip_address_set) == "10.1.0.95-10.1.0.99"
    assert pool.default_gateways == (DefaultGateway("10.1.0.1", 10),)
    assert pool.dns_servers == (ip("10.1.0.2"), ip("10.1.0.3")) and pool.dns_suffix == "contoso.com"
    assert pool.total_addresses == 90 and pool.available_addresses == 90 - 12 - 5


def test_the_default_range_is_every_host_address(vmm: VMMServer, fabric) -> None:
    pool = vmm.new_sc_static_ip_address_pool("Whole", subnet="10.2.0.0/24", logical_network_definition=fabric.site)
    assert (str(pool.ip_address_range_start), str(pool.ip_address_range_end)) == ("10.2.0.1", "10.2.0.254")


@pytest.mark.parametrize(
    ("error", "changes"),
    [
        (SubnetNotInScope, {"subnet": "10.7.0.0/24"}),
        (InvalidParameter, {"subnet": "10.1.0.5/24"}),
        (InvalidParameter, {"vlan": 20}),
        (InvalidParameter, {"ip_address_range_start": "10.1.1.1"}),
        (InvalidParameter, {"ip_address_range_start": "10.1.0.99", "ip_address_range_end": "10.1.0.10"}),
        (InvalidParameter, {"ip_address_range_end": "fe80::1"}),
        (InvalidParameter, {"ip_address_reserved_set": "10.1.0.250-10.1.1.3"}),
        (InvalidParameter, {"ip_address_reserved_set": "10.1.0.30-10.1.0.20"}),
        (InvalidParameter, {"ip_address_reserved_set": "10.1.0.x"}),
        (InvalidParameter, {"vip_address_set": "10.1.0.150"}),
        (InvalidParameter, {"ip_address_reserved_set": "10.1.0.60", "vip_address_set": "10.1.0.55-10.1.0.65"}),
        (InvalidParameter, {"default_gateway": [DefaultGateway("10.2.0.1")]}),
        (InvalidParameter, {"default_gateway": ["10.1.0.1"]}),
        (InvalidParameter, {"dns_server": ["dns.contoso.com"]}),
        (DuplicateName, {"name": "corp-pool", "subnet": "10.2.0.0/24", "ip_address_range_start": None,
                         "ip_address_range_end": None}),
        (SubnetOverlap, {}),  # the fixture's pool already covers this range of this subnet
    ],
)
def test_pool_creation_refusals_change_nothing(vmm: VMMServer, fabric, unchanged, error, changes) -> None:
    params = {"name": "P2", "subnet": "10.1.0.0/24", "logical_network_definition": fabric.site,
              "ip_address_range_start": "10.1.0.50", "ip_address_range_end": "10.1.0.120"} | changes
    with unchanged(error):
        vmm.new_sc_static_ip_address_pool(**params)


def test_a_pool_sits_on_exactly_one_site_or_network_virtualization_subnet(vmm: VMMServer, fabric, unchanged) -> None:
    with unchanged(InvalidParameter):
        vmm.new_sc_static_ip_address_pool("P", subnet="10.2.0.0/24")
    with unchanged(InvalidParameter):  # a NoIsolation subnet's pools belong to the site
        vmm.new_sc_static_ip_address_pool("P", subnet="10.2.0.0/24", vm_subnet=fabric.vm_network.vm_subnets[0])
    hnv = vmm.new_sc_logical_network("HNV", enable_network_virtualization=True)
    blue1 = vmm.new_sc_vm_subnet("Blue-1", vm_network=vmm.new_sc_vm_network("Blue", logical_network=hnv),
                                 subnet_vlan=[SubnetVLan("10.1.0.0/24")])
    with unchanged(InvalidParameter):
        vmm.new_sc_static_ip_address_pool("P", subnet="10.1.0.0/24", vm_subnet=blue1,
                                          logical_network_definition=fabric.site)
    with unchanged(SubnetNotInScope):
        vmm.new_sc_static_ip_address_pool("P", subnet="10.9.0.0/24", vm_subnet=blue1)
    # Customer address spaces may overlap the fabric's (policy VM_SUBNET_POOLS_MAY_OVERLAP).
    ca_pool = vmm.new_sc_static_ip_address_pool("Blue-Pool", subnet="10.1.0.0/24", vm_subnet=blue1)
    assert ca_pool.vm_subnet is blue1 and vmm.get_sc_static_ip_address_pool(vm_subnet=blue1) == [ca_pool]


def test_overlapping_subnets_are_refused_in_a_host_group_and_its_children(vmm: VMMServer, fabric, unchanged) -> None:
    other = vmm.new_sc_logical_network("Backup")
    child_site = vmm.new_sc_logical_network_definition(
        "Rack1-Site", logical_network=other, vm_host_group=[fabric.rack1], subnet_vlan=[SubnetVLan("10.1.0.128/25")])
    with unchanged(SubnetOverlap):  # Rack1 is a child of NY, whose site pools 10.1.0.0/24
        vmm.new_sc_static_ip_address_pool("B", subnet="10.1.0.128/25", logical_network_definition=child_site)
    chicago = vmm.new_sc_vm_host_group("Chicago")
    far_site = vmm.new_sc_logical_network_definition(
        "CHI-Site", logical_network=other, vm_host_group=[chicago], subnet_vlan=[SubnetVLan("10.1.0.0/24")])
    far = vmm.new_sc_static_ip_address_pool("C", subnet="10.1.0.0/24", logical_network_definition=far_site)
    assert far.subnet == fabric.pool.subnet  # unrelated host groups: no conflict
    same = vmm.new_sc_static_ip_address_pool(  # same site, same subnet, disjoint range
        "Corp-Pool-2", subnet="10.1.0.0/24", logical_network_definition=fabric.site,
        ip_address_range_start="10.1.0.100", ip_address_range_end="10.1.0.200")
    assert vmm.get_sc_static_ip_address_pool(subnet="10.1.0.0/24", logical_network_definition=fabric.site) == [
        fabric.pool, same]


def test_grant_the_next_free_address_skipping_reserved_vip_and_gateway(vmm: VMMServer, fabric) -> None:
    pool = vmm.new_sc_static_ip_address_pool(
        "Tight", subnet="10.2.0.0/24", logical_network_definition=fabric.site,
        ip_address_range_start="10.2.0.1", ip_address_range_end="10.2.0.8", ip_address_reserved_set="10.2.0.3",
        vip_address_set="10.2.0.7-10.2.0.8", default_gateway=[DefaultGateway("10.2.0.1")])
    granted = [vmm.grant_sc_ip_address(static_ip_address_pool=pool, grant_to_object_type=NIC) for _ in range(4)]
    assert [str(a.address) for a in granted] == ["10.2.0.2", "10.2.0.4", "10.2.0.5", "10.2.0.6"]
    assert pool.available_addresses == 0
    with pytest.raises(IPAddressPoolExhausted):
        vmm.grant_sc_ip_address(static_ip_address_pool=pool, grant_to_object_type=NIC)
    vip = vmm.grant_sc_ip_address(static_ip_address_pool=pool, grant_to_object_type="VIP")
    assert str(vip.address) == "10.2.0.7" and vip.grant_to_object_type is AllocatedToObjectType.VIP


@pytest.mark.parametrize(
    ("address", "object_type", "error"),
    [("10.1.0.9", NIC, IPAddressOutOfRange), ("10.1.0.100", NIC, IPAddressOutOfRange),
     ("fd00::1", NIC, IPAddressOutOfRange), ("10.1.0.30", NIC, IPAddressReserved), ("10.1.0.38", NIC, IPAddressReserved),
     ("10.1.0.96", NIC, IPAddressReserved), ("10.1.0.40", "VIP", IPAddressReserved), ("10.1.0.11", NIC, IPAddressInUse),
     ("not-an-ip", NIC, InvalidParameter), ("10.1.0.40", "Toaster", InvalidParameter)],
)
def test_grant_refusals_change_nothing(vmm: VMMServer, fabric, unchanged, address, object_type, error) -> None:
    vmm.grant_sc_ip_address(static_ip_address_pool=fabric.pool, grant_to_object_type=NIC, ip_address="10.1.0.11")
    with unchanged(error):
        vmm.grant_sc_ip_address(static_ip_address_pool=fabric.pool, grant_to_object_type=object_type, ip_address=address)


def test_allocated_until_granted_to_an_object_then_assigned(vmm: VMMServer, fabric) -> None:
    reserved = vmm.grant_sc_ip_address(static_ip_address_pool=fabric.pool, grant_to_object_type=NIC,
                                       ip_address="10.1.0.40", description="replica of VM01")
    nic = vmm.grant_sc_ip_address(static_ip_address_pool=fabric.pool, grant_to_object_type=NIC,
                                  grant_to_object_id="nic-1")
    assert not reserved.is_assigned and nic.is_assigned
    assert vmm.get_sc_ip_address(static_ip_address_pool=fabric.pool, unassigned=True) == [reserved]
    assert vmm.get_sc_ip_address(assigned=True) == [nic]
    vmm.set_sc_ip_address(reserved, grant_to_object_id="nic-2")
    assert vmm.get_sc_ip_address(grant_to_object_id="nic-2") == [reserved] and reserved.is_assigned
    assert vmm.get_sc_ip_address(ip_address="10.1.0.40") == [reserved]
    assert vmm.get_sc_ip_address(id=nic.id) == [nic]
    assert [str(a.address) for a in vmm.get_sc_ip_address()] == ["10.1.0.10", "10.1.0.40"]


def test_revoke_returns_an_address_to_the_pool_once(vmm: VMMServer, fabric, unchanged) -> None:
    first = vmm.grant_sc_ip_address(static_ip_address_pool=fabric.pool, grant_to_object_type=NIC)
    vmm.revoke_sc_ip_address(first)
    assert fabric.pool.allocated == [] and vmm.get_sc_ip_address() == []
    with unchanged(AddressNotAllocated):
        vmm.revoke_sc_ip_address(first)
    again = vmm.grant_sc_ip_address(static_ip_address_pool=fabric.pool, grant_to_object_type=NIC)
    assert again.address == first.address and again.id != first.id


def test_revoke_without_return_withholds_the_address(vmm: VMMServer, fabric, unchanged) -> None:
    first = vmm.grant_sc_ip_address(static_ip_address_pool=fabric.pool, grant_to_object_type=NIC)
    vmm.revoke_sc_ip_address(first, return_to_pool=False)
    assert fabric.pool.withheld == [first.address] and fabric.pool.allocated == []
    with unchanged(IPAddressInUse):
        vmm.grant_sc_ip_address(static_ip_address_pool=fabric.pool, grant_to_object_type=NIC,
                                ip_address=str(first.address))
    assert vmm.grant_sc_ip_address(static_ip_address_pool=fabric.pool, grant_to_object_type=NIC).address != first.address


def test_a_pool_with_allocations_cannot_be_removed(vmm: VMMServer, fabric, unchanged) -> None:
    granted = vmm.grant_sc_ip_address(static_ip_address_pool=fabric.pool, grant_to_object_type=NIC)
    with unchanged(ObjectInUse):
        vmm.remove_sc_static_ip_address_pool(fabric.pool)
    vmm.revoke_sc_ip_address(granted)
    vmm.remove_sc_static_ip_address_pool(fabric.pool)
    assert vmm.get_sc_static_ip_address_pool() == []


def test_ipv6_pools_allocate_without_enumerating_the_subnet(vmm: VMMServer, fabric) -> None:
    v6 = vmm.new_sc_logical_network_definition(
        "V6", logical_network=fabric.corp, vm_host_group=[fabric.rack2], subnet_vlan=[SubnetVLan("fd00:10::/64")])
    pool = vmm.new_sc_static_ip_address_pool("V6-Pool", subnet="fd00:10::/64", logical_network_definition=v6,
                                             ip_address_reserved_set="fd00:10::1-fd00:10::ff")
    assert pool.total_addresses == 2**64 - 1
    granted = vmm.grant_sc_ip_address(static_ip_address_pool=pool, grant_to_object_type=NIC)
    assert str(granted.address) == "fd00:10::100"
