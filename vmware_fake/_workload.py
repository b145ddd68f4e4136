"""A machine's workload in closed form: a steady write rate while the machine runs.

``written(t)`` is exact for any ``t``, past ones included: each change (start, stop, rate) appends a
segment, so replication can tell what a recovery point at ``t`` holds when it is taken, not write by
write. The same shape as ``hyperv_fake``'s workload, kept local: this package imports no other site
emulator. A recovery VM's workload starts from the point it was made of (``base``), numbering on.
"""

from __future__ import annotations

import bisect
import math

from .errors import InvalidParameter

__all__ = ["Workload"]


def _checked(rate: float) -> float:
    if rate < 0 or not math.isfinite(rate):
        raise InvalidParameter(f"a write rate must be a finite number >= 0, not {rate!r}")
    return rate


class Workload:
    """Writes ``rate`` sequence numbers per second while running; ``written(t)`` is the last one by ``t``."""

    __slots__ = ("rate", "running", "_at", "_base", "_speed")

    def __init__(self, rate: float = 0.0, *, base: int = 0) -> None:
        self.rate = _checked(rate)
        self.running = False
        # segments, oldest first: from _at[i] on, _base[i] written and _speed[i] more per second
        self._at: list[float] = [-math.inf]
        self._base: list[int] = [base]
        self._speed: list[float] = [0.0]

    def written(self, t: float) -> int:
        """The last sequence number written by virtual time ``t``."""
        i = bisect.bisect_right(self._at, t) - 1
        if not self._speed[i]:
            return self._base[i]
        return self._base[i] + math.floor((t - self._at[i]) * self._speed[i] + 1e-9)

    def start(self, t: float) -> None:
        if not self.running:
            self.running = True
            self._segment(t)

    def stop(self, t: float) -> None:
        if self.running:
            self.running = False
            self._segment(t)

    def set_rate(self, rate: float, t: float) -> None:
        self.rate = _checked(rate)
        self._segment(t)

    def rebase(self, written: int, t: float) -> None:
        """From ``t`` on the disks hold sequence ``written`` (recovered from a point) and go on from it."""
        self._segment(t)
        self._base[-1] = written

    def _segment(self, t: float) -> None:
        """From ``t`` (not before the last change) on, write at the rate if running."""
        base, speed = self.written(t), self.rate if self.running else 0.0
        if t == self._at[-1]:
            self._base[-1], self._speed[-1] = base, speed
        else:
            self._at.append(t)
            self._base.append(base)
            self._speed.append(speed)
