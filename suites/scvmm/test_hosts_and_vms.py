"""Hyper-V hosts under VMM, VM placement on the hosts of a cloud (§4, §5.5), static NIC addresses,
removal and host refresh."""

from __future__ import annotations

import ipaddress

import pytest

from hyperv_fake import HyperVFabric
from scvmm_fake import (
    Credential,
    DuplicateName,
    HostAlreadyManaged,
    InvalidParameter,
    InvalidVMState,
    IPAddressPoolExhausted,
    IPv4AddressType,
    NetworkAdapterSpec,
    NoStaticIPAddressPool,
    ObjectInUse,
    ObjectNotFound,
    PlacementError,
    SubnetVLan,
    VMMServer,
    VmmPolicy,
)
from simcore import Simulation

STATIC = IPv4AddressType.Static


@pytest.fixture
def gold(vmm: VMMServer, fabric, hosts):
    cloud = vmm.new_sc_cloud("Gold", vm_host_group=[fabric.ny], disaster_recovery_supported=True)
    vmm.set_sc_cloud(cloud, add_cloud_resource=[fabric.corp], add_capability_profile=["Hyper-V"])
    return cloud


def test_hosts_join_host_groups_once(vmm: VMMServer, fabric, hosts, unchanged) -> None:
    assert (hosts.hv1.name, hosts.hv1.vm_host_group, hosts.hv1.host) == ("hv1.contoso.com", fabric.rack1, hosts.raw["hv1"])
    assert fabric.rack1.hosts == [hosts.hv1, hosts.hv2]
    assert vmm.get_sc_vm_host(vm_host_group=fabric.ny) == [hosts.hv1, hosts.hv2, hosts.hv3]
    assert vmm.get_sc_vm_host("HV3.contoso.com") == [hosts.hv3]
    with unchanged(HostAlreadyManaged):
        vmm.add_sc_vm_host(hosts.raw["hv1"], credential=fabric.admin, vm_host_group=fabric.rack2)
    with unchanged(InvalidParameter):
        vmm.add_sc_vm_host("hv4.contoso.com", credential=fabric.admin)
    other = VMMServer(vmm.sim, "vmm-chi", fqdn="vmm-chi.contoso.com")
    foreign = other.new_sc_run_as_account("Admin", credential=Credential("x"))
    with unchanged(ObjectNotFound):
        vmm.add_sc_vm_host(hosts.raw["hv4"], credential=foreign)
    with unchanged(ObjectInUse):
        vmm.remove_sc_run_as_account(fabric.admin)
    with unchanged(ObjectInUse):
        vmm.remove_sc_vm_host_group(fabric.rack2)


def test_adding_a_host_creates_a_logical_network_named_after_its_domain(vmm: VMMServer, hosts) -> None:
    assert [network.name for network in vmm.get_sc_logical_network()] == ["contoso", "Corp"]
    quiet = VMMServer(Simulation(1), "vmm", policy=VmmPolicy(auto_create_logical_networks=False))
    host = HyperVFabric(quiet.sim).add_host("hv9", fqdn="hv9.fabrikam.com")
    quiet.add_sc_vm_host(host, credential=quiet.new_sc_run_as_account("A", credential=Credential("a")))
    assert quiet.get_sc_logical_network() == []


def test_vms_go_to_the_least_loaded_host_of_the_cloud(vmm: VMMServer, gold, hosts) -> None:
    placed = [vmm.new_sc_virtual_machine(f"VM{i}", cloud=gold, operating_system="Windows Server 2016") for i in range(4)]
    assert [vm.vm_host for vm in placed] == [hosts.hv1, hosts.hv2, hosts.hv3, hosts.hv1]
    vm = placed[0]
    hv = hosts.raw["hv1"].get_vm("VM0")
    assert vm.vm is hv and vm.vm_id == hv.id and vm.generation == 2 and vm.cloud is gold
    assert [(d.path, d.size_bytes) for d in vm.disks] == [("C:\\VMs\\VM0\\VM0-disk0.vhdx", 40 * 2**30)]
    assert vmm.get_sc_virtual_machine(cloud=gold, vm_host=hosts.hv1) == [placed[0], placed[3]]


