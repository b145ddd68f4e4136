"""Components that can be out of service (crashed, down, full) watch the fault plan for ``Outage`` rules.

A component ``watch``es a point with its context (``{"node": ...}``); for each Outage rule whose
match admits it, ``down()`` runs when the rule takes effect — when it joins the plan, or at its
``start`` — and ``up()`` when the last such rule in force heals (its window ends, or ``heal``).
Overlapping rules keep the component down until the last one heals. Each taking effect is
recorded as a ``fault.fire``; joining and healing are recorded by the plan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._clock import Scheduler, Timer
from ._faults import FaultPlan, FaultRule, Outage

__all__ = ["Outages"]


@dataclass
class _Watch:
    point: str
    context: Mapping[str, Any]
    down: Callable[[], None]
    up: Callable[[], None]
    active: list[FaultRule] = field(default_factory=list)  # rules in force, in the order they took effect
    pending: dict[str, Timer] = field(default_factory=dict)  # by rule name: rules waiting for their start


class Outages:
    """The watches of one simulation's components, driven by its fault plan."""

    def __init__(self, scheduler: Scheduler, faults: FaultPlan) -> None:
        self._scheduler = scheduler
        self._faults = faults
        self._watches: list[_Watch] = []
        faults.on_add(self._added)
        faults.on_heal(self._healed)

    def watch(self, point: str, context: Mapping[str, Any], *, down: Callable[[], None],
              up: Callable[[], None]) -> None:
        """Call ``down()``/``up()`` as Outage rules at ``point`` for ``context`` take effect and heal."""
        watch = _Watch(point, dict(context), down, up)
        self._watches.append(watch)
        for rule in self._faults.rules:  # outages already in force
            self._admit(watch, rule)

    def down(self, point: str, context: Mapping[str, Any]) -> bool:
        """Is a watched component at ``point`` for ``context`` out of service now?"""
        return any(w.active for w in self._watches if w.point == point and w.context == context)

    def _added(self, rule: FaultRule) -> None:
        for watch in list(self._watches):
            self._admit(watch, rule)

    def _admit(self, watch: _Watch, rule: FaultRule) -> None:
        if not isinstance(rule.action, Outage) or not rule.match.matches(watch.point, watch.context):
            return
        now = self._scheduler.clock.now
        if rule.start is not None and rule.start > now:
            watch.pending[rule.name] = self._scheduler.call_at(rule.start, self._begin, watch, rule,
                                                               label=f"outage:{rule.name}")
        else:
            self._begin(watch, rule)

    def _begin(self, watch: _Watch, rule: FaultRule) -> None:
        watch.pending.pop(rule.name, None)
        if not any(r is rule for r in self._faults.rules):
            return  # healed before it began
        watch.active.append(rule)
        self._faults.took_effect(rule, watch.point, watch.context)
        if len(watch.active) == 1:
            watch.down()

    def _healed(self, rule: FaultRule) -> None:
        for watch in list(self._watches):
            timer = watch.pending.pop(rule.name, None)
            if timer is not None:
                timer.cancel()
            if any(r is rule for r in watch.active):
                watch.active = [r for r in watch.active if r is not rule]
                if not watch.active:
                    watch.up()
