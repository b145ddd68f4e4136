"""A drill's fault plan as data: a JSON list of fault rules, each as the control API takes it
(``drlab.control_faults``, the shape of ``FaultRule.describe()``), with its window in **seconds
from the drill's start** — the instant the recovery plan's first operation is sent, after
protection — so one plan file means the same at any seed::

    [{"action": "partition", "match": {"src": "vmm-ny", "dst": "asr", "bidirectional": true},
      "start": 60, "end": 420},
     {"action": "drop", "match": {"point": "net.send", "src": "hv-ny-1"}, "probability": 0.3, "duration": 900}]

``duration`` counts from the drill's start too. Generated rules go through this form before they
are added (``plan_of``, then ``rules_of``), so a campaign run, its saved file and its replay add
bit-identical rules. A bad plan raises ``FaultPlanError`` naming the rule and the field.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from asr_emulator.errors import ArmError
from simcore import FaultRule

from ..control_faults import node_resolver, rule_from_json, rule_to_json
from ..control_wire import InvalidFaultRule

if TYPE_CHECKING:
    from ..lab import Lab

__all__ = ["FaultPlanError", "load_plan", "rules_of", "plan_of", "TIME_DECIMALS"]

#: Policy: a plan's times are kept to the millisecond (what a person writes; and the same float
#: whichever way a run got its plan).
TIME_DECIMALS = 3


class FaultPlanError(ValueError):
    """A fault plan that cannot be read or that names what the lab does not have (one line)."""


def load_plan(text: str) -> list[dict[str, Any]]:
    """The rules of a plan file's ``text``: a JSON list of rule objects (or ``{"rules": [...]}``)."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise FaultPlanError(f"a fault plan is JSON: {error}") from None
    if isinstance(data, dict) and set(data) == {"rules"}:
        data = data["rules"]
    if not isinstance(data, list) or not all(isinstance(rule, dict) for rule in data):
        raise FaultPlanError("a fault plan is a JSON list of fault rules (objects), or {\"rules\": [...]}")
    return data


def _no_dates(_: datetime) -> float:
    raise InvalidFaultRule("a drill's fault plan gives 'start' and 'end' as seconds from the drill's start.")


def rules_of(lab: Lab, plan: Sequence[dict[str, Any]], start: float) -> list[FaultRule]:
    """The ``FaultRule``s of ``plan`` for ``lab``, its times shifted to the drill's ``start``."""
    network = lab.network
    resolve = node_resolver(lambda name: network.node(name).name, lambda: [n.name for n in network.nodes])
    rules = []
    for number, data in enumerate(plan, 1):
        shifted = dict(data)
        for key in ("start", "end"):
            if isinstance(shifted.get(key), (int, float)) and not isinstance(shifted[key], bool):
                shifted[key] = start + shifted[key]
        try:
            rules.append(rule_from_json(shifted, node=resolve, now=start, to_seconds=_no_dates))
        except ArmError as error:
            raise FaultPlanError(f"fault rule {number}: {error.message}") from None
    return rules


def plan_of(rules: Sequence[FaultRule], start: float) -> list[dict[str, Any]]:
    """``rules`` (not yet in a plan) as plan data, their windows relative to the drill's ``start``."""
    plan = []
    for rule in rules:
        data = rule_to_json(rule)
        for key in ("start", "end"):
            if data.get(key) is not None:
                data[key] = round(data[key] - start, TIME_DECIMALS)
        plan.append(data)
    return plan
