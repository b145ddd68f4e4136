"""What a disk holds, as integers: the write sequence numbers 1..last and who wrote each run.

A workload writes 1, 2, 3, ... (reference-free: this is how the harness measures data loss). After
a failover the new primary continues the numbering as a new *writer*, so two copies can be
compared exactly: a copy is a prefix of another when it holds the same writers up to its last
write. Images are immutable and normalised (every run holds at least one write), so equal
content means equal images; a run list stays short (one run per failover in its history).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["DataImage", "EMPTY"]


@dataclass(frozen=True, slots=True)
class DataImage:
    """Writes ``1..last``; ``runs`` holds ``(writer, first_seq)`` for each run, oldest first."""

    runs: tuple[tuple[str, int], ...] = ()
    last: int = 0

    def upto(self, last: int) -> DataImage:
        """The first ``last`` writes of this image."""
        if last >= self.last:
            return self
        return DataImage(tuple(run for run in self.runs if run[1] <= last), last)

    def extended(self, writer: str, last: int) -> DataImage:
        """This image followed by ``writer``'s writes up to ``last``."""
        if last <= self.last:
            return self.upto(last)
        runs = self.runs if self.runs and self.runs[-1][0] == writer else (*self.runs, (writer, self.last + 1))
        return DataImage(runs, last)

    def is_prefix_of(self, other: DataImage) -> bool:
        """True when every write here is in ``other``, from the same writer, at the same place."""
        return self.last <= other.last and other.upto(self.last).runs == self.runs

    def describe(self) -> dict[str, object]:
        return {"last": self.last, "runs": [list(run) for run in self.runs]}

    @classmethod
    def described(cls, description: Mapping[str, Any]) -> DataImage:
        """The image ``describe()`` gave (as a history event carries it)."""
        return cls(tuple((str(writer), int(first)) for writer, first in description["runs"]), int(description["last"]))


EMPTY = DataImage()
