"""Planned failover and its commit through the official SDK (asr-orchestration.md §A.4.1, §A.4.2, §B.2):
the recorded job and tasks; from the hosts' own state the primary shut down and its last changes sent,
the replica running with an address of the mapped recovery network's pool (its mask, gateway, DNS)
injected by VMM, no acknowledged write lost; the item's states and allowed operations; the commit."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError

from drlab import Lab, Role
from hyperv_fake import ReplicationState, VMState

from .conftest import Runbook

PFO = {"properties": {"failoverDirection": "PrimaryToRecovery",
                      "providerSpecificDetails": {"instanceType": "ProviderSpecificFailoverInput"}}}


@pytest.fixture
def protected(runbook: Runbook) -> tuple[Runbook, str]:
    return runbook, runbook.protect("Gold-VM1")


def _vm(lab: Lab, role: Role, name: str):  # type: ignore[no-untyped-def]
    return next((host, vm) for host in lab.sites[role].hosts for vm in host.vms if vm.name == name)


def _pfo(runbook: Runbook, name: str):  # type: ignore[no-untyped-def]
    fabric, container = runbook.container("Gold")
    return runbook.asr.replication_protected_items.begin_planned_failover(
        runbook.rg, runbook.vault, fabric, container, name, PFO)


def test_planned_failover_runs_the_recorded_job_and_the_replica_comes_up_with_a_pool_address(protected, lab: Lab
                                                                                            ) -> None:
    runbook, name = protected
    item = _pfo(runbook, name).result()
    (job,) = runbook.jobs("PlannedFailover")
    j = job.properties
    assert (j.friendly_name, j.state, j.custom_details.instance_type) == (
        "Planned failover", "Succeeded", "FailoverJobDetails")
    assert [(t.task_id, t.name, t.friendly_name) for t in j.tasks] == [
        ("PlannedFailoverPreflightChecksTask", "VmPfoPrerequisitesCheck", "Prerequisites check for planned failover"),
        ("ShutdownVmOnPrimary", "VmShutdownVmOnPrimary", "Shut down the virtual machine"),
        ("PrepareForFailoverTask", "VmPrepareForFailover", "Preparing for failover"),
        ("FailoverTask", "VmFailover", "Start failover"),
        ("StartVmOnSecondary", "VmFoStartVmOnSecondary", "Start the replica virtual machine")]
    p = item.properties
    assert (p.protection_state, p.protection_state_description, p.active_location) == (
        "PlannedFailoverCommitRequired", "Planned failover finished", "Recovery")
    assert p.allowed_operations == ["CompleteMigration", "ReverseReplicate", "Commit", "DisableProtection", "ChangePit"]
    assert p.last_successful_failover_time == j.start_time
    (nic,) = p.provider_specific_details.vm_nics
    assert (nic.ip_configs[0].static_ip_address, nic.ip_configs[0].recovery_static_ip_address) == (
        "10.1.0.10", "10.2.0.10")
    # from the hosts: the primary off and prepared, the replica failed over and running with the address
    _, primary = _vm(lab, Role.primary, "Gold-VM1")
    _, replica = _vm(lab, Role.recovery, "Gold-VM1")
    assert primary.state is VMState.Off and primary.replication.state is ReplicationState.PreparedForFailover
    assert replica.state is VMState.Running
    assert replica.replication.state is ReplicationState.FailedOverWaitingCompletion
    (guest,) = replica.guest.network.values()
    assert (guest.ip_addresses, guest.subnets, guest.default_gateways, guest.dns_servers) == (
        ("10.2.0.10",), ("255.255.255.0",), ("10.2.0.1",), ("10.2.0.2",))
    vmm = lab.recovery.vmm
    granted = {str(a.address) for pool in vmm.get_sc_static_ip_address_pool()
               for a in vmm.get_sc_ip_address(static_ip_address_pool=pool)}
    assert "10.2.0.10" in granted  # reserved in VMM, not only set on the host
    # a planned failover loses no acknowledged write: the replica holds all the primary wrote, then its own
    final = primary.workload.image(lab.now)
    assert final.last > 0 and final.is_prefix_of(replica.workload.image(lab.now))


def test_commit_runs_complete_vm_failover_and_the_item_reads_committed(protected, lab: Lab) -> None:
    runbook, name = protected
    _pfo(runbook, name).result()
    fabric, container = runbook.container("Gold")
    item = runbook.asr.replication_protected_items.begin_failover_commit(
        runbook.rg, runbook.vault, fabric, container, name).result()
    (job,) = runbook.jobs("CommitFailover")
    assert [(t.name, t.state) for t in job.properties.tasks] == [("VmCommit", "Succeeded")]
    p = item.properties
    assert (p.protection_state, p.protection_state_description) == (
        "PlannedFailoverStatesBegin", "Planned failover committed")
    assert p.allowed_operations == ["CompleteMigration", "ReverseReplicate", "DisableProtection"]
    _, replica = _vm(lab, Role.recovery, "Gold-VM1")
    assert replica.replication.state is ReplicationState.FailedOver


def test_failover_operations_the_state_does_not_allow_are_refused(protected, runbook: Runbook) -> None:
    runbook, name = protected
    fabric, container = runbook.container("Gold")
    with pytest.raises(HttpResponseError) as info:
        runbook.asr.replication_protected_items.begin_failover_commit(runbook.rg, runbook.vault, fabric, container, name)
    assert (info.value.status_code, info.value.error.code) == (409, "150205")
    _pfo(runbook, name).result()
    with pytest.raises(HttpResponseError) as info:
        _pfo(runbook, name)
    assert info.value.error.code == "150205"
    assert len(runbook.jobs("PlannedFailover")) == 1 and runbook.jobs("CommitFailover") == []


def _ufo(runbook: Runbook, name: str, source: str):  # type: ignore[no-untyped-def]
    fabric, container = runbook.container("Gold")
    body = {"properties": {"failoverDirection": "PrimaryToRecovery", "sourceSiteOperations": source,
                           "providerSpecificDetails": {"instanceType": "UnplannedFailoverProviderSpecificInput"}}}
    return runbook.asr.replication_protected_items.begin_unplanned_failover(
        runbook.rg, runbook.vault, fabric, container, name, body)


def test_unplanned_failover_with_the_primary_site_cut_off_loses_only_writes_after_the_point(protected, lab: Lab
                                                                                          ) -> None:
    """The hosts of the two sites cannot reach each other (the primary site is gone, as far as the
    replica can tell); ASR's channel still works. No source-side operations: those tasks are
    skipped, the replica comes up at its latest point with a pool address."""
    from simcore import FaultRule, Match, Partition
    runbook, name = protected
    primaries = tuple(h.name for h in lab.sites[Role.primary].hosts)
    replicas = tuple(h.name for h in lab.sites[Role.recovery].hosts)
    lab.faults.add(FaultRule(Partition(), Match(src=primaries, dst=replicas, bidirectional=True)))
    lab.advance(600)
    _, primary = _vm(lab, Role.primary, "Gold-VM1")
    written = primary.workload.image(lab.now)
    item = _ufo(runbook, name, "NotRequired").result()
    (job,) = runbook.jobs("UnplannedFailover")
    j = job.properties
    assert (j.friendly_name, j.state) == ("Failover", "Succeeded")
    assert [(t.task_id, t.state, t.state_description) for t in j.tasks] == [
        ("UnplannedFailoverPreflightChecksTask", "Succeeded", "Completed"),
        ("ShutdownVmOnPrimaryForUFO", "Other", "Skipped"), ("PrepareForUnPlannedFailoverTask", "Other", "Skipped"),
        ("FailoverTask", "Succeeded", "Completed"), ("StartVmOnSecondary", "Succeeded", "Completed")]
    p = item.properties
    assert (p.protection_state, p.protection_state_description, p.active_location) == (
        "UnplannedFailoverCommitPendingStatesBegin", "Failover completed", "Recovery")
    assert p.allowed_operations == ["CompleteMigration", "ReverseReplicate", "Commit", "DisableProtection", "ChangePit"]
    (event,) = lab.history.select(op="vmm.failover")
    rpo = event.details["rpoSeconds"]
    assert rpo >= 600  # nothing crossed since the cut: the point is older than it
    _, replica = _vm(lab, Role.recovery, "Gold-VM1")
    (guest,) = replica.guest.network.values()
    assert guest.ip_addresses == ("10.2.0.10",)
    # the replica holds a prefix of what the primary wrote: no write it did not make, the rest lost
    held = replica.workload.image(event.time)
    assert held.is_prefix_of(written) and held.last < written.last


def test_unplanned_failover_refuses_while_the_primary_runs_and_is_reachable(protected, lab: Lab) -> None:
    """Hyper-V's split-brain guard: the job fails with Hyper-V's reason; the item stays Protected."""
    runbook, name = protected
    with pytest.raises(HttpResponseError) as info:
        _ufo(runbook, name, "NotRequired").result()
    assert "shut it down" in info.value.message
    (job,) = runbook.jobs("UnplannedFailover")
    assert job.properties.state == "Failed"
    fabric, container = runbook.container("Gold")
    item = runbook.asr.replication_protected_items.get(runbook.rg, runbook.vault, fabric, container, name)
    assert item.properties.protection_state == "Protected"


def test_unplanned_failover_with_source_side_operations_shuts_down_and_syncs_first(protected, lab: Lab) -> None:
    runbook, name = protected
    _ufo(runbook, name, "Required").result()
    (job,) = runbook.jobs("UnplannedFailover")
    assert {t.state for t in job.properties.tasks} == {"Succeeded"}
    _, primary = _vm(lab, Role.primary, "Gold-VM1")
    _, replica = _vm(lab, Role.recovery, "Gold-VM1")
    assert primary.state is VMState.Off
    assert primary.workload.image(lab.now).is_prefix_of(replica.workload.image(lab.now))  # nothing lost
    fabric, container = runbook.container("Gold")
    item = runbook.asr.replication_protected_items.begin_failover_commit(
        runbook.rg, runbook.vault, fabric, container, name).result()
    assert item.properties.protection_state == "UnplannedFailoverStatesBegin"


def _reprotect(runbook: Runbook, name: str):  # type: ignore[no-untyped-def]
    fabric, container = runbook.container("Gold")
    body = {"properties": {"failoverDirection": "RecoveryToPrimary",
                           "providerSpecificDetails": {"instanceType": "ReverseReplicationProviderSpecificInput"}}}
    return runbook.asr.replication_protected_items.begin_reprotect(
        runbook.rg, runbook.vault, fabric, container, name, body)


@pytest.mark.parametrize("failover", ["planned", "unplanned"])
def test_reverse_replication_from_commit_pending_commits_and_replicates_back(protected, lab: Lab, failover: str
                                                                             ) -> None:
    """Issued straight from commit-pending, as recorded (§A.4.4): its VmCommit task commits, then the
    failed-over VM replicates back to the old primary's host; the item is Protected at the recovery site."""
    runbook, name = protected
    (_pfo(runbook, name) if failover == "planned" else _ufo(runbook, name, "Required")).result()
    item = _reprotect(runbook, name).result()
    (job,) = runbook.jobs("ReverseReplication")
    j = job.properties
    assert (j.friendly_name, j.state) == ("Reverse replication", "Succeeded")
    assert [(t.name, t.friendly_name, t.state) for t in j.tasks] == [
        ("VmReverseReplicationPrerequisitesCheck", "Prerequisites check", "Succeeded"),
        ("VmCommit", "Commit", "Succeeded"),
        ("VmPrepareForReverseReplication", "Preparing for reverse replication", "Succeeded"),
        ("VmInitiateReverseReplication", "Start reverse replication", "Succeeded"),
        ("UpdateDraState", "Updating the provider states", "Succeeded")]
    assert j.custom_details.affected_object_details["recoveryVmId"] == item.properties.provider_specific_details.vm_id
    p = item.properties
    assert (p.protection_state, p.active_location) == ("Protected", "Recovery")
    assert p.allowed_operations == ["PlannedFailover", "UnplannedFailover", "DisableProtection", "TestFailover"]
    host, replica = _vm(lab, Role.recovery, "Gold-VM1")
    _, old_primary = _vm(lab, Role.primary, "Gold-VM1")
    rel = replica.replication
    assert rel.mode.value == "Primary" and rel.settings.replica_server_name == old_primary.host.fqdn
    lab.advance(3_600)
    assert replica.replication.state is ReplicationState.Replicating
    assert old_primary.replication.mode.value == "Replica"
    assert runbook.protectable("Gold-Recovery") == []  # the failed-over VM is the protected item, not a new one


