"""One VM's side of a replication relationship (``Msvm_ReplicationRelationship`` index 0, §1.5, §2.3).

Both sides live here — mode says which. The data path between the two sides (cycles, what the
replica applied, recovery points) is the ``Link``'s business; this object holds the facts each
side would show in ``Get-VMReplication``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ._enums import (
    ReplicationAuthenticationType,
    ReplicationHealth,
    ReplicationMode,
    ReplicationRelationshipType,
    ReplicationState,
    ReplicationType,
)
from ._errors import Refusal
from ._image import EMPTY, DataImage
from ._points import RecoveryPoint
from ._settings import ReplicationSettings
from ._statistics import Statistics

if TYPE_CHECKING:
    from simcore import Timer

    from ._link import Link
    from ._transfers import Transfer
    from ._vm import VM

__all__ = ["Relationship", "VMReplication",
           "INITIAL_REPLICATION_STATES", "RESYNC_STATES", "FAILED_OVER_STATES"]

INITIAL_REPLICATION_STATES = frozenset({
    ReplicationState.ReadyForInitialReplication, ReplicationState.InitialReplicationInProgress,
    ReplicationState.WaitingForInitialReplication,
})
RESYNC_STATES = frozenset({
    ReplicationState.WaitingForStartResynchronize, ReplicationState.Resynchronizing,
    ReplicationState.ResynchronizeSuspended,
})
FAILED_OVER_STATES = frozenset({ReplicationState.FailedOverWaitingCompletion, ReplicationState.FailedOver})


@dataclass(frozen=True)
class VMReplication:
    """What ``Get-VMReplication`` shows for one VM, as of the moment it was read."""

    vm_name: str
    vm_id: str
    mode: ReplicationMode
    state: ReplicationState
    health: ReplicationHealth
    relationship_type: ReplicationRelationshipType
    primary_server: str
    replica_server: str
    replica_port: int
    authentication_type: ReplicationAuthenticationType
    certificate_thumbprint: str | None
    frequency_sec: int
    recovery_history: int
    vss_snapshot_frequency_hour: int
    compression_enabled: bool
    excluded_vhd_path: tuple[str, ...]
    auto_resynchronize_enabled: bool
    trust_group: str | None
    replica_storage_location: str | None
    last_error: Refusal | None


class Relationship:
    """State, mode and settings of one side, plus the replica-side facts that outlive a link."""

    def __init__(
        self,
        vm: VM,
        mode: ReplicationMode,
        state: ReplicationState,
        settings: ReplicationSettings,
        *,
        stats_start: float,
        trust_group: str | None = None,
        storage_location: str | None = None,
    ) -> None:
        self.vm = vm
        self.mode = mode
        self.state = state
        self.settings = settings
        self.relationship_type = ReplicationRelationshipType.Simple
        self.trust_group = trust_group
        self.storage_location = storage_location
        self.link: Link | None = None
        self.stats = Statistics(stats_start)
        self.last_error: Refusal | None = None
        # primary side
        self.transfer: Transfer | None = None
        self.ir_timer: Timer | None = None  # a scheduled IR, a running export, or a scheduled resync
        self.initial_replication_done = False
        self.export_done = False
        self.last_replication_time: float | None = None
        self.last_replication_type = ReplicationType.None_
        # replica side
        self.applied: DataImage = EMPTY
        self.points: list[tuple[float, int, ReplicationType]] = []  # hourly: (time, last write, kind), oldest first
        self.points_anchor: float | None = None
        self.failed_over_point: RecoveryPoint | None = None  # what the replica failed over to (and committed)
        self.test_vm: VM | None = None
        self.last_test_failover_time: float | None = None
        self.planned_ready = False

    # -- reading ---------------------------------------------------------------------------------

    @property
    def is_primary(self) -> bool:
        return self.mode is ReplicationMode.Primary

    @property
    def ships(self) -> bool:
        """Does the primary send a log every cycle? (Replicating, or after an export awaiting import.)"""
        if self.state is ReplicationState.Replicating:
            return True
        return self.state is ReplicationState.WaitingForInitialReplication and self.export_done

    def latest_point(self) -> RecoveryPoint | None:
        """The replica's latest point: what it applied last (None before initial replication)."""
        if self.last_replication_time is None:
            return None
        return self._point(self.last_replication_time, self.applied, self.last_replication_type, latest=True)

    def recovery_points(self) -> list[RecoveryPoint]:
        """Additional points, oldest first, then the latest (§2.8). Every point holds a prefix of what
        the replica holds now, so a point is kept as the number of writes it holds."""
        made = [self._point(time, self.applied.upto(last), kind) for time, last, kind in self.points]
        latest = self.latest_point()
        return [*made, latest] if latest is not None else made

    def _point(self, time: float, image: DataImage, kind: ReplicationType, *, latest: bool = False) -> RecoveryPoint:
        clock = self.vm.host.fabric.sim.clock
        return RecoveryPoint(self.vm.name, self.vm.id, time, clock.to_datetime(time), kind, image, latest)

    # -- changing --------------------------------------------------------------------------------

    def set_state(self, state: ReplicationState, why: str, *, at: float | None = None,
                  extra: dict[str, object] | None = None) -> None:
        """Move to ``state`` and record it (``at``: when it took effect, if earlier than now)."""
        if state is self.state:
            return
        details: dict[str, object] = {"vm": self.vm.name, "mode": self.mode.value, "from": self.state.value,
                                      "to": state.value, "why": why, **(extra or {})}
        if at is not None:
            details["at"] = at
        if self.last_error is not None and state is ReplicationState.Error:
            details["refusal"] = self.last_error.describe()
        self.state = state
        self.vm.host.fabric.moved(self.vm.id)  # what a management server reads of the VM changed
        self.vm.host.record("hyperv.replication.state", "info", details)

    def applied_log(self, image: DataImage, at: float, kind: ReplicationType) -> None:
        """The replica applied ``image`` at ``at`` (or the primary learnt it was acknowledged)."""
        self.applied = image
        self.last_replication_time = at
        self.last_replication_type = kind

    def update_settings(self, **changes: object) -> None:
        self.settings = replace(self.settings, **changes)  # type: ignore[arg-type]
