"""Virtual time: a UTC clock that only moves forward, and the event scheduler that moves it.

The scheduler is a binary heap of ``(when, sequence, timer)`` entries, so events run in
non-decreasing time and ties run in scheduling order. Periodic timers are *background* work:
``run_until_idle`` stops when only they remain, the way trio's ``MockClock`` autojump treats
"nothing but sleepers" as idle.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from ._errors import DeadlineExceeded, SchedulingError
from ._standing import Standings

__all__ = ["DEFAULT_EPOCH", "Clock", "Scheduler", "Timer"]

#: Where every lab's virtual time starts unless told otherwise.
DEFAULT_EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _next_tick(last: float, interval: float, now: float) -> float:
    """The periodic timer's next tick at or after ``now``, on its phase.

    A callback that runs the scheduler itself (a client waiting for its answer) may carry the
    clock past several ticks; those ticks are coalesced, as an OS timer coalesces missed
    expirations, rather than re-armed in the past, which would move the clock backwards.
    Closed form, so a long nested run costs nothing per missed tick.
    """
    tick = last + interval
    if tick >= now:
        return tick
    tick = last + interval * math.ceil((now - last) / interval)
    return tick if tick >= now else tick + interval  # rounding may land a hair short


class Clock:
    """Virtual UTC time as seconds since ``epoch``; only the scheduler moves it forward."""

    __slots__ = ("epoch", "_now", "_watchers")

    def __init__(self, epoch: datetime = DEFAULT_EPOCH) -> None:
        if epoch.tzinfo is None or epoch.utcoffset() != timedelta(0):
            raise SchedulingError(f"the clock's epoch must be timezone-aware UTC, got {epoch!r}")
        self.epoch = epoch
        self._now = 0.0
        self._watchers: list[Callable[[float], None]] = []

    @property
    def now(self) -> float:
        """Seconds of virtual time since the epoch."""
        return self._now

    def utcnow(self) -> datetime:
        """The current virtual instant as an aware UTC ``datetime``."""
        return self.epoch + timedelta(seconds=self._now)

    def to_datetime(self, t: float) -> datetime:
        return self.epoch + timedelta(seconds=t)

    def to_seconds(self, when: datetime) -> float:
        if when.tzinfo is None:
            raise SchedulingError(f"naive datetime {when!r}: virtual instants are timezone-aware")
        return (when - self.epoch).total_seconds()

    def watch(self, watcher: Callable[[float], None]) -> Callable[[], None]:
        """Call ``watcher(now)`` whenever time moves; returns a function that stops watching."""
        self._watchers.append(watcher)
        watcher(self._now)
        return lambda: self._watchers.remove(watcher)

    def _set(self, t: float) -> None:
        if t != self._now:
            self._now = t
            for watcher in self._watchers:
                watcher(t)


class Timer:
    """A scheduled callback; ``cancel()`` it to stop it running (again, if periodic)."""

    __slots__ = ("when", "callback", "args", "interval", "cancelled", "label", "_owner")

    def __init__(
        self,
        when: float,
        callback: Callable[..., Any],
        args: tuple[Any, ...],
        interval: float | None,
        label: str,
    ) -> None:
        self.when = when
        self.callback = callback
        self.args = args
        self.interval = interval
        self.cancelled = False
        self.label = label
        self._owner: Scheduler | None = None  # set while a one-shot timer is still due

    @property
    def periodic(self) -> bool:
        return self.interval is not None

    def cancel(self) -> None:
        """Stop the timer; cancelling twice, or after a one-shot ran, does nothing. The callback and
        its arguments are let go at once: a cancelled timer stays in the queue until its instant, and
        what its callback holds (a job's whole run, say) would live that long, walked again by every
        full collection of the garbage collector."""
        if self._owner is not None:
            self._owner._foreground -= 1
            self._owner = None
        if not self.cancelled:
            self.label = self.label or getattr(self.callback, "__name__", "")
            self.callback, self.args = _never, ()
        self.cancelled = True

    def __repr__(self) -> str:
        state = "cancelled" if self.cancelled else f"at {self.when:g}"
        return f"<Timer {self.label or self.callback.__name__} {state}>"


def _never(*_args: Any) -> None:
    """What a cancelled timer would call (it never runs)."""


class Scheduler:
    """Runs callbacks at virtual instants, in (time, scheduling order)."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock if clock is not None else Clock()
        self._queue: list[tuple[float, int, Timer]] = []
        self._sequence = 0
        self._foreground = 0  # live one-shot timers: what keeps run_until_idle busy
        #: Periodic exchanges stood down while idle; their guards are checked after every event.
        self.standings = Standings(self)

    # -- scheduling ---------------------------------------------------------------------------

    def call_at(self, when: float | datetime, callback: Callable[..., Any], *args: Any, label: str = "",
                background: bool = False) -> Timer:
        """Run ``callback(*args)`` at virtual instant ``when`` (seconds or aware datetime).

        A ``background`` timer, like a periodic one, does not keep ``run_until_idle`` busy.
        """
        t = self.clock.to_seconds(when) if isinstance(when, datetime) else float(when)
        if not t >= self.clock._now:  # also refuses NaN
            raise SchedulingError(f"cannot schedule at {t!r}: the clock is already at {self.clock.now!r}")
        timer = Timer(t, callback, args, None, label)
        if not background:
            timer._owner = self
            self._foreground += 1
        self._sequence += 1
        heapq.heappush(self._queue, (t, self._sequence, timer))
        return timer

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any, label: str = "") -> Timer:
        """Run ``callback(*args)`` after ``delay`` virtual seconds (0 runs after what is due now)."""
        if not delay >= 0 or math.isinf(delay):
            raise SchedulingError(f"delay must be a finite number >= 0, got {delay!r}")
        return self._push(Timer(self.clock.now + delay, callback, args, None, label))

    def call_every(
        self,
        interval: float,
        callback: Callable[..., Any],
        *args: Any,
        first: float | None = None,
        label: str = "",
    ) -> Timer:
        """Run ``callback(*args)`` every ``interval`` seconds, first after ``first`` (default: one interval).

        Periodic timers are background work: they never keep ``run_until_idle`` busy.
        """
        if not interval > 0 or math.isinf(interval):
            raise SchedulingError(f"interval must be a finite number > 0, got {interval!r}")
        delay = interval if first is None else first
        if not delay >= 0 or math.isinf(delay):
            raise SchedulingError(f"first delay must be a finite number >= 0, got {first!r}")
        return self._push(Timer(self.clock.now + delay, callback, args, interval, label))

    def _push(self, timer: Timer) -> Timer:
        if timer.interval is None:
            self._foreground += 1
            timer._owner = self
        self._sequence += 1
        heapq.heappush(self._queue, (timer.when, self._sequence, timer))
        return timer

    # -- running ------------------------------------------------------------------------------

    def pending(self) -> int:
        """How many one-shot (foreground) timers are still due, cancelled ones excluded."""
        return self._foreground

    @property
    def pushed(self) -> int:
        """How many times a timer was queued (periodic reruns included): it moves whenever anything is
        scheduled, so a caller can tell whether a call changed the schedule."""
        return self._sequence

    def next_due(self) -> float | None:
        """The instant of the next live timer, or None."""
        self._drop_cancelled_head()
        return self._queue[0][0] if self._queue else None

    def _drop_cancelled_head(self) -> None:
        queue = self._queue
        while queue and queue[0][2].cancelled:
            heapq.heappop(queue)

    def _run_one(self) -> None:
        """Pop and run the head of the queue (the caller checked it is live and due)."""
        when, _, timer = heapq.heappop(self._queue)
        clock = self.clock
        if clock._watchers:
            clock._set(when)
        else:
            clock._now = when  # the hot path: nobody watches the clock
        if timer.interval is None:
            if timer._owner is not None:
                self._foreground -= 1
                timer._owner = None
            timer.callback(*timer.args)
        else:
            timer.callback(*timer.args)
            if not timer.cancelled:
                timer.when = _next_tick(when, timer.interval, clock._now)
                self._sequence += 1
                heapq.heappush(self._queue, (timer.when, self._sequence, timer))
        if self.standings:
            self.standings.check()

    def run_until(
        self,
        until: float | datetime | Callable[[], bool],
        *,
        within: float | None = None,
    ) -> None:
        """Run events up to an instant, or until ``until()`` is true.

        With an instant, every event due at or before it runs and the clock ends exactly there.
        With a predicate, events run one at a time until it holds; ``within`` bounds the virtual
        time spent, and exceeding it (or running out of events) raises ``DeadlineExceeded``.
        """
        if callable(until):
            self._run_until_true(until, within)
            return
        if within is not None:
            raise SchedulingError("within= bounds a predicate; give run_until an instant or a predicate, not both")
        t = self.clock.to_seconds(until) if isinstance(until, datetime) else float(until)
        if not t >= self.clock.now:
            raise SchedulingError(f"cannot run until {t!r}: the clock is already at {self.clock.now!r}")
        if self.standings:
            self.standings.check()  # what changed between runs (a call from outside any event)
        queue = self._queue
        while queue and queue[0][0] <= t:
            if queue[0][2].cancelled:
                self._drop_cancelled_head()
                continue
            self._run_one()
        self.clock._set(max(t, self.clock._now))  # a nested run inside a callback may have gone further

    def advance(self, seconds: float) -> None:
        """Run everything due in the next ``seconds`` of virtual time."""
        if not seconds >= 0 or math.isinf(seconds):
            raise SchedulingError(f"advance takes a finite number of seconds >= 0, got {seconds!r}")
        self.run_until(self.clock.now + seconds)

    def _run_until_true(self, predicate: Callable[[], bool], within: float | None) -> None:
        if within is not None and (not within >= 0 or math.isinf(within)):
            raise SchedulingError(f"within must be a finite number of seconds >= 0, got {within!r}")
        deadline = math.inf if within is None else self.clock.now + within
        if self.standings:
            self.standings.check()
        while not predicate():
            due = self.next_due()
            if due is None or due > deadline:
                if math.isfinite(deadline) and deadline > self.clock._now:
                    self.clock._set(deadline)
                raise DeadlineExceeded(
                    f"condition still false at t={self.clock.now:g}s"
                    + ("" if due is not None else " and nothing left to run")
                )
            self._run_one()

    def run_until_idle(self, *, max_events: int = 10_000_000) -> int:
        """Run until no one-shot timer is left (periodic timers alone are idle); return events run.

        ``max_events`` guards against work that reschedules itself for ever.
        """
        ran = 0
        queue = self._queue
        run_one = self._run_one
        if self.standings:
            self.standings.check()
        while self._foreground > 0 and queue:
            if queue[0][2].cancelled:
                heapq.heappop(queue)
                continue
            if ran >= max_events:
                raise DeadlineExceeded(f"still busy after {ran} events: something reschedules itself for ever")
            run_one()
            ran += 1
        return ran
