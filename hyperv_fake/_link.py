"""The data path of one relationship in closed form: what a steady primary shipped, computed when observed.

A primary ships its log every ``ReplicationFrequencySec`` (§2.7). Between two observations nothing
but time changes — operations, which could change the rules, settle the link first — so the
cycles of a stretch are counted, not run: ``k`` cycles succeeded, the replica holds what the
workload had written at the last of them. Cost grows with what happens (blocks, retries,
recovery points kept), never with virtual time.

What stops a cycle, each as a span ``(start, end]`` carrying the refusal it causes:
* a partition between the two hosts (recoverable: retried with §3.6 back-off, policy RetryPolicy);
* the replica refusing log — paused (recoverable), failed over or gone (not: the primary goes to Error);
* a certificate of the last handshake expiring (not recoverable: authentication error, §3.6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._enums import ReplicationState, ReplicationType
from ._errors import Refusal, RefusalReason
from ._image import DataImage
from ._points import RECOVERY_POINT_INTERVAL, retain
from ._relationship import FAILED_OVER_STATES
from .policy import RetryPolicy

if TYPE_CHECKING:
    from ._fabric import HyperVFabric
    from ._relationship import Relationship

__all__ = ["Link"]

_EPS = 1e-9
RESYNC_LOG_FRACTION = 0.5
"""Tracking logs above 50 % of the replicated disks' size require resynchronisation (§2.6)."""
_TRACKING = frozenset({ReplicationState.Replicating, ReplicationState.Suspended, ReplicationState.Error})


@dataclass(frozen=True)
class _Block:
    start: float
    end: float
    refusal: Refusal

    def holds(self, t: float) -> bool:
        return self.start < t <= self.end


@dataclass(frozen=True)
class _Run:
    """Successful cycles ``first, first + f, ..., last`` (anchored at ``anchor``); ``written`` is the
    last write that ``last`` shipped."""

    first: float
    last: float
    anchor: float
    written: int


@dataclass
class _Episode:
    """A run of failed attempts that began at ``since``; retries follow the back-off of ``RetryPolicy``."""

    since: float
    refusal: Refusal
    policy: RetryPolicy

    def retry(self, n: int) -> float:
        """The instant of the ``n``-th retry (n >= 1)."""
        backoff = self.policy.backoff
        if n <= len(backoff):
            return self.since + sum(backoff[:n])
        return self.since + sum(backoff) + (n - len(backoff)) * self.policy.steady

    def retries_until(self, t: float) -> int:
        """How many retries fall in ``(since, t]``."""
        offsets, total = [], 0.0
        for step in self.policy.backoff:
            total += step
            offsets.append(total)
        early = sum(1 for offset in offsets if self.since + offset <= t + _EPS)
        if early < len(offsets):
            return early
        return early + max(0, math.floor((t - self.since - total) / self.policy.steady + _EPS))

    def next_after(self, t: float) -> float:
        return self.retry(self.retries_until(t) + 1)


