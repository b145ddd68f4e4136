"""Recovery-plan script and runbook actions through the official SDK (hyperv-scvmm.md §5.7): a script on
the VMM library run by the Provider of the fabric the action names, by the documented rules (STDERR,
``Write-Host``, an exception or no return within 600 s fail it; its output in ``ScriptActionTaskDetails``);
a runbook run as a job of an Azure Automation account with the recovery plan context; a failing action
stops a planned failover and not an unplanned one; a strict service refuses runbooks. Every history is
judged by ``drlab.checkers.ordering``."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError

from asr_emulator.automation import DeclaredRunbook, RunbookContext
from drlab import Lab
from drlab.checkers import check_ordering
from hyperv_fake import VMState
from scvmm_fake import DeclaredScript, ScriptContext

from .conftest import Runbook
from .plans import (
    boot, create, item_ids, manual, plan_body, plan_job, plan_lab, plans, protect_all, runbook, script,
)

__all__ = ["plan_lab", "plans"]

PRE = "\\RPScripts\\pre.ps1"
FORWARD = {"properties": {"failoverDirection": "PrimaryToRecovery", "providerSpecificDetails": []}}
TEST = {"properties": {"failoverDirection": "PrimaryToRecovery", "networkType": "NoNetworkAttachAsInput",
                       "providerSpecificDetails": []}}
UNPLANNED = {"properties": {"failoverDirection": "PrimaryToRecovery", "sourceSiteOperations": "Required",
                            "providerSpecificDetails": []}}


def _children(task: Any) -> list[Any]:
    return list(task.group_task_custom_details.child_tasks)


def _resume(book: Runbook, comments: str = "done") -> None:
    job = book.asr.replication_recovery_plans.get(book.rg, book.vault, "rp1").properties.current_scenario.job_id
    book.asr.replication_jobs.begin_resume(book.rg, book.vault, job.rsplit("/", 1)[-1],
                                           {"properties": {"comments": comments}}).result()


@pytest.fixture
def actions(plans: Runbook, plan_lab: Lab) -> dict[str, Any]:
    """Three boot groups: a script before Group 1 (on the recovery VMM), a manual action before Group 2
    (test failover only), a runbook after Group 3; what the script and runbook saw."""
    seen: dict[str, Any] = {"script": [], "runbook": []}

    def pre(run: ScriptContext) -> None:
        seen["script"].append((run.vmm.name, plan_lab.now))
        run.write_output(f"pre ran on {run.vmm.name}")
        run.sleep(120)

    def post(run: RunbookContext) -> None:
        seen["runbook"].append(run.context)
        run.write_output(f"post saw {len(run.context['VmMap'])} VMs")
        run.sleep(30)

    plan_lab.put_script(PRE, pre)
    seen["runbookId"] = plan_lab.automation_account().register("post", post)
    create(plans, "rp1", [boot(plans, "Gold-VM1", start=[script("pre", PRE)]),
                          boot(plans, "Gold-VM2", "Gold-VM3", start=[manual("approve", types=["TestFailover"])]),
                          boot(plans, "Gold-VM4", end=[runbook("post", seen["runbookId"])])])
    return seen


def test_script_manual_action_and_runbook_through_test_failover_and_cleanup_then_planned_failover(
        plans: Runbook, plan_lab: Lab, actions: dict[str, Any]) -> None:
    api = plans.asr.replication_recovery_plans
    plan = api.begin_test_failover(plans.rg, plans.vault, "rp1", TEST).result()
    assert plan.properties.current_scenario_status == "Suspended"  # at the manual action
    job = plan_job(plans, "TestFailover")
    pre_task = _children(job.tasks[3])[0]
    assert (pre_task.name, pre_task.friendly_name, pre_task.state) == ("ScriptActionTask", "pre", "Succeeded")
    details = pre_task.custom_details
    assert (details["instanceType"], details["name"], details["path"], details["output"],
            details["isPrimarySideScript"]) == ("ScriptActionTaskDetails", "pre", PRE, "pre ran on vmm-chi", False)
    assert (pre_task.end_time - pre_task.start_time).total_seconds() >= 120  # the script's time on the lab clock
    assert [vm for vm, _ in actions["script"]] == ["vmm-chi"]
    assert _children(job.tasks[4])[0].state == "Suspended" and actions["runbook"] == []
    _resume(plans)
    job = plan_job(plans, "TestFailover")
    assert job.state == "Succeeded"
    post_task = _children(job.tasks[5])[-1]
    details = post_task.custom_details
    account = plan_lab.automation_account()
    (automation_job,) = account.jobs
    assert (post_task.name, post_task.state, details["instanceType"], details["runbookId"], details["accountName"],
            details["runbookName"], details["subscriptionId"], details["jobId"], details["jobOutput"]) == (
        "AutomationRunbookTask", "Succeeded", "AutomationRunbookTaskDetails", actions["runbookId"], "drlab-automation",
        "post", plan_lab.subscription_id, automation_job.id, "post saw 1 VMs")
    assert automation_job.status == "Completed"
    (context,) = actions["runbook"]
    vm4 = item_ids(plans)["Gold-VM4"][1]
    assert context == {"RecoveryPlanName": "rp1", "FailoverType": "Test", "FailoverDirection": "PrimaryToSecondary",
                       "GroupId": "3", "VmMap": {vm4: {
                           "SubscriptionId": plan_lab.subscription_id, "ResourceGroupName": "",
                           "CloudServiceName": "Gold-Recovery", "RoleName": "Gold-VM4", "RecoveryPointId": ""}}}
    api.begin_test_failover_cleanup(plans.rg, plans.vault, "rp1", {"properties": {"comments": "ok"}}).result()
    assert plan_job(plans, "TestFailoverCleanup").state == "Succeeded"
    # a planned failover runs the script and the runbook again (the manual action is for test failover only)
    api.begin_planned_failover(plans.rg, plans.vault, "rp1", FORWARD).result()
    job = plan_job(plans, "PlannedFailover")
    assert job.state == "Succeeded"
    assert [len(_children(t)) for t in job.tasks[3:6]] == [2, 2, 2]
    assert actions["runbook"][-1]["FailoverType"] == "Planned" and len(account.jobs) == 2
    api.begin_failover_commit(plans.rg, plans.vault, "rp1").result()
    api.begin_reprotect(plans.rg, plans.vault, "rp1").result()
    assert [plan_job(plans, s).state for s in ("CommitFailover", "ReverseReplication")] == ["Succeeded", "Succeeded"]
    verdict = check_ordering(plan_lab.history)
    assert verdict.ok and verdict.checked == 5, verdict
    events = [(e.op, e.details["action"]) for e in plan_lab.history.select(op="plan.action.*")
              if e.details["operation"] == "PlannedFailover"]
    assert events == [("plan.action.started", "pre"), ("plan.action.finished", "pre"),
                      ("plan.action.started", "post"), ("plan.action.finished", "post")]


@pytest.fixture
def failing(plans: Runbook, plan_lab: Lab) -> Runbook:
    """A script before Group 1 that writes to STDERR, a runbook after Group 2 that throws."""
    plan_lab.put_script(PRE, DeclaredScript(output="partial", stderr="access denied", seconds=5))
    runbook_id = plan_lab.automation_account().register("post", DeclaredRunbook(exception="RuntimeError: nope"))
    create(plans, "rp1", [boot(plans, "Gold-VM1", start=[script("pre", PRE)]),
                          boot(plans, "Gold-VM2", end=[runbook("post", runbook_id)]), boot(plans, "Gold-VM3")])
    return plans


def test_a_failing_script_stops_a_planned_failover(failing: Runbook, plan_lab: Lab) -> None:
    with pytest.raises(HttpResponseError) as info:
        failing.asr.replication_recovery_plans.begin_planned_failover(failing.rg, failing.vault, "rp1", FORWARD).result()
    assert info.value.error.code == "31031"
    job = plan_job(failing, "PlannedFailover")
    assert job.state == "Failed"
    assert [t.state for t in job.tasks] == [
        "Succeeded", "Succeeded", "Succeeded", "Failed", "NotStarted", "NotStarted", "NotStarted"]
    pre_task = _children(job.tasks[3])[0]
    assert (pre_task.state, pre_task.custom_details["output"]) == ("Failed", "partial")
    (error,) = job.errors
    assert (error.provider_error_details.error_code, error.task_id) == (31031, pre_task.task_id)
    assert "STDERR: access denied" in error.provider_error_details.error_message
    assert _children(job.tasks[3])[1].state == "NotStarted"  # Gold-VM1 never booted
    assert plan_lab.automation_account().jobs == []
    verdict = check_ordering(plan_lab.history)
    assert verdict.ok, verdict


def test_fix_and_rerun_a_planned_failover_stopped_by_its_script_by_restarting_the_plan_job(
        failing: Runbook, plan_lab: Lab) -> None:
    api = failing.asr.replication_recovery_plans
    with pytest.raises(HttpResponseError):
        api.begin_planned_failover(failing.rg, failing.vault, "rp1", FORWARD).result()
    plan_lab.advance(600)
    plan_lab.put_script(PRE, DeclaredScript(output="fixed", seconds=5))  # fix the script and the runbook
    plan_lab.automation_account().register("post", DeclaredRunbook(output="ok"))
    name = api.get(failing.rg, failing.vault, "rp1").properties.current_scenario.job_id.rsplit("/", 1)[-1]
    failing.asr.replication_jobs.begin_restart(failing.rg, failing.vault, name).result()
    job = plan_job(failing, "PlannedFailover")
    assert (job.state, job.errors) == ("Succeeded", [])
    assert _children(job.tasks[3])[0].custom_details["output"] == "fixed"
    items = {i.properties.friendly_name: i.properties for i in
             failing.asr.replication_protected_items.list(failing.rg, failing.vault)}
    assert {items[vm].protection_state for vm in ("Gold-VM1", "Gold-VM2", "Gold-VM3")} == {
        "PlannedFailoverCommitRequired"}
    running = {vm.name for host in plan_lab.recovery.hosts for vm in host.vms if vm.state is VMState.Running}
    assert {"Gold-VM1", "Gold-VM2", "Gold-VM3"} <= running
    # shutdown and failover ran once; the failed group ran again
    assert [e.details["group"] for e in plan_lab.history.select(op="plan.group.started")] == [
        "Shutdown", "Failover", "Group 1", "Group 1", "Group 2", "Group 3"]
    verdict = check_ordering(plan_lab.history)
    assert verdict.ok, verdict


def test_an_unplanned_failover_runs_past_failing_actions_recording_each_error(failing: Runbook, plan_lab: Lab) -> None:
    with pytest.raises(HttpResponseError):
        failing.asr.replication_recovery_plans.begin_unplanned_failover(
            failing.rg, failing.vault, "rp1", UNPLANNED).result()
    job = plan_job(failing, "UnplannedFailover")
    assert job.state == "Failed"
    assert [t.state for t in job.tasks] == [
        "Succeeded", "Succeeded", "Succeeded", "Failed", "Failed", "Succeeded", "Succeeded"]
    assert [e.service_error_details.code for e in job.errors] == ["31031", "150615"]
    assert "RuntimeError: nope" in job.errors[1].service_error_details.possible_causes
    group1, group2 = _children(job.tasks[3]), _children(job.tasks[4])
    assert [t.state for t in group1] == ["Failed", "Succeeded"] and [t.state for t in group2] == ["Succeeded", "Failed"]
    (automation_job,) = plan_lab.automation_account().jobs
    assert (automation_job.status, group2[1].custom_details["jobId"]) == ("Failed", automation_job.id)
    verdict = check_ordering(plan_lab.history)
    assert verdict.ok, verdict


def _test_failover_failing(book: Runbook, lab: Lab) -> tuple[Any, Any]:
    """Run a test failover of rp1 that fails; (the plan job, its first group's script task)."""
    with pytest.raises(HttpResponseError):
        book.asr.replication_recovery_plans.begin_test_failover(book.rg, book.vault, "rp1", TEST).result()
    job = plan_job(book, "TestFailover")
    assert job.state == "Failed"
    verdict = check_ordering(lab.history)
    assert verdict.ok, verdict
    return job, _children(job.tasks[3])[0]


def test_a_missing_script_fails_its_task_naming_the_path_and_the_share(plans: Runbook, plan_lab: Lab) -> None:
    create(plans, "rp1", [boot(plans, "Gold-VM1", start=[script("pre", "\\RPScripts\\missing.ps1")])])
    job, task = _test_failover_failing(plans, plan_lab)
    (error,) = task.errors
    assert error.provider_error_details.error_code == 31030
    assert error.provider_error_details.error_message == (
        r"There is no script '\RPScripts\missing.ps1' on the library share '\\vmm-chi.contoso.com\MSSCVMMLibrary' "
        "of VMM server vmm-chi.")
    assert task.custom_details["output"] is None


def test_a_script_that_does_not_return_within_600_s_of_lab_time_times_out(plans: Runbook, plan_lab: Lab) -> None:
    plan_lab.put_script(PRE, lambda run: run.sleep(3_600))
    create(plans, "rp1", [boot(plans, "Gold-VM1", start=[script("pre", PRE)])])
    _, task = _test_failover_failing(plans, plan_lab)
    assert task.errors[0].provider_error_details.error_code == 31032
    seconds = (task.end_time - task.start_time).total_seconds()
    assert 600 <= seconds < 600 + 2 * 60  # the timeout, reported at the Provider's next poll
    (started, ended) = plan_lab.history.select(op="vmm.script")
    assert (started.details["state"], ended.details["state"], ended.time - started.time) == ("Running", "Failed", 600)


@pytest.mark.parametrize(("body", "text", "words"), [
    (lambda run: run.write_error("oops"), "", "wrote to STDERR: oops"),
    (None, "Write-Output 'x'\nwrite-host 'progress'", "used Write-Host"),
    (lambda run: 1 / 0, "", "threw an exception: ZeroDivisionError"),
    (DeclaredScript(exit_code=3), "", "exited with code 3"),
], ids=["stderr", "write-host", "exception", "exit-code"])
def test_stderr_write_host_an_exception_or_an_exit_code_fails_the_script(
        plans: Runbook, plan_lab: Lab, body: Any, text: str, words: str) -> None:
    plan_lab.put_script(PRE, body, text=text)
    create(plans, "rp1", [boot(plans, "Gold-VM1", start=[script("pre", PRE, location="Primary")])])
    _, task = _test_failover_failing(plans, plan_lab)
    assert task.custom_details["isPrimarySideScript"] is True
    assert task.errors[0].provider_error_details.error_code == 31031
    assert words in task.errors[0].provider_error_details.error_message
    assert [e.node for e in plan_lab.history.select(op="vmm.script")] == ["vmm-ny", "vmm-ny"]


def test_a_text_only_script_without_write_host_succeeds_with_no_output(plans: Runbook, plan_lab: Lab) -> None:
    plan_lab.put_script(PRE, text="Write-Output 'ok' >> C:\\log.txt")
    create(plans, "rp1", [boot(plans, "Gold-VM1", start=[script("pre", PRE)])])
    plans.asr.replication_recovery_plans.begin_test_failover(plans.rg, plans.vault, "rp1", TEST).result()
    task = _children(plan_job(plans, "TestFailover").tasks[3])[0]
    assert (task.state, task.custom_details["output"]) == ("Succeeded", "")


def test_a_runbook_of_no_account_fails_its_task(plans: Runbook, plan_lab: Lab) -> None:
    missing = plan_lab.automation_account().runbook_id("nope")
    create(plans, "rp1", [boot(plans, "Gold-VM1", start=[runbook("pre", missing)])])
    _, task = _test_failover_failing(plans, plan_lab)
    assert task.errors[0].service_error_details.code == "150614"
    assert task.custom_details["jobId"] is None


def test_a_strict_service_refuses_runbook_actions_and_stores_nothing() -> None:
    with Lab(seed=5, strict=True) as lab:
        book = Runbook.of(lab)
        runbook_id = lab.automation_account().register("post", DeclaredRunbook())
        groups = [{"groupType": "Boot", "endGroupActions": [manual("ok"), runbook("post", runbook_id)]}]
        with pytest.raises(HttpResponseError) as info:
            book.asr.replication_recovery_plans.begin_create(book.rg, book.vault, "rp1", plan_body(book, groups))
        assert (info.value.status_code, info.value.error.code) == (400, "150617")
        assert info.value.error.target == "properties.groups[0].endGroupActions[1]"
        assert list(book.asr.replication_recovery_plans.list(book.rg, book.vault)) == []
        groups[0]["endGroupActions"] = [manual("ok"), script("pre", PRE)]  # scripts and manual actions are fine
        book.asr.replication_recovery_plans.begin_create(book.rg, book.vault, "rp1", plan_body(book, groups)).result()


def _start_test_failover(book: Runbook) -> str:
    """Start a test failover of rp1 without waiting for it; the plan job's name."""
    book.asr.replication_recovery_plans.begin_test_failover(book.rg, book.vault, "rp1", TEST, polling=False)
    job_id = book.asr.replication_recovery_plans.get(book.rg, book.vault, "rp1").properties.current_scenario.job_id
    return str(job_id.rsplit("/", 1)[-1])


@pytest.mark.parametrize("waiting_on", ["manual", "script", "runbook"])
def test_cancelling_a_plan_job_waiting_on_an_action_stops_it_there(plans: Runbook, plan_lab: Lab,
                                                                   waiting_on: str) -> None:
    plan_lab.put_script(PRE, DeclaredScript(output="never", seconds=300))
    runbook_id = plan_lab.automation_account().register("pre", DeclaredRunbook(output="never", seconds=300))
    action = {"manual": manual("pre"), "script": script("pre", PRE), "runbook": runbook("pre", runbook_id)}[waiting_on]
    create(plans, "rp1", [boot(plans, "Gold-VM1"), boot(plans, "Gold-VM2", start=[action])])
    name = _start_test_failover(plans)
    started = plan_lab.history.select(op="plan.action.started")
    plan_lab.run_until(lambda: bool(plan_lab.history.select(op="plan.action.started")), within=3_600)
    plan_lab.advance(60)  # the script or runbook is under way
    cancelled = plans.asr.replication_jobs.begin_cancel(plans.rg, plans.vault, name).result()
    assert started == [] and cancelled.properties.state == "Cancelled"
    plan_lab.advance(1_800)
    job = plan_job(plans, "TestFailover")
    task = _children(job.tasks[4])[0]
    assert (job.state, task.state, _children(job.tasks[4])[1].state) == ("Cancelled", "Cancelled", "NotStarted")
    assert plan_lab.history.select(op="plan.action.finished") == []
    if waiting_on == "script":
        assert [e.details["state"] for e in plan_lab.history.select(op="vmm.script")] == ["Running", "Stopped"]
        assert task.custom_details["output"] is None
    if waiting_on == "runbook":
        assert [j.status for j in plan_lab.automation_account().jobs] == ["Stopped"]
    verdict = check_ordering(plan_lab.history)
    assert verdict.ok, verdict
    assert plans.asr.replication_recovery_plans.get(plans.rg, plans.vault, "rp1").properties.current_scenario_status == (
        "Cancelled")


def test_the_same_seed_gives_the_same_history_with_scripts_and_runbooks() -> None:
    def drill() -> list[str]:
        with Lab(seed=11, vms_per_cloud=4) as lab:
            book = protect_all(lab)
            lab.put_script(PRE, lambda run: run.sleep(90))
            runbook_id = lab.automation_account().register("post", lambda run: run.write_output(run.context["GroupId"]))
            create(book, "rp1", [boot(book, "Gold-VM1", start=[script("pre", PRE)], end=[runbook("post", runbook_id)])])
            book.asr.replication_recovery_plans.begin_test_failover(book.rg, book.vault, "rp1", TEST).result()
            assert plan_job(book, "TestFailover").state == "Succeeded"
            return [event.to_json() for event in lab.history]

    first = drill()
    assert any('"automation.job"' in line for line in first) and first == drill()
