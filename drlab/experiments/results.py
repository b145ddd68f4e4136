"""A drill's outcome as plain JSON data — what the terminal shows, the report draws, a campaign
gathers from its workers and a failing run's file keeps. Nothing in it comes from the wall clock,
so the same run gives equal data wherever it ran."""

from __future__ import annotations

import math
from typing import Any

from ..checkers import Verdict
from .scenario import Drill
from .timeline import fault_windows, gantt, vm_rows

__all__ = ["summarise", "violations_of", "first_violation"]


def violations_of(verdicts: dict[str, Verdict]) -> list[dict[str, Any]]:
    """Every violation of ``verdicts`` as data, in checker order."""
    return [{"checker": name, "rule": v.rule, "job": v.job, "message": v.message, "events": list(v.events)}
            for name, verdict in verdicts.items() for v in verdict.violations]


def first_violation(data: dict[str, Any]) -> dict[str, Any] | None:
    """The violation of ``summarise``'d data whose first event comes first in the history."""
    found: list[dict[str, Any]] = data["violations"]
    return min(found, key=lambda v: min(v["events"], default=math.inf)) if found else None


def summarise(drill: Drill) -> dict[str, Any]:
    """``drill`` as data: the run's identity, its fault plan, each step's outcome, the timeline rows,
    the Gantt bars, the fault windows, the verdicts and the history's size and digest."""
    history = drill.lab.history
    rates = {vm.name: vm.writes_per_second for vm in drill.lab.spec.vms or ()}
    return {
        "seed": drill.seed, "scenario": drill.scenario.to_json(), "start": drill.start, "plan": drill.plan,
        "groups": drill.groups, "steps": dict(drill.steps),
        "timeline": vm_rows(history, drill.start, rates), "gantt": gantt(history, drill.start),
        "faults": fault_windows(history, drill.start),
        "verdicts": [{"checker": name, "ok": v.ok, "checked": v.checked, "violations": len(v.violations)}
                     for name, v in drill.verdicts.items()],
        "violations": violations_of(drill.verdicts),
        "history": {"events": len(history), "sha256": drill.digest()},
    }