def test_reverse_replication_is_refused_before_a_failover(protected) -> None:
    runbook, name = protected
    with pytest.raises(HttpResponseError) as info:
        _reprotect(runbook, name)
    assert info.value.error.code == "150205" and runbook.jobs("ReverseReplication") == []


def test_a_second_operation_while_one_runs_is_accepted_and_its_job_fails_with_532(protected, lab: Lab) -> None:
    """As recorded (§A.4.5): 202, the job in progress with every task NotStarted, then after about
    3 min 20 s Failed, every task Other/Skipped, error 532 naming the operation in progress."""
    runbook, name = protected
    fabric, container = runbook.container("Gold")
    items = runbook.asr.replication_protected_items
    items.begin_planned_failover(runbook.rg, runbook.vault, fabric, container, name, PFO, polling=False)
    (first,) = runbook.jobs("PlannedFailover")
    items.begin_planned_failover(runbook.rg, runbook.vault, fabric, container, name, PFO, polling=False)
    (second,) = [job for job in runbook.jobs("PlannedFailover") if job.name != first.name]
    assert second.properties.state == "InProgress"
    assert {t.state for t in second.properties.tasks} == {"NotStarted"}
    lab.advance(200)
    second = runbook.asr.replication_jobs.get(runbook.rg, runbook.vault, second.name)
    assert (second.properties.state, second.properties.state_description) == ("Failed", "Failed")
    assert {(t.state, t.state_description) for t in second.properties.tasks} == {("Other", "Skipped")}
    (error,) = second.properties.errors
    details = error.service_error_details
    assert (details.code, details.message, details.possible_causes) == (
        "532", "The operation couldn't be completed.", "An operation Gold-VM1 (Planned failover) is in progress.")
    assert error.task_id is None
    lab.advance(600)
    first = runbook.asr.replication_jobs.get(runbook.rg, runbook.vault, first.name)
    assert first.properties.state == "Succeeded"  # the one in progress is not disturbed