def test_static_nics_get_distinct_addresses_granted_to_them(vmm: VMMServer, fabric, gold, hosts) -> None:
    vm = vmm.new_sc_virtual_machine(
        "Web01", cloud=gold, generation=1, disk_size_bytes=[10 * 2**30, 20 * 2**30],
        virtual_network_adapters=[NetworkAdapterSpec(fabric.vm_network, ipv4_address_type=STATIC),
                                  NetworkAdapterSpec(fabric.vm_network, ipv4_address_type="Static"),
                                  NetworkAdapterSpec(fabric.vm_network)])
    first, second, dynamic = vm.virtual_network_adapters
    assert [str(a) for nic in (first, second) for a in nic.ipv4_addresses] == ["10.1.0.10", "10.1.0.11"]
    assert dynamic.ipv4_addresses == () and dynamic.ipv4_address_type is IPv4AddressType.Dynamic
    assert vmm.get_sc_ip_address(grant_to_object_id=first.id)[0].is_assigned
    assert [a.name for a in vm.vm.adapters] == ["Network Adapter", "Network Adapter 2", "Network Adapter 3"]
    assert first.vm_subnet is fabric.vm_network.vm_subnets[0] and vm.generation == 1 and len(vm.disks) == 2


def test_vms_land_only_on_hosts_that_reach_their_networks(vmm: VMMServer, fabric, gold, hosts, unchanged) -> None:
    backup = vmm.new_sc_logical_network("Backup")
    vmm.new_sc_logical_network_definition("Rack2-Backup", logical_network=backup, vm_host_group=[fabric.rack2],
                                          subnet_vlan=[SubnetVLan("10.50.0.0/24")])
    backup_vms = vmm.new_sc_vm_network("Backup-VMs", logical_network=backup)
    nic = NetworkAdapterSpec(backup_vms)
    with unchanged(PlacementError):  # Backup is not a resource of the cloud
        vmm.new_sc_virtual_machine("B1", cloud=gold, virtual_network_adapters=[nic])
    vmm.set_sc_cloud(gold, add_cloud_resource=[backup])
    placed = [vmm.new_sc_virtual_machine(f"B{i}", cloud=gold, virtual_network_adapters=[nic]) for i in range(2)]
    assert [vm.vm_host for vm in placed] == [hosts.hv3, hosts.hv3]  # the only host that reaches Backup
    with unchanged(PlacementError):
        vmm.new_sc_virtual_machine("B9", cloud=gold, vm_host=hosts.hv1, virtual_network_adapters=[nic])
    rack1 = vmm.new_sc_cloud("Rack1-Cloud", vm_host_group=[fabric.rack1])
    vmm.set_sc_cloud(rack1, add_cloud_resource=[backup])
    with unchanged(PlacementError):
        vmm.new_sc_virtual_machine("B9", cloud=rack1, virtual_network_adapters=[nic])
    with unchanged(PlacementError):  # the named host is outside the cloud
        vmm.new_sc_virtual_machine("B9", cloud=rack1, vm_host=hosts.hv3)


