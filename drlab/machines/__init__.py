"""Hypothesis state machines a consumer runs as they are or subclasses with rules of their own.

* ``ProtectionMachine`` — ASR level: a protected VM through random failover-family operations, valid
  and invalid, both directions, with faults (sites cut off, a Provider's channel cut, Provider
  restarts) and virtual time; checks the recorded states and allowed operations against a model,
  the hosts against ASR, and ``drlab.checkers`` after every step.
* ``RecoveryPlanMachine`` — ASR level: a recovery plan of three VMs (two boot groups, a manual
  action) through random plan operations, valid and invalid, both directions, regrouped between
  them, with faults and virtual time; checks the plan, its items and the hosts against a model and
  ``drlab.checkers`` (ordering included) after every step.
* ``ReplicationMachine`` — host level (``hyperv_fake.testing``): Hyper-V replication operations,
  workload, time and network faults, with its data-loss and agreement invariants.
"""

from hyperv_fake.testing import ReplicationMachine

from ._plan import RecoveryPlanMachine
from ._protection import ProtectionMachine

__all__ = ["ProtectionMachine", "RecoveryPlanMachine", "ReplicationMachine"]
