"""A machine's workload in closed form: a steady write rate while the machine runs.

``written(t)`` is exact for any ``t`` since the last change, so continuous replication (a later
slice) can compute what a process server received when it is observed, not write by write. The
same shape as ``hyperv_fake``'s workload, kept local: this package imports no other site emulator.
"""

from __future__ import annotations

import math

from .errors import InvalidParameter

__all__ = ["Workload"]


class Workload:
    """Writes ``rate`` sequence numbers per second while running; ``written(t)`` is the last one."""

    __slots__ = ("rate", "_base", "_since")

    def __init__(self, rate: float = 0.0) -> None:
        if rate < 0 or not math.isfinite(rate):
            raise InvalidParameter(f"a write rate must be a finite number >= 0, not {rate!r}")
        self.rate = rate
        self._base = 0
        self._since: float | None = None

    @property
    def running(self) -> bool:
        return self._since is not None

    def written(self, t: float) -> int:
        """The last sequence number written by virtual time ``t`` (``t`` >= the last change)."""
        if self._since is None:
            return self._base
        return self._base + math.floor((t - self._since) * self.rate + 1e-9)

    def start(self, t: float) -> None:
        if self._since is None:
            self._since = t

    def stop(self, t: float) -> None:
        self._base, self._since = self.written(t), None

    def set_rate(self, rate: float, t: float) -> None:
        if rate < 0 or not math.isfinite(rate):
            raise InvalidParameter(f"a write rate must be a finite number >= 0, not {rate!r}")
        running = self.running
        self.stop(t)
        self.rate = rate
        if running:
            self.start(t)
