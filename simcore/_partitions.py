"""When each partition of the lab's fault plan was in force, so closed-form replication can honour it.

Replication between two observations is computed after the fact, so it needs the *past* of the
fault plan: which partitions blocked a pair, from when to when. The plan announces each rule as it
joins (``on_add``, with ``added_at``) and as it heals (``on_heal``); this keeps the spans.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._faults import FaultRule, Partition
from ._simulation import Simulation

__all__ = ["PartitionTimeline"]


@dataclass
class _Span:
    rule: FaultRule
    begin: float
    end: float = math.inf

    def until(self) -> float:
        return min(self.end, self.rule.end) if self.rule.end is not None else self.end


class PartitionTimeline:
    """The ``[begin, end)`` spans of every Partition rule of one simulation."""

    def __init__(self, sim: Simulation) -> None:
        self._sim = sim
        self._spans: list[_Span] = []
        for rule in sim.faults.rules:  # partitions already in force when the fabric was built
            self._added(rule)
        sim.faults.on_add(self._added)
        sim.faults.on_heal(self._healed)

    def blocked(self, contexts: Sequence[Mapping[str, Any]], since: float, until: float, *,
                touching: bool = True) -> list[tuple[float, float]]:
        """Sorted, merged spans overlapping ``(since, until]`` that block any of ``contexts`` at ``net.send``;
        spans that only touch (one heals as the next begins) merge unless ``touching`` is False, for a
        caller to whom that instant of heal counts (a backlog drained at it)."""
        spans = sorted(
            (span.begin, span.until()) for span in self._spans
            if span.begin <= until and span.until() > since
            and any(span.rule.match.matches("net.send", context) for context in contexts)
        )
        merged: list[tuple[float, float]] = []
        for begin, end in spans:
            if merged and (begin < merged[-1][1] or touching and begin == merged[-1][1]):
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((begin, end))
        return merged

    def _added(self, rule: FaultRule) -> None:
        if isinstance(rule.action, Partition):
            assert rule.added_at is not None
            start = rule.start if rule.start is not None else -math.inf
            self._spans.append(_Span(rule, max(rule.added_at, start)))

    def _healed(self, rule: FaultRule) -> None:
        now = self._sim.clock.now
        for span in self._spans:
            if span.rule is rule and span.end == math.inf:
                span.end = now
