"""The fault catalogue: every category's rules are valid for the lab, inside the window, seeded, and heal.

A rule of each category joins a small lab's plan and the lab runs through the rule's window: the
rule's point is honoured (it fires or takes effect where its window lets it), nothing raises, and
by the window's end the rule has left the plan.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drlab import Lab
from drlab.fault_catalogue import CATEGORIES, rules_for
from drlab.strategies import FAULT_CATEGORIES, catalogue_faults, site_faults


@pytest.fixture(scope="module")
def lab() -> Lab:
    return Lab(seed=11)


def test_the_same_seed_gives_the_same_rules_and_another_seed_others(lab: Lab) -> None:
    window = (lab.now + 10, lab.now + 3600)
    for category in CATEGORIES:
        first = [r.describe() for r in rules_for(lab, category, random.Random(5), window)]
        assert first == [r.describe() for r in rules_for(lab, category, random.Random(5), window)]
    drawn = {str(rules_for(lab, "network", random.Random(seed), window)[0].describe()) for seed in range(20)}
    assert len(drawn) > 10


def test_bad_categories_and_windows_are_refused(lab: Lab) -> None:
    with pytest.raises(ValueError, match="fault categories are network, api"):
        rules_for(lab, "weather", random.Random(1), (0, 10))
    with pytest.raises(ValueError, match="window"):
        rules_for(lab, "time", random.Random(1), (10, 10))
    assert FAULT_CATEGORIES[:2] == ("sites", "channel") and set(CATEGORIES) <= set(FAULT_CATEGORIES)


@pytest.mark.parametrize("category", CATEGORIES)
def test_a_rule_of_each_category_runs_through_its_window_and_heals(category: str) -> None:
    with Lab(seed=3) as lab:
        start = lab.now
        rules = [lab.faults.add(rule) for rule in rules_for(lab, category, random.Random(7), (start, start + 900))]
        for rule in rules:
            assert rule.start is not None and rule.end is not None and start <= rule.start < rule.end <= start + 900
        lab.advance(901)
        assert not any(rule in lab.faults.rules for rule in rules)
        healed = {e.details["rule"] for e in lab.history.select(op="fault.heal")}
        assert {rule.name for rule in rules} <= healed


@given(data=st.data())
def test_catalogue_strategies_draw_rules_of_their_category_in_the_window(lab: Lab, data: st.DataObject) -> None:
    category = data.draw(st.sampled_from(CATEGORIES))
    window = (lab.now + 1, lab.now + 600)
    rules = data.draw(catalogue_faults(lab, category, window))
    assert rules and all(r.name.startswith(category) and window[0] <= r.start < r.end <= window[1] for r in rules)
    rule = data.draw(site_faults(lab, [category], heal_within=600))
    assert rule.end is not None and rule.end <= lab.now + 600


def _protected_under_every_category(seed: int) -> Lab:
    from drlab.runbook import Runbook

    lab = Lab(seed=seed)
    book = Runbook.of(lab)
    book.create_policy()
    book.protect("Gold-VM1")
    rng, start = random.Random(seed), lab.now
    for category in CATEGORIES:
        for rule in rules_for(lab, category, rng, (start, start + 1800)):
            lab.faults.add(rule)
    lab.advance(3600)
    return lab


@pytest.mark.parametrize("seed", [1, 2])
def test_a_protected_lab_under_every_category_keeps_its_data_promise(seed: int) -> None:
    from drlab.checkers import data_loss

    with _protected_under_every_category(seed) as lab:
        assert not lab.faults.rules  # every rule healed within its window
        assert lab.history.select(op="fault.fire")  # some of them bit
        verdict = data_loss(lab, rpo_seconds=24 * 3600)
        assert verdict.ok, str(verdict)


def test_the_same_seed_replays_the_same_history_under_faults() -> None:
    with _protected_under_every_category(1) as first, _protected_under_every_category(1) as second:
        assert first.history.dumps() == second.history.dumps()
