"""One simulation: the clock, scheduler, seeded randomness, history, fault plan and network,
wired together so that the same seed and the same calls give the same history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ._clock import DEFAULT_EPOCH, Clock, Scheduler
from ._faults import FaultPlan
from ._history import History
from ._network import Network
from ._outages import Outages
from ._skew import Skews
from ._randomness import LabRandom

__all__ = ["Simulation"]


class Simulation:
    """The kernel every emulator runs on; ``advance``/``run_until``/``run_until_idle`` move time."""

    def __init__(self, seed: int = 0, *, epoch: datetime = DEFAULT_EPOCH) -> None:
        self.random = LabRandom(seed)
        self.clock = Clock(epoch)
        self.scheduler = Scheduler(self.clock)
        self.history = History(lambda: self.clock.now)
        self.faults = FaultPlan(self.scheduler, self.history, self.random.stream("faults"))
        self.network = Network(self.scheduler, self.history, self.faults, self.random.stream("network"))
        self.outages = Outages(self.scheduler, self.faults)
        self.skews = Skews(self.scheduler, self.faults)

    @property
    def seed(self) -> int:
        return self.random.seed

    def advance(self, seconds: float) -> None:
        self.scheduler.advance(seconds)

    def run_until(self, until: float | datetime | Callable[[], bool], *, within: float | None = None) -> None:
        self.scheduler.run_until(until, within=within)

    def run_until_idle(self) -> int:
        return self.scheduler.run_until_idle()
