"""Fault plans as data and the category registry (issue 12): a plan's times count from the drill's start
and survive the JSON round trip exactly; a category is one generator in one registry, its draws seeded,
inside the window, lasting what the policy says."""

from __future__ import annotations

import random

import pytest

from drlab import Lab
from drlab.experiments import categories
from drlab.experiments.categories import CATEGORIES, FAULT_SECONDS, UnknownCategory, generate
from drlab.experiments.fault_plans import FaultPlanError, load_plan, plan_of, rules_of
from drlab.experiments.scenario import STEPS, run_drill
from simcore import Drop, FaultRule, Match, Partition


@pytest.fixture(scope="module")
def lab() -> Lab:
    return Lab(seed=3, hosts_per_site=1)


def test_plan_times_are_seconds_from_the_drill_start_and_round_trip(lab: Lab) -> None:
    start = 5_040.024
    rules = [FaultRule(Partition(), Match(src="vmm-ny", dst="asr", bidirectional=True), start=start + 60.5,
                       end=start + 420.25),
             FaultRule(Drop(), Match(point="net.send", src="hv-ny-1"), probability=0.5, end=start + 30.0)]
    plan = plan_of(rules, start)
    assert plan == [{"action": "partition", "match": {"src": "vmm-ny", "dst": "asr", "bidirectional": True},
                     "start": 60.5, "end": 420.25},
                    {"action": "drop", "match": {"point": "net.send", "src": "hv-ny-1"}, "probability": 0.5,
                     "end": 30.0}]
    back = rules_of(lab, plan, start)
    assert [r.describe() for r in back] == [r.describe() for r in rules_of(lab, plan_of(back, start), start)]
    assert (back[0].start, back[0].end, back[1].end) == (start + 60.5, start + 420.25, start + 30.0)
    assert rules_of(lab, [{"action": "drop", "duration": 90}], start)[0].end == start + 90
    assert load_plan('{"rules": [{"action": "drop"}]}') == [{"action": "drop"}]


@pytest.mark.parametrize("text, message", [("not json", "a fault plan is JSON"), ("[1]", "a JSON list of fault rules")])
def test_a_plan_that_is_not_one_is_refused(text: str, message: str) -> None:
    with pytest.raises(FaultPlanError, match=message):
        load_plan(text)


def test_each_category_draws_the_same_rules_from_the_same_seed_inside_the_window(lab: Lab) -> None:
    window = (1_000.0, 2_500.0)
    for name, generator in CATEGORIES.items():
        for seed in range(20):
            drawn = generator(lab, random.Random(seed), window)
            assert [r.describe() for r in drawn] == [r.describe() for r in generator(lab, random.Random(seed), window)]
            for rule in drawn:
                assert rule.start is not None and rule.end is not None, name
                assert window[0] <= rule.start <= window[1] and rule.end > rule.start
                if name in ("sites", "channel"):  # the registry's own policy: at most 10 min (the catalogue's is its own)
                    assert rule.end - rule.start <= FAULT_SECONDS[1]
    assert {r.action.kind for s in range(30) for r in CATEGORIES["channel"](lab, random.Random(s), window)} == {
        "partition", "drop", "delay"}


def test_a_category_plugs_in_with_one_registry_entry(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(CATEGORIES, "quiet", lambda lab, rng, window: [FaultRule(Drop(), Match(point="none"),
                                                                                 end=window[1])])
    assert [r.match.point for r in generate(lab, ["quiet"], random.Random(1), (0.0, 10.0))][0] == "none"
    with pytest.raises(UnknownCategory, match=f"fault categories are {', '.join(CATEGORIES)}; got wan"):
        categories.check_categories(["wan"])


def test_every_category_s_rules_survive_the_plan_json_and_a_drill_under_each_replays(lab: Lab) -> None:
    """The catalogue's actions (Respond, Outage, Skew, Corrupt...) as plan JSON read back equal; a drill
    under one drawn fault of each category records every step and its rerun has the same history."""
    for seed, name in enumerate(CATEGORIES):
        drawn = CATEGORIES[name](lab, random.Random(seed), (lab.now + 10, lab.now + 900))
        plan = plan_of(drawn, 0.0)
        assert plan_of(rules_of(lab, plan, 0.0), 0.0) == plan and len(plan) == len(drawn), name
        first, again = run_drill(seed, categories=[name]), run_drill(seed, categories=[name])
        assert set(first.steps) == set(STEPS) and first.plan and first.plan == again.plan, name
        assert first.digest() == again.digest(), name
