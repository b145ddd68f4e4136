"""The base of the ASR-level machines: each example owns a ``Lab`` (closed at its teardown, before the
session's time budget accounts for it) and lets virtual time pass, a cut channel to ASR healing then."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule

from ..budget import Budgeted
from ..lab import Lab

__all__ = ["LabMachine"]


class LabMachine(Budgeted, RuleBasedStateMachine):
    """``self.lab`` is the example's lab; ``_heal_channel`` ends the machine's channel cut, if any."""

    lab: Lab

    def _heal_channel(self) -> None:
        raise NotImplementedError

    @rule(seconds=st.sampled_from([30.0, 600.0, 7_200.0]))
    def time_passes(self, seconds: float) -> None:
        self.lab.advance(seconds)
        self._heal_channel()

    def teardown(self) -> None:
        try:
            self.lab.close()
        finally:
            super().teardown()  # Budgeted: the session's budget may end the test after this example
