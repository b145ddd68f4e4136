"""The DR inventory (§4): exactly the flagged clouds, their VM networks and VMs, as plain data in a
deterministic order — the same seed and calls give the same ids in the same order."""

from __future__ import annotations

import dataclasses
import json

from hypothesis import given
from hypothesis import strategies as st

from hyperv_fake import HyperVFabric
from scvmm_fake import Credential, IPv4AddressType, NetworkAdapterSpec, SubnetVLan, VMMServer
from simcore import Simulation

NETWORKS = ("Corp", "Backup", "Dmz")


@st.composite
def scenarios(draw: st.DrawFn) -> dict:
    """Clouds (name, DR flag, logical networks), and VMs (name, cloud, NIC networks) in a random order."""
    cloud_names = draw(st.lists(st.sampled_from(["Gold", "Silver", "Bronze", "Iron", "Tin"]), min_size=1, max_size=4,
                                unique=True))
    clouds = [(name, draw(st.booleans()), draw(st.lists(st.sampled_from(NETWORKS), unique=True, max_size=3)))
              for name in cloud_names]
    vms = []
    for index in range(draw(st.integers(0, 6))):
        name, _, networks = draw(st.sampled_from(clouds))
        nics = draw(st.lists(st.sampled_from(networks), max_size=2)) if networks else []
        vms.append((f"vm-{draw(st.sampled_from('qwerty'))}{index}", name, nics))
    return {"clouds": clouds, "vms": vms}


def build(seed: int, scenario: dict) -> VMMServer:
    sim = Simulation(seed)
    vmm = VMMServer(sim, "vmm-ny", fqdn="vmm-ny.contoso.com")
    group = vmm.new_sc_vm_host_group("NY")
    admin = vmm.new_sc_run_as_account("Admin", credential=Credential("admin"))
    hyperv = HyperVFabric(sim)
    for name in ("hv2", "hv1"):
        vmm.add_sc_vm_host(hyperv.add_host(name, fqdn=f"{name}.contoso.com"), credential=admin, vm_host_group=group)
    logical = {}
    vm_networks = {}
    for index, name in enumerate(NETWORKS):
        logical[name] = vmm.new_sc_logical_network(name)
        vmm.new_sc_logical_network_definition(f"{name}-NY", logical_network=logical[name], vm_host_group=[group],
                                              subnet_vlan=[SubnetVLan(f"10.{index}.0.0/24", index)])
        vm_networks[name] = vmm.new_sc_vm_network(f"{name}-VMs", logical_network=logical[name])
    clouds = {}
    for name, flagged, networks in scenario["clouds"]:
        clouds[name] = vmm.new_sc_cloud(name, vm_host_group=[group], disaster_recovery_supported=flagged)
        if networks:
            vmm.set_sc_cloud(clouds[name], add_cloud_resource=[logical[n] for n in networks])
    for name, cloud, networks in scenario["vms"]:
        vmm.new_sc_virtual_machine(name, cloud=clouds[cloud], operating_system="Windows Server 2016",
                                   virtual_network_adapters=[NetworkAdapterSpec(vm_networks[n]) for n in networks])
    return vmm


@given(scenarios())
def test_the_inventory_holds_exactly_the_flagged_clouds_networks_and_vms(scenario: dict) -> None:
    vmm = build(3, scenario)
    inventory = vmm.dr_inventory()
    flagged = sorted((c for c in scenario["clouds"] if c[1]), key=lambda c: c[0].casefold())
    assert [cloud.name for cloud in inventory.clouds] == [c[0] for c in flagged]
    for reported, (name, _, networks) in zip(inventory.clouds, flagged):
        live = vmm.get_sc_cloud(name)[0]
        assert reported.id == live.id and reported.host_groups == ("All Hosts\\NY",)
        assert reported.hosts == ("hv1.contoso.com", "hv2.contoso.com")
        assert [n.name for n in reported.vm_networks] == sorted(f"{n}-VMs" for n in networks)
        expected_vms = sorted((vm for vm in vmm.get_sc_virtual_machine() if vm.cloud is live),
                              key=lambda vm: (vm.name.casefold(), vm.id))
        assert [(vm.id, vm.vm_id, vm.name, vm.host) for vm in reported.vms] == [
            (vm.id, vm.vm_id, vm.name, vm.vm_host.name) for vm in expected_vms]
    # Plain data, serializable as it is.
    json.dumps(dataclasses.asdict(inventory))


@given(scenarios())
def test_the_same_seed_gives_the_same_inventory_and_history(scenario: dict) -> None:
    first, second = build(5, scenario), build(5, scenario)
    assert first.dr_inventory() == second.dr_inventory()
    assert first.sim.history.dumps() == second.sim.history.dumps()


def test_inventory_details_of_a_vm_and_its_networks() -> None:
    scenario = {"clouds": [("Gold", True, ["Corp"]), ("Silver", False, ["Corp"])],
                "vms": [("web", "Gold", ["Corp"]), ("app", "Gold", []), ("hidden", "Silver", [])]}
    vmm = build(1, scenario)
    site = vmm.get_sc_logical_network_definition("Corp-NY")[0]
    vmm.new_sc_static_ip_address_pool("Corp-Pool", subnet="10.0.0.0/24", logical_network_definition=site)
    network = vmm.get_sc_vm_network("Corp-VMs")[0]
    vmm.new_sc_virtual_machine("db", cloud=vmm.get_sc_cloud("Gold")[0], virtual_network_adapters=[
        NetworkAdapterSpec(network, ipv4_address_type=IPv4AddressType.Static)])
    [gold] = vmm.dr_inventory().clouds
    assert [vm.name for vm in gold.vms] == ["app", "db", "web"]
    [corp] = gold.vm_networks
    assert (corp.logical_network, corp.isolation_type, corp.has_static_ip_pool) == ("Corp", "NoIsolation", True)
    assert [(s.name, s.subnets) for s in corp.vm_subnets] == [("Corp-VMs", (("10.0.0.0/24", 0),))]
    db = gold.vms[1]
    assert (db.operating_system, db.generation) == ("", 2)
    assert [(n.vm_network, n.vm_subnet, n.ipv4_address_type, n.ip_addresses) for n in db.network_adapters] == [
        ("Corp-VMs", "Corp-VMs", "Static", ("10.0.0.1",))]
    assert [(d.path, d.size_bytes) for d in db.disks] == [("C:\\VMs\\db\\db-disk0.vhdx", 40 * 2**30)]
    assert gold.vms[2].operating_system == "Windows Server 2016"
