"""Hypothesis state machines a consumer runs as they are or subclasses with rules of their own.

* ``ProtectionMachine`` — ASR level: a protected VM through random failover-family operations, valid
  and invalid, both directions, with faults (sites cut off, a Provider's channel cut, Provider
  restarts) and virtual time; checks the recorded states and allowed operations against a model,
  the hosts against ASR, and ``drlab.checkers`` after every step.
* ``RecoveryPlanMachine`` — ASR level: a recovery plan of three VMs (two boot groups, a manual
  action) through random plan operations, valid and invalid, both directions, regrouped between
  them, with faults and virtual time; checks the plan, its items and the hosts against a model and
  ``drlab.checkers`` (ordering included) after every step.
* ``InMagePlanMachine`` — ASR level, the VMware scenario: a plan of a configuration server's VMware VM
  and physical server (two boot groups, a manual action) through random plan operations, valid and
  invalid, both directions, with the process server cut off from its master target, the server's
  channel cut and virtual time; checks the plan, its items and the vCenters against a model and
  every checker (data loss within the policy's RPO threshold) after every step.
* ``ReplicationMachine`` — host level (``hyperv_fake.testing``): Hyper-V replication operations,
  workload, time and network faults, with its data-loss and agreement invariants.

Each stops between examples once the session's time budget is spent (``drlab.budget``).
"""

from hyperv_fake import testing

from ..budget import Budgeted
from ._inmage import InMagePlanMachine
from ._plan import RecoveryPlanMachine
from ._protection import ProtectionMachine


class ReplicationMachine(Budgeted, testing.ReplicationMachine):
    """``hyperv_fake.testing.ReplicationMachine`` under the session's time budget."""


__all__ = ["ProtectionMachine", "RecoveryPlanMachine", "InMagePlanMachine", "ReplicationMachine"]
