"""What each node's clock reads under ``Skew`` rules (point ``clock``, context ``node``).

A node reads the lab clock plus the offsets of the Skew rules in force for it (they add up). The
components read their node's time here where the real product reads its own clock: certificate
validity and registration-key checks, timestamps they report. Each rule's taking effect (when it
joins the plan, or at its ``start``) is recorded as a ``fault.fire``; joining and healing as usual.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ._clock import Scheduler
from ._faults import FaultPlan, FaultRule, Skew

__all__ = ["CLOCK_POINT", "Skews"]

CLOCK_POINT = "clock"


class Skews:
    """One simulation's node clocks."""

    def __init__(self, scheduler: Scheduler, faults: FaultPlan) -> None:
        self._scheduler = scheduler
        self._faults = faults
        faults.on_add(self._added)

    def offset(self, node: str) -> float:
        """Seconds ``node``'s clock is ahead of the lab clock now (negative: behind)."""
        now = self._scheduler.clock.now
        context = {"node": node}
        return sum(rule.action.seconds for rule in self._faults.rules
                   if isinstance(rule.action, Skew) and rule.active_at(now)
                   and rule.match.matches(CLOCK_POINT, context))

    def now(self, node: str) -> float:
        """``node``'s reading of the clock, in lab seconds."""
        return self._scheduler.clock.now + self.offset(node)

    def utcnow(self, node: str) -> datetime:
        """``node``'s reading of the clock as an aware UTC datetime."""
        return self._scheduler.clock.utcnow() + timedelta(seconds=self.offset(node))

    def _added(self, rule: FaultRule) -> None:
        if not isinstance(rule.action, Skew):
            return
        now = self._scheduler.clock.now
        if rule.start is not None and rule.start > now:
            self._scheduler.call_at(rule.start, self._effect, rule, label=f"skew:{rule.name}", background=True)
        else:
            self._effect(rule)

    def _effect(self, rule: FaultRule) -> None:
        if any(r is rule for r in self._faults.rules):
            self._faults.took_effect(rule, CLOCK_POINT, {"seconds": rule.action.seconds})  # type: ignore[attr-defined]
