"""Fault rules as the control API's JSON: the same ``simcore`` rules a test adds in process, as data.

    {"id": "cut-ny",                      optional; else the plan names it fault-N
     "action": "partition",               partition | drop | delay | duplicate | reset | refuse | fail |
                                          respond | outage | skew | corrupt  (drlab/FAULTS.md)
     "params": {"seconds": 2, "jitter": 1},            the action's fields (delay; duplicate: copies;
                                                       fail: code, message; skew: seconds;
                                                       respond: status, code, message, retry_after)
     "match": {"point": "net.*", "src": "vmm-ny", "dst": ["asr"], "port": 443,
               "bidirectional": true, "where": {"cmdlet": "New-SCVirtualMachine"}},
     "probability": 0.5, "count": 3,      not for a partition (a state: it takes a window or a heal)
     "start": 0, "end": "2026-01-01T02:00:00Z", "duration": 600}    virtual seconds or ISO 8601;
                                                       duration: end = now + duration

``rule_from_json`` builds a ``FaultRule`` (node names resolved by the lab's network: a name, address
or FQDN; every error a 400 naming the field); ``rule_to_json`` is its inverse, and what the Python
client sends for a ``FaultRule`` it is given; ``fault_json`` adds what the plan knows of a rule in it.
A match is one-way unless ``bidirectional`` — as in process.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

from simcore import (
    Action, Corrupt, Delay, Drop, Duplicate, Fail, FaultPlan, FaultRule, FaultRuleError, Match, Outage, Partition,
    Refuse, Reset, Respond, Skew,
)

from .control_wire import (
    MAX_ADVANCE_SECONDS, InvalidFaultRule, UnknownNode, boolean, instant, integer, number, string, unknown,
)

__all__ = ["FAULT_POINTS", "RULE_FIELDS", "rule_from_json", "rule_to_json", "fault_json", "node_resolver"]

#: Fact (the code): the fault points the lab's emulators consult, with the context keys ``match``
#: and ``where`` can test at each.
FAULT_POINTS: dict[str, tuple[str, ...]] = {
    "net.connect": ("src", "dst", "port"),  # simcore's network: opening a connection
    "net.send": ("src", "dst", "port", "conn"),  # a message on a connection (partitions hold it)
    "vmm.cmdlet": ("node", "cmdlet"),  # a VMM cmdlet (scvmm_fake): Fail makes it fail
    "vmm.job": ("node", "cmdlet", "job"),  # a VMM job committing
    "asr.task": ("job", "scenario", "task", "target"),  # an ASR job's task (Fail fails the job)
    "arm.request": ("method", "path", "operation"),  # the ARM front door (Respond, Fail, Delay, Drop, Reset)
    "pki.validate": ("node", "subject", "use"),  # a certificate chain judged (Fail: EXPIRED, REVOKED, ...)
    "asr.registration": ("vault", "key"),  # a registration key presented (Fail: expired)
    "proxy.auth": ("node",),  # the Providers' proxy (Fail: credentials changed, 407)
    "provider.process": ("node",),  # a VMM server's Provider (Outage: crashed until healed)
    "vmm.server": ("node",),  # a VMM server (Outage: down)
    "hyperv.host": ("node",),  # a Hyper-V host (Outage: crashed, rebooted when healed)
    "hyperv.storage": ("node",),  # a replica host's storage (Outage: full)
    "hyperv.log": ("src", "dst", "port", "vm", "traffic"),  # a replication log (Drop, Corrupt, Duplicate)
    "clock": ("node",),  # what a node's clock reads (Skew)
}

_ACTIONS: dict[str, type[Action]] = {cls.__name__.lower(): cls
                                     for cls in (Partition, Drop, Delay, Duplicate, Reset, Refuse, Fail, Respond,
                                                 Outage, Skew, Corrupt)}
RULE_FIELDS = ("id", "action", "params", "match", "probability", "count", "start", "end", "duration")
_MATCH_FIELDS = ("point", "src", "dst", "port", "bidirectional", "where")

#: Policy: a rule's id — what ``DELETE /_harness/faults/{id}`` names — is 1-64 URL-safe characters;
#: ``fault-…`` is the plan's own naming (``fault-N``), so a chosen id never collides with one it makes.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_POINT = re.compile(r"[A-Za-z0-9._-]{1,100}\*?|\*")
#: Policy: at most this many copies, names per end, ``where`` keys per rule (faults are few and small).
MAX_COPIES, MAX_NAMES, MAX_WHERE = 100, 32, 16


def _respond_field(key: str, value: Any) -> Any:
    """One of ``Respond``'s params: an error status, a Retry-After in seconds (or null), or text."""
    if key == "status":
        return integer(value, "params.status", low=400, high=599, refuse=InvalidFaultRule)
    if key == "retry_after":
        return None if value is None else integer(value, "params.retry_after", low=0, high=86_400,
                                                  refuse=InvalidFaultRule)
    return string(value, f"params.{key}", refuse=InvalidFaultRule)


