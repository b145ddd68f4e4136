"""A replica's recovery points (§2.8) as a management server can know them until something happens.

Not a Hyper-V cmdlet: the points part of ``replication_outlook``. While cycles succeed, points
appear with time alone — the latest at every cycle, an hourly one at every whole hour of the
points' grid — so a list read now would be stale within a cycle. Instead the outlook gives the
set in closed form, and it stays true until an event:

* ``points`` — listed points, oldest first, as ``(time, ReplicationType value, latest)``;
* ``hourly_from`` — while cycles succeed (``follows_cycles``), every hour ``hourly_origin + h x 3600``
  with ``h >= hourly_from`` up to now has a point too (app-consistent where ``h`` is a multiple of
  ``app_consistent_every`` and ``app_consistent``), and ``points`` holds only the hourly points before
  it; the newest ``keep`` hourly points are kept (``RecoveryHistory``);
* while ``follows_cycles`` the latest point is the last replication, in the closed form the outlook's
  ``cycle_anchor`` gives (its kind ``latest_type`` before the anchor's first cycle, Regular after);
  otherwise it is in ``points``.

The listed part changes only on events (and retention trimming it, at most hourly for the first
``keep`` hours of a steady stretch): a healthy replica reports O(1), not O(points), per reading.
``due`` names the one instant with no event at which the closed form needs a new reading: the first
cycle of a steady stretch (hours before it may still fill from the previous stretch's last log), or
for a replica that is not receiving, the next hour its last log still makes a point for.
After ``Complete-VMFailover`` the committed point is the only one listed (``Get-VMSnapshot`` lists
none any more: the VM runs from it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._enums import ReplicationState, ReplicationType
from ._link import _hour_at_or_after, _hour_at_or_before
from ._points import RECOVERY_POINT_INTERVAL, RecoveryPoint

if TYPE_CHECKING:
    from ._relationship import Relationship

__all__ = ["PointsOutlook", "points_outlook"]


@dataclass(frozen=True)
class PointsOutlook:
    """One replica's recovery points in closed form (see the module docstring). Times are virtual seconds."""

    points: tuple[tuple[float, str, bool], ...]
    follows_cycles: bool
    hourly_origin: float | None
    hourly_from: int | None
    keep: int
    app_consistent_every: int
    app_consistent: bool
    latest_type: str
    due: float | None


def _listed(point: RecoveryPoint) -> tuple[float, str, bool]:
    return point.time, point.replication_type.value, point.latest


def points_outlook(rel: Relationship, now: float, *, steady: bool) -> PointsOutlook:
    """The outlook of replica ``rel``'s points (settled up to ``now``; ``steady``: cycles succeed)."""
    link = rel.link
    settings = rel.settings
    origin, keep = rel.points_anchor, settings.recovery_history
    follows = steady and link is not None and rel.state is ReplicationState.Replicating
    hourly_from: int | None = None
    due: float | None = None
    if rel.state is ReplicationState.FailedOver:
        listed = [] if rel.failed_over_point is None else [rel.failed_over_point]
    elif follows:
        assert link is not None
        first_cycle = link.anchor + link._frequency()
        if origin is not None and keep:
            hourly_from = _hour_at_or_after(first_cycle, origin)
        start = None if hourly_from is None or origin is None else origin + hourly_from * RECOVERY_POINT_INTERVAL
        listed = [p for p in rel.recovery_points() if not p.latest and (start is None or p.time < start)]
        due = first_cycle if now < first_cycle else None
    else:
        listed = rel.recovery_points()
        last = rel.last_replication_time
        if rel.state is not ReplicationState.FailedOverWaitingCompletion and origin is not None and keep \
                and last is not None:
            hour = origin + (_hour_at_or_before(now, origin, strict=False) + 1) * RECOVERY_POINT_INTERVAL
            due = hour if hour < last + RECOVERY_POINT_INTERVAL else None
    primary = link.primary if link is not None else None
    return PointsOutlook(
        points=tuple(_listed(point) for point in listed), follows_cycles=follows, hourly_origin=origin,
        hourly_from=hourly_from, keep=keep, app_consistent_every=settings.vss_snapshot_frequency_hour,
        app_consistent=primary is not None and primary.vm.vss_available(),
        latest_type=(rel.last_replication_type if rel.last_replication_time is not None
                     else ReplicationType.None_).value,
        due=due)
