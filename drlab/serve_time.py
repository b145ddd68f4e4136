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
* ``manual``: nothing moves time (the control API's clock will).
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

__all__ = ["TimeMode", "AutoClock", "DEFAULT_TIME_RATE", "AUTO_TICK_SECONDS", "AUTO_IDLE_AFTER_SECONDS"]

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


class AutoClock:
    """Moves ``lab``'s virtual time ``rate`` times as fast as ``wall`` while the lab is busy."""

    def __init__(self, lab: Lab, rate: float = DEFAULT_TIME_RATE, *,
                 wall: Callable[[], float] = time.monotonic) -> None:
        if not rate > 0 or rate == float("inf"):
            raise ValueError(f"the time rate must be a finite number > 0, got {rate!r}")
        self.lab, self.rate, self._wall = lab, rate, wall
        self._last = wall()
        self._client_until = -float("inf")

    def touch(self) -> None:
        """A client sent a request: it is waiting for something for the next few seconds."""
        self._client_until = self._wall() + AUTO_IDLE_AFTER_SECONDS

    def busy(self) -> bool:
        """A one-shot event is due, a Provider polls for real, or a client is waiting."""
        return (self._wall() < self._client_until or self.lab.sim.scheduler.pending() > 0
                or any(p.busy for p in self.lab.providers.values()))

    def app(self, app: ASGIApp) -> ASGIApp:
        """``app`` telling this clock of each request."""
        async def touched(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope.get("type") == "http":
                self.touch()
            await app(scope, receive, send)
        return touched

    def step(self) -> float:
        """Advance by ``rate`` x the wall time since the last step if the lab is busy; the virtual
        seconds advanced (0 when idle: the wall time that passed idle is not made up later)."""
        now = self._wall()
        elapsed, self._last = now - self._last, now
        if elapsed <= 0 or not self.busy():
            return 0.0
        seconds = elapsed * self.rate
        self.lab.advance(seconds)
        return seconds

    async def run(self, tick: float = AUTO_TICK_SECONDS) -> None:
        """Step every ``tick`` wall seconds until cancelled (on the server's event loop, so between
        requests: the service is only ever touched from that one thread)."""
        while True:
            await asyncio.sleep(tick)
            self.step()
