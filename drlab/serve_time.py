"""How virtual time moves in a served lab (``asr-harness serve --time-mode``).

* ``on-poll`` (the default): a poll of a running operation lets the time one real poll interval
  stands for pass (``POLL_ADVANCE``); nothing else moves it. Same seed and requests, same history.
* ``auto``: virtual time runs at ``rate`` virtual seconds per wall second while anything is
  pending — a one-shot event is due (a job's task, a host's transfer, a work item's timeout), a
  Provider polls for real, or a client sent a request in the last ``AUTO_IDLE_AFTER_SECONDS`` (it
  is waiting for something: recovery points to accrue, a health error to show) — so a script that
  polls an item as it would against the real service sees initial replication and a failover end
  within seconds. Once all is idle time stops, so a served lab left alone does not age its
  certificates and registration keys.
* ``manual``: only the control API moves time (``POST /_harness/clock/advance``); the same seed and
  the same requests give the same history.

``ServedClock`` is the served lab's mode: it can change at run time (``PUT /_harness/clock/mode``):
``on-poll`` is the service's ``advance_on_poll``, ``auto`` an ``AutoClock`` ticking as a task on the
server's event loop, started when auto mode begins and cancelled when it ends.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .lab import Lab

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]

__all__ = ["TimeMode", "AutoClock", "ServedClock", "DEFAULT_TIME_RATE", "POLL_ADVANCE", "AUTO_TICK_SECONDS",
           "AUTO_IDLE_AFTER_SECONDS"]

#: Virtual seconds one poll of a still-running job stands for: the interval the real service asks for
#: (``Retry-After: 30``, asr-api.md §3.4), so a job sees the time pass that a real poller would wait.
POLL_ADVANCE = 30.0

#: Policy: auto mode's default rate, virtual seconds per wall second. At 600 an hour of virtual time
#: (a small VM's initial replication over the lab's WAN, a failover's VMM work) takes six seconds.
DEFAULT_TIME_RATE = 600.0

#: Policy: how often, in wall seconds, auto mode moves time (between requests, on the server's loop).
AUTO_TICK_SECONDS = 0.05

#: Policy: for how many wall seconds after a request auto mode counts the client as waiting.
AUTO_IDLE_AFTER_SECONDS = 5.0


class TimeMode(str, Enum):
    """``--time-mode``."""

    ON_POLL = "on-poll"
    AUTO = "auto"
    MANUAL = "manual"


def check_rate(rate: float) -> float:
    """``rate`` if it is a finite number > 0 (virtual seconds per wall second), else ``ValueError``."""
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate < float("inf"):
        raise ValueError(f"the time rate must be a finite number > 0, got {rate!r}")
    return float(rate)


class AutoClock:
    """Moves ``lab``'s virtual time ``rate`` times as fast as ``wall`` while the lab is busy."""

    def __init__(self, lab: Lab, rate: float = DEFAULT_TIME_RATE, *,
                 wall: Callable[[], float] = time.monotonic,
                 on_advance: Callable[[float, float], None] | None = None) -> None:
        self.lab, self.rate, self._wall = lab, check_rate(rate), wall
        self.on_advance = on_advance  # told (from, seconds) after each advance: the served lab's journal
        self._last = wall()
        self._client_until = -float("inf")

    def touch(self) -> None:
        """A client sent a request: it is waiting for something for the next few seconds."""
        self._client_until = self._wall() + AUTO_IDLE_AFTER_SECONDS

    def busy(self) -> bool:
        """A one-shot event is due, a Provider polls for real, or a client is waiting."""
        return (self._wall() < self._client_until or self.lab.sim.scheduler.pending() > 0
                or any(p.busy for p in self.lab.providers.values()))

    def step(self) -> float:
        """Advance by ``rate`` x the wall time since the last step if the lab is busy; the virtual
        seconds advanced (0 when idle: the wall time that passed idle is not made up later)."""
        now = self._wall()
        elapsed, self._last = now - self._last, now
        if elapsed <= 0 or not self.busy():
            return 0.0
        seconds, start = elapsed * self.rate, self.lab.now
        self.lab.advance(seconds)
        if self.on_advance is not None:
            self.on_advance(start, seconds)
        return seconds

    async def run(self, tick: float = AUTO_TICK_SECONDS) -> None:
        """Step every ``tick`` wall seconds until cancelled (on the server's event loop, so between
        requests: the service is only ever touched from that one thread)."""
        while True:
            await asyncio.sleep(tick)
            self.step()


class ServedClock:
    """The time mode of a served lab, switchable while it serves (module docstring).

    ``bind(lab)`` points it at the lab being served (again after a reset); ``run()`` is the server's
    background task: while it runs, auto mode has a loop to tick on. The mode and rate outlive a reset.
    """

    def __init__(self, mode: TimeMode = TimeMode.ON_POLL, rate: float = DEFAULT_TIME_RATE, *,
                 wall: Callable[[], float] = time.monotonic, tick: float = AUTO_TICK_SECONDS) -> None:
        self.mode, self.rate = TimeMode(mode), check_rate(rate)
        self._wall, self._tick = wall, tick
        self._lab: Lab | None = None
        self.auto: AutoClock | None = None  # auto mode's clock on the bound lab
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self.on_advance: Callable[[float, float], None] | None = None  # given to each AutoClock

    def bind(self, lab: Lab) -> None:
        """Serve ``lab`` in the current mode (its polls advance time only in on-poll mode)."""
        self._stop()
        self._lab = lab
        self._apply()

    def set_mode(self, mode: TimeMode, rate: float | None = None) -> None:
        """Switch to ``mode`` (and ``rate``, else the current one) now. Auto mode starts afresh: wall
        time spent in another mode is never made up; whoever asked for it counts as a waiting client."""
        new_rate = self.rate if rate is None else check_rate(rate)
        self._stop()
        self.mode, self.rate = TimeMode(mode), new_rate
        self._apply()
        self.touch()

    def _apply(self) -> None:
        if self._lab is None:
            return
        self._lab.service.advance_on_poll = POLL_ADVANCE if self.mode is TimeMode.ON_POLL else None
        self.auto = AutoClock(self._lab, self.rate, wall=self._wall,
                                on_advance=self.on_advance) if self.mode is TimeMode.AUTO else None
        if self.auto is not None and self._loop is not None:
            self._task = self._loop.create_task(self.auto.run(self._tick))

    def _stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self.auto = None

    @property
    def ticking(self) -> bool:
        """Auto mode's task is running (it needs the server's loop: ``run``)."""
        return self._task is not None and not self._task.done()

    def touch(self) -> None:
        if self.auto is not None:
            self.auto.touch()

    def app(self, app: ASGIApp) -> ASGIApp:
        """``app`` telling auto mode of each request (a client that asks is waiting for something)."""
        async def touched(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope.get("type") == "http":
                self.touch()
            await app(scope, receive, send)
        return touched

    async def run(self) -> None:
        """Until cancelled, on the server's loop: auto mode ticks there (now if it is the mode)."""
        self._loop = asyncio.get_running_loop()
        self._apply()
        try:
            await self._loop.create_future()  # nothing to do but hold the loop until the server stops
        finally:
            self._stop()
            self._loop = None
