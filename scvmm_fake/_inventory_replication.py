"""The replication of one VM in the DR inventory (policy ``REPLICATION_REPORTED``), from its host.

Every field changes only when something happens — an operation, a state or health change, a fault
— never because a replication cycle ran: while cycles succeed the last replication time is given
in closed form (``cycle_anchor``), not as a value that moves. Times are the lab's virtual seconds,
like the inventory's ``takenAt``. On the wire (camelCase): ``{mode, state, health, primaryServer,
replicaServer, frequencySeconds, initialReplication, cycleAnchor, lastReplicationTime}``.
"""

from __future__ import annotations

from dataclasses import dataclass

from hyperv_fake import ReplicationOutlook

__all__ = ["InventoryReplication"]


@dataclass(frozen=True)
class InventoryReplication:
    """A VM's replication as its host reports it (``Get-VMReplication``), in discrete values.

    ``mode`` ``Primary``/``Replica``; ``state`` a PowerShell ``VMReplicationState`` name; ``health``
    ``Normal``/``Warning``/``Critical``; ``initial_replication`` ``NotStarted``/``Scheduled``/
    ``InProgress``/``WaitingForImport``/``Completed``. While ``cycle_anchor`` is set the last
    replication at ``t`` is ``cycle_anchor + k * frequency_seconds`` for the largest ``k >= 1`` not
    after ``t``, and ``last_replication_time`` before that first cycle; otherwise it is
    ``last_replication_time`` (None: never replicated).
    """

    mode: str
    state: str
    health: str
    primary_server: str
    replica_server: str
    frequency_seconds: int
    initial_replication: str
    cycle_anchor: float | None
    last_replication_time: float | None

    @classmethod
    def of(cls, reading: ReplicationOutlook) -> InventoryReplication:
        replication = reading.replication
        return cls(replication.mode.value, replication.state.value, replication.health.value,
                   replication.primary_server, replication.replica_server, replication.frequency_sec,
                   reading.initial_replication.value, reading.cycle_anchor, reading.last_replication_time)
