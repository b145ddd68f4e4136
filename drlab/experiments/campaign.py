"""A fault-injection campaign, Jepsen-style: the drill scenario at many seeds, each under a fault plan
drawn for its seed from the categories asked for (``categories.CATEGORIES``), each judged by every
checker; a failing run's plan is shrunk to a minimal one that still breaks the same invariant.

``run_one`` is a pure function of its ``RunSpec`` (any engine, ``engines.run_all``, gives the same
results); ``summary`` folds the results into the counts and distributions a report shows;
``failing_run`` is what is saved of a failing run (and what ``asr-harness replay FILE`` reads).
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .categories import check_categories
from .engines import Done, run_all
from .results import first_violation, summarise
from .scenario import CAMPAIGN_SCENARIO, Scenario, run_drill

__all__ = ["RunSpec", "run_one", "run_campaign", "shrink", "summary", "failing_run", "save_failures",
           "RunFileError", "load_run"]


@dataclass(frozen=True)
class RunSpec:
    """One run of a campaign: its seed, the scenario and the fault categories its plan is drawn from."""

    seed: int
    scenario: Scenario = CAMPAIGN_SCENARIO
    categories: tuple[str, ...] = ()


def _breaks(spec: RunSpec, plan: list[dict[str, Any]], rule: str) -> bool:
    drill = run_drill(spec.seed, spec.scenario, plan)
    return any(v.rule == rule for verdict in drill.verdicts.values() for v in verdict.violations)


def shrink(spec: RunSpec, plan: Sequence[dict[str, Any]], rule: str) -> list[dict[str, Any]]:
    """The smallest plan found by dropping ``plan``'s rules one at a time, first to last, keeping
    each drop after which the run still breaks ``rule`` (deterministic: each try is a run)."""
    kept = list(plan)
    at = 0
    while at < len(kept):
        candidate = kept[:at] + kept[at + 1:]
        if _breaks(spec, candidate, rule):
            kept = candidate
        else:
            at += 1
    return kept


def run_one(spec: RunSpec) -> dict[str, Any]:
    """Run ``spec``: its ``results.summarise`` data without the Gantt bars, plus ``minimal`` (the
    shrunk fault plan) when an invariant broke."""
    data = summarise(run_drill(spec.seed, spec.scenario, categories=spec.categories))
    del data["gantt"]
    data["categories"] = list(spec.categories)
    first = first_violation(data)
    data["minimal"] = None if first is None else shrink(spec, data["plan"], first["rule"])
    return data


def run_campaign(seeds: Sequence[int], categories: Sequence[str], scenario: Scenario = CAMPAIGN_SCENARIO, *,
                 workers: int = 1, scheduler: str | None = None, done: Done = lambda: None) -> list[dict[str, Any]]:
    """``run_one`` of every seed, in seed order, on the engine asked for (``engines.run_all``)."""
    chosen = check_categories(list(categories))
    return run_all(run_one, [RunSpec(seed, scenario, chosen) for seed in seeds], workers=workers,
                   scheduler=scheduler, done=done)


def _distribution(values: Sequence[float]) -> dict[str, Any]:
    if not values:
        return {"count": 0, "values": []}
    ordered = sorted(values)
    return {"count": len(ordered), "min": ordered[0], "median": statistics.median(ordered), "max": ordered[-1],
            "p95": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], "values": ordered}


def summary(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Runs, failing runs, violations by invariant (runs breaking each rule), each step's outcomes,
    and the RPO/RTO distributions of the planned failovers."""
    by_rule: Counter[str] = Counter()
    outcomes: dict[str, Counter[str]] = {}
    for result in results:
        by_rule.update(sorted({v["rule"] for v in result["violations"]}))
        for step, outcome in result["steps"].items():
            outcomes.setdefault(step, Counter())[outcome] += 1
    rows = [row for result in results for row in result["timeline"] if row["operation"] == "PlannedFailover"]
    return {"runs": len(results), "failing": [r["seed"] for r in results if r["violations"]],
            "violations": dict(sorted(by_rule.items())),
            "steps": {step: dict(sorted(counts.items())) for step, counts in outcomes.items()},
            "rpo": _distribution([r["rpo"] for r in rows if r["rpo"] is not None]),
            "rto": _distribution([r["rto"] for r in rows if r["rto"] is not None])}


def failing_run(result: dict[str, Any]) -> dict[str, Any]:
    """What is saved of a failing run: enough to replay it byte for byte and see where it broke."""
    return {"seed": result["seed"], "scenario": result["scenario"], "categories": result["categories"],
            "plan": result["plan"], "minimal": result["minimal"], "violations": result["violations"],
            "history": result["history"]}


def save_failures(results: Sequence[dict[str, Any]], directory: Path) -> list[Path]:
    """One ``seed-N.json`` per failing run under ``directory`` (created); their paths."""
    saved = []
    for result in results:
        if result["violations"]:
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / f"seed-{result['seed']}.json"
            path.write_text(json.dumps(failing_run(result), indent=1, sort_keys=True) + "\n")
            saved.append(path)
    return saved


class RunFileError(ValueError):
    """A file that is not a saved run (one line saying what is wrong)."""


def load_run(path: Path) -> dict[str, Any]:
    """A saved failing run (``failing_run``'s shape), checked enough to replay."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise RunFileError(f"cannot read {path}: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("seed"), int) or not isinstance(data.get("plan"), list):
        raise RunFileError(f"{path} is not a saved run (it needs 'seed', 'scenario' and 'plan')")
    try:
        Scenario(**data.get("scenario") or {})
    except (TypeError, ValueError) as error:
        raise RunFileError(f"{path}: its scenario is not one: {error}") from None
    return data
