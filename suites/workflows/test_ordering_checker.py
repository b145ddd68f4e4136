"""``drlab.checkers.check_ordering`` on hand-written histories: a correct plan run passes, and each rule
broken on purpose is caught, the violation naming its rule, its job and the events involved."""

from __future__ import annotations

from typing import Any

import pytest

from drlab.checkers import RULES, check_ordering
from simcore import History

GROUPS = ["Shutdown", "Failover", "Group 1", "Group 2"]
G1, G2 = ["web", "db"], ["app"]
ALL = G1 + G2


def _history(steps: list[tuple[str, dict[str, Any]]], operation: str = "PlannedFailover") -> History:
    history = History()
    for t, (op, details) in enumerate(steps):
        history.record("asr", op, "info", {"plan": "rp1", "job": "j1", "operation": operation, **details}, time=t)
    return history


def _group(label: str, group_type: str, vms: list[str]) -> tuple[str, dict[str, Any]]:
    return "plan.group.started", {"group": label, "groupType": group_type, "vms": vms}


def _vm(op: str, vm: str, group: str) -> tuple[str, dict[str, Any]]:
    return f"plan.vm.{op}", {"vm": vm, "group": group}


def good() -> list[tuple[str, dict[str, Any]]]:
    return [("plan.started", {"groups": GROUPS}), _group("Shutdown", "Shutdown", ALL),
            *[_vm("shutdown", vm, "Shutdown") for vm in ALL], _group("Failover", "Failover", ALL),
            *[_vm("failedOver", vm, "Failover") for vm in ALL], _group("Group 1", "Boot", G1),
            *[_vm("booted", vm, "Group 1") for vm in G1], _group("Group 2", "Boot", G2),
            ("plan.action.started", {"action": "ok?", "kind": "ManualActionDetails", "group": "Group 2",
                                     "when": "start"}),
            ("plan.manual.waiting", {"action": "ok?", "group": "Group 2", "when": "start"}),
            ("plan.manual.resumed", {"action": "ok?", "group": "Group 2", "when": "start"}),
            ("plan.action.finished", {"action": "ok?", "kind": "ManualActionDetails", "group": "Group 2",
                                      "when": "start", "state": "Succeeded"}),
            _vm("booted", "app", "Group 2"), ("plan.finished", {"state": "Succeeded"})]


def test_a_correct_run_passes() -> None:
    verdict = check_ordering(_history(good()))
    assert verdict.ok and verdict.checked == 1, verdict


def _moved(steps: list[tuple[str, dict[str, Any]]], which: tuple[str, dict[str, Any]], before: int
           ) -> list[tuple[str, dict[str, Any]]]:
    rest = [s for s in steps if s is not which]
    return [*rest[:before], which, *rest[before:]]


def _broken(rule: str) -> tuple[list[tuple[str, dict[str, Any]]], str]:
    steps = good()
    index = {(op, d.get("group"), d.get("vm")): s for s in steps for op, d in [s]}
    if rule == "shutdown-before-failover":
        return _moved(steps, index[("plan.vm.shutdown", "Shutdown", "app")], 6), "PlannedFailover"
    if rule == "failover-before-boot":
        return _moved(steps, index[("plan.vm.failedOver", "Failover", "app")], 11), "PlannedFailover"
    if rule == "boot-order":
        return _moved(steps, index[("plan.vm.booted", "Group 1", "db")], 14), "PlannedFailover"
    if rule == "actions-around-group":
        return _moved(steps, index[("plan.vm.booted", "Group 2", "app")], 14), "PlannedFailover"
    if rule == "manual-waits":
        return _moved(steps, index[("plan.vm.booted", "Group 2", "app")], 15), "PlannedFailover"
    if rule == "planned-stops":
        failed = ("plan.vm.failed", {"vm": "db", "group": "Group 1", "phase": "boot", "code": "150611"})
        steps[steps.index(index[("plan.vm.booted", "Group 1", "db")])] = failed
        return steps, "PlannedFailover"
    cut = steps.index(index[("plan.group.started", "Group 2", None)])
    return [*steps[:cut], ("plan.finished", {"state": "Failed"})], "UnplannedFailover"


@pytest.mark.parametrize("rule", RULES)
def test_each_rule_broken_on_purpose_is_caught_naming_the_events(rule: str) -> None:
    steps, operation = _broken(rule)
    history = _history(steps, operation)
    verdict = check_ordering(history)
    assert not verdict.ok
    assert {v.rule for v in verdict.violations} >= {rule}, verdict
    (violation, *_) = [v for v in verdict.violations if v.rule == rule]
    assert violation.job == "j1" and violation.events
    assert all(0 <= i < len(history) for i in violation.events)
    assert rule in str(verdict)


