"""Recovery points (§2.8): the replica's latest point plus up to ``RecoveryHistory`` hourly ones.

They appear to users as ``Replica`` snapshots (``Get-VMSnapshot -SnapshotType Replica``) and are
what ``Start-VMFailover -VMRecoverySnapshot`` takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from ._enums import ReplicationType, SnapshotType
from ._image import DataImage
from .policy import RECOVERY_POINT_NAMES

__all__ = ["RecoveryPoint", "retain"]

T = TypeVar("T")

RECOVERY_POINT_INTERVAL = 3600.0
"""Additional recovery points are spaced hourly (§2.8)."""


@dataclass(frozen=True)
class RecoveryPoint:
    """One point a replica can fail over to; ``image`` is exactly what a failover to it holds."""

    vm_name: str
    vm_id: str
    time: float
    creation_time: datetime
    replication_type: ReplicationType
    image: DataImage
    latest: bool = False

    @property
    def snapshot_type(self) -> SnapshotType:
        if self.replication_type is ReplicationType.ApplicationConsistent:
            return SnapshotType.AppConsistentReplica
        return SnapshotType.Replica

    @property
    def name(self) -> str:
        if self.latest:
            return f"{self.vm_name} - Latest Recovery Point"
        consistent = self.replication_type is ReplicationType.ApplicationConsistent
        kind = "Application-consistent" if consistent else "Standard"
        return RECOVERY_POINT_NAMES.format(vm=self.vm_name, kind=kind, when=self.creation_time)

    def describe(self) -> dict[str, object]:
        return {"time": self.time, "type": self.replication_type.value, "latest": self.latest, "last": self.image.last}


def retain(points: list[T], recovery_history: int) -> list[T]:
    """The newest ``recovery_history`` points, oldest first (policy RECOVERY_POINT_ANCHOR)."""
    return points[-recovery_history:] if recovery_history > 0 else []
