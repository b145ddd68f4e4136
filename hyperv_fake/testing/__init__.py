"""hyperv_fake.testing — what other projects reuse to test against the Hyper-V emulator.

* ``ReplicaPair``: two hosts configured as each other's Replica server (certificates or Kerberos).
* ``ReplicationMachine``: a hypothesis ``RuleBasedStateMachine`` mixing replication operations,
  workload, virtual time and network faults, checking the data-loss and agreement invariants.
* ``check_relationship``: those invariants as a plain function, for any suite.
"""

from ._invariants import InvariantViolation, check_relationship
from ._lab import GiB, ReplicaPair, configure_replica_server, host_certificate
from ._machine import ReplicationMachine

__all__ = ["ReplicaPair", "ReplicationMachine", "check_relationship", "InvariantViolation",
           "configure_replica_server", "host_certificate", "GiB"]
