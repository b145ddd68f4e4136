"""A VM's workload in closed form: a steady write rate while the VM runs.

``written(t)`` is exact for any ``t`` since the last change (power or rate), so replication can be
computed when observed instead of write by write. Every change first folds the running segment
into ``base``, so a workload is one linear segment at a time.
"""

from __future__ import annotations

import math

from ._image import DataImage

__all__ = ["Workload"]


class Workload:
    """Writes ``rate`` sequence numbers per second while running; ``image(t)`` is the disk's content."""

    __slots__ = ("rate", "bytes_per_write", "writer", "_image", "_since")

    def __init__(self, image: DataImage, *, writer: str, rate: float = 0.0, bytes_per_write: int) -> None:
        self.rate = rate
        self.bytes_per_write = bytes_per_write
        self.writer = writer
        self._image = image
        self._since: float | None = None  # running since, or None when not writing

    @property
    def running(self) -> bool:
        return self._since is not None

    def written(self, t: float) -> int:
        """The last sequence number written by virtual time ``t`` (``t`` >= the last change)."""
        if self._since is None or self.rate <= 0.0:
            return self._image.last
        return self._image.last + math.floor((t - self._since) * self.rate + 1e-9)

    def image(self, t: float) -> DataImage:
        return self._image.extended(self.writer, self.written(t))

    def time_of(self, seq: int) -> float:
        """When sequence number ``seq`` is (or was) written; ``inf`` if the workload never reaches it."""
        if seq <= self._image.last:
            return -math.inf
        if self._since is None or self.rate <= 0.0:
            return math.inf
        return self._since + (seq - self._image.last) / self.rate

    def start(self, t: float) -> None:
        self._fold(t)
        self._since = t

    def stop(self, t: float) -> None:
        self._fold(t)
        self._since = None

    def set_rate(self, t: float, rate: float) -> None:
        self._fold(t)
        self.rate = rate

    def replace(self, t: float, image: DataImage, writer: str) -> None:
        """The disk now holds ``image`` (a failover or revert); ``writer``'s writes continue from it."""
        self._image = image
        self.writer = writer
        if self._since is not None:
            self._since = t

    def _fold(self, t: float) -> None:
        self._image = self.image(t)
        if self._since is not None:
            self._since = t
