"""Faults as data: a rule is a match plus an action plus probability, count and time window.

A ``FaultPlan`` is an ordered list of rules. ``check(point, context)`` finds the first rule whose
match, window and remaining count admit the context; that rule alone decides, drawing its
probability from the lab's ``faults`` stream (a rule that loses the draw injects nothing, and later
rules are not consulted — first match wins, as in LocalStack's chaos API and toxiproxy's toxics).
Partitions, outages and clock skews are states, not events (``STATES``): ``check`` never returns
them; ``blocks(context)`` asks whether a partition is active, components watch outages
(``Outages``) and read skews (``Skews``), and healing one tells the listeners (the network flushes
what it held). Every add, firing and heal is recorded
in the lab's history.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ._clock import Scheduler
from ._errors import FaultRuleError
from ._history import History, Phase

__all__ = [
    "Action", "Partition", "Drop", "Delay", "Duplicate", "Reset", "Refuse", "Fail", "Respond",
    "Outage", "Corrupt", "Skew", "STATES", "Match", "FaultRule", "FaultPlan",
]


@dataclass(frozen=True)
class Action:
    """What a rule does when it fires; subclasses name the fault."""

    @property
    def kind(self) -> str:
        return type(self).__name__.lower()


@dataclass(frozen=True)
class Partition(Action):
    """Messages matching the rule are held (as TCP would retransmit) until it heals; connects time out."""


@dataclass(frozen=True)
class Drop(Action):
    """The message is lost; a dropped connect times out."""


@dataclass(frozen=True)
class Delay(Action):
    """Extra latency of ``seconds`` plus a uniform draw in [0, ``jitter``]."""

    seconds: float = 0.0
    jitter: float = 0.0

    def __post_init__(self) -> None:
        for name in ("seconds", "jitter"):
            value = getattr(self, name)
            if not value >= 0 or math.isinf(value):
                raise FaultRuleError(f"Delay.{name} must be a finite number >= 0, got {value!r}")


@dataclass(frozen=True)
class Duplicate(Action):
    """The message is delivered ``1 + copies`` times."""

    copies: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.copies, int) or self.copies < 1:
            raise FaultRuleError(f"Duplicate.copies must be an int >= 1, got {self.copies!r}")


@dataclass(frozen=True)
class Reset(Action):
    """The connection is reset (both ends see ``ConnectionReset``)."""


@dataclass(frozen=True)
class Refuse(Action):
    """A connection attempt is refused (``ConnectionRefused``)."""


@dataclass(frozen=True)
class Fail(Action):
    """For adapters: fail the operation at this point with ``code`` and ``message``."""

    code: str = "InjectedFault"
    message: str = "fault injected"


@dataclass(frozen=True)
class Outage(Action):
    """A state, like a partition: the component at the rule's point is out of service (crashed, down,
    full) from when the rule takes effect until it heals. Components watch for it (``Outages``)."""


@dataclass(frozen=True)
class Skew(Action):
    """A state: the node at the rule's point (``clock``, context ``node``) reads the lab clock plus
    ``seconds`` while the rule is in force — a skewed clock, or one that jumped (forward when
    positive). The lab clock itself never moves backwards; only what the node reads is off."""

    seconds: float = 0.0

    def __post_init__(self) -> None:
        seconds = self.seconds
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
            raise FaultRuleError(f"Skew.seconds must be a finite number, got {self.seconds!r}")


@dataclass(frozen=True)
class Corrupt(Action):
    """For adapters holding data: what passes the point (a log, a recovery point) is corrupted, and
    the component finds out when it uses it."""


@dataclass(frozen=True)
class Respond(Action):
    """For request/response adapters: answer ``status`` with error ``code`` and ``message`` instead of
    serving the request, with a ``Retry-After`` of ``retry_after`` seconds when given (throttling, an outage)."""

    status: int = 503
    code: str = "ServiceUnavailable"
    message: str = "fault injected"
    retry_after: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.status, bool) or not isinstance(self.status, int) or not 400 <= self.status <= 599:
            raise FaultRuleError(f"Respond.status must be an error status (400-599), got {self.status!r}")
        if self.retry_after is not None and (isinstance(self.retry_after, bool) or not isinstance(self.retry_after, int)
                                             or self.retry_after < 0):
            raise FaultRuleError(f"Respond.retry_after must be None or an int >= 0, got {self.retry_after!r}")
        if not self.code:
            raise FaultRuleError("Respond.code must name the error")


STATES = (Partition, Outage, Skew)
"""The actions that are states (in force over a window, healed), not events drawn per check."""


def _names(value: str | tuple[str, ...] | None) -> frozenset[str] | None:
    if value is None:
        return None
    return frozenset((value,) if isinstance(value, str) else value)


@dataclass(frozen=True)
class Match:
    """Which contexts a rule applies to; ``None`` matches anything.

    ``point`` names the fault point (``net.connect``, ``net.send``, an adapter's own); a trailing
    ``*`` matches a prefix. ``src``/``dst`` take a node name or a tuple of names;
    ``bidirectional`` also matches the reverse direction. ``where`` compares further context keys.
    """

    point: str | None = None
    src: str | tuple[str, ...] | None = None
    dst: str | tuple[str, ...] | None = None
    port: int | None = None
    bidirectional: bool = False
    where: Mapping[str, Any] = field(default_factory=dict)

    def matches(self, point: str, context: Mapping[str, Any]) -> bool:
        if self.point is not None:
            if self.point.endswith("*"):
                if not point.startswith(self.point[:-1]):
                    return False
            elif point != self.point:
                return False
        if self.port is not None and context.get("port") != self.port:
            return False
        for key, value in self.where.items():
            if context.get(key) != value:
                return False
        src, dst = _names(self.src), _names(self.dst)
        if src is None and dst is None:
            return True
        forward = self._ends_match(src, dst, context.get("src"), context.get("dst"))
        return forward or (self.bidirectional and self._ends_match(src, dst, context.get("dst"), context.get("src")))

    @staticmethod
    def _ends_match(src: frozenset[str] | None, dst: frozenset[str] | None, a: Any, b: Any) -> bool:
        return (src is None or a in src) and (dst is None or b in dst)

    def describe(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if v not in (None, False, {})}
        for key in ("src", "dst"):
            if isinstance(out.get(key), tuple):
                out[key] = list(out[key])
        return out


@dataclass(eq=False)
class FaultRule:
    """``action`` applied where ``match`` holds, within [``start``, ``end``) virtual seconds,
    with ``probability`` per check and at most ``count`` firings (None: unlimited)."""

    action: Action
    match: Match = field(default_factory=Match)
    probability: float = 1.0
    count: int | None = None
    start: float | None = None
    end: float | None = None
    name: str = ""
    #: When the rule joined a plan (virtual seconds); set by ``FaultPlan.add``.
    added_at: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.action, Action) or type(self.action) is Action:
            raise FaultRuleError(f"a rule needs a fault action (Partition, Drop, ...), got {self.action!r}")
        if not 0.0 <= self.probability <= 1.0:
            raise FaultRuleError(f"probability must be within [0, 1], got {self.probability!r}")
        if self.count is not None and (not isinstance(self.count, int) or self.count < 1):
            raise FaultRuleError(f"count must be an int >= 1 or None, got {self.count!r}")
        if self.start is not None and self.end is not None and not self.end > self.start:
            raise FaultRuleError(f"empty window: end {self.end!r} is not after start {self.start!r}")
        if isinstance(self.action, STATES) and (self.probability != 1.0 or self.count is not None):
            raise FaultRuleError(f"a {type(self.action).__name__} is a state: it takes a window or a heal, "
                                 "not a probability or count")

    def active_at(self, now: float) -> bool:
        return (self.start is None or now >= self.start) and (self.end is None or now < self.end)

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.name, "action": self.action.kind, "match": self.match.describe()}
        params = {k: v for k, v in asdict(self.action).items()}
        if params:
            out["params"] = params
        for key in ("probability", "count", "start", "end"):
            value = getattr(self, key)
            if value is not None and not (key == "probability" and value == 1.0):
                out[key] = value
        return out


class FaultPlan:
    """The lab's ordered fault rules; the network and every adapter consult it."""

    def __init__(self, scheduler: Scheduler, history: History, rng: random.Random) -> None:
        self._scheduler = scheduler
        self._history = history
        self._rng = rng
        self._rules: list[FaultRule] = []
        self._fired: dict[int, int] = {}
        self._counter = 0
        self._add_listeners: list[Callable[[FaultRule], None]] = []
        self._heal_listeners: list[Callable[[FaultRule], None]] = []

    @property
    def rules(self) -> tuple[FaultRule, ...]:
        return tuple(self._rules)

    def on_add(self, listener: Callable[[FaultRule], None]) -> None:
        """Call ``listener(rule)`` whenever a rule joins the plan (after it is recorded)."""
        self._add_listeners.append(listener)

    def on_heal(self, listener: Callable[[FaultRule], None]) -> None:
        """Call ``listener(rule)`` whenever a rule stops applying (healed, expired or used up)."""
        self._heal_listeners.append(listener)

    def add(self, rule: FaultRule) -> FaultRule:
        """Append ``rule`` (it applies after every rule added before it) and record it."""
        if any(existing is rule for existing in self._rules):
            raise FaultRuleError(f"rule {rule.name!r} is already in the plan")
        now = self._scheduler.clock.now
        if rule.end is not None and rule.end <= now:
            raise FaultRuleError(f"rule window ends at {rule.end!r}, which is not after now ({now!r})")
        self._counter += 1
        if not rule.name:
            rule.name = f"fault-{self._counter}"
        rule.added_at = now
        self._rules.append(rule)
        self._fired[id(rule)] = 0
        self._history.record("nemesis", "fault.start", Phase.INFO, rule.describe())
        for listener in self._add_listeners:
            listener(rule)
        if rule.end is not None:  # the rule heals itself when its window closes
            self._scheduler.call_at(rule.end, self._window_end, rule, label=f"fault-window:{rule.name}")
        return rule

    def fired(self, rule: FaultRule) -> int:
        """How many times ``rule`` has fired since it joined the plan (0 once it has left it)."""
        return self._fired.get(id(rule), 0)

    def heal(self, rule: FaultRule | str) -> None:
        """Remove one rule (by object or name) and record the heal."""
        target = self._find(rule)
        self._remove(target, "healed")

    def heal_all(self) -> None:
        """Remove every rule, in order (Jepsen's final generator)."""
        for rule in list(self._rules):
            self._remove(rule, "healed")

    def _find(self, rule: FaultRule | str) -> FaultRule:
        for candidate in self._rules:
            if candidate is rule or candidate.name == rule:
                return candidate
        raise FaultRuleError(f"no rule {getattr(rule, 'name', rule)!r} in the plan")

    def _remove(self, rule: FaultRule, why: str) -> None:
        self._rules.remove(rule)
        self._fired.pop(id(rule), None)
        self._history.record("nemesis", "fault.heal", Phase.INFO, {"rule": rule.name, "why": why})
        for listener in self._heal_listeners:
            listener(rule)

    def _window_end(self, rule: FaultRule) -> None:
        if rule in self._rules:
            self._remove(rule, "window ended")

    def check(self, point: str, context: Mapping[str, Any]) -> Action | None:
        """The action to inject at ``point`` for ``context``, or None. Partitions are not returned
        here: ask ``blocks``."""
        now = self._scheduler.clock.now
        for rule in self._rules:
            if isinstance(rule.action, STATES) or not rule.active_at(now):
                continue
            if not rule.match.matches(point, context):
                continue
            if rule.probability < 1.0 and not self._rng.random() < rule.probability:
                return None
            self._fired[id(rule)] += 1
            self._history.record("nemesis", "fault.fire", Phase.INFO,
                                 {"rule": rule.name, "action": rule.action.kind, "point": point, **_plain(context)})
            if rule.count is not None and self._fired[id(rule)] >= rule.count:
                self._remove(rule, "count used up")
            return rule.action
        return None

    def took_effect(self, rule: FaultRule, point: str, context: Mapping[str, Any]) -> None:
        """Record that state rule ``rule`` (an Outage) took effect at ``point`` for ``context``."""
        self._fired[id(rule)] = self._fired.get(id(rule), 0) + 1
        self._history.record("nemesis", "fault.fire", Phase.INFO,
                             {"rule": rule.name, "action": rule.action.kind, "point": point, **_plain(context)})

    def blocks(self, point: str, context: Mapping[str, Any]) -> FaultRule | None:
        """The active partition rule that blocks ``context`` at ``point``, if any."""
        now = self._scheduler.clock.now
        for rule in self._rules:
            if isinstance(rule.action, Partition) and rule.active_at(now) and rule.match.matches(point, context):
                return rule
        return None


def _plain(context: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON-representable part of a context, for the history."""
    return {k: v for k, v in context.items() if isinstance(v, (str, int, float, bool)) or v is None}
