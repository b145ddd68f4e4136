"""Recovery-plan jobs through the official SDK (hyperv-scvmm.md §5.7, asr-orchestration.md §B.3.3): the
recorded task tree, each VM task pointing at the VM's own job, boot groups in order, the items' and the
plan's states after test failover (suspended at a manual action, resumed) and cleanup, planned failover,
commit and reverse replication; a failing VM stops a planned failover and not an unplanned one. Every history is judged by ``drlab.checkers.ordering``."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError

from drlab import Lab, Role
from drlab.checkers import check_ordering, data_loss, ip_injection
from hyperv_fake import VMState
from simcore import Fail, FaultRule, Match

from .conftest import Runbook
from .plans import boot, create, manual, plan_job, plan_lab, plans

__all__ = ["plan_lab", "plans"]

FORWARD = {"properties": {"failoverDirection": "PrimaryToRecovery", "providerSpecificDetails": []}}


@pytest.fixture
def three_groups(plans: Runbook) -> Runbook:
    create(plans, "rp1", [boot(plans, "Gold-VM1", "Gold-VM2"), boot(plans, "Gold-VM3"), boot(plans, "Gold-VM4")])
    return plans


def _items(book: Runbook) -> dict[str, Any]:
    fabric, container = book.container("Gold")
    return {i.properties.friendly_name: i.properties for i in
            book.asr.replication_protected_items.list_by_replication_protection_containers(
                book.rg, book.vault, fabric, container)}


def _running(lab: Lab, role: Role) -> set[str]:
    return {vm.name for host in lab.sites[role].hosts for vm in host.vms if vm.state is VMState.Running}


def test_planned_failover_runs_the_recorded_tree_in_order_then_commit_and_reverse_replication(
        three_groups: Runbook, plan_lab: Lab) -> None:
    book = three_groups
    plans_api = book.asr.replication_recovery_plans
    plan = plans_api.begin_planned_failover(book.rg, book.vault, "rp1", FORWARD).result()
    p = plan.properties
    assert (p.current_scenario.scenario_name, p.current_scenario_status, p.current_scenario_status_description) == (
        "PlannedFailover", "Succeeded", "Completed")
    assert p.allowed_operations == ["Commit", "ReverseReplicate"]
    job = plan_job(book, "PlannedFailover")
    assert (job.friendly_name, job.state, job.target_object_name, job.custom_details.instance_type) == (
        "Planned failover", "Succeeded", "rp1", "FailoverJobDetails")
    assert p.last_planned_failover_time == job.start_time
    assert [(t.task_id, t.name, t.friendly_name, t.task_type) for t in job.tasks[1:-1]] == [
        ("ShutdownAllActionGroup", "Unknown", "All groups shutdown (3)", "RecoveryPlanShutdownGroupTaskDetails"),
        ("FailoverAllActionGroup", "Unknown", "Recovery plan failover", "RecoveryPlanGroupTaskDetails"),
        ("Group1", "Unknown", "Group 1: Start (2)", "RecoveryPlanGroupTaskDetails"),
        ("Group2", "Unknown", "Group 2: Start (1)", "RecoveryPlanGroupTaskDetails"),
        ("Group3", "Unknown", "Group 3: Start (1)", "RecoveryPlanGroupTaskDetails")]
    assert (job.tasks[0].name, job.tasks[-1].name) == ("RpSrsPrerequisitesCheck", "EndRecoveryPlanTask")
    shutdown = job.tasks[1].group_task_custom_details  # the SDK resolves one level of subtypes: read the keys
    assert (shutdown["instanceType"], shutdown["groupId"], shutdown["rpGroupType"]) == (
        "RecoveryPlanShutdownGroupTaskDetails", "ShutdownAllActionGroup", "Shutdown")
    assert [c.friendly_name for c in shutdown.child_tasks] == [
        "Shutdown: Group 1 (2)", "Shutdown: Group 2 (1)", "Shutdown: Group 3 (1)"]
    assert [job.tasks[i].group_task_custom_details.rp_group_type for i in (2, 3)] == ["RpFailoverTask", "BootGroup"]
    # each VM task points at the VM's own planned failover job, which ran the recorded tasks and the holds
    vm_task = job.tasks[3].group_task_custom_details.child_tasks[0]
    assert (vm_task.name, vm_task.friendly_name, vm_task.task_type) == ("Unknown", "Gold-VM1", "VirtualMachineTaskDetails")
    pointer = vm_task.custom_details["jobTask"]
    assert (pointer["jobScenarioName"], pointer["targetInstanceType"], pointer["targetObjectName"]) == (
        "PlannedFailover", "Vm", "Gold-VM1")
    own = book.asr.replication_jobs.get(book.rg, book.vault, pointer["jobId"].rsplit("/", 1)[-1]).properties
    assert [t.name for t in own.tasks] == [
        "VmPfoPrerequisitesCheck", "VmShutdownVmOnPrimary", "VmPrepareForFailover", "VmWaitForRecoveryPlanFailover",
        "VmFailover", "VmWaitForRecoveryPlanBootGroup", "VmFoStartVmOnSecondary"]
    assert own.state == "Succeeded"
    assert {vm: (i.protection_state, i.active_location) for vm, i in _items(book).items()} == {
        vm: ("PlannedFailoverCommitRequired", "Recovery") for vm in ("Gold-VM1", "Gold-VM2", "Gold-VM3", "Gold-VM4")}
    assert {"Gold-VM1", "Gold-VM2", "Gold-VM3", "Gold-VM4"} <= _running(plan_lab, Role.recovery)
    plans_api.begin_failover_commit(book.rg, book.vault, "rp1").result()
    assert {i.protection_state for i in _items(book).values()} == {"PlannedFailoverStatesBegin"}
    plan = plans_api.begin_reprotect(book.rg, book.vault, "rp1").result()
    assert {(i.protection_state, i.active_location) for i in _items(book).values()} == {("Protected", "Recovery")}
    assert plan.properties.allowed_operations == ["PlannedFailover", "UnplannedFailover", "TestFailover"]
    assert [plan_job(book, s).state for s in ("CommitFailover", "ReverseReplication")] == ["Succeeded", "Succeeded"]
    verdict = check_ordering(plan_lab.history)
    assert verdict.ok, verdict
    assert verdict.checked == 3
    # the per-VM promises hold for a plan's failovers too: no write lost, each NIC given a pool address
    for promise in (data_loss(plan_lab), ip_injection(plan_lab)):
        assert promise.ok and promise.checked >= 4, promise


def test_test_failover_suspends_at_a_manual_action_until_resumed_then_cleanup(plans: Runbook, plan_lab: Lab) -> None:
    create(plans, "rp1", [boot(plans, "Gold-VM1"), boot(plans, "Gold-VM2", start=[manual("approve")]),
                          boot(plans, "Gold-VM3", end=[manual("planned only", types=["PlannedFailover"])])])
    api = plans.asr.replication_recovery_plans
    body = {"properties": {"failoverDirection": "PrimaryToRecovery", "networkType": "NoNetworkAttachAsInput",
                           "providerSpecificDetails": []}}
    plan = api.begin_test_failover(plans.rg, plans.vault, "rp1", body).result()  # the LRO ends at the suspension
    assert (plan.properties.current_scenario_status, plan.properties.allowed_operations) == ("Suspended", [])
    job = plan_job(plans, "TestFailover")
    assert (job.state, job.state_description, job.allowed_actions) == (
        "Suspended", "WaitingForManualAction", ["Cancel", "Resume"])
    assert job.tasks[1].state == "Other"  # no shutdown in a test failover
    group2 = job.tasks[4]
    action = group2.group_task_custom_details.child_tasks[0]
    assert (action.friendly_name, action.state, action.custom_details.instructions) == (
        "approve", "Suspended", "do approve")
    assert group2.group_task_custom_details.child_tasks[1].state == "NotStarted"  # Gold-VM2 not booted yet
    plan_lab.advance(7_200)  # nobody resumes: the job waits
    assert plan_job(plans, "TestFailover").state == "Suspended"
    job_name = api.get(plans.rg, plans.vault, "rp1").properties.current_scenario.job_id.rsplit("/", 1)[-1]
    plans.asr.replication_jobs.begin_resume(plans.rg, plans.vault, job_name, {"properties": {"comments": "ok"}}).result()
    plan_lab.run_until(lambda: plan_job(plans, "TestFailover").state != "InProgress", within=3_600)
    job = plan_job(plans, "TestFailover")
    assert job.state == "Succeeded"
    assert job.tasks[4].group_task_custom_details.child_tasks[0].custom_details.observation == "ok"
    assert [len(t.group_task_custom_details.child_tasks) for t in job.tasks[3:6]] == [1, 2, 1]  # planned-only skipped
    assert {i.test_failover_state for i in _items(plans).values() if i.friendly_name != "Gold-VM4"} == {
        "TestFailoverCompleted"}
    plan = api.get(plans.rg, plans.vault, "rp1")
    assert plan.properties.allowed_operations == ["TestFailoverCleanup"]
    assert plan.properties.last_test_failover_time == job.start_time
    api.begin_test_failover_cleanup(plans.rg, plans.vault, "rp1", {"properties": {"comments": "done"}}).result()
    assert plan_job(plans, "TestFailoverCleanup").state == "Succeeded"
    assert api.get(plans.rg, plans.vault, "rp1").properties.allowed_operations == [
        "PlannedFailover", "UnplannedFailover", "TestFailover"]
    events = [e.op for e in plan_lab.history.select(op="plan.manual.*")]
    assert events == ["plan.manual.waiting", "plan.manual.resumed"]
    verdict = check_ordering(plan_lab.history)
    assert verdict.ok, verdict


def _fail_failover_of(lab: Lab, vm: str) -> None:
    lab.faults.add(FaultRule(Fail("70038", "Start-VMFailover failed."),
                             Match(point="asr.task", where={"task": "VmFailover", "target": vm}), count=1))


def test_a_failing_vm_stops_a_planned_failover_after_its_group(three_groups: Runbook, plan_lab: Lab) -> None:
    book = three_groups
    _fail_failover_of(plan_lab, "Gold-VM3")
    with pytest.raises(HttpResponseError) as info:
        book.asr.replication_recovery_plans.begin_planned_failover(book.rg, book.vault, "rp1", FORWARD).result()
    assert info.value.error.code == "150611"
    job = plan_job(book, "PlannedFailover")
    assert job.state == "Failed"
    assert [t.state for t in job.tasks] == [
        "Succeeded", "Succeeded", "Failed", "NotStarted", "NotStarted", "NotStarted", "NotStarted"]
    plan_lab.advance(600)
    # no VM booted: the held jobs failed at their hold once the plan stopped
    assert not {"Gold-VM1", "Gold-VM2", "Gold-VM4"} & _running(plan_lab, Role.recovery)
    assert plan_lab.history.select(op="plan.group.started", where=lambda e: e.details["groupType"] == "Boot") == []
    verdict = check_ordering(plan_lab.history)
    assert verdict.ok, verdict


def test_an_unplanned_failover_runs_to_completion_recording_every_error(three_groups: Runbook, plan_lab: Lab) -> None:
    book = three_groups
    _fail_failover_of(plan_lab, "Gold-VM3")
    body = {"properties": {"failoverDirection": "PrimaryToRecovery", "sourceSiteOperations": "Required",
                           "providerSpecificDetails": []}}
    with pytest.raises(HttpResponseError):
        book.asr.replication_recovery_plans.begin_unplanned_failover(book.rg, book.vault, "rp1", body).result()
    job = plan_job(book, "UnplannedFailover")
    assert (job.friendly_name, job.state) == ("Failover", "Failed")
    assert [t.state for t in job.tasks] == [
        "Succeeded", "Succeeded", "Failed", "Succeeded", "Failed", "Succeeded", "Succeeded"]
    assert len(job.errors) == 2  # Gold-VM3's failover and its boot
    states = {vm: (i.protection_state, i.active_location) for vm, i in _items(book).items()}
    assert states.pop("Gold-VM3") == ("Protected", "Primary")
    assert set(states.values()) == {("UnplannedFailoverCommitPendingStatesBegin", "Recovery")}
    assert book.asr.replication_recovery_plans.get(book.rg, book.vault, "rp1").properties.last_unplanned_failover_time
    verdict = check_ordering(plan_lab.history)
    assert verdict.ok, verdict
    for promise in (data_loss(plan_lab), ip_injection(plan_lab)):  # the VMs that did fail over kept both
        assert promise.ok and promise.checked >= 3, promise


def test_plan_operations_are_refused_when_not_allowed_or_in_a_direction_the_items_do_not_run(
        three_groups: Runbook) -> None:
    book = three_groups
    api = book.asr.replication_recovery_plans
    for call, args in ((api.begin_failover_commit, ()), (api.begin_planned_failover, (
            {"properties": {"failoverDirection": "RecoveryToPrimary"}},))):
        with pytest.raises(HttpResponseError) as info:
            call(book.rg, book.vault, "rp1", *args)
        assert info.value.error.code in ("150609", "150610")
    with pytest.raises(HttpResponseError) as info:
        api.begin_unplanned_failover(book.rg, book.vault, "rp1", {"properties": {"failoverDirection": "PrimaryToRecovery"}})
    assert (info.value.status_code, info.value.error.code) == (400, "InvalidRequestContent")
    assert [j for j in book.asr.replication_jobs.list(book.rg, book.vault)
            if j.properties.target_instance_type == "RecoveryPlan" and j.properties.scenario_name != "CreateRecoveryPlan"
            ] == []
