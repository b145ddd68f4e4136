"""A wall-clock budget for a pytest session's hypothesis tests, so a ``soak`` run finishes.

Hypothesis has no time limit of its own (``max_examples`` counts examples, not seconds), so the
plugin keeps one: ``--drlab-budget=SECONDS`` (or ``DRLAB_BUDGET``) for the whole session, measured
from its start; under the ``soak`` profile it is ``SOAK_BUDGET`` unless given. Once it is spent:

* a test that has not started is skipped ("drlab budget spent");
* a running ``@given`` test, or a ``drlab.machines`` state machine, generates no further example
  (hypothesis stops at a skip, its control exception) and passes with the examples it ran, at least
  one, reported in a "drlab budget" section — unless one of them failed: then hypothesis shrinks and
  reports the failure as usual, the budget notwithstanding.

The budget is looked at between examples, so a session ends at most one example past it (a soak
machine's example is ``stateful_step_count`` steps: seconds, not hours).

The budget reads the wall clock of the test runner, never a lab's: which examples run depends on
how fast the machine is, as it must for a time budget, but each example's lab is as deterministic
as ever (its seed and history replay it). A state machine of your own gets the same by mixing
``Budgeted`` in before ``RuleBasedStateMachine``.
"""

from __future__ import annotations

import functools
import sys
import time
import unittest
from collections.abc import Callable
from typing import Any

from hypothesis.errors import StopTest, UnsatisfiedAssumption

__all__ = ["Budget", "Run", "Budgeted", "SOAK_BUDGET", "ENV"]

#: Policy: a soak session stops generating after one hour of wall time unless told otherwise.
SOAK_BUDGET = 3_600.0
#: The environment variable that sets the budget (seconds) when the option does not.
ENV = "DRLAB_BUDGET"


class Budget:
    """``seconds`` of wall time from now; ``spent()`` once they have passed."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        if not seconds >= 0:
            raise ValueError(f"a drlab budget is seconds >= 0, got {seconds!r}")
        self.seconds, self._clock = seconds, clock
        self._deadline = clock() + seconds

    def spent(self) -> bool:
        return self._clock() >= self._deadline


class _Stop(unittest.SkipTest):
    """Hypothesis re-raises skips at once instead of treating them as failures: the stop signal."""


#: What ends an example without failing it: a skip, hypothesis' own end of data, an ``assume``.
_NOT_FAILURES = (unittest.SkipTest, StopTest, UnsatisfiedAssumption)


def _failed(error: BaseException | None) -> bool:
    return error is not None and not isinstance(error, _NOT_FAILURES)


class Run:
    """One test's examples under a budget: how many ran, whether one failed, whether it was stopped.

    The stop comes at the end of an example that passed, once every value it drew is drawn: a stop
    before an example's draws would read, to hypothesis, as data generation that changed between runs.
    """

    def __init__(self, budget: Budget) -> None:
        self.budget, self.examples, self.failed, self.stopped = budget, 0, False, False

    def after(self, error: BaseException | None) -> None:
        """An example ended (``error``: how, if it raised); stop the test if it passed, none failed
        before it and the budget is spent."""
        if error is not None:
            self.failed = self.failed or _failed(error)
            return
        self.examples += 1
        if not self.failed and self.budget.spent():
            self.stopped = True
            raise _Stop(f"drlab budget of {self.budget.seconds:g} s spent after {self.examples} examples")

    def around(self, inner: Callable[..., Any]) -> Callable[..., Any]:
        """``inner`` (a ``@given`` test's body), accounted for after each example."""
        @functools.wraps(inner)
        def budgeted(*args: Any, **kwargs: Any) -> Any:
            try:
                result = inner(*args, **kwargs)
            except BaseException as error:
                self.after(error)
                raise
            self.after(None)
            return result
        return budgeted


#: The test running now under a budget (the plugin sets it around each test's call).
current: Run | None = None


class Budgeted:
    """Mixin for a ``RuleBasedStateMachine``: each example (one machine) is accounted for at its
    teardown, so the budget can stop the machine's test between examples."""

    def teardown(self) -> None:
        error = sys.exc_info()[1]  # hypothesis tears down in a finally: the failing step's error, if any
        try:
            super().teardown()  # type: ignore[misc]
        except BaseException as failed:
            if current is not None:
                current.after(failed)
            raise
        if current is not None:
            current.after(error)
