"""A recovery plan with a script, a manual action and a runbook over HTTPS: ``asr-harness serve
--time-mode auto`` in a subprocess, the scripts and runbooks put there through the control API
(``/_harness/scripts``, ``/_harness/runbooks``), and the official SDK running the plan as a DR script
would — test failover suspended at the manual action, resumed, cleaned up, then planned failover,
commit and reverse replication — with the history read back over the wire and judged by the
ordering checker."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from azure.mgmt.recoveryservicessiterecovery import SiteRecoveryManagementClient

from drlab.azure_transport import FakeCredential
from drlab.checkers import check_ordering
from drlab.control import LabControl
from drlab.serve_process import ServeProcess

from ..workflows.conftest import Runbook
from ..workflows.plans import boot, create, manual, plan_job, runbook, script

pytestmark = pytest.mark.sockets

PRE = "\\RPScripts\\pre.ps1"
#: Wall seconds a step may wait for; the served clock runs at 3,600 virtual seconds per wall second.
PATIENCE = 60.0


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Runbook, LabControl]]:
    process = ServeProcess.start("--seed", "11", "--time-mode", "auto", "--time-rate", "3600")
    info = process.info
    with SiteRecoveryManagementClient(FakeCredential(), info.subscription_id, base_url=info.base_url,
                                      connection_verify=info.ca_bundle, polling_interval=0) as client, \
            LabControl(info.base_url, info.ca_bundle) as control:
        yield Runbook(client, info.subscription_id, info.resource_group, info.vault,
                      {"primary": info.fabrics[0], "recovery": info.fabrics[1]}), control
    stopped = process.stop(signal.SIGTERM)
    assert stopped.returncode == 0, stopped.stderr


def _wait(what: str, done: Callable[[], bool]) -> None:
    started = time.monotonic()
    while not done():
        assert time.monotonic() - started < PATIENCE, f"still waiting for {what} after {PATIENCE} s"


def _children(task: Any) -> list[Any]:
    return list(task.group_task_custom_details.child_tasks)


def test_a_plan_with_a_script_a_manual_action_and_a_runbook_over_https(served: tuple[Runbook, LabControl]) -> None:
    book, control = served
    assert control.put_script(PRE, output="pre ran", seconds=120, sites=["recovery"])["servers"] == ["vmm-chi"]
    runbook_id = control.put_runbook("post", output="post ran", seconds=30)
    book.create_policy()
    book.pair()
    book.map_poller().result()
    for vm in ("Gold-VM1", "Gold-VM2"):
        book.enable_poller(vm).result()
    fabric, container = book.container("Gold")
    _wait("initial replication", lambda: {i.properties.protection_state for i in book.asr.replication_protected_items
                                          .list_by_replication_protection_containers(book.rg, book.vault, fabric,
                                                                                     container)} == {"Protected"})
    create(book, "rp1", [boot(book, "Gold-VM1", start=[script("pre", PRE)]),
                         boot(book, "Gold-VM2", start=[manual("approve", types=["TestFailover"])]),
                         boot(book, end=[runbook("post", runbook_id)])])
    api = book.asr.replication_recovery_plans
    test = {"properties": {"failoverDirection": "PrimaryToRecovery", "networkType": "NoNetworkAttachAsInput",
                           "providerSpecificDetails": []}}
    assert api.begin_test_failover(book.rg, book.vault, "rp1", test).result().properties.current_scenario_status == (
        "Suspended")
    job = plan_job(book, "TestFailover")
    pre = _children(job.tasks[3])[0]
    assert (pre.state, pre.custom_details["output"], pre.custom_details["isPrimarySideScript"]) == (
        "Succeeded", "pre ran", False)
    name = api.get(book.rg, book.vault, "rp1").properties.current_scenario.job_id.rsplit("/", 1)[-1]
    book.asr.replication_jobs.begin_resume(book.rg, book.vault, name, {"properties": {"comments": "ok"}}).result()
    _wait("the test failover", lambda: plan_job(book, "TestFailover").state != "InProgress")
    job = plan_job(book, "TestFailover")
    assert job.state == "Succeeded"
    post = _children(job.tasks[5])[-1]
    (automation_job,) = control.runbook_jobs()
    assert (post.state, post.custom_details["jobId"], post.custom_details["jobOutput"]) == (
        "Succeeded", automation_job["jobId"], "post ran")
    context = automation_job["context"]
    assert (context["RecoveryPlanName"], context["FailoverType"], context["FailoverDirection"], context["GroupId"],
            context["VmMap"]) == ("rp1", "Test", "PrimaryToSecondary", "3", {})
    api.begin_test_failover_cleanup(book.rg, book.vault, "rp1", {"properties": {"comments": "done"}}).result()
    forward = {"properties": {"failoverDirection": "PrimaryToRecovery", "providerSpecificDetails": []}}
    api.begin_planned_failover(book.rg, book.vault, "rp1", forward).result()
    api.begin_failover_commit(book.rg, book.vault, "rp1").result()
    api.begin_reprotect(book.rg, book.vault, "rp1").result()
    assert [plan_job(book, s).state for s in ("TestFailoverCleanup", "PlannedFailover", "CommitFailover",
                                              "ReverseReplication")] == ["Succeeded"] * 4
    assert [job["context"]["FailoverType"] for job in control.runbook_jobs()] == ["Test", "Planned"]
    verdict = check_ordering(control.stream_history(op="plan.*"))
    assert verdict.ok and verdict.checked == 5, verdict
