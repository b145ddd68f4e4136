"""The replication of one VM in the DR inventory (policy ``REPLICATION_REPORTED``), from its host.

Every field changes only when something happens — an operation, a state or health change, a fault
— never because a replication cycle ran: while cycles succeed the last replication time is given
in closed form (``cycle_anchor``), not as a value that moves, and so are a replica's recovery points
(``recovery_points``, hyperv_fake's ``PointsOutlook``). Times are the lab's virtual seconds, like the
inventory's ``takenAt``. On the wire (camelCase): ``{mode, state, health, primaryServer,
replicaServer, frequencySeconds, initialReplication, cycleAnchor, lastReplicationTime,
recoveryPoints}``.
"""

from __future__ import annotations

from dataclasses import dataclass

from hyperv_fake import PointsOutlook, ReplicationOutlook

__all__ = ["InventoryReplication", "InventoryRecoveryPoints"]


@dataclass(frozen=True)
class InventoryRecoveryPoints:
    """A replica's recovery points in closed form, as its host gives them (``PointsOutlook``, whose
    docstring says how to expand them): ``points`` listed as ``(time, type, latest)`` with ``type``
    a Hyper-V ``ReplicationType`` (Regular, ApplicationConsistent, Planned); while
    ``follows_cycles``, one more per hour ``hourly_origin + h x 3600`` for ``h >= hourly_from`` (the
    newest ``keep`` hourly points kept; app-consistent where ``h`` is a multiple of
    ``app_consistent_every`` and ``app_consistent``) and the latest at the last replication."""

    points: tuple[tuple[float, str, bool], ...]
    follows_cycles: bool
    hourly_origin: float | None
    hourly_from: int | None
    keep: int
    app_consistent_every: int
    app_consistent: bool
    latest_type: str

    @classmethod
    def of(cls, outlook: PointsOutlook) -> InventoryRecoveryPoints:
        return cls(outlook.points, outlook.follows_cycles, outlook.hourly_origin, outlook.hourly_from, outlook.keep,
                   outlook.app_consistent_every, outlook.app_consistent, outlook.latest_type)


@dataclass(frozen=True)
class InventoryReplication:
    """A VM's replication as its host reports it (``Get-VMReplication``), in discrete values.

    ``mode`` ``Primary``/``Replica``; ``state`` a PowerShell ``VMReplicationState`` name; ``health``
    ``Normal``/``Warning``/``Critical``; ``initial_replication`` ``NotStarted``/``Scheduled``/
    ``InProgress``/``WaitingForImport``/``Completed``. While ``cycle_anchor`` is set the last
    replication at ``t`` is ``cycle_anchor + k * frequency_seconds`` for the largest ``k >= 1`` not
    after ``t``, and ``last_replication_time`` before that first cycle; otherwise it is
    ``last_replication_time`` (None: never replicated). ``recovery_points``: a replica's (None on a
    primary).
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
    recovery_points: InventoryRecoveryPoints | None = None

    @classmethod
    def of(cls, reading: ReplicationOutlook) -> InventoryReplication:
        replication = reading.replication
        points = None if reading.points is None else InventoryRecoveryPoints.of(reading.points)
        return cls(replication.mode.value, replication.state.value, replication.health.value,
                   replication.primary_server, replication.replica_server, replication.frequency_sec,
                   reading.initial_replication.value, reading.cycle_anchor, reading.last_replication_time, points)
