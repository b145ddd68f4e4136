"""Standing exchanges: periodic work the kernel stops running while its outcome cannot change.

A client that polls a server every ``interval`` seconds and finds nothing new does the same idle
exchange again and again; simulating each one makes the cost of a lab grow with virtual time.
Instead, after an idle exchange the client *stands*: it stops its timer and hands the kernel a
``guard`` (is everything the exchange depends on as it was?) and a ``resume`` callback. The kernel
checks the guards after every event it runs and whenever it is asked to run; the first time a guard
fails, or at the standing's ``until`` (a deadline that time alone brings: a certificate expiring),
the exchange resumes on its phase — at the first tick after that instant, as if it had never
stopped. What the elided exchanges would have left behind (a last-heard-from instant) is
derived by ``last(t)``. Cost: O(standings) per event, nothing per elided tick.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._clock import Scheduler, Timer

__all__ = ["Standing", "Standings"]


class Standing:
    """One stood-down periodic exchange between ``node`` and ``peer``, ticking every ``interval``
    from ``origin`` (the instant of its last real tick)."""

    __slots__ = ("node", "peer", "origin", "interval", "guard", "resume", "resumed_at", "_deadline", "_owner")

    def __init__(self, owner: Standings, node: str, peer: str, origin: float, interval: float,
                 guard: Callable[[], bool], resume: Callable[[float], None]) -> None:
        self.node, self.peer = node, peer
        self.origin, self.interval = origin, interval
        self.guard, self.resume = guard, resume
        #: The tick the exchange resumed at (the first real one after the elided), once it has.
        self.resumed_at: float | None = None
        self._deadline: Timer | None = None
        self._owner: Standings | None = owner

    @property
    def standing(self) -> bool:
        return self._owner is not None

    def recurring(self, value: float | None, at: float) -> float | None:
        """What an instant recorded during the exchange at ``origin`` (a request's arrival, a
        reply) reads as at ``at``: its latest elided recurrence, one ``interval`` apart. Instants
        from any other exchange are returned as they are."""
        if value is None or not self.origin <= value < self.origin + self.interval:
            return value
        ticks = math.floor((at - value) / self.interval)
        if self.resumed_at is not None:  # the elided ticks end before the one it resumed at
            ticks = min(ticks, round((self.resumed_at - self.origin) / self.interval) - 1)
        return value + self.interval * max(ticks, 0)

    def next_tick(self, at: float) -> float:
        """The first tick after ``at``, on the exchange's phase. A tick *at* ``at`` counts as
        elided: a run to an instant runs what is due then, before anything that follows it."""
        tick = self.origin + self.interval * max(math.floor((at - self.origin) / self.interval) + 1, 1)
        return tick if tick > at else tick + self.interval

    def end(self) -> None:
        """Stop standing without resuming (the client stopped): no tick after now was elided."""
        if self._owner is not None:
            self.resumed_at = self.next_tick(self._owner._scheduler.clock.now)
            self._owner._drop(self)

    def __repr__(self) -> str:
        state = "standing" if self.standing else "ended"
        return f"<Standing {self.node} -> {self.peer} every {self.interval:g}s from {self.origin:g} {state}>"


class Standings:
    """The scheduler's standing exchanges, keyed by ``(node, peer)``, in the order they stood."""

    def __init__(self, scheduler: Scheduler) -> None:
        self._scheduler = scheduler
        self._by_ends: dict[tuple[str, str], Standing] = {}
        self._latest: dict[tuple[str, str], Standing] = {}  # standing or ended: what ``latest`` reads

    def __bool__(self) -> bool:
        return bool(self._by_ends)

    def stand(self, node: str, peer: str, *, origin: float, interval: float, guard: Callable[[], bool],
              resume: Callable[[float], None], until: float | None = None) -> Standing:
        """Stand the exchange of ``node`` with ``peer`` down; ``resume(tick)`` is called once, with
        the tick the exchange must run at next, when ``guard()`` first fails or at ``until``."""
        former = self.get(node, peer)
        if former is not None:
            self._drop(former)
        standing = Standing(self, node, peer, origin, interval, guard, resume)
        self._by_ends[(node, peer)] = self._latest[(node, peer)] = standing
        if until is not None:
            at = max(until, self._scheduler.clock.now)
            standing._deadline = self._scheduler.call_at(at, self._wake, standing, background=True,
                                                         label=f"standing {node} -> {peer} deadline")
        return standing

    def get(self, node: str, peer: str) -> Standing | None:
        """The exchange of ``node`` with ``peer`` standing now, if any."""
        return self._by_ends.get((node, peer))

    def latest(self, node: str, peer: str) -> Standing | None:
        """The last exchange of ``node`` with ``peer`` that stood, standing or since resumed: what
        ``Standing.recurring`` needs to read instants the elided exchanges would have moved."""
        return self._latest.get((node, peer))

    def check(self) -> None:
        """Resume every exchange whose guard fails now."""
        for standing in [s for s in self._by_ends.values() if not s.guard()]:
            if standing.standing:  # an earlier resume in this pass may have ended it
                self._wake(standing)

    def _wake(self, standing: Standing) -> None:
        self._drop(standing)
        standing.resumed_at = standing.next_tick(self._scheduler.clock.now)
        standing.resume(standing.resumed_at)

    def _drop(self, standing: Standing) -> None:
        if standing._deadline is not None:
            standing._deadline.cancel()
            standing._deadline = None
        if self._by_ends.get((standing.node, standing.peer)) is standing:
            del self._by_ends[(standing.node, standing.peer)]
        standing._owner = None