def _action(kind: Any, params: Any) -> Action:
    name = string(kind, "action", refuse=InvalidFaultRule)
    cls = _ACTIONS.get(name)
    if cls is None:
        raise InvalidFaultRule(f"'action' must be one of {', '.join(_ACTIONS)}, got '{name[:50]}'.", target="action")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise InvalidFaultRule("'params' must be a JSON object.", target="params")
    unknown(params, tuple(asdict(cls())), "params")  # the action's own fields, as its dataclass names them
    if cls is Delay:
        values: dict[str, Any] = {key: number(params[key], f"params.{key}", high=MAX_ADVANCE_SECONDS,
                                              refuse=InvalidFaultRule) for key in params}
    elif cls is Skew:
        values = {key: number(params[key], f"params.{key}", low=-MAX_ADVANCE_SECONDS, high=MAX_ADVANCE_SECONDS,
                              refuse=InvalidFaultRule) for key in params}
    elif cls is Duplicate:
        values = {key: integer(params[key], f"params.{key}", low=1, high=MAX_COPIES, refuse=InvalidFaultRule)
                  for key in params}
    elif cls is Respond:
        values = {key: _respond_field(key, params[key]) for key in params}
    else:
        values = {key: string(params[key], f"params.{key}", refuse=InvalidFaultRule) for key in params}
    return cls(**values)


def _node_names(value: Any, name: str, node: Callable[[str], str]) -> str | tuple[str, ...]:
    names = value if isinstance(value, list) else [value]
    if not names or len(names) > MAX_NAMES:
        raise InvalidFaultRule(f"'{name}' must be a node name or a list of 1 to {MAX_NAMES} names.", target=name)
    resolved = tuple(node(string(item, name, refuse=InvalidFaultRule)) for item in names)
    return resolved[0] if not isinstance(value, list) else resolved


