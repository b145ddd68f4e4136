"""``drlab.budget``: a spent budget stops a property between examples, never hides a failure, and
stops a budgeted state machine the same way (the clock is a counter here; the plugin's is the wall)."""

from __future__ import annotations

import unittest

import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.errors import UnsatisfiedAssumption
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from drlab import budget


class Ticks:
    """A clock that moves one second per reading."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


class Stopped:
    """A clock that stands still until a test moves it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def budgeted_run(seconds: float) -> budget.Run:
    return budget.Run(budget.Budget(seconds, clock=Ticks()))


def test_a_spent_budget_stops_a_property_after_the_examples_it_had_time_for() -> None:
    seen: list[int] = []

    @settings(max_examples=20, database=None, derandomize=True)
    @given(st.integers())
    def prop(n: int) -> None:
        seen.append(n)

    run = budgeted_run(5)  # the deadline is reading 6: the end of the fifth example
    prop.hypothesis.inner_test = run.around(prop.hypothesis.inner_test)
    with pytest.raises(unittest.SkipTest, match="spent after 5 examples"):
        prop()
    assert (run.stopped, run.examples, len(seen)) == (True, 5, 5)


def test_a_failure_is_shrunk_and_reported_though_the_budget_runs_out_while_shrinking() -> None:
    clock = Stopped()
    passed_after_the_failure: list[int] = []

    @settings(max_examples=20, database=None, derandomize=True)
    @given(st.integers(0, 1000))
    def prop(n: int) -> None:
        if n >= 10:
            clock.now = 1e9  # the budget is spent when the first failure is found
            raise AssertionError(n)
        if clock.now:
            passed_after_the_failure.append(n)

    run = budget.Run(budget.Budget(5, clock=clock))
    prop.hypothesis.inner_test = run.around(prop.hypothesis.inner_test)
    with pytest.raises(AssertionError) as failure:
        prop()
    assert failure.value.args == (10,)  # shrunk to the smallest failing value
    assert run.failed and not run.stopped and passed_after_the_failure


def test_an_assumption_or_a_skip_is_no_example_and_no_failure() -> None:
    run = budgeted_run(0)
    run.after(UnsatisfiedAssumption())
    run.after(unittest.SkipTest("the test's own"))
    assert (run.examples, run.failed, run.stopped) == (0, False, False)
    with pytest.raises(unittest.SkipTest, match="spent after 1 examples"):
        run.after(None)


def test_a_bad_budget_is_refused() -> None:
    with pytest.raises(ValueError, match="seconds >= 0"):
        budget.Budget(-1)


class Counting(budget.Budgeted, RuleBasedStateMachine):
    started = 0

    def __init__(self) -> None:
        super().__init__()
        Counting.started += 1

    @rule()
    def step(self) -> None:
        pass


def test_a_budgeted_machine_stops_between_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    run = budgeted_run(3)  # the deadline is reading 4: the third machine's teardown
    monkeypatch.setattr(budget, "current", run)
    with pytest.raises(unittest.SkipTest, match="spent after 3 examples"):
        run_state_machine_as_test(Counting, settings=settings(max_examples=20, database=None, derandomize=True,
                                                               stateful_step_count=2))
    assert (Counting.started, run.examples, run.stopped) == (3, 3, True)


CLOCK = Stopped()


class Failing(budget.Budgeted, RuleBasedStateMachine):
    @rule(n=st.integers(0, 10))
    def step(self, n: int) -> None:
        if n >= 5:
            CLOCK.now = 1e9  # the budget is spent when the first failure is found
            raise AssertionError(n)


def test_a_failing_machine_is_reported_though_the_budget_is_spent(monkeypatch: pytest.MonkeyPatch) -> None:
    run = budget.Run(budget.Budget(5, clock=CLOCK))
    monkeypatch.setattr(budget, "current", run)
    with pytest.raises(AssertionError):
        run_state_machine_as_test(Failing, settings=settings(max_examples=20, database=None, derandomize=True,
                                                              stateful_step_count=5))
    assert run.failed and not run.stopped