def test_after_an_unplanned_failover_the_item_shows_the_recorded_replication_health_errors(protected, lab: Lab
                                                                                         ) -> None:
    """As recorded after a UFO (§A.4.4): the replica side reports 67506 "is failed over"; the health
    errors persist with their creation time; a healthy Protected item shows none of them."""
    runbook, name = protected
    fabric, container = runbook.container("Gold")
    before = runbook.asr.replication_protected_items.get(runbook.rg, runbook.vault, fabric, container, name)
    assert [e.error_code for e in before.properties.health_errors] == ["161011"]
    assert before.properties.replication_health == "Normal"
    _ufo(runbook, name, "Required").result()
    lab.advance(120)  # the next polls report both sides
    item = runbook.asr.replication_protected_items.get(runbook.rg, runbook.vault, fabric, container, name)
    errors = {e.error_code: e for e in item.properties.health_errors}
    failed_over = errors["67506"]
    assert (failed_over.error_source, failed_over.error_level, failed_over.error_type) == (
        "ReplicationUnitProviderErrorOnReplica", "Warning", None)
    assert failed_over.error_message == "Virtual machine 'Gold-VM1' in 'vmm-chi.contoso.com'|'Gold-Recovery' is failed over."
    assert (failed_over.possible_causes, failed_over.recommended_action) == (
        "The virtual machine has failed over.", "Complete pending operation on the virtual machine.")
    assert item.properties.replication_health in ("Warning", "Critical")
    lab.advance(600)
    later = runbook.asr.replication_protected_items.get(runbook.rg, runbook.vault, fabric, container, name)
    assert {e.error_code: e.creation_time_utc for e in later.properties.health_errors}["67506"] == \
        failed_over.creation_time_utc


