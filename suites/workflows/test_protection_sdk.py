"""Protection through the official SDK, in-process (asr-orchestration.md §A.3, §B.4.1): the recorded
``EnableDr`` job and tasks, the item's states from enabling to ``Protected`` as the VMM servers
report them (with the IR-completion jobs and the never-test-failed-over health error), what the
hosts do underneath (the VM replicating to a host of the recovery cloud), disabling and purging."""

from __future__ import annotations

from datetime import timedelta

import pytest
from azure.core.exceptions import HttpResponseError

from drlab import Lab, Role
from hyperv_fake import ReplicationMode, ReplicationState

from .conftest import Runbook

DISABLE_INPUT = {"properties": {"replicationProviderInput": {"instanceType": "DisableProtectionProviderSpecificInput"}}}


@pytest.fixture
def paired(runbook: Runbook) -> Runbook:
    runbook.pair()
    runbook.map_poller().result()
    return runbook


def _item(runbook: Runbook, name: str):  # type: ignore[no-untyped-def]
    fabric, container = runbook.container("Gold")
    return runbook.asr.replication_protected_items.get(runbook.rg, runbook.vault, fabric, container, name)


def _host_of(lab: Lab, role: Role, vm_id: str):  # type: ignore[no-untyped-def]
    """(host, vm) holding the Hyper-V VM ``vm_id`` on ``role``'s site, from the hosts' own state."""
    for host in lab.sites[role].hosts:
        for vm in host.vms:
            if vm.id == vm_id:
                return host, vm
    return None, None


def test_enable_runs_the_recorded_job_and_the_vm_replicates_across(paired: Runbook, lab: Lab) -> None:
    item = paired.enable_poller("Gold-VM1").result()
    p = item.properties
    assert (p.protection_state, p.allowed_operations) == ("ProtectedStatesBegin", ["DisableProtection"])  # policy
    (job,) = paired.jobs("EnableDr")
    j = job.properties
    assert (j.friendly_name, j.state, j.target_instance_type, j.target_object_name) == (
        "Enable replication", "Succeeded", "ProtectionEntity", "Gold-VM1")
    assert [(t.task_id, t.name, t.friendly_name) for t in j.tasks] == [
        ("EnableProtectionPreflightChecksTask", "EnableProtectionPrerequisitesCheck",
         "Prerequisites check for enabling protection"),
        ("CreateProtectionTargetTask", "CreateProtectionTarget", "Identifying the replication target"),
        ("EnableProtectionTask", "EnableProtection", "Enable replication"),
        ("StartInitialReplicationTask", "VmStartInitialReplication", "Starting initial replication"),
        ("UpdateDraStateTask", "UpdateDraState", "Updating the provider states")]
    assert {t.state for t in j.tasks} == {"Succeeded"}
    details = j.custom_details.affected_object_details
    assert (details["primaryVmName"], details["recoveryVmId"], details["primaryCloudName"],
            details["recoveryCloudName"], details["protectionProfileId"]) == (
        "Gold-VM1", "", "Gold", "Gold-Recovery", "pol1")
    # underneath: the primary VM replicates to a host of the recovery cloud, placed by the recovery VMM
    vm_id = p.provider_specific_details.vm_id
    host, vm = _host_of(lab, Role.primary, vm_id)
    replica_host, replica = _host_of(lab, Role.recovery, vm_id)
    assert host is not None and replica_host is not None
    assert host.get_vm_replication(vm.name).replica_server == replica_host.fqdn
    assert replica_host.get_vm_replication(replica.name).mode is ReplicationMode.Replica