class Link:
    """Primary relationship → replica relationship over ``(primary host, replica host, port)``."""

    def __init__(self, fabric: HyperVFabric, primary: Relationship, replica: Relationship, *, port: int) -> None:
        self.fabric = fabric
        self.primary = primary
        self.replica: Relationship | None = replica
        self.port = port
        self.src = primary.vm.host.name
        self.dst = replica.vm.host.name
        now = fabric.sim.clock.now
        self.settled_at = now
        self.anchor = now
        self.anchored_last: float | None = primary.last_replication_time  # the last replication as of ``anchor``
        self.episode: _Episode | None = None
        self.expiry: _Block | None = None
        self.replica_block: _Block | None = None
        self.service_block: _Block | None = None
        self._runs: list[_Run] = []  # this settle's runs, after the last run of the previous one
        primary.link = replica.link = self

    # -- what the hosts tell the link ----------------------------------------------------------------

    @property
    def failing(self) -> Refusal | None:
        """The refusal the primary is retrying after, if it currently cannot send."""
        return self.episode.refusal if self.episode is not None else None

    def restart(self, *, fresh: bool = False) -> None:
        """Cycles start afresh now (after a resume or a settings change; ``fresh`` after a full transfer,
        whose replica starts its recovery points anew)."""
        self.settle()
        self.anchor = self.fabric.sim.clock.now
        self.anchored_last = self.primary.last_replication_time
        self.episode = None
        self.fabric.moved(self.primary.vm.id)
        if fresh:
            self._runs = []
            if self.replica is not None:  # hourly points fall on the cycles from here (policy RECOVERY_POINT_ANCHOR)
                self.replica.points_anchor = self.anchor

    def authenticated(self, expires_at: float, refusal: Refusal) -> None:
        """A handshake succeeded; the first certificate to expire does so at ``expires_at``."""
        self.settle()
        self.expiry = _Block(expires_at, math.inf, refusal) if math.isfinite(expires_at) else None
        self.fabric.moved(self.primary.vm.id)

    def block_replica(self, refusal: Refusal | None) -> None:
        """From now the replica refuses log (paused, failed over, gone), or accepts it again (None)."""
        self.settle()
        now = self.fabric.sim.clock.now
        self.replica_block = None if refusal is None else _Block(now, math.inf, refusal)
        self.fabric.moved(self.primary.vm.id)

    def unreachable(self, refusal: Refusal | None) -> None:
        """From now the Replica server cannot be reached for a reason other than a partition
        (listener gone, firewall), until an exchange succeeds again (None)."""
        self.settle()
        now = self.fabric.sim.clock.now
        self.service_block = None if refusal is None else _Block(now, math.inf, refusal)
        self.fabric.moved(self.primary.vm.id)

    def detach_replica(self) -> None:
        self.block_replica(Refusal(RefusalReason.VM_NOT_FOUND, "replica", "the replica virtual machine was removed"))
        if self.replica is not None:
            self.replica.link = None
        self.replica = None

    def close(self) -> None:
        """The primary side is gone (removed, reversed): nothing ships any more."""
        self.settle()
        self.primary.link = None
        if self.replica is not None:
            self.replica.link = None
        self.fabric.moved(self.primary.vm.id)

    # -- settling ----------------------------------------------------------------------------------

    def settle(self) -> None:
        """Bring both sides up to now: cycles shipped or missed, statistics, recovery points, triggers."""
        now = self.fabric.sim.clock.now
        t0 = self.settled_at
        if now <= t0:
            return
        self._runs = self._runs[-1:]
        closing = [(rel, rel.vm.host.monitoring_boundaries(t0, now)) for rel in self._sides()]
        for boundary in sorted({b for _, bounds in closing for b in bounds}):
            self._advance(boundary)
            for rel, bounds in closing:
                if boundary in bounds:  # only the last interval to close is logged (MONITORING_WINDOWS_LOGGED)
                    rel.vm.host.close_monitoring_window(rel, boundary, log=boundary == bounds[-1])
        self._advance(now)
        self._take_points(t0, now)

    def _advance(self, t1: float) -> None:
        t0 = self.settled_at
        if t1 <= t0:
            return
        stopped = self._ship(t0, t1) if self.primary.ships else t0
        if stopped < t1 and self.primary.state in _TRACKING:
            self._resync_trigger(stopped, t1)
        self.settled_at = t1

    def _blocks(self, t0: float, t1: float) -> list[_Block]:
        contexts = ({"src": self.src, "dst": self.dst, "port": self.port},
                    {"src": self.dst, "dst": self.src, "port": self.port})
        unreachable = Refusal(RefusalReason.CONNECTION_TIMED_OUT, "primary",
                              f"the Replica server {self.dst} is unreachable")
        blocks = [_Block(a, b, unreachable) for a, b in self.fabric.partitions.blocked(contexts, t0, t1)]
        blocks.extend(block for block in (self.replica_block, self.service_block, self.expiry) if block is not None)
        return sorted(blocks, key=lambda block: block.start)

    def _ship(self, t0: float, t1: float) -> float:
        """Cycles, failures and retries in ``(t0, t1]``; returns the instant shipping stopped (t1 if it did not)."""
        blocks = self._blocks(t0, t1)
        pos = t0
        while pos < t1:
            if not self.primary.ships:
                return pos
            if self.episode is not None:
                pos = self._retry(blocks, pos, t1)
                continue
            starts = [block.start for block in blocks if block.end > pos]
            if not any(start <= pos for start in starts):
                clear_end = min([t1, *starts])
                self._cycles_ok(pos, clear_end)
                pos = clear_end
                continue
            cycle = self._next_cycle(pos)
            refusal = _refusal_at(blocks, cycle) if cycle <= t1 else None
            if refusal is not None:
                self._attempt_failed(cycle, refusal)
                pos = cycle
            else:  # the blocked stretch ends before the next cycle: nothing was attempted in it
                pos = min(t1, _stretch_end(blocks, pos))
        return t1

    def _retry(self, blocks: list[_Block], pos: float, t1: float) -> float:
        """Follow the current episode of retries from ``pos``; returns where the primary stands afterwards."""
        episode = self.episode
        assert episode is not None
        retry = episode.next_after(pos)
        while retry <= t1:
            refusal = _refusal_at(blocks, retry)
            if refusal is None or not refusal.recoverable:
                break
            retry = episode.next_after(min(_stretch_end(blocks, retry), t1))
        stop = min(retry, t1)
        attempted = retry <= t1
        missed = self._cycle_index(stop) - self._cycle_index(pos)
        failed = episode.retries_until(stop) - episode.retries_until(pos) - int(attempted)
        for rel in self._sides():
            rel.stats.miss_count += max(0, missed)
            rel.stats.network_failure_count += failed
        if self._resync_trigger(pos, stop) or not attempted:
            return t1
        refusal = _refusal_at(blocks, retry)
        if refusal is not None:
            self._fail(retry, refusal)
            return retry
        self.episode = None
        self.anchor = self.anchored_last = retry
        self._runs.append(_Run(retry, retry, retry, self._deliver(retry, cycles=1).last))
        return retry

    def _attempt_failed(self, at: float, refusal: Refusal) -> None:
        if not refusal.recoverable:
            self._fail(at, refusal)
            return
        self.episode = _Episode(at, refusal, self.fabric.policy.retry)
        for rel in self._sides():
            rel.stats.miss_count += 1
            rel.stats.network_failure_count += 1

    def _fail(self, at: float, refusal: Refusal) -> None:
        """A non-recoverable refusal at ``at``: the primary goes to Error (§3.6) and waits for an admin."""
        self.episode = None
        primary = self.primary
        primary.last_error = refusal
        primary.stats.failure_count += 1
        primary.set_state(ReplicationState.Error, f"replication refused: {refusal.reason.value}", at=at)

    def _resync_trigger(self, t0: float, t1: float) -> bool:
        """The tracking log passing 50 % of the replicated disks (§2.6) in ``(t0, t1]`` requires resync."""
        primary = self.primary
        workload = primary.vm.workload
        size = primary.vm.replicated_bytes(primary.settings)
        if not size:
            return False  # nothing replicated, nothing tracked
        threshold = math.floor(RESYNC_LOG_FRACTION * size / workload.bytes_per_write)
        crossing = max(t0, workload.time_of(primary.applied.last + threshold + 1))
        if crossing > t1:
            return False
        self.episode = None
        primary.set_state(ReplicationState.WaitingForStartResynchronize,
                          "tracking log exceeded 50% of the replicated disks (event 29242)", at=crossing)
        primary.vm.host.resync_required(primary, crossing)
        return True

    # -- shipping ---------------------------------------------------------------------------------

    def _frequency(self) -> float:
        return float(self.primary.settings.replication_frequency_sec)

    def _cycle_index(self, t: float) -> int:
        return math.floor((t - self.anchor) / self._frequency() + _EPS)

    def _next_cycle(self, t: float) -> float:
        return self.anchor + (self._cycle_index(t) + 1) * self._frequency()

    def _cycles_ok(self, t0: float, t1: float) -> None:
        """Every cycle in ``(t0, t1]`` succeeded."""
        first, last = self._cycle_index(t0) + 1, self._cycle_index(t1)
        if last < first:
            return
        frequency = self._frequency()
        image = self._deliver(self.anchor + last * frequency, cycles=last - first + 1)
        self._runs.append(_Run(self.anchor + first * frequency, self.anchor + last * frequency, self.anchor,
                               image.last))

    def _deliver(self, at: float, *, cycles: int) -> DataImage:
        primary = self.primary
        transfer = self.fabric.policy.transfer
        image = primary.vm.workload.image(at)
        ratio = transfer.compression_ratio if primary.settings.compression_enabled else 1.0
        size = int((image.last - primary.applied.last) * primary.vm.workload.bytes_per_write * ratio)
        for rel in self._sides():
            rel.applied_log(image, at, ReplicationType.Regular)
            rel.stats.shipped(cycles, size)
        if self.replica is not None:
            self.replica.vm.guest = primary.vm.guest.copy()  # policy GUEST_TRAVELS_WITH_DISKS
            self.replica.planned_ready = False
        return image

    def _sides(self) -> list[Relationship]:
        return [rel for rel in (self.primary, self.replica) if rel is not None]

    # -- recovery points --------------------------------------------------------------------------------

    def _take_points(self, since: float, until: float) -> None:
        """Hourly points (§2.8) for hours in ``(since, until]`` in which a log was applied, newest kept;
        none once the replica failed over (it runs from its point: Hyper-V takes no more)."""
        replica = self.replica
        if replica is None or replica.points_anchor is None or not self._runs or replica.state in FAILED_OVER_STATES:
            return
        keep = replica.settings.recovery_history
        if not keep:
            return
        origin, hour_s, frequency = replica.points_anchor, RECOVERY_POINT_INTERVAL, self._frequency()
        found: list[tuple[int, int]] = []  # (hour index, last write its point holds), newest first
        upper, upper_strict = until, False  # hours at or after a later run's first cycle belong to that run
        for run in reversed(self._runs):
            # the point at hour h holds the last cycle in (h - 1 h, h]: so first <= h < last + 1 h
            if run.last + hour_s <= upper:
                upper, upper_strict = run.last + hour_s, True
            top = _hour_at_or_before(upper, origin, strict=upper_strict)
            bottom = max(_hour_at_or_before(since, origin, strict=False) + 1, _hour_at_or_after(run.first, origin))
            for hour in range(top, bottom - 1, -1):
                when = origin + hour * hour_s
                if when >= run.last:
                    found.append((hour, run.written))
                else:  # a cycle of this settle, so the workload's current segment covers it
                    cycle = run.anchor + math.floor((when - run.anchor) / frequency + _EPS) * frequency
                    found.append((hour, self.primary.vm.workload.written(cycle)))
                if len(found) == keep:
                    break
            if len(found) == keep:
                break
            upper, upper_strict = run.first, True
        points = [self._point(hour, written) for hour, written in reversed(found)]
        replica.points = retain(replica.points + points, keep)

    def _point(self, hour: int, written: int) -> tuple[float, int, ReplicationType]:
        replica = self.replica
        assert replica is not None and replica.points_anchor is not None
        primary = self.primary
        vss = replica.settings.vss_snapshot_frequency_hour
        kind = ReplicationType.Regular
        if vss and hour % vss == 0:
            if primary.vm.vss_available():
                kind = ReplicationType.ApplicationConsistent
            else:
                primary.stats.app_consistent_failure_count += 1
        return replica.points_anchor + hour * RECOVERY_POINT_INTERVAL, written, kind


def _refusal_at(blocks: list[_Block], t: float) -> Refusal | None:
    """The refusal an attempt at ``t`` meets: a non-recoverable one wins over a recoverable one."""
    found = [block.refusal for block in blocks if block.holds(t)]
    return min(found, key=lambda refusal: refusal.recoverable) if found else None


def _stretch_end(blocks: list[_Block], t: float) -> float:
    """The end of the blocked stretch that follows ``t`` (overlapping blocks joined; ``t`` if none)."""
    end = t
    while True:
        covering = [block.end for block in blocks if block.start <= end < block.end]
        if not covering:
            return end
        end = max(covering)


def _hour_at_or_before(t: float, origin: float, *, strict: bool) -> int:
    """Index of the last hourly instant ``<= t`` (``< t`` when ``strict``) counted from ``origin``."""
    index = math.floor((t - origin) / RECOVERY_POINT_INTERVAL + _EPS)
    if strict and origin + index * RECOVERY_POINT_INTERVAL >= t - _EPS:
        index -= 1
    return index


def _hour_at_or_after(t: float, origin: float) -> int:
    """Index of the first hourly instant ``>= t`` counted from ``origin``."""
    return math.ceil((t - origin) / RECOVERY_POINT_INTERVAL - _EPS)