def test_a_failover_into_a_network_without_a_static_pool_fails_with_a_coded_error(protected, lab: Lab) -> None:
    """hyperv-scvmm.md §5.5: a static pool is required on the target network, else allocation fails;
    the job fails at "Start failover" with code 31010 (policy WORK_ERROR_CODES) naming the network."""
    runbook, name = protected
    vmm = lab.recovery.vmm
    (pool,) = [p for p in vmm.get_sc_static_ip_address_pool() if p.name.startswith("Corp")]
    vmm.remove_sc_static_ip_address_pool(pool)
    with pytest.raises(HttpResponseError) as info:
        _pfo(runbook, name).result()
    assert info.value.error.code == "31010" and "no static IP address pool" in info.value.error.message
    (job,) = runbook.jobs("PlannedFailover")
    assert [t.state for t in job.properties.tasks][-2:] == ["Failed", "NotStarted"]
    _, replica = _vm(lab, Role.recovery, "Gold-VM1")
    assert replica.state is VMState.Off  # not failed over, nothing injected
    assert all(adapter.failover.ipv4_address is None for adapter in replica.adapters)


def _choose(runbook: Runbook, name: str, address: str | None):  # type: ignore[no-untyped-def]
    fabric, container = runbook.container("Gold")
    items = runbook.asr.replication_protected_items
    nic = items.get(runbook.rg, runbook.vault, fabric, container, name).properties.provider_specific_details.vm_nics[0]
    body = {"properties": {"vmNics": [{"nicId": nic.nic_id, "selectionType": "SelectedByUser",
                                       "ipConfigs": [{"isPrimary": True, "recoveryStaticIPAddress": address}]}]}}
    return items.begin_update(runbook.rg, runbook.vault, fabric, container, name, body)


