"""The control API's wire (``/_harness/``): its error codes, the bounds it puts on input, and the readers
of its JSON bodies and query parameters.

Every refusal is an ``ArmError`` (so it answers as ARM's error envelope, a 4xx, ``target`` naming the
field) raised before anything changes. Bodies go through the ARM surface's own reader first
(``asr_emulator.wire.body``: size 413, media type 415, JSON and its depth 400), then these readers,
which refuse unknown fields (a misspelt one would otherwise be ignored silently), wrong JSON types,
NaN and infinities, and values beyond the bounds below.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from asr_emulator.errors import (
    ArmError, BadRequest, Conflict, InvalidQueryParameter, InvalidRequestContent, ResourceNotFound, UnsupportedQueryParameter,
)
from asr_emulator.http import HttpRequest
from asr_emulator.policy import MAX_QUERY_VALUE_CHARS
from asr_emulator.wire.body import echo, read_body
from asr_emulator.wire.call import JSON_TYPES
from asr_emulator.wire.query import parse_query

__all__ = [
    "MAX_ADVANCE_SECONDS", "MAX_TIME_RATE", "HISTORY_LIMIT_DEFAULT", "HISTORY_LIMIT_MAX", "SEED_RANGE",
    "InvalidClockAdvance", "ClockCannotGoBack", "InvalidTimeMode", "InvalidTimeRate", "InvalidFaultRule", "UnknownNode",
    "FaultNotFound", "FaultExists", "InvalidSeed", "InvalidSnapshotId", "SnapshotNotFound",
    "InvalidTopology", "TopologyChangeRefused", "StateNotSaved",
    "body_object", "unknown", "query_params", "number", "integer", "string", "boolean", "instant",
]

#: Policy: the most virtual time one ``clock/advance`` may move (a year and a day): long enough for
#: retention, certificate and key expiry experiments, short enough that a typo (``1e12``) is refused
#: instead of running the lab for millennia while the server answers nobody else.
MAX_ADVANCE_SECONDS = 366 * 86_400.0

#: Policy: the highest auto-mode rate the control API sets (a virtual day per wall second); one
#: tick then moves at most ~72 virtual minutes.
MAX_TIME_RATE = 86_400.0

#: Policy: events one history answer holds by default, and at most (``limit``); ask again with
#: ``after`` for the next ones.
HISTORY_LIMIT_DEFAULT = 1_000
HISTORY_LIMIT_MAX = 10_000

#: Policy: a seed is a signed 64-bit integer (what every non-Python client can represent exactly).
SEED_RANGE = (-(2**63), 2**63 - 1)


class InvalidClockAdvance(BadRequest):
    """An advance that is not a finite number of seconds >= 0 within ``MAX_ADVANCE_SECONDS``."""

    code = "InvalidClockAdvance"


class ClockCannotGoBack(BadRequest):
    """``advance {"to": t}`` with ``t`` before the lab's now: virtual time only moves forward."""

    code = "ClockCannotGoBack"


class InvalidTimeMode(BadRequest):
    code = "InvalidTimeMode"


class InvalidTimeRate(BadRequest):
    """An auto-mode rate that is not a number of virtual seconds per wall second in (0, ``MAX_TIME_RATE``]."""

    code = "InvalidTimeRate"


class InvalidFaultRule(BadRequest):
    """A fault rule the kernel would not take (``simcore.FaultRuleError``), or malformed as JSON."""

    code = "InvalidFaultRule"


class UnknownNode(BadRequest):
    """A fault names a node the lab does not have (the message lists those it has)."""

    code = "UnknownNode"


class FaultNotFound(ResourceNotFound):
    code = "FaultNotFound"


class FaultExists(Conflict):
    code = "FaultAlreadyExists"


class InvalidSeed(BadRequest):
    code = "InvalidSeed"


class StateNotSaved(ArmError):
    """The served lab's journal could not be written: the change is not acknowledged, and the lab takes
    no more (``serve_lab``)."""

    status = 503
    code = "StateNotSaved"


class InvalidTopology(BadRequest):
    """A host, cloud or VM the lab would refuse to build (its message is the lab's)."""

    code = "InvalidTopology"


class TopologyChangeRefused(Conflict):
    """A topology change VMM refused (its message is VMM's)."""

    code = "TopologyChangeRefused"


class InvalidSnapshotId(BadRequest):
    code = "InvalidSnapshotId"


