"""The shipped recovery-plan state machine (``drlab.machines.RecoveryPlanMachine``), run as the
suite's model-comparing property over plan operations (see its docstring for the model)."""

from __future__ import annotations

from hypothesis import settings

from drlab.machines import RecoveryPlanMachine


class SuitePlanMachine(RecoveryPlanMachine):
    """The shipped machine as it is, with the suite's settings (not set on the shipped class)."""


SuitePlanMachine.TestCase.settings = settings(max_examples=8, stateful_step_count=12, deadline=None)
test_recovery_plan_machine = SuitePlanMachine.TestCase
