"""Each planted bug (``plants``) is found by a small campaign over the fault categories and its failing
run replays byte for byte from its seed and saved fault plan (issue 12's must-show).

Three bugs need no fault and break at the first seed (a campaign of one run; their minimal plan is
empty). The Provider
that re-runs a work item needs a report lost to a channel fault: in a campaign of seeds 1-200 over
``channel`` only seed 130 hits it (a ``CompleteWorkItems`` call must fail; most channel faults
fail a poll at its heartbeat first), so its test runs seeds 128-131 of that campaign. Only the
``work-once`` checker sees it: the re-run ``PrepareForFailover`` is harmless to the data, ordering
and addresses, which is why ``drlab.checkers.work_once`` exists.
"""

from __future__ import annotations

import pytest

from drlab.experiments.campaign import run_campaign
from drlab.experiments.scenario import CAMPAIGN_SCENARIO, Scenario, run_drill

from . import plants

CASES = {
    "provider double-runs a work item": (plants.provider_double_runs, ("channel",), range(128, 132), "work-once"),
    "IP pool re-grants an address": (plants.pool_regrants, ("sites", "channel"), range(1, 2), "ip-injection"),
    "plan boots group 2 early": (plants.plan_boots_group_2_early, ("sites", "channel"), range(1, 2), "boot-order"),
    "failover drops the last write": (plants.failover_drops_last_write, ("sites", "channel"), range(1, 2), "data-loss"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_campaign_finds_the_planted_bug_and_its_failing_run_replays_byte_for_byte(
        case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    plant, categories, seeds, rule = CASES[case]
    plant(monkeypatch)
    results = run_campaign(seeds, categories)
    failing = [r for r in results if any(v["rule"] == rule for v in r["violations"])]
    assert failing, [r["violations"] for r in results]
    found = failing[0]
    again = run_drill(found["seed"], Scenario(**found["scenario"]), found["plan"])
    assert again.digest() == found["history"]["sha256"]
    assert any(v.rule == rule for verdict in again.verdicts.values() for v in verdict.violations)
    minimal = run_drill(found["seed"], CAMPAIGN_SCENARIO, found["minimal"])
    assert any(v.rule == rule for verdict in minimal.verdicts.values() for v in verdict.violations)
    assert len(found["minimal"]) <= len(found["plan"])
    if rule != "work-once":  # these break without any fault: shrinking drops every rule
        assert found["minimal"] == []


def test_without_a_plant_the_same_campaigns_find_nothing() -> None:
    results = run_campaign(range(128, 132), ("channel",))
    assert [r["violations"] for r in results] == [[]] * 4
