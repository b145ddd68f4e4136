"""Replication attempts for the closed-form link: spans that refuse them, and episodes of retries.

A ``Block`` is a span ``(start, end]`` in which an attempt meets ``refusal`` (a partition, a paused
or gone replica, an expired certificate, a lost log). An ``Episode`` is a run of failed attempts
that began at ``since``, retried with the back-off of ``RetryPolicy`` (§3.6); a late log's episode
(policy TRAFFIC_FAULT_EFFECTS) has one "retry", its landing, and ``carries`` the cycle it shipped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ._errors import Refusal
from .policy import RetryPolicy

__all__ = ["EPS", "Block", "Episode", "refusal_at", "stretch_end"]

EPS = 1e-9


@dataclass(frozen=True)
class Block:
    start: float
    end: float
    refusal: Refusal

    def holds(self, t: float) -> bool:
        return self.start < t <= self.end


@dataclass
class Episode:
    """A run of failed attempts that began at ``since``; retries follow the back-off of ``RetryPolicy``."""

    since: float
    refusal: Refusal
    policy: RetryPolicy
    carries: float | None = None  # a late log: the cycle whose writes it carries (None: a failure)

    def retry(self, n: int) -> float:
        """The instant of the ``n``-th retry (n >= 1)."""
        backoff = self.policy.backoff
        if n <= len(backoff):
            return self.since + sum(backoff[:n])
        return self.since + sum(backoff) + (n - len(backoff)) * self.policy.steady

    def retries_until(self, t: float) -> int:
        """How many retries fall in ``(since, t]``."""
        offsets, total = [], 0.0
        for step in self.policy.backoff:
            total += step
            offsets.append(total)
        early = sum(1 for offset in offsets if self.since + offset <= t + EPS)
        if early < len(offsets):
            return early
        return early + max(0, math.floor((t - self.since - total) / self.policy.steady + EPS))

    def next_after(self, t: float) -> float:
        return self.retry(self.retries_until(t) + 1)


def refusal_at(blocks: list[Block], t: float) -> Refusal | None:
    """The refusal an attempt at ``t`` meets: a non-recoverable one wins over a recoverable one."""
    found = [block.refusal for block in blocks if block.holds(t)]
    return min(found, key=lambda refusal: refusal.recoverable) if found else None


def stretch_end(blocks: list[Block], t: float) -> float:
    """The end of the blocked stretch that follows ``t`` (overlapping blocks joined; ``t`` if none)."""
    end = t
    while True:
        covering = [block.end for block in blocks if block.start <= end < block.end]
        if not covering:
            return end
        end = max(covering)