def _where(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or len(value) > MAX_WHERE:
        raise InvalidFaultRule(f"'match.where' must be a JSON object of at most {MAX_WHERE} fields.",
                               target="match.where")
    for key, item in value.items():
        if len(key) > 100 or not (item is None or isinstance(item, (str, bool, int))) or (
                isinstance(item, str) and len(item) > 200):
            raise InvalidFaultRule("'match.where' compares context keys to strings, whole numbers, booleans or "
                                   "null.", target=f"match.where.{key[:100]}")
    return dict(value)


def _match(value: Any, node: Callable[[str], str]) -> Match:
    if value is None:
        return Match()
    if not isinstance(value, dict):
        raise InvalidFaultRule("'match' must be a JSON object.", target="match")
    unknown(value, _MATCH_FIELDS, "match")
    fields: dict[str, Any] = {}
    if value.get("point") is not None:
        point = string(value["point"], "match.point", refuse=InvalidFaultRule)
        if not _POINT.fullmatch(point):
            raise InvalidFaultRule(f"'match.point' is a fault point such as {', '.join(FAULT_POINTS)} (a trailing * "
                                   "matches a prefix).", target="match.point")
        fields["point"] = point
    for end in ("src", "dst"):
        if value.get(end) is not None:
            fields[end] = _node_names(value[end], f"match.{end}", node)
    if value.get("port") is not None:
        fields["port"] = integer(value["port"], "match.port", low=0, high=65535, refuse=InvalidFaultRule)
    if "bidirectional" in value:
        fields["bidirectional"] = boolean(value["bidirectional"], "match.bidirectional", refuse=InvalidFaultRule)
    if "where" in value:
        fields["where"] = _where(value["where"])
    return Match(**fields)


def rule_from_json(data: Mapping[str, Any], *, node: Callable[[str], str], now: float,
                   to_seconds: Callable[[datetime], float]) -> FaultRule:
    """The ``FaultRule`` ``data`` describes (module docstring); ``node`` resolves a node name or alias to
    the lab's name (raising ``UnknownNode``), ``now`` is the lab's time, for ``duration``."""
    unknown(dict(data), RULE_FIELDS, "body")
    if "action" not in data:
        raise InvalidFaultRule("A fault rule needs an 'action'.", target="action")
    name = ""
    if data.get("id") is not None:
        name = string(data["id"], "id", refuse=InvalidFaultRule)
        if not _ID.fullmatch(name) or name.startswith("fault-"):
            raise InvalidFaultRule("'id' must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or "
                                   "digit, and not 'fault-…' (the ids the lab makes).", target="id")
    window: dict[str, float | None] = {}
    for key in ("start", "end"):
        window[key] = None if data.get(key) is None else instant(data[key], key, to_seconds, refuse=InvalidFaultRule)
    if data.get("duration") is not None:
        if window["end"] is not None:
            raise InvalidFaultRule("Give 'end' or 'duration', not both.", target="duration")
        window["end"] = now + number(data["duration"], "duration", high=MAX_ADVANCE_SECONDS, refuse=InvalidFaultRule)
    probability = 1.0 if data.get("probability") is None else number(
        data["probability"], "probability", high=1.0, refuse=InvalidFaultRule)
    count = None if data.get("count") is None else integer(data["count"], "count", low=1, high=2**31 - 1,
                                                           refuse=InvalidFaultRule)
    try:
        return FaultRule(_action(data["action"], data.get("params")), _match(data.get("match"), node),
                         probability=probability, count=count, start=window["start"], end=window["end"], name=name)
    except FaultRuleError as error:
        raise InvalidFaultRule(str(error), target="body") from None


def rule_to_json(rule: FaultRule) -> dict[str, Any]:
    """``rule`` as the control API takes it (what ``rule_from_json`` reads back to an equal rule)."""
    out = rule.describe()  # the history's form of a rule, its name under "rule"
    name = out.pop("rule")
    return {"id": name, **out} if name else out


def fault_json(plan: FaultPlan, rule: FaultRule, now: float) -> dict[str, Any]:
    """A rule in ``plan`` as the control API lists it: its JSON, when it was added, whether it applies
    now, how often it has fired, and what is left of its count and its window."""
    fired = plan.fired(rule)
    return {**rule_to_json(rule), "added_at": rule.added_at, "active": rule.active_at(now), "fired": fired,
            "remaining_count": None if rule.count is None else rule.count - fired,
            "remaining_seconds": None if rule.end is None else max(rule.end - now, 0.0)}


def node_resolver(names: Callable[[str], str], known: Callable[[], list[str]]) -> Callable[[str], str]:
    """``names`` (the network's lookup, raising ``KeyError``) as a resolver refusing with ``UnknownNode``."""
    def resolve(name: str) -> str:
        try:
            return names(name)
        except KeyError:
            raise UnknownNode(f"The lab has no node named or addressed '{name[:100]}'; its nodes are "
                              f"{', '.join(known())}.", target="match") from None
    return resolve
