"""Generated recovery plans run through the official SDK (issue 10): any plan ``drlab.strategies`` draws
— 1–4 boot groups over four protected VMs, manual actions, scripts and runbooks (succeeding, failing,
hanging past the 600 s timeout) filtered by failover type and direction — under any failover kind,
with VMs whose jobs fail and a fault on a VMM server's channel, leaves a history ``check_ordering``
accepts, and the VMs that did fail over kept the data-loss and IP-injection promises. Manual actions
are resumed as an operator would, after an hour."""

from __future__ import annotations

from typing import Any

from azure.core.exceptions import HttpResponseError
from hypothesis import event, given, settings
from hypothesis import strategies as st

from asr_emulator.automation import DeclaredRunbook
from drlab import Lab
from drlab.checkers import check_ordering, data_loss, ip_injection
from drlab.strategies import recovery_plan_groups, site_faults
from scvmm_fake import DeclaredScript
from simcore import Fail, FaultRule, Match

from .conftest import Runbook
from .plans import VMS, protect_all

_SCRIPTS = {"ok": DeclaredScript(output="ok", seconds=30), "fails": DeclaredScript(stderr="denied"),
            "hangs": DeclaredScript(seconds=700)}
_RUNBOOKS = {"ok": DeclaredRunbook(output="ok", seconds=20), "fails": DeclaredRunbook(exception="Error: nope")}
_FORWARD = {"failoverDirection": "PrimaryToRecovery", "providerSpecificDetails": []}
_BODIES: dict[str, dict[str, Any]] = {
    "TestFailover": {**_FORWARD, "networkType": "NoNetworkAttachAsInput"},
    "PlannedFailover": _FORWARD,
    "UnplannedFailover": {**_FORWARD, "sourceSiteOperations": "Required"},
}


def _run(book: Runbook, lab: Lab, kind: str) -> Any:
    """Start ``kind`` on plan ``rp``, resume every manual action an hour after it waits; the plan job."""
    api = book.asr.replication_recovery_plans
    begin = {"TestFailover": api.begin_test_failover, "PlannedFailover": api.begin_planned_failover,
             "UnplannedFailover": api.begin_unplanned_failover}[kind]
    try:
        begin(book.rg, book.vault, "rp", {"properties": _BODIES[kind]}).result()
    except HttpResponseError:
        pass  # a failed plan job: the checkers judge what it did
    job_name = api.get(book.rg, book.vault, "rp").properties.current_scenario.job_id.rsplit("/", 1)[-1]
    jobs = book.asr.replication_jobs
    for _ in range(20):  # at most 2 actions in each of 6 groups
        job = jobs.get(book.rg, book.vault, job_name)
        if job.properties.state == "Suspended":
            lab.advance(3_600)
            jobs.begin_resume(book.rg, book.vault, job_name, {"properties": {"comments": "done"}}).result()
        elif job.properties.state == "InProgress":
            lab.run_until(lambda: jobs.get(book.rg, book.vault, job_name).properties.state != "InProgress",
                          within=7_200)
        else:
            return job.properties
    raise AssertionError(f"plan job {job_name} did not end")


@settings(max_examples=15)  # each example builds and protects a lab: kept small for the suite budget
@given(seed=st.integers(0, 2**16), kind=st.sampled_from(sorted(_BODIES)), data=st.data())
def test_every_generated_plan_run_keeps_the_ordering_and_per_vm_promises(seed: int, kind: str,
                                                                        data: st.DataObject) -> None:
    with Lab(seed=seed, vms_per_cloud=len(VMS)) as lab:
        book = protect_all(lab)
        ids = book.item_ids()
        for outcome, body in _SCRIPTS.items():
            lab.put_script(f"\\RPScripts\\{outcome}.ps1", body)
        account = lab.automation_account()
        runbooks = [account.register(outcome, body) for outcome, body in _RUNBOOKS.items()]
        groups = data.draw(recovery_plan_groups(
            [ids[vm][0] for vm in VMS], max_boot_groups=4, runbooks=runbooks,
            scripts=[f"\\RPScripts\\{outcome}.ps1" for outcome in _SCRIPTS]), label="groups")
        book.create_plan("rp", groups)
        members = [vm for vm in VMS if any(item["id"] == ids[vm][0] for group in groups
                                           for item in group["replicationProtectedItems"])]
        for vm in data.draw(st.lists(st.sampled_from(members), unique=True, max_size=2), label="failing VMs"):
            lab.faults.add(FaultRule(Fail("70038", f"{vm}'s job failed."), Match(point="asr.task", where={
                "target": vm}), count=1))
        fault = data.draw(st.none() | site_faults(lab, ["channel"], heal_within=900), label="channel fault")
        if fault is not None:
            lab.faults.add(fault)
        job = _run(book, lab, kind)
        assert job.state in ("Succeeded", "Failed"), job.state
        event(f"{kind} {job.state}")
        verdict = check_ordering(lab.history)
        assert verdict.ok and verdict.checked == 1, verdict
        for promise in (data_loss(lab), ip_injection(lab)):
            assert promise.ok, promise