def test_vm_creation_refusals_create_nothing_on_the_host(vmm: VMMServer, fabric, gold, hosts, unchanged) -> None:
    tenants = vmm.new_sc_logical_network("Tenants", logical_network_definition_isolation=True)
    site = vmm.new_sc_logical_network_definition("T", logical_network=tenants, vm_host_group=[fabric.ny],
                                                 subnet_vlan=[SubnetVLan("172.16.1.0/24", 101)])
    red = vmm.new_sc_vm_network("Red", logical_network=tenants)
    vmm.new_sc_vm_subnet("Red-1", vm_network=red, subnet_vlan=[SubnetVLan("172.16.1.0/24", 101)],
                         logical_network_definition=site)
    vmm.set_sc_cloud(gold, add_cloud_resource=[tenants])
    tiny = vmm.new_sc_static_ip_address_pool("Tiny", subnet="10.2.0.0/24", logical_network_definition=fabric.site,
                                             ip_address_range_start="10.2.0.5", ip_address_range_end="10.2.0.5")
    vmm.new_sc_virtual_machine("Taken", vm_host=hosts.hv3, cloud=gold)
    before = {name: list(host.vms) for name, host in hosts.raw.items()}
    cases = [
        (NoStaticIPAddressPool, {"virtual_network_adapters": [NetworkAdapterSpec(red, ipv4_address_type=STATIC)]}),
        (IPAddressPoolExhausted, {"virtual_network_adapters": [
            NetworkAdapterSpec(fabric.vm_network, ipv4_address_type=STATIC, ipv4_address_pool=tiny)] * 2}),
        (InvalidParameter, {"virtual_network_adapters": [NetworkAdapterSpec(fabric.vm_network, ipv4_address_type="DHCP")]}),
        (InvalidParameter, {"virtual_network_adapters": [  # a subnet of another VM network
            NetworkAdapterSpec(red, vm_subnet=fabric.vm_network.vm_subnets[0])]}),
        (InvalidParameter, {"generation": 3}),
        (InvalidParameter, {"disk_size_bytes": [0]}),
        (DuplicateName, {"name": "Taken", "vm_host": hosts.hv3}),
    ]
    for error, params in cases:
        with unchanged(error):
            vmm.new_sc_virtual_machine(**({"name": "New", "cloud": gold} | params))
    with unchanged(InvalidParameter):
        vmm.new_sc_virtual_machine("New")
    assert {name: list(host.vms) for name, host in hosts.raw.items()} == before
    assert vmm.new_sc_virtual_machine("Taken", cloud=gold).vm_host is hosts.hv1  # another host may use the name


def test_removing_a_vm_returns_its_addresses(vmm: VMMServer, fabric, gold, hosts, unchanged) -> None:
    spec = NetworkAdapterSpec(fabric.vm_network, ipv4_address_type=STATIC)
    vm = vmm.new_sc_virtual_machine("App01", cloud=gold, virtual_network_adapters=[spec])
    hosts.raw["hv1"].start_vm("App01")
    with unchanged(InvalidVMState):
        vmm.remove_sc_virtual_machine(vm)
    with unchanged(ObjectInUse):
        vmm.set_sc_cloud(gold, remove_vm_host_group=[fabric.ny], add_vm_host_group=[fabric.rack2])
    with unchanged(ObjectInUse):
        vmm.remove_sc_cloud(gold)
    hosts.raw["hv1"].stop_vm("App01")
    vmm.remove_sc_virtual_machine(vm)
    assert hosts.raw["hv1"].find_vm("App01") is None and vmm.get_sc_virtual_machine() == []
    assert fabric.pool.allocated == []
    again = vmm.new_sc_virtual_machine("App02", cloud=gold, virtual_network_adapters=[spec])
    assert again.virtual_network_adapters[0].ipv4_addresses == (ipaddress.ip_address("10.1.0.10"),)


def test_a_host_refresh_learns_and_forgets_vms(vmm: VMMServer, fabric, gold, hosts, unchanged) -> None:
    managed = vmm.new_sc_virtual_machine(
        "Managed", vm_host=hosts.hv2, cloud=gold,
        virtual_network_adapters=[NetworkAdapterSpec(fabric.vm_network, ipv4_address_type=STATIC)])
    hosts.raw["hv2"].new_vm("Replica01", generation=1)
    assert vmm.get_sc_virtual_machine("Replica01") == []
    [found] = vmm.read_sc_vm_host(hosts.hv2)
    assert (found.name, found.vm_host, found.cloud, found.generation) == ("Replica01", hosts.hv2, None, 1)
    assert vmm.read_sc_vm_host(hosts.hv2) == []
    vmm.set_sc_virtual_machine(found, cloud=gold)
    assert vmm.get_sc_virtual_machine(cloud=gold) == [managed, found]
    silver = vmm.new_sc_cloud("Silver", vm_host_group=[fabric.rack2])
    with unchanged(PlacementError):
        vmm.set_sc_virtual_machine(found, cloud=silver)
    hosts.raw["hv2"].remove_vm("Managed")
    assert vmm.read_sc_vm_host(hosts.hv2) == []
    assert vmm.get_sc_virtual_machine(vm_host=hosts.hv2) == [found] and fabric.pool.allocated == []
