"""The fault actions added for the catalogue refuse what they cannot mean, and states stay states."""

from __future__ import annotations

import pytest

from simcore import FaultRule, FaultRuleError, Match, Outage, Respond, Simulation, Skew


@pytest.mark.parametrize("make", [
    lambda: Respond(200), lambda: Respond(429, retry_after=-1), lambda: Respond(503, code=""),
    lambda: Respond(503, retry_after=1.5),  # the SDK reads Retry-After as an int
    lambda: Skew(float("inf")), lambda: Skew(True),
    lambda: FaultRule(Outage(), probability=0.5), lambda: FaultRule(Skew(1.0), count=1),
])
def test_meaningless_actions_and_rules_are_refused(make) -> None:  # noqa: ANN001
    with pytest.raises(FaultRuleError):
        make()


def test_states_are_never_drawn_by_check() -> None:
    sim = Simulation(seed=1)
    sim.faults.add(FaultRule(Outage(), Match(point="p")))
    sim.faults.add(FaultRule(Skew(5.0), Match(point="p")))
    assert sim.faults.check("p", {}) is None
    assert Respond(429, "TooManyRequests", retry_after=3).kind == "respond"
