"""Test failover through the official SDK (asr-orchestration.md §A.4.1–A.4.3, §A.7): the recorded
jobs and tasks, and from the hosts' own state the test VM booting with an address of the test
network's pool (its mask, gateway and DNS; the primary's own address where the pools match and it
is free) injected by VMM, never a production address; cleanup deletes the test VM and returns the
address; the item's test-failover state and allowed operations; refusals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from azure.core.exceptions import HttpResponseError

from drlab import CloudSpec, Lab, NetworkSpec, Role, VMSpec

from .conftest import Runbook

#: Corp is mapped 10.1/24 → 10.2/24; Test is an isolated network whose recovery pool matches the
#: primary Corp subnet (a test bubble with the production addresses).
NETWORKS = (NetworkSpec("Corp", "10.1.0.0/24", "10.2.0.0/24"), NetworkSpec("Test", "192.168.9.0/24", "10.1.0.0/24"))
CLOUDS = (CloudSpec("Gold", Role.primary), CloudSpec("Gold-Recovery", Role.recovery))


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=11, clouds=CLOUDS, networks=NETWORKS, vms=[VMSpec("web1", "Gold", networks=["Corp"]),
                                                             VMSpec("web2", "Gold", networks=["Corp"])]) as built:
        yield built


@pytest.fixture
def protected(runbook: Runbook) -> tuple[Runbook, str]:
    return runbook, runbook.protect("web2")  # 10.1.0.11: not the pools' first free address


def _tfo(runbook: Runbook, name: str, network: str | None) -> object:
    fabric, container = runbook.container("Gold")
    body: dict = {"properties": {"failoverDirection": "PrimaryToRecovery", "networkType": "NoNetworkAttachAsInput",
                                 "providerSpecificDetails": {"instanceType": "ProviderSpecificFailoverInput"}}}
    if network is not None:
        rfabric, rnet = runbook.network("recovery", network)
        body["properties"].update(networkType="VmNetworkAsInput", networkId=f"{runbook.prefix()}/replicationFabrics/"
                                                                            f"{rfabric}/replicationNetworks/{rnet}")
    return runbook.asr.replication_protected_items.begin_test_failover(
        runbook.rg, runbook.vault, fabric, container, name, body)


def _cleanup(runbook: Runbook, name: str) -> object:
    fabric, container = runbook.container("Gold")
    return runbook.asr.replication_protected_items.begin_test_failover_cleanup(
        runbook.rg, runbook.vault, fabric, container, name, {"properties": {"comments": "done"}})


def _vms(lab: Lab, role: Role) -> dict[str, object]:
    return {vm.name: vm for host in lab.sites[role].hosts for vm in host.vms}


def _granted(lab: Lab, network: str) -> set[str]:
    vmm = lab.recovery.vmm
    pools = [p for p in vmm.get_sc_static_ip_address_pool() if p.name.startswith(network)]
    return {str(a.address) for pool in pools for a in vmm.get_sc_ip_address(static_ip_address_pool=pool)}


def test_a_test_failover_boots_the_test_vm_with_an_address_of_the_test_pool(protected, lab: Lab) -> None:
    runbook, name = protected
    production = _granted(lab, "Corp")
    item = _tfo(runbook, name, "Test").result()
    (job,) = runbook.jobs("TestFailover")
    j = job.properties
    assert (j.friendly_name, j.state) == ("Test failover", "Succeeded")
    assert [(t.task_id, t.name) for t in j.tasks] == [
        ("TestFailoverPreflightChecksTask", "VmTfoPrerequisitesCheck"), ("BeginTestFailoverTask", "VmTfoInitiateFailover"),
        ("PrepareTestProtectedEntitiesTask", "VmTfoPrepareTestVm"), ("BootTestProtectedEntitiesTask", "VmTfoBootTestVm")]
    details = j.custom_details
    assert (details.instance_type, details.test_failover_status, details.network_type, details.network_friendly_name) \
        == ("TestFailoverJobDetails", "Active", "VmNetworkAsInput", "Test")
    (vm,) = details.protected_item_details
    assert (vm.friendly_name, vm.test_vm_friendly_name, vm.network_connection_status) == (
        "web2", "web2 - Test", "Connected")
    test_vm = _vms(lab, Role.recovery)["web2 - Test"]
    (guest,) = test_vm.guest.network.values()
    # the pools match (10.1.0.0/24) and web2's own address is free there: it keeps it (§7.1)
    assert guest.ip_addresses == ("10.1.0.11",) and guest.subnets == ("255.255.255.0",)
    assert guest.default_gateways == ("10.1.0.1",) and guest.dns_servers == ("10.1.0.2",)
    assert _granted(lab, "Test") == {"10.1.0.11"} and _granted(lab, "Corp") == production  # no production address
    replica = _vms(lab, Role.recovery)["web2"]
    assert all(adapter.failover.ipv4_address is None for adapter in replica.adapters)  # a real failover's are untouched
    p = item.properties
    assert (p.test_failover_state, p.allowed_operations) == ("TestFailoverCompleted", ["TestFailoverCleanup"])
    assert p.last_successful_test_failover_time == j.start_time
    assert p.health_errors == [] and p.failover_health == "Normal"  # 161011 is gone


def test_without_a_network_the_test_vm_is_not_connected(protected, lab: Lab) -> None:
    runbook, name = protected
    _tfo(runbook, name, None).result()
    (job,) = runbook.jobs("TestFailover")
    assert job.properties.custom_details.network_type == "NoNetworkAttachAsInput"
    assert job.properties.custom_details.protected_item_details[0].network_connection_status == "Disconnected"
    assert _vms(lab, Role.recovery)["web2 - Test"].guest.network in ({}, dict(_vms(lab, Role.recovery)["web2"].guest.network))
    assert _granted(lab, "Test") == set()


def test_a_second_test_vm_takes_the_next_free_address_not_a_taken_one(protected, runbook: Runbook, lab: Lab) -> None:
    runbook, name = protected
    lab.recovery.vmm.grant_sc_ip_address(
        static_ip_address_pool=next(p for p in lab.recovery.vmm.get_sc_static_ip_address_pool() if p.name.startswith("Test")),
        grant_to_object_type="VirtualMachine", ip_address="10.1.0.11")  # held by someone else in the bubble
    _tfo(runbook, name, "Test").result()
    (guest,) = _vms(lab, Role.recovery)["web2 - Test"].guest.network.values()
    assert guest.ip_addresses == ("10.1.0.10",)


def test_cleanup_deletes_the_test_vm_and_returns_its_address(protected, lab: Lab) -> None:
    runbook, name = protected
    _tfo(runbook, name, "Test").result()
    item = _cleanup(runbook, name).result()
    (job,) = runbook.jobs("TestFailoverCleanup")
    assert [(t.task_id, t.name, t.state) for t in job.properties.tasks] == [
        ("TestFailoverCleanupPreflightChecksTask", "VmTfoCleanupPreflightsCheck", "Succeeded"),
        ("EndTestFailoverTask", "VmTfoEndFailover", "Succeeded"),
        ("CleanupTestProtectedEntitiesTask", "VmTfoDeleteTestVm", "Succeeded")]
    assert "web2 - Test" not in _vms(lab, Role.recovery) and _granted(lab, "Test") == set()
    p = item.properties
    assert (p.test_failover_state, p.test_failover_state_description) == (
        "MarkedForDeletion", "Cleaning up test environment")  # for good (§A.3.4)
    assert "TestFailover" in p.allowed_operations
    _tfo(runbook, name, "Test").result()  # and it can be tested again


def test_what_the_state_does_not_allow_is_refused_and_starts_nothing(runbook: Runbook, lab: Lab) -> None:
    runbook.pair()
    runbook.map_poller().result()
    name = runbook.enable_poller("web1").result().name  # initial replication still running
    with pytest.raises(HttpResponseError) as info:
        _tfo(runbook, name, "Test")
    assert (info.value.status_code, info.value.error.code) == (409, "150205")
    lab.advance(3_600)
    with pytest.raises(HttpResponseError) as info:
        _cleanup(runbook, name)
    assert info.value.error.code == "150205"
    _tfo(runbook, name, "Test").result()
    with pytest.raises(HttpResponseError) as info:
        _tfo(runbook, name, "Test")
    assert info.value.error.code == "150205"
    assert len(runbook.jobs("TestFailover")) == 1 and runbook.jobs("TestFailoverCleanup") == []


def test_a_network_of_the_primary_fabric_is_refused(protected) -> None:
    runbook, name = protected
    fabric, container = runbook.container("Gold")
    pfabric, pnet = runbook.network("primary", "Test")
    body = {"properties": {"networkType": "VmNetworkAsInput",
                           "networkId": f"{runbook.prefix()}/replicationFabrics/{pfabric}/replicationNetworks/{pnet}"}}
    with pytest.raises(HttpResponseError) as info:
        runbook.asr.replication_protected_items.begin_test_failover(runbook.rg, runbook.vault, fabric, container,
                                                                    name, body)
    assert (info.value.status_code, info.value.error.code) == (400, "InvalidParameter")
    assert runbook.jobs("TestFailover") == []
