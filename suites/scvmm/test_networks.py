"""Logical networks, network sites, VM networks and VM subnets (§4), and the isolation policy."""

from __future__ import annotations

import ipaddress

import pytest

from scvmm_fake import (
    DuplicateName,
    InvalidParameter,
    IsolationMismatch,
    IsolationType,
    NotEmulated,
    ObjectNotFound,
    SubnetVLan,
    VMMServer,
)


def test_subnet_vlans_are_validated_values() -> None:
    item = SubnetVLan("10.0.0.0/24", 25)
    assert item.subnet == ipaddress.ip_network("10.0.0.0/24") and item.vlan_id == 25
    assert SubnetVLan(vlan_id=7).subnet is None  # a DHCP-only site needs no subnet
    assert SubnetVLan("FD4A:29CD:184F:3A2C::/64", 25).subnet.version == 6
    for bad in ({"subnet": "10.0.0.1/24"}, {"subnet": "nonsense"}, {"vlan_id": 4095}, {"vlan_id": -1}, {"vlan_id": True}):
        with pytest.raises(InvalidParameter):
            SubnetVLan(**bad)


def test_logical_network_names_are_unique_in_the_installation(vmm: VMMServer, unchanged) -> None:
    corp = vmm.new_sc_logical_network("Corp", description="corporate")
    assert vmm.get_sc_logical_network("corp") == [corp] and not corp.network_virtualization_enabled
    with unchanged(DuplicateName):
        vmm.new_sc_logical_network("CORP")
    with unchanged(InvalidParameter):
        vmm.new_sc_logical_network("  ")


def test_network_sites_hold_subnet_vlans_for_host_groups(vmm: VMMServer, fabric, unchanged) -> None:
    assert fabric.site.logical_network is fabric.corp and fabric.corp.logical_network_definitions == [fabric.site]
    assert fabric.site.serves(fabric.rack1) and fabric.site.serves(fabric.ny)  # children inherit the site
    assert not fabric.site.serves(vmm.root_host_group)
    assert vmm.get_sc_logical_network_definition(vm_host_group=fabric.ny) == [fabric.site]
    with unchanged(InvalidParameter):  # overlapping subnets inside one site
        vmm.new_sc_logical_network_definition(
            "Bad", logical_network=fabric.corp, vm_host_group=[fabric.ny],
            subnet_vlan=[SubnetVLan("10.9.0.0/16"), SubnetVLan("10.9.4.0/24")])
    with unchanged(InvalidParameter):  # no host group
        vmm.new_sc_logical_network_definition("Bad", logical_network=fabric.corp, vm_host_group=[], subnet_vlan=[])
    with unchanged(InvalidParameter):
        vmm.new_sc_logical_network_definition(
            "Bad", logical_network=fabric.corp, vm_host_group=[fabric.ny, fabric.ny], subnet_vlan=[])
    with unchanged(DuplicateName):
        vmm.new_sc_logical_network_definition(
            "ny-site", logical_network=fabric.corp, vm_host_group=[fabric.rack1], subnet_vlan=[])
    with unchanged(InvalidParameter):
        vmm.new_sc_logical_network_definition(
            "Bad", logical_network=fabric.corp, vm_host_group=[fabric.ny], subnet_vlan=["10.0.0.0/24"])


@pytest.mark.parametrize(
    ("virtualization", "isolated", "expected"),
    [(False, False, IsolationType.NoIsolation), (False, True, IsolationType.VLANNetwork),
     (True, False, IsolationType.WindowsNetworkVirtualization)],
)
def test_isolation_type_follows_the_logical_network_by_default(
    vmm: VMMServer, virtualization: bool, isolated: bool, expected: IsolationType
) -> None:
    network = vmm.new_sc_logical_network(
        "LN", enable_network_virtualization=virtualization, logical_network_definition_isolation=isolated)
    assert vmm.new_sc_vm_network("VMN", logical_network=network).isolation_type is expected


def test_isolation_types_a_logical_network_refuses(vmm: VMMServer, unchanged) -> None:
    plain = vmm.new_sc_logical_network("Plain")
    vlans = vmm.new_sc_logical_network("Vlans", logical_network_definition_isolation=True)
    with unchanged(IsolationMismatch):
        vmm.new_sc_vm_network("A", logical_network=plain, isolation_type="WindowsNetworkVirtualization")
    with unchanged(IsolationMismatch):
        vmm.new_sc_vm_network("B", logical_network=plain, isolation_type=IsolationType.VLANNetwork)
    with unchanged(IsolationMismatch):
        vmm.new_sc_vm_network("C", logical_network=vlans, isolation_type="NoIsolation")
    with unchanged(NotEmulated):
        vmm.new_sc_vm_network("D", logical_network=plain, isolation_type="External")
    with unchanged(InvalidParameter):
        vmm.new_sc_vm_network("E", logical_network=plain, isolation_type="Isolated")
    vmm.new_sc_vm_network("F", logical_network=plain, isolation_type="NoIsolation")
    with unchanged(DuplicateName):  # VM network names are unique per server, across logical networks
        vmm.new_sc_vm_network("f", logical_network=vlans)


