"""A protected item's recovery points: ``replicationProtectedItems/{item}/recoveryPoints`` (asr-orchestration.md
§B.5, §A.4.6).

They are the replica's own points (Hyper-V's, hyperv-scvmm.md §2.8), as the VMM of the replica's site
last reported them in its DR inventory (the ``recoveryPoints`` of the VM entry whose replication mode
is ``Replica``) — never read from a host. The report gives them in closed form while cycles succeed
(``scvmm_fake._inventory_replication.InventoryRecoveryPoints``): the listed points, one more per hour
of the grid from ``hourlyFrom`` (the newest ``keep`` hourly points kept), and the latest at the last
replication (``cycleAnchor`` + k x ``frequencySeconds``); the list is expanded when read, so a point
appearing every cycle costs nothing until someone lists. Names: policy ``RECOVERY_POINT_NAME``;
types: policy ``RECOVERY_POINT_TYPES``.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from typing import Any

from simcore import Clock

from ..policy import RECOVERY_POINT_TYPES
from ..wire.render import fmt_time
from .inmage_item import InMageItem
from .protection import ProtectedItem

__all__ = ["RecoveryPoint", "recovery_points", "points_id"]

_HOUR = 3600.0  # hourly points (hyperv-scvmm.md §2.8)
_EPS = 1e-9  # as the hosts count cycles and hours


@dataclass
class RecoveryPoint:
    """One point the item can fail over to: its time (virtual seconds), kind (Hyper-V's, or an InMage
    point's ``recoveryPointType``), and whether it is the replica's latest point."""

    name: str
    time: float
    kind: str
    latest: bool
    clock: Clock = field(repr=False, compare=False)

    def arm_properties(self) -> dict[str, Any]:
        """The recorded shape (§B.5): ``providerSpecificDetails`` null."""
        return {"recoveryPointTime": fmt_time(self.clock, self.time),
                "recoveryPointType": RECOVERY_POINT_TYPES.get(self.kind, self.kind),  # an InMage point's is its kind
                "providerSpecificDetails": None}


def points_id(item: ProtectedItem) -> str:
    """The ARM id of ``item``'s ``recoveryPoints`` collection (a point's id is this, ``/``, its name)."""
    return f"{item.primary.arm_id}/replicationProtectedItems/{item.name}/recoveryPoints"


def recovery_points(item: ProtectedItem) -> list[RecoveryPoint]:
    """The item's points now, oldest first, the latest last (none before the replica reports any)."""
    if isinstance(item, InMageItem):  # the master target's points, as the configuration server lists them
        listed = sorted(item.pair.get("recoveryPoints") or [], key=lambda p: float(p["time"]))
        return [RecoveryPoint(str(p["id"]), float(p["time"]), str(p["type"]), at == len(listed) - 1, item.clock)
                for at, p in enumerate(listed)]
    report = _replica_report(item)
    points = report.get("recoveryPoints") if report is not None else None
    if report is None or not isinstance(points, dict):
        return []
    now = item.clock.now

    def point(time: float, kind: str, latest: bool) -> RecoveryPoint:
        seed = f"{item.vm_id}|{time!r}|{'latest' if latest else 'hourly'}"
        return RecoveryPoint(str(uuid.uuid5(uuid.NAMESPACE_URL, seed)), time, kind, latest, item.clock)

    listed = [point(float(time), str(kind), bool(latest)) for time, kind, latest in points.get("points", [])]
    if not points.get("followsCycles"):
        return listed
    keep = int(points.get("keep", 0))
    hourly = [*listed, *(point(time, kind, False) for time, kind in _hours(points, keep, now))]
    latest = _latest(report, str(points.get("latestType", "Regular")), now)
    return [*(hourly[-keep:] if keep > 0 else []), *([] if latest is None else [point(*latest, True)])]


def _replica_report(item: ProtectedItem) -> dict[str, Any] | None:
    """The replication report of the replica side (the recovery site's VM, or after reverse
    replication the primary site's)."""
    for entry in (item.replica, item.vm):
        report = entry.get("replication") if entry else None
        if isinstance(report, dict) and report.get("mode") == "Replica":
            return report
    return None


def _hours(points: dict[str, Any], keep: int, now: float) -> list[tuple[float, str]]:
    """The newest ``keep`` hourly points from ``hourlyFrom`` to now, timed as the host times them
    (origin + h x 1 h): O(keep), however long the replica has been replicating."""
    origin, first = points.get("hourlyOrigin"), points.get("hourlyFrom")
    if not isinstance(origin, (int, float)) or not isinstance(first, int):
        return []
    last = math.floor((now - float(origin)) / _HOUR + _EPS)
    every, consistent = int(points.get("appConsistentEvery", 0)), bool(points.get("appConsistent"))
    kinds = {True: "ApplicationConsistent", False: "Regular"}
    return [(float(origin) + hour * _HOUR, kinds[bool(every) and consistent and hour % every == 0])
            for hour in range(max(first, last - keep + 1), last + 1)]


def _latest(report: dict[str, Any], kind: str, now: float) -> tuple[float, str] | None:
    """The last replication: ``cycleAnchor + k x frequencySeconds`` for the largest k >= 1 not after
    now (a standard point), else ``lastReplicationTime`` (of kind ``kind``)."""
    anchor, frequency, last = report.get("cycleAnchor"), report.get("frequencySeconds"), report.get("lastReplicationTime")
    if isinstance(anchor, (int, float)) and isinstance(frequency, int) and frequency > 0:
        cycles = math.floor((now - float(anchor)) / float(frequency) + _EPS)
        if cycles >= 1:
            return float(anchor) + cycles * float(frequency), "Regular"
    return (float(last), kind) if isinstance(last, (int, float)) else None