def test_initial_replication_finishing_makes_the_item_protected(paired: Runbook, lab: Lab) -> None:
    name = paired.enable_poller("Gold-VM1").result().name
    lab.advance(3_600)
    p = _item(paired, name).properties
    assert (p.protection_state, p.protection_state_description, p.active_location) == (
        "Protected", "Protected", "Primary")
    assert p.allowed_operations == ["PlannedFailover", "UnplannedFailover", "DisableProtection", "TestFailover"]
    assert (p.replication_health, p.failover_health) == ("Normal", "Critical")
    (error,) = p.health_errors
    assert (error.error_code, error.error_source, error.error_type, error.error_level) == (
        "161011", "ReplicationUnitFailoverValidatorError", "TestFailoverValidator", "Error")
    assert error.error_message == "No successful test failover has been done on the virtual machine 'Gold-VM1'."
    assert {job.properties.state for scenario in ("PrimaryIrCompletion", "SecondaryIrCompletion")
            for job in paired.jobs(scenario)} == {"Succeeded"}
    details = p.provider_specific_details
    now = lab.sim.clock.utcnow()
    assert now - timedelta(seconds=30) <= details.last_replicated_time <= now  # every 30 s (the policy)
    assert details.initial_replication_details.initial_replication_type == "OverNetwork"
    vm_id = details.vm_id
    host, vm = _host_of(lab, Role.primary, vm_id)
    assert host.get_vm_replication(vm.name).state is ReplicationState.Replicating
    protectable = {i.properties.friendly_name: i.properties for i in paired.protectable()}
    assert protectable["Gold-VM1"].protection_status == "Protected"
    assert protectable["Gold-VM1"].replication_protected_item_id.endswith(f"/replicationProtectedItems/{name}")
    assert protectable["Gold-VM2"].protection_status == "Unprotected"
    assert paired.protectable("Gold-Recovery") == []  # the replica is not protectable (policy)


def test_a_protected_vm_cannot_be_protected_again_nor_its_pairing_removed(paired: Runbook, lab: Lab) -> None:
    paired.enable_poller("Gold-VM1").result()
    with pytest.raises(HttpResponseError) as info:
        paired.enable_poller("Gold-VM1")
    assert info.value.error.code == "150202"
    fabric, container = paired.container("Gold")
    with pytest.raises(HttpResponseError) as info:
        paired.asr.replication_protection_container_mappings.begin_delete(
            paired.rg, paired.vault, fabric, container, "pairing1", {"properties": {}})
    assert info.value.error.code == "150005"


def test_disable_removes_replication_on_both_sides_and_deletes_the_replica(paired: Runbook, lab: Lab) -> None:
    name = paired.enable_poller("Gold-VM1").result().name
    lab.advance(3_600)
    vm_id = _item(paired, name).properties.provider_specific_details.vm_id
    fabric, container = paired.container("Gold")
    paired.asr.replication_protected_items.begin_delete(paired.rg, paired.vault, fabric, container, name,
                                                        DISABLE_INPUT).result()
    (job,) = paired.jobs("DisableDr")
    assert [(t.task_id, t.state) for t in job.properties.tasks] == [
        ("DisableProtectionOnPrimaryTask", "Succeeded"), ("DisableProtectionOnSecondaryTask", "Succeeded"),
        ("UpdateDraStateTask", "Succeeded")]
    assert list(paired.asr.replication_protected_items.list(paired.rg, paired.vault)) == []
    assert {i.properties.protection_status for i in paired.protectable()} == {"Unprotected"}
    host, vm = _host_of(lab, Role.primary, vm_id)
    assert host.get_vm(vm.name).replication is None
    assert _host_of(lab, Role.recovery, vm_id) == (None, None)  # replicaDeletion Required (the policy)
    paired.enable_poller("Gold-VM1").result()  # and it can be protected again


def test_purge_forgets_the_item_and_leaves_the_hosts_alone(paired: Runbook, lab: Lab) -> None:
    name = paired.enable_poller("Gold-VM1").result().name
    lab.advance(3_600)
    vm_id = _item(paired, name).properties.provider_specific_details.vm_id
    fabric, container = paired.container("Gold")
    paired.asr.replication_protected_items.begin_purge(paired.rg, paired.vault, fabric, container, name).result()
    (job,) = paired.jobs("DisableDr")
    assert [(t.state, t.state_description) for t in job.properties.tasks[:2]] == [("Other", "Skipped")] * 2
    assert list(paired.asr.replication_protected_items.list(paired.rg, paired.vault)) == []
    host, vm = _host_of(lab, Role.primary, vm_id)
    assert host.get_vm_replication(vm.name).state is ReplicationState.Replicating
