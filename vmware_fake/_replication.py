"""A replication pair: one machine's disks replicated through its process server to a master target on
the other site, in closed form (REFERENCE.md §10).

Nothing moves write by write. A pair knows when it started and how much connected time each stage
needs (policy ``PAIR_STAGES``); the lab's partition spans between its process server and master
target (``simcore.PartitionTimeline``, on ``REPLICATION_PORT``) say how much it got. So at any
instant the stage, the initial replication's progress, what the master target holds (``held``) and
the tags it keeps are computed, not stored; the one thing scheduled is the instant a stage ends,
because that changes what the configuration server reports.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from simcore import PartitionTimeline

from ._machines import Machine, VirtualDisk, VirtualMachine
from ._scout import MasterTarget, ProcessServer
from ._vcenter import GIB
from .errors import InvalidParameter
from .policy import (
    CRASH_CONSISTENT_SECONDS, DIFFERENTIAL_SYNC_LAG_SECONDS, INITIAL_REPLICATION_SECONDS_PER_GIB, PAIR_STAGES,
    POINT_ID_NAMESPACE, REPLICATION_PORT, RESYNC_STEP_II_SECONDS,
)

__all__ = ["PairSettings", "RecoveryPoint", "Failover", "ReplicationPair", "tags"]

_NAMESPACE = uuid.UUID(POINT_ID_NAMESPACE)


@dataclass(frozen=True)
class PairSettings:
    """The InMage policy a pair replicates under (``InMagePolicyInput``, REFERENCE.md §6), in seconds."""

    rpo_threshold: float
    history: float
    app_consistent: float  # 0: no application-consistent tags
    multi_vm: bool

    @classmethod
    def of(cls, fields: Any) -> PairSettings:
        """From a work item's ``policy`` (minutes, as the vault sends them); ``InvalidParameter`` otherwise."""
        if not isinstance(fields, Mapping):
            raise InvalidParameter(f"the replication policy must be an object, not {fields!r}")
        minutes: dict[str, float] = {}
        for name in ("recoveryPointThresholdInMinutes", "recoveryPointHistory", "appConsistentFrequencyInMinutes"):
            value = fields.get(name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < math.inf:
                raise InvalidParameter(f"policy {name} must be a number of minutes >= 0, not {value!r}")
            minutes[name] = float(value)
        status = fields.get("multiVmSyncStatus")
        if status not in ("Enable", "Disable"):
            raise InvalidParameter(f"policy multiVmSyncStatus must be Enable or Disable, not {status!r}")
        return cls(60 * minutes["recoveryPointThresholdInMinutes"], 60 * minutes["recoveryPointHistory"],
                   60 * minutes["appConsistentFrequencyInMinutes"], status == "Enable")


@dataclass(frozen=True)
class RecoveryPoint:
    """A point a failover can go to: a tag (``CrashConsistent`` / ``AppConsistent``) or, for
    ``LatestTime``, the newest instant the master target holds."""

    id: str
    time: float
    type: str
    multi_vm: bool = False

    def describe(self) -> dict[str, Any]:
        return {"id": self.id, "time": self.time, "type": self.type, "multiVm": self.multi_vm}


def tags(scope: str, low: float, high: float, settings: PairSettings) -> list[RecoveryPoint]:
    """The tags of ``scope`` (a pair or a multi-VM group) in ``[low, high]``, oldest first: crash-
    consistent ones on the ``CRASH_CONSISTENT_SECONDS`` grid, app-consistent ones on theirs (an
    instant on both is app-consistent)."""
    if high < low:
        return []
    found: dict[float, str] = {}
    for every, kind in ((CRASH_CONSISTENT_SECONDS, "CrashConsistent"), (settings.app_consistent, "AppConsistent")):
        if every > 0:
            for k in range(math.ceil(low / every), math.floor(high / every) + 1):
                found[k * every] = kind
    return [RecoveryPoint(str(uuid.uuid5(_NAMESPACE, f"{scope}:{kind}:{at:.0f}")), at, kind, settings.multi_vm)
            for at, kind in sorted(found.items())]


@dataclass
class Failover:
    """A failover of the pair: the VM it made (or recovered onto) and the point it holds."""

    kind: str  # "Test" | "Unplanned"
    vm: VirtualMachine
    point: RecoveryPoint
    committed: bool = False

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "recoveryVmId": self.vm.id, "recoveryVmName": self.vm.name,
                "recoveryPoint": self.point.describe(), "committed": self.committed}


