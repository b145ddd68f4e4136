"""Fault rules as data, and the lab's named random streams."""

from __future__ import annotations

import uuid

import pytest

from simcore import Delay, Drop, Duplicate, Fail, FaultRule, FaultRuleError, LabRandom, Match, Partition, Simulation


def test_first_matching_rule_decides() -> None:
    sim = Simulation(0)
    sim.faults.add(FaultRule(Fail("429", "throttled"), Match(point="asr.*", where={"method": "PUT"})))
    sim.faults.add(FaultRule(Drop(), Match(point="asr.request")))
    assert sim.faults.check("asr.request", {"method": "PUT"}) == Fail("429", "throttled")
    assert sim.faults.check("asr.request", {"method": "GET"}) == Drop()
    assert sim.faults.check("hyperv.cycle", {"method": "PUT"}) is None


def test_a_rule_that_loses_its_draw_injects_nothing_and_later_rules_are_not_consulted() -> None:
    sim = Simulation(0)
    sim.faults.add(FaultRule(Delay(1), Match(point="p"), probability=0.0))
    sim.faults.add(FaultRule(Drop(), Match(point="p")))
    assert sim.faults.check("p", {}) is None


def test_count_and_window_bound_a_rule_and_expiry_is_recorded() -> None:
    sim = Simulation(0)
    sim.faults.add(FaultRule(Drop(), Match(point="p"), count=2, name="twice"))
    sim.faults.add(FaultRule(Duplicate(), Match(point="q"), start=10, end=20, name="window"))
    assert [sim.faults.check("p", {}) for _ in range(3)] == [Drop(), Drop(), None]
    assert sim.faults.check("q", {}) is None
    sim.advance(10)
    assert sim.faults.check("q", {}) == Duplicate()
    sim.advance(10)
    assert sim.faults.check("q", {}) is None
    heals = [(e.time, e.details["rule"], e.details["why"]) for e in sim.history.select(op="fault.heal")]
    assert heals == [(0.0, "twice", "count used up"), (20.0, "window", "window ended")]


def test_bidirectional_matching() -> None:
    match = Match(src="a", dst=("b", "c"), bidirectional=True)
    assert match.matches("net.send", {"src": "c", "dst": "a"})
    assert not match.matches("net.send", {"src": "b", "dst": "c"})
    assert not Match(src="a", dst="b").matches("net.send", {"src": "b", "dst": "a"})


@pytest.mark.parametrize(
    "make",
    [
        lambda: FaultRule(Drop(), probability=1.5),
        lambda: FaultRule(Drop(), count=0),
        lambda: FaultRule(Drop(), start=10, end=10),
        lambda: FaultRule(Partition(), probability=0.5),
        lambda: FaultRule("drop"),
        lambda: Delay(-1),
        lambda: Duplicate(0),
    ],
)
def test_malformed_rules_are_refused(make) -> None:
    with pytest.raises(FaultRuleError):
        make()


def test_plan_refusals_change_nothing() -> None:
    sim = Simulation(0)
    rule = sim.faults.add(FaultRule(Drop(), name="r"))
    sim.advance(5)
    before = (sim.faults.rules, len(sim.history))
    with pytest.raises(FaultRuleError):
        sim.faults.add(rule)
    with pytest.raises(FaultRuleError):
        sim.faults.add(FaultRule(Drop(), end=5))
    with pytest.raises(FaultRuleError):
        sim.faults.heal("no-such-rule")
    assert (sim.faults.rules, len(sim.history)) == before


def test_named_streams_are_independent_of_each_other() -> None:
    alone = LabRandom(42)
    draws = [alone.stream("network").random() for _ in range(5)]
    crowded = LabRandom(42)
    crowded.stream("a-new-consumer").random()
    crowded.stream("workload").random()
    assert [crowded.stream("network").random() for _ in range(5)] == draws
    assert LabRandom(43).stream("network").random() != draws[0]


def test_uuids_replay_with_the_seed_and_are_version_4() -> None:
    ids = [LabRandom(7).uuid() for _ in range(2)]
    assert ids[0] == ids[1]
    parsed = uuid.UUID(ids[0])
    assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
    with pytest.raises(TypeError):
        LabRandom("seed")  # type: ignore[arg-type]


def test_listeners_hear_every_rule_join_and_leave_with_its_time() -> None:
    sim = Simulation(0)
    joined: list[tuple[str, float | None]] = []
    left: list[str] = []
    sim.faults.on_add(lambda rule: joined.append((rule.name, rule.added_at)))
    sim.faults.on_heal(lambda rule: left.append(rule.name))
    sim.advance(7)
    sim.faults.add(FaultRule(Partition(), Match(src="a"), name="p", end=20))
    sim.faults.add(FaultRule(Drop(), name="d"))
    sim.faults.heal("d")
    sim.run_until_idle()
    assert joined == [("p", 7.0), ("d", 7.0)]
    assert left == ["d", "p"] and sim.clock.now == 20