def test_a_no_isolation_network_has_one_subnet_spanning_the_sites(vmm: VMMServer, fabric, unchanged) -> None:
    [subnet] = fabric.vm_network.vm_subnets
    assert subnet.name == "Corp-VMs" and vmm.get_sc_vm_subnet(vm_network=fabric.vm_network) == [subnet]
    assert [str(item.subnet) for item in subnet.subnet_vlans] == ["10.1.0.0/24", "10.2.0.0/24"]
    vmm.new_sc_logical_network_definition(
        "NY-Site2", logical_network=fabric.corp, vm_host_group=[fabric.rack1], subnet_vlan=[SubnetVLan("10.3.0.0/24")])
    assert [str(item.subnet) for item in subnet.subnet_vlans][-1] == "10.3.0.0/24"  # read live
    with unchanged(IsolationMismatch):
        vmm.new_sc_vm_subnet("Extra", vm_network=fabric.vm_network, subnet_vlan=[SubnetVLan("10.1.0.0/24", 10)])


def test_vlan_subnets_come_from_a_site_of_the_same_logical_network(vmm: VMMServer, fabric, unchanged) -> None:
    tenants = vmm.new_sc_logical_network("Tenants", logical_network_definition_isolation=True)
    site = vmm.new_sc_logical_network_definition(
        "T-Site", logical_network=tenants, vm_host_group=[fabric.ny],
        subnet_vlan=[SubnetVLan("172.16.1.0/24", 101), SubnetVLan("172.16.2.0/24", 102)])
    red = vmm.new_sc_vm_network("Red", logical_network=tenants)
    assert red.isolation_type is IsolationType.VLANNetwork and red.vm_subnets == []
    with unchanged(InvalidParameter):  # the Vlan parameter set needs the site
        vmm.new_sc_vm_subnet("Red-1", vm_network=red, subnet_vlan=[SubnetVLan("172.16.1.0/24", 101)])
    with unchanged(InvalidParameter):  # a VLAN the site does not hold
        vmm.new_sc_vm_subnet("Red-1", vm_network=red, subnet_vlan=[SubnetVLan("172.16.1.0/24", 999)],
                             logical_network_definition=site)
    with unchanged(InvalidParameter):  # a site of another logical network
        vmm.new_sc_vm_subnet("Red-1", vm_network=red, subnet_vlan=[SubnetVLan("10.1.0.0/24", 10)],
                             logical_network_definition=fabric.site)
    red1 = vmm.new_sc_vm_subnet("Red-1", vm_network=red, subnet_vlan=[SubnetVLan("172.16.1.0/24", 101)],
                                logical_network_definition=site)
    assert red.vm_subnets == [red1] and red1.subnet_vlans == (SubnetVLan("172.16.1.0/24", 101),)
    with unchanged(DuplicateName):
        vmm.new_sc_vm_subnet("RED-1", vm_network=red, subnet_vlan=[SubnetVLan("172.16.2.0/24", 102)],
                             logical_network_definition=site)


def test_network_virtualization_subnets_take_no_site(vmm: VMMServer, fabric, unchanged) -> None:
    hnv = vmm.new_sc_logical_network("HNV", enable_network_virtualization=True, use_gre=True)
    blue = vmm.new_sc_vm_network("Blue", logical_network=hnv)
    with unchanged(InvalidParameter):
        vmm.new_sc_vm_subnet("Blue-1", vm_network=blue, subnet_vlan=[SubnetVLan("192.168.3.0/24")],
                             logical_network_definition=fabric.site)
    with unchanged(InvalidParameter):  # a subnet is required
        vmm.new_sc_vm_subnet("Blue-1", vm_network=blue, subnet_vlan=[SubnetVLan(vlan_id=3)])
    blue1 = vmm.new_sc_vm_subnet("Blue-1", vm_network=blue, subnet_vlan=[SubnetVLan("192.168.3.0/24")])
    assert blue1.logical_network_definition is None and vmm.get_sc_vm_subnet("blue-1") == [blue1]
    other = VMMServer(vmm.sim, "vmm-chi", fqdn="vmm-chi.contoso.com")
    foreign = other.new_sc_vm_network(
        "Y", logical_network=other.new_sc_logical_network("Z", enable_network_virtualization=True))
    with unchanged(ObjectNotFound):
        vmm.new_sc_vm_subnet("X", vm_network=foreign, subnet_vlan=[SubnetVLan("192.168.4.0/24")])
