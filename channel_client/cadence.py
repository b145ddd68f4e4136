"""When an agent polls (the VMM Provider, a configuration server): every ``interval`` virtual seconds
on its phase, its idle polls stood down (policy ``IDLE_POLLS_ELIDED``, ``simcore.Standings``) while
nothing they depend on can change.

The agent decides whether a poll was idle and what would change its outcome (the guard and the
deadline); ``PollCadence`` owns the timer and the standing, and reads an instant recorded in the
last real poll (the last contact) as if the elided polls had run.
"""

from __future__ import annotations

from collections.abc import Callable

from simcore import Phase, Simulation, Standing, Timer

__all__ = ["PollCadence"]


class PollCadence:
    """The poll timer of the Provider on node ``node``."""

    def __init__(self, sim: Simulation, node: str, interval: float, poll: Callable[[], object]) -> None:
        self.sim, self.node, self.interval, self._poll = sim, node, interval, poll
        self._timer: Timer | None = None
        self._standing: Standing | None = None
        self._peer: str | None = None  # the server node of the last standing

    @property
    def running(self) -> bool:
        return self._timer is not None or self._standing is not None

    @property
    def ticking(self) -> bool:
        """Polling for real (not stood down): something the polls carry may still change."""
        return self._timer is not None

    def start(self) -> None:
        if not self.running:
            self._timer = self.sim.scheduler.call_every(self.interval, self._poll, label=f"provider {self.node}")

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._standing is not None:
            self._standing.end()
            self._standing = None

    def ticking_at(self, tick: float) -> bool:
        """Whether the poll running now is the timer's tick at ``tick`` (not a call from outside)."""
        return self._timer is not None and self._timer.when == tick

    def stand_down(self, tick: float, peer: str, guard: Callable[[], bool], until: float | None) -> None:
        """Stop ticking after the idle poll at ``tick`` until ``guard()`` fails or ``until``."""
        assert self._timer is not None
        self._timer.cancel()
        self._timer = None
        self._peer = peer
        self._standing = self.sim.scheduler.standings.stand(
            self.node, peer, origin=tick, interval=self.interval, guard=guard, resume=self._resume, until=until)
        self.sim.history.record(self.node, "provider.idle", Phase.INFO, {"every": self.interval})

    def recurring(self, value: float | None) -> float | None:
        """``value`` (an instant of the last real poll) as if the elided polls since had run."""
        standing = None if self._peer is None else self.sim.scheduler.standings.latest(self.node, self._peer)
        return value if standing is None else standing.recurring(value, self.sim.clock.now)

    def _resume(self, tick: float) -> None:
        standing, self._standing = self._standing, None
        assert standing is not None
        elided = round((tick - standing.origin) / standing.interval) - 1
        self.sim.history.record(self.node, "provider.idle", Phase.INFO, {"resumes": tick, "elided": elided})
        self._timer = self.sim.scheduler.call_every(self.interval, self._poll, first=tick - self.sim.clock.now,
                                                    label=f"provider {self.node}")
