"""Generated plans with script and runbook actions (issue 10): any placement of scripts and runbooks that
succeed, fail or time out, as start or end actions of 1–3 boot groups, under any failover kind, leaves a
history ``check_ordering`` accepts, and the plan job fails exactly when an action that applied failed —
a planned (or test) failover stopping at the first, an unplanned one running every group past them."""

from __future__ import annotations

from typing import Any

from azure.core.exceptions import HttpResponseError
from hypothesis import event, given, settings
from hypothesis import strategies as st

from asr_emulator.automation import DeclaredRunbook
from drlab import Lab
from drlab.checkers import check_ordering
from scvmm_fake import DeclaredScript

from .plans import boot, create, plan_job, protect_all, runbook, script

#: Each action's outcome: how it is put in the lab, and whether it fails.
_SCRIPTS = {"ok": DeclaredScript(output="ok", seconds=30), "fails": DeclaredScript(stderr="denied"),
            "hangs": DeclaredScript(seconds=700)}
_RUNBOOKS = {"ok": DeclaredRunbook(output="ok", seconds=20), "fails": DeclaredRunbook(exception="Error: nope")}
_BODIES: dict[str, dict[str, Any]] = {
    "TestFailover": {"networkType": "NoNetworkAttachAsInput"}, "PlannedFailover": {},
    "UnplannedFailover": {"sourceSiteOperations": "Required"}}
_ACTIONS = st.one_of(st.tuples(st.just("script"), st.sampled_from(sorted(_SCRIPTS))),
                     st.tuples(st.just("runbook"), st.sampled_from(sorted(_RUNBOOKS))))


@settings(max_examples=6)  # each example builds and protects a lab: kept small for the suite budget
@given(kind=st.sampled_from(sorted(_BODIES)), groups=st.lists(st.tuples(st.lists(_ACTIONS, max_size=1),
                                                                         st.lists(_ACTIONS, max_size=1)),
                                                               min_size=1, max_size=3))
def test_generated_script_and_runbook_actions_keep_the_ordering_and_fail_the_job_exactly_when_one_fails(
        kind: str, groups: list[tuple[list[tuple[str, str]], list[tuple[str, str]]]]) -> None:
    with Lab(seed=3, vms_per_cloud=3) as lab:
        book = protect_all(lab, vms=("Gold-VM1", "Gold-VM2", "Gold-VM3"))
        for outcome, body in _SCRIPTS.items():
            lab.put_script(f"\\RPScripts\\{outcome}.ps1", body)
        account = lab.automation_account()
        ids = {outcome: account.register(outcome, body) for outcome, body in _RUNBOOKS.items()}

        def action(where: str, spec: tuple[str, str]) -> dict[str, Any]:
            what, outcome = spec
            return (script(f"{where}-{outcome}", f"\\RPScripts\\{outcome}.ps1") if what == "script"
                    else runbook(f"{where}-{outcome}", ids[outcome]))

        create(book, "rp", [boot(book, f"Gold-VM{k + 1}", start=[action(f"g{k + 1}s", a) for a in start],
                                 end=[action(f"g{k + 1}e", a) for a in end])
                            for k, (start, end) in enumerate(groups)])
        api = book.asr.replication_recovery_plans
        begin = {"TestFailover": api.begin_test_failover, "PlannedFailover": api.begin_planned_failover,
                 "UnplannedFailover": api.begin_unplanned_failover}[kind]
        body = {"properties": {"failoverDirection": "PrimaryToRecovery", "providerSpecificDetails": [], **_BODIES[kind]}}
        try:
            begin(book.rg, book.vault, "rp", body).result()
        except HttpResponseError:
            pass
        job = plan_job(book, kind)
        failing = [a for start, end in groups for a in (*start, *end) if a[1] != "ok"]
        event(f"{kind} {job.state} with {len(failing)} failing")
        assert job.state == ("Failed" if failing else "Succeeded")
        verdict = check_ordering(lab.history)
        assert verdict.ok and verdict.checked == 1, verdict
        boots = [e for e in lab.history.select(op="plan.group.started") if e.details["groupType"] == "Boot"]
        if kind == "UnplannedFailover":  # runs to completion; a planned or test failover stops at the first
            assert len(boots) == len(groups)