@dataclass(eq=False)
class ReplicationPair:
    """``machine`` (``origin``'s VM or server, or the VM it failed over to) replicated to
    ``master_target``'s site since ``started``. ``target`` is the VM on that site the pair writes to
    (the original VM once reprotected back), if any; ``stopped`` when a failover ended replication."""

    id: str
    origin: Machine
    machine: Machine
    direction: str  # "Forward" (from the primary site) | "Reverse"
    process_server: ProcessServer
    master_target: MasterTarget
    retention_drive: str
    datastore: str | None
    disks: list[VirtualDisk]
    group_id: str
    group_name: str
    settings: PairSettings
    started: float
    partitions: PartitionTimeline = field(repr=False)
    target: VirtualMachine | None = None
    changes_only: bool = False  # its target holds the machine's older data (policy ``REPROTECT_COPIES``)
    stopped: float | None = None
    failover: Failover | None = None
    test: Failover | None = None

    @property
    def copy_seconds(self) -> float:
        if self.changes_only:
            return 0.0
        return sum(disk.size_bytes for disk in self.disks) / GIB * INITIAL_REPLICATION_SECONDS_PER_GIB

    def _contexts(self) -> tuple[dict[str, Any], dict[str, Any]]:
        ps, mt = self.process_server.node.name, self.master_target.node.name
        return ({"src": ps, "dst": mt, "port": REPLICATION_PORT}, {"src": mt, "dst": ps, "port": REPLICATION_PORT})

    def _after(self, since: float, needed: float) -> float:
        """The instant ``needed`` seconds of connected time after ``since`` have passed (the partitions
        known now; ``inf`` while one holds with no end)."""
        cursor, remaining = since, needed
        for begin, end in self.partitions.blocked(self._contexts(), since, math.inf):
            if begin > cursor:
                if begin - cursor >= remaining:
                    return cursor + remaining
                remaining -= begin - cursor
            cursor = max(cursor, end)
        return cursor + remaining

    def stage_ends(self) -> tuple[float, float]:
        """When Step I ends and when Differential Sync begins."""
        copied = self._after(self.started, self.copy_seconds)
        return copied, self._after(copied, RESYNC_STEP_II_SECONDS)

    def stage(self, t: float) -> str:
        copied, synced = self.stage_ends()
        return PAIR_STAGES[0] if t < copied else PAIR_STAGES[1] if t < synced else PAIR_STAGES[2]

    def _connected(self, since: float, until: float) -> float:
        """Seconds of ``(since, until]`` the process server reached the master target."""
        return until - since - sum(min(end, until) - max(begin, since) for begin, end in
                                   self.partitions.blocked(self._contexts(), since, until))

    def progress(self, t: float) -> int:
        """The resynchronization's percentage: 100 from Differential Sync on."""
        copied, synced = self.stage_ends()
        if t >= synced:
            return 100
        done = self.copy_seconds + self._connected(copied, t) if t >= copied else self._connected(self.started, t)
        return min(99, math.floor(100 * done / (self.copy_seconds + RESYNC_STEP_II_SECONDS)))

    def synced_from(self) -> float:
        return self.stage_ends()[1]

    def held_back(self, t: float) -> bool:
        """Whether a partition keeps the process server from the master target at ``t``."""
        return any(begin <= t < end for begin, end in self.partitions.blocked(self._contexts(), t, t))

    def held(self, t: float) -> float | None:
        """The newest instant whose writes the master target holds at ``t`` (None before Differential
        Sync); it stays where a partition found it until the partition heals (``BACKLOG_DRAINS_AT_HEAL``)."""
        synced = self.synced_from()
        t = t if self.stopped is None else min(t, self.stopped)
        if t < synced:
            return None
        spans = self.partitions.blocked(self._contexts(), synced, t, touching=False)  # a heal drains, even if
        if spans and spans[-1][0] <= t < spans[-1][1]:                                # a cut begins at once
            return max(synced, spans[-1][0] - DIFFERENTIAL_SYNC_LAG_SECONDS)
        return max(synced, t - DIFFERENTIAL_SYNC_LAG_SECONDS)
