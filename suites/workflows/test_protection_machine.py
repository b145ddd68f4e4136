"""The shipped ASR-level state machine (``drlab.machines.ProtectionMachine``), run as the suite's
model-comparing property (see its docstring for the model and the faults)."""

from __future__ import annotations

from hypothesis import settings

from drlab.machines import ProtectionMachine



class SuiteMachine(ProtectionMachine):
    """The shipped machine as it is, with the suite's settings (not set on the shipped class)."""


SuiteMachine.TestCase.settings = settings(stateful_step_count=15, deadline=None)
test_protection_machine = SuiteMachine.TestCase
