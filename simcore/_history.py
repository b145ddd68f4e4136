"""The lab's history: an append-only list of typed events, as Jepsen records operations.

An operation is an ``invoke`` followed by ``ok`` (it happened), ``fail`` (it definitely did not)
or ``info`` (indeterminate, or a plain observation such as an injected fault). Details are JSON
values, so a history dumps to JSON Lines and loads back equal, event for event.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import IO, Any

from ._errors import HistoryFormatError

__all__ = ["Phase", "Event", "History"]


class Phase(str, Enum):
    """Jepsen's completion types, plus ``invoke`` for the start of an operation."""

    INVOKE = "invoke"
    OK = "ok"
    FAIL = "fail"
    INFO = "info"


_SCALARS = (str, int, bool, type(None))
#: Every phase by itself and by its value: ``record`` takes either, and an ``Enum`` call per event
#: (``Phase("info")``) was a noticeable share of recording a busy lab's history.
_PHASES: dict[Phase | str, Phase] = {**{phase.value: phase for phase in Phase}, **{phase: phase for phase in Phase}}


def _check_json(value: Any, where: str) -> Any:
    """Return ``value`` frozen as plain JSON (dict keys str, lists for tuples), or raise."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:  # the common case: a flat record of names and numbers, told in one loop
        for key, item in value.items():
            of = type(item)
            if type(key) is not str or (of not in _SCALARS and not (of is float and math.isfinite(item))):
                break
        else:
            return dict(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise HistoryFormatError(f"{where}: {value!r} has no JSON form")
        return value
    if isinstance(value, Enum):
        return _check_json(value.value, where)
    if isinstance(value, (str, int)):  # str/int subclasses that are not enums
        return value
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise HistoryFormatError(f"{where}: key {key!r} is not a string")
            out[key] = _check_json(item, f"{where}.{key}")
        return out
    if isinstance(value, (list, tuple)):
        return [_check_json(item, f"{where}[]") for item in value]
    raise HistoryFormatError(f"{where}: {type(value).__name__} value {value!r} is not JSON-representable")


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened: when (virtual seconds), where, what, which phase, and details."""

    time: float
    node: str
    op: str
    phase: Phase
    details: Mapping[str, Any] = field(default_factory=dict)
    index: int = -1

    def to_json(self) -> str:
        return json.dumps(
            {"index": self.index, "time": self.time, "node": self.node, "op": self.op,
             "phase": self.phase.value, "details": self.details},
            sort_keys=True, separators=(",", ":"), allow_nan=False,
        )

    @classmethod
    def from_json(cls, line: str) -> Event:
        try:
            raw = json.loads(line)
            return cls(time=float(raw["time"]), node=raw["node"], op=raw["op"],
                       phase=Phase(raw["phase"]), details=raw["details"], index=int(raw["index"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise HistoryFormatError(f"not a history event: {line[:200]!r} ({exc})") from exc


class History:
    """Append-only; read it by iteration, indexing, or the ``select`` query helper."""

    def __init__(self, clock_now: Callable[[], float] | None = None) -> None:
        self._events: list[Event] = []
        self._now = clock_now if clock_now is not None else (lambda: 0.0)

    def record(
        self,
        node: str,
        op: str,
        phase: Phase | str = Phase.INFO,
        details: Mapping[str, Any] | None = None,
        *,
        time: float | None = None,
    ) -> Event:
        """Append an event stamped with the lab clock (or ``time``) and return it."""
        event = Event(
            time=self._now() if time is None else time,
            node=node,
            op=op,
            phase=_PHASES.get(phase) or Phase(phase),
            details=_check_json(details or {}, op),
            index=len(self._events),
        )
        if self._events and event.time < self._events[-1].time:
            raise HistoryFormatError(f"event at t={event.time} is earlier than the last one at t={self._events[-1].time}")
        self._events.append(event)
        return event

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self) -> Iterator[Event]:
        return iter(self._events)

    def __getitem__(self, index: int) -> Event:
        return self._events[index]

    def select(
        self,
        *,
        node: str | None = None,
        op: str | None = None,
        phase: Phase | str | None = None,
        since: float | None = None,
        until: float | None = None,
        where: Callable[[Event], bool] | None = None,
    ) -> list[Event]:
        """The events matching every given criterion (``op`` ending in ``*`` matches a prefix)."""
        phase = Phase(phase) if phase is not None else None
        prefix = op[:-1] if op is not None and op.endswith("*") else None
        out = []
        for event in self._events:
            if node is not None and event.node != node:
                continue
            if op is not None and (not event.op.startswith(prefix) if prefix is not None else event.op != op):
                continue
            if phase is not None and event.phase is not phase:
                continue
            if since is not None and event.time < since:
                continue
            if until is not None and event.time > until:
                continue
            if where is not None and not where(event):
                continue
            out.append(event)
        return out

    def dumps(self) -> str:
        """The whole history as JSON Lines (one event per line, keys sorted)."""
        return "".join(event.to_json() + "\n" for event in self._events)

    def dump(self, stream: IO[str]) -> None:
        stream.write(self.dumps())

    @classmethod
    def loads(cls, text: str) -> History:
        history = cls()
        history._events = [Event.from_json(line) for line in text.splitlines() if line.strip()]
        for expected, event in enumerate(history._events):
            if event.index != expected:
                raise HistoryFormatError(f"event {event.index} found where {expected} was expected")
        return history

    @classmethod
    def load(cls, stream: IO[str]) -> History:
        return cls.loads(stream.read())

    @classmethod
    def of(cls, events: Iterable[Event]) -> History:
        """A detached history holding ``events`` re-indexed in order (for checkers and tests)."""
        history = cls()
        for event in events:
            history.record(event.node, event.op, event.phase, event.details, time=event.time)
        return history

    def __eq__(self, other: object) -> bool:
        return isinstance(other, History) and self._events == other._events

    __hash__ = None  # type: ignore[assignment]
