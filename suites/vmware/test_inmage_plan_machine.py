"""The shipped InMage recovery-plan state machine (``drlab.machines.InMagePlanMachine``), run as the
suite's model-comparing property over plan operations with the process server cut off from its master
target, the configuration server's channel cut and time passing (see its docstring for the model)."""

from __future__ import annotations

from hypothesis import settings

from drlab.machines import InMagePlanMachine


class SuiteInMageMachine(InMagePlanMachine):
    """The shipped machine as it is, with the suite's settings (not set on the shipped class)."""


SuiteInMageMachine.TestCase.settings = settings(max_examples=6, stateful_step_count=25, deadline=None)
test_inmage_plan_machine = SuiteInMageMachine.TestCase
