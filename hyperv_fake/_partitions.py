"""When each partition of the lab's fault plan was in force, so closed-form replication can honour it.

Replication between two observations is computed after the fact, so it needs the *past* of the
fault plan: which partitions blocked a pair, from when to when. ``FaultPlan`` announces heals
(``on_heal``) but not additions, so the start of each partition is read from the ``fault.start``
event the plan records in the lab's history (a cursor follows the history; each event is read once).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from simcore import FaultRule, Partition, Simulation

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
        self._cursor = 0
        self._spans: list[_Span] = []
        sim.faults.on_heal(self._healed)

    def blocked(self, contexts: Sequence[Mapping[str, Any]], since: float, until: float) -> list[tuple[float, float]]:
        """Sorted, merged spans overlapping ``(since, until]`` that block any of ``contexts`` at ``net.send``."""
        self._catch_up()
        spans = sorted(
            (span.begin, span.until()) for span in self._spans
            if span.begin <= until and span.until() > since
            and any(span.rule.match.matches("net.send", context) for context in contexts)
        )
        merged: list[tuple[float, float]] = []
        for begin, end in spans:
            if merged and begin <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((begin, end))
        return merged

    def _healed(self, rule: FaultRule) -> None:
        if not isinstance(rule.action, Partition):
            return
        self._catch_up(healed=rule)
        now = self._sim.clock.now
        for span in self._spans:
            if span.rule is rule and span.end == math.inf:
                span.end = now

    def _catch_up(self, healed: FaultRule | None = None) -> None:
        history = self._sim.history
        while self._cursor < len(history):
            event = history[self._cursor]
            self._cursor += 1
            if event.op == "fault.start" and event.details.get("action") == "partition":
                rule = self._resolve(str(event.details["rule"]), healed)
                if rule is not None:
                    start = rule.start if rule.start is not None else -math.inf
                    self._spans.append(_Span(rule, max(event.time, start)))

    def _resolve(self, name: str, healed: FaultRule | None) -> FaultRule | None:
        """The rule object behind a ``fault.start`` event: the one healing now, or one still in the plan."""
        candidates = ([healed] if healed is not None else []) + list(self._sim.faults.rules)
        for rule in candidates:
            if rule.name == name and not any(span.rule is rule for span in self._spans):
                return rule
        return None