def test_an_address_chosen_for_a_nic_is_the_one_injected(protected, lab: Lab) -> None:
    runbook, name = protected
    item = _choose(runbook, name, "10.2.0.77").result()
    (nic,) = item.properties.provider_specific_details.vm_nics
    assert (nic.selection_type, nic.ip_configs[0].recovery_static_ip_address) == ("SelectedByUser", "10.2.0.77")
    (job,) = runbook.jobs("UpdateVmProperties")
    assert job.properties.state == "Succeeded"
    _pfo(runbook, name).result()
    _, replica = _vm(lab, Role.recovery, "Gold-VM1")
    (guest,) = replica.guest.network.values()
    assert guest.ip_addresses == ("10.2.0.77",)


def test_a_chosen_address_someone_holds_fails_the_failover_with_a_coded_error(protected, lab: Lab) -> None:
    runbook, name = protected
    vmm = lab.recovery.vmm
    pool = next(p for p in vmm.get_sc_static_ip_address_pool() if p.name.startswith("Corp"))
    vmm.grant_sc_ip_address(static_ip_address_pool=pool, grant_to_object_type="VirtualMachine", ip_address="10.2.0.77")
    _choose(runbook, name, "10.2.0.77").result()
    with pytest.raises(HttpResponseError) as info:
        _pfo(runbook, name).result()
    assert info.value.error.code == "31012"


def test_an_update_with_a_bad_address_or_an_azure_field_is_refused_and_changes_nothing(protected) -> None:
    runbook, name = protected
    with pytest.raises(HttpResponseError) as info:
        _choose(runbook, name, "10.2.0.999")
    assert (info.value.status_code, info.value.error.code) == (400, "InvalidParameter")
    fabric, container = runbook.container("Gold")
    with pytest.raises(HttpResponseError) as info:
        runbook.asr.replication_protected_items.begin_update(
            runbook.rg, runbook.vault, fabric, container, name, {"properties": {"recoveryAzureVMSize": "x"}})
    assert info.value.error.code == "InvalidParameter"
    assert runbook.jobs("UpdateVmProperties") == []
    item = runbook.asr.replication_protected_items.get(runbook.rg, runbook.vault, fabric, container, name)
    assert item.properties.provider_specific_details.vm_nics[0].selection_type == "NotSelected"