class SnapshotNotFound(ResourceNotFound):
    code = "SnapshotNotFound"


Refusal = Callable[..., BadRequest]


def body_object(request: HttpRequest, allowed: Collection[str]) -> dict[str, Any]:
    """The request's JSON object (no body: ``{}``), every field one of ``allowed``."""
    content = read_body(request)
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise InvalidRequestContent(f"The request content must be a JSON object, not {_kind(content)}.",
                                    target="body")
    unknown(content, allowed, "body")
    return content


def unknown(fields: dict[str, Any], allowed: Collection[str], where: str) -> None:
    """400 for the first field of ``fields`` not in ``allowed``."""
    for name in fields:
        if name not in allowed:
            raise InvalidRequestContent(f"Unknown field '{echo(name)}' in {where}; expected one of: "
                                        f"{', '.join(sorted(allowed))}.", target=f"{where}.{echo(name)}")


def query_params(request: HttpRequest, allowed: Collection[str]) -> dict[str, str]:
    """The query's parameters (names as sent, case-sensitive), each one of ``allowed`` and given once.
    ``api-version`` is accepted and ignored: clients built for ARM send it everywhere."""
    query = parse_query(request.url.partition("?")[2])
    out: dict[str, str] = {}
    for name, values in query.values.items():
        if name == "api-version":
            continue
        if name not in allowed:
            raise UnsupportedQueryParameter(f"The query parameter '{echo(name)}' is not supported here; expected "
                                            f"one of: {', '.join(sorted(allowed))}.", target=name)
        if len(values) > 1:
            raise InvalidQueryParameter(f"The query parameter '{name}' is given {len(values)} times.", target=name)
        if len(values[0]) > MAX_QUERY_VALUE_CHARS:
            raise InvalidQueryParameter(f"The query parameter '{name}' is longer than {MAX_QUERY_VALUE_CHARS} "
                                        "characters.", target=name)
        out[name] = values[0]
    return out


def _kind(value: Any) -> str:
    return "null" if value is None else JSON_TYPES.get(type(value), type(value).__name__)


def number(value: Any, name: str, *, low: float = 0.0, high: float = math.inf,
           refuse: Refusal = InvalidRequestContent) -> float:
    """``value`` as a finite number within [``low``, ``high``]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise refuse(f"'{name}' must be a number, not {_kind(value)}.", target=name)
    if not math.isfinite(value) or not low <= value <= high:
        raise refuse(f"'{name}' must be a finite number from {low:.10g} to {high:.10g}, got {value!r}.", target=name)
    return float(value)


def integer(value: Any, name: str, *, low: int, high: int, refuse: Refusal = InvalidRequestContent) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise refuse(f"'{name}' must be a whole number, not {_kind(value)}.", target=name)
    if not low <= value <= high:
        raise refuse(f"'{name}' must be from {low} to {high}, got {echo(str(value))}.", target=name)
    return value


def string(value: Any, name: str, *, max_chars: int = 200, refuse: Refusal = InvalidRequestContent) -> str:
    if not isinstance(value, str) or not value:
        raise refuse(f"'{name}' must be a non-empty string, not {_kind(value)}.", target=name)
    if len(value) > max_chars:
        raise refuse(f"'{name}' must be at most {max_chars} characters.", target=name)
    return value


def boolean(value: Any, name: str, *, refuse: Refusal = InvalidRequestContent) -> bool:
    if not isinstance(value, bool):
        raise refuse(f"'{name}' must be true or false, not {_kind(value)}.", target=name)
    return value


def instant(value: Any, name: str, to_seconds: Callable[[datetime], float], *,
            refuse: Refusal = InvalidRequestContent) -> float:
    """A virtual instant: seconds since the lab's epoch, or an ISO 8601 date-time with its UTC offset
    (a naive one is refused: which zone it meant is unknown)."""
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            raise refuse(f"'{name}' must be seconds or an ISO 8601 date-time, got '{echo(value)}'.",
                         target=name) from None
        if when.tzinfo is None or when.utcoffset() is None:
            raise refuse(f"'{name}' must state its UTC offset (e.g. 2026-01-01T01:00:00Z), got '{echo(value)}'.",
                         target=name)
        try:
            value = to_seconds(when)
        except OverflowError:
            raise refuse(f"'{name}' is out of range: '{echo(value)}'.", target=name) from None
    return number(value, name, low=-math.inf, refuse=refuse)
