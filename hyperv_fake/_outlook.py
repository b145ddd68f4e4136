"""What a management server can know of one VM's replication until something happens: the
``Get-VMReplication`` value now, the discrete phase of its initial replication, the closed form of
its last replication time while cycles succeed, and the next instant any of that changes with no call.

Not a Hyper-V cmdlet: the emulator's answer to a question VMM would answer by polling its hosts.
Replication here is computed when observed (``Link``), so between two events the only things that
move with time alone are these, each at an instant known in advance:

* a cycle fails because a block (partition, paused or missing replica, unreachable listener,
  expired certificate) holds at it, and a failing link retries on its back-off;
* health crosses a threshold of §2.5: more than an hour behind, more than 20 % of the interval's
  cycles missed, the monitoring interval closing and its counters starting afresh;
* the tracking log of a primary that does not ship passes 50 % of its disks (§2.6).

``next_change`` is the earliest of those after now (conservative: nothing that is reported changes
before it, though it may change nothing). While cycles succeed (``cycle_anchor`` set) the last
replication time at ``t`` is ``cycle_anchor + k*f`` for the largest ``k >= 1`` with that not after
``t``, and ``last_replication_time`` before the first such cycle; neither needs a new reading, so a
healthy replicating VM costs nothing per cycle. A replica's recovery points come the same way
(``_points_outlook``), their one due instant folded into ``next_change``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from ._enums import ReplicationMode, ReplicationState
from ._health import BEHIND_WARNING_SECONDS, MISSED_CYCLES_WARNING
from ._link import _TRACKING, RESYNC_LOG_FRACTION
from ._points_outlook import PointsOutlook, points_outlook
from ._relationship import INITIAL_REPLICATION_STATES, VMReplication

if TYPE_CHECKING:
    from ._hostbase import HostBase
    from ._link import Link
    from ._relationship import Relationship

__all__ = ["InitialReplicationStatus", "ReplicationOutlook", "outlook"]

_BEHIND_TRACKED = frozenset({ReplicationState.Replicating, ReplicationState.Suspended})


class InitialReplicationStatus(str, Enum):
    """Where a relationship's initial replication stands, in discrete steps (no percentage)."""

    NotStarted = "NotStarted"
    Scheduled = "Scheduled"
    InProgress = "InProgress"
    WaitingForImport = "WaitingForImport"
    Completed = "Completed"


@dataclass(frozen=True)
class ReplicationOutlook:
    """One VM's replication as of ``at`` and how long that reading holds (see the module docstring).

    Times are virtual seconds. ``last_replication_time`` is the last log applied (replica) or
    acknowledged (primary) — while ``cycle_anchor`` is set, as of the anchor, before its first cycle.
    ``points``: a replica's recovery points (None for a primary).
    """

    replication: VMReplication
    at: float
    initial_replication: InitialReplicationStatus
    last_replication_time: float | None
    cycle_anchor: float | None
    next_change: float | None
    points: PointsOutlook | None = None


def outlook(host: HostBase, rel: Relationship, replication: VMReplication) -> ReplicationOutlook:
    """The outlook of ``rel`` (settled up to now; ``replication`` is its ``Get-VMReplication``)."""
    now = host.now
    link = rel.link
    steady = link is not None and link.primary.ships and link.episode is None
    if steady:
        assert link is not None
        anchor: float | None = link.anchor
        last = link.anchored_last
    else:
        anchor, last = None, rel.last_replication_time
    points = points_outlook(rel, now, steady=steady) if rel.mode is ReplicationMode.Replica else None
    changes = [at for at in (None if link is None else next_change(link, now), None if points is None else points.due)
               if at is not None]
    return ReplicationOutlook(replication, now, initial_replication(rel), last, anchor, min(changes, default=None),
                              points)


def initial_replication(rel: Relationship) -> InitialReplicationStatus:
    """The phase of the initial replication the relationship's primary drives (§2.2)."""
    source = rel if rel.is_primary else (rel.link.primary if rel.link is not None else None)
    if source is None:
        return (InitialReplicationStatus.NotStarted if rel.state in INITIAL_REPLICATION_STATES
                else InitialReplicationStatus.Completed)
    if source.state is ReplicationState.ReadyForInitialReplication:
        return InitialReplicationStatus.NotStarted
    if source.state is ReplicationState.InitialReplicationInProgress:
        return InitialReplicationStatus.InProgress
    if source.state is ReplicationState.WaitingForInitialReplication:
        return InitialReplicationStatus.WaitingForImport if source.export_done else InitialReplicationStatus.Scheduled
    return InitialReplicationStatus.Completed


def next_change(link: Link, now: float) -> float | None:
    """The earliest instant after ``now`` at which settling ``link`` could change a side's state,
    health, steadiness or anchor, with no call in between; None if nothing ever does."""
    primary = link.primary
    frequency = link._frequency()
    steady = primary.ships and link.episode is None
    found: list[float] = []
    if primary.ships:
        if link.episode is not None:  # the next retry succeeds, fails for good, or tries again
            found.append(link.episode.next_after(now))
        else:  # the first cycle a block holds at fails
            found.extend(link._next_cycle(max(now, block.start)) for block in link._blocks(now, math.inf)
                         if block.end > now)
    if not steady and primary.state in _TRACKING:  # the tracking log passing half the disks (§2.6)
        size = primary.vm.replicated_bytes(primary.settings)
        if size:
            workload = primary.vm.workload
            threshold = math.floor(RESYNC_LOG_FRACTION * size / workload.bytes_per_write)
            crossing = workload.time_of(primary.applied.last + threshold + 1)
            found.append(max(crossing, math.nextafter(now, math.inf)))  # passed already: due at the next settle
    for side in link._sides():
        last = side.last_replication_time
        if last is not None and side.state in _BEHIND_TRACKED:  # "behind by more than an hour"
            behind = math.nextafter(last + BEHIND_WARNING_SECONDS, math.inf)
            if not steady or behind < link._next_cycle(now):  # it becomes so before a cycle refreshes it
                found.append(behind)
            if steady and now - last > BEHIND_WARNING_SECONDS:  # the next cycle ends it
                found.append(link._next_cycle(now))
        stats = side.stats
        missed = stats.miss_ratio > MISSED_CYCLES_WARNING
        if missed or link.episode is not None:  # the interval closes: counters start afresh
            found.append(_next_boundary(side.vm.host, now))
        successes, misses = stats.success_count, stats.miss_count
        if steady and missed:  # successful cycles bring the ratio back to 20 %
            found.append(link.anchor + (link._cycle_index(now) + max(1, 4 * misses - successes)) * frequency)
        elif link.episode is not None and not missed:  # missed cycles take it past 20 %
            cycles = max(1, math.floor(successes / 4 - misses) + 1)
            found.append(link.anchor + (link._cycle_index(now) + cycles) * frequency)
    return min((t for t in found if now < t < math.inf), default=None)


def _next_boundary(host: HostBase, now: float) -> float:
    interval, origin = host._monitoring()
    boundary = origin + (math.floor((now - origin) / interval) + 1) * interval
    return boundary if boundary > now else boundary + interval