def test_only_plan_events_are_read_and_jobs_are_judged_apart() -> None:
    history = _history(good())
    history.record("asr", "job", "info", {"job": "j1"}, time=99)
    for event in list(history):
        if event.op.startswith("plan."):
            history.record("asr", event.op, "info", {**event.details, "job": "j2"}, time=100 + event.index)
    verdict = check_ordering(history)
    assert verdict.ok and verdict.checked == 2


def _action(op: str, name: str, group: str, when: str, **more: Any) -> tuple[str, dict[str, Any]]:
    return op, {"action": name, "kind": "ScriptActionDetails", "group": group, "when": when, **more}


def _with_script(failed: bool) -> list[tuple[str, dict[str, Any]]]:
    """``good()`` with a script before Group 1 (finishing Failed if ``failed``), announced at the start."""
    steps = good()
    steps[0] = ("plan.started", {"groups": GROUPS, "actions": [{"action": "pre", "group": "Group 1", "when": "start"},
                                                               {"action": "ok?", "group": "Group 2", "when": "start"}]})
    at = steps.index(_group("Group 1", "Boot", G1)) + 1
    end = _action("plan.action.finished", "pre", "Group 1", "start", state="Failed" if failed else "Succeeded",
                  **({"code": "31031"} if failed else {}))
    return [*steps[:at], _action("plan.action.started", "pre", "Group 1", "start"), end, *steps[at:]]


def test_a_script_that_ran_passes_and_an_unplanned_failover_past_a_failed_one_passes() -> None:
    for failed, operation in ((False, "PlannedFailover"), (True, "UnplannedFailover")):
        verdict = check_ordering(_history(_with_script(failed), operation))
        assert verdict.ok, verdict


@pytest.mark.parametrize("after", ["group", "action"])
def test_a_planned_failover_going_on_after_a_failed_action_is_caught(after: str) -> None:
    """Rule ``planned-stops`` for actions, broken on purpose: after the failed script a group starts, or
    (the Group 1 steps dropped) the next action starts."""
    steps = _with_script(failed=True)
    if after == "action":
        steps = [s for s in steps if s[1].get("group") != "Group 1" or s[0].startswith("plan.action")
                 or s[0] == "plan.group.started"]
        steps = [s for s in steps if s != _group("Group 2", "Boot", G2)]
    verdict = check_ordering(_history(steps))
    found = [v for v in verdict.violations if v.rule == "planned-stops"]
    assert found, verdict
    assert ("ok?" if after == "action" else "Group 2") in found[0].message and "'pre' failed" in found[0].message


def test_an_unplanned_failover_that_finished_without_running_an_announced_action_is_caught() -> None:
    """Rule ``unplanned-completes`` for actions, broken on purpose: the script never started."""
    steps = [s for s in _with_script(failed=True) if s[1].get("action") != "pre"]
    verdict = check_ordering(_history(steps, "UnplannedFailover"))
    assert [v.rule for v in verdict.violations] == ["unplanned-completes"], verdict
    assert "'pre' of Group 1" in verdict.violations[0].message


def test_a_cancelled_unplanned_failover_need_not_complete() -> None:
    steps = good()
    cut = steps.index(_group("Group 2", "Boot", G2))
    verdict = check_ordering(_history([*steps[:cut], ("plan.finished", {"state": "Cancelled"})], "UnplannedFailover"))
    assert verdict.ok, verdict


def test_a_restarted_planned_failover_may_go_on_but_not_past_an_error_of_its_new_run() -> None:
    """Rule ``planned-stops`` across a restart: the failed script's run stops, the restarted run (another
    ``plan.started``) runs Group 1 and Group 2; broken on purpose, a failure inside the new run followed by
    a group start is still caught."""
    steps = _with_script(failed=True)
    at = steps.index(_group("Group 1", "Boot", G1)) + 3  # after the failed script: the job stops, is restarted
    first, rest = steps[:at], steps[at:]
    restarted = [*first, ("plan.finished", {"state": "Failed"}), ("plan.started", {**steps[0][1], "restart": True}),
                 _group("Group 1", "Boot", G1), _action("plan.action.started", "pre", "Group 1", "start"),
                 _action("plan.action.finished", "pre", "Group 1", "start", state="Succeeded"), *rest]
    verdict = check_ordering(_history(restarted))
    assert verdict.ok, verdict
    broken = [("plan.vm.failed", {"vm": "db", "group": "Group 1", "phase": "boot", "code": "150611"})
              if s == _vm("booted", "db", "Group 1") else s for s in restarted]
    assert [v.rule for v in check_ordering(_history(broken)).violations] == ["planned-stops"]
