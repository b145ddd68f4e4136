"""Bounded history for a long-running ``asr-harness serve``.

In-process a lab's history holds every event of a test: that is what checkers read and a failed
property prints. A server answering requests for hours would keep ~1 KB per request forever.
Policy (``asr-harness serve --history-limit N [--history-spill FILE]``): the history keeps the
last ``N`` events in memory, a ring buffer; each event it lets go is appended to ``FILE`` as its
JSON Line if a spill file is given (``History.loads`` of the file followed by the retained events
is then the whole history, indexes contiguous), else dropped and counted. Indexes stay global: the
next event's index is the number of events ever recorded, whatever was let go.

``simcore.History`` keeps its events in a list; ``bound_history`` replaces that list, on the
history every lab component already holds, with a ``RetainedEvents`` that offers what ``History``
uses of it (append, ``len`` = events recorded, iteration over the retained ones, indexing by global
index). It refuses a history whose store is not the list it knows, so a change in ``simcore``
fails loudly here, not silently.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from simcore import Event, History

from .serve_limits import DEFAULT_HISTORY_LIMIT

__all__ = ["RetainedEvents", "bound_history", "DEFAULT_HISTORY_LIMIT"]


class RetainedEvents:
    """The last ``limit`` events of a history; older ones go to ``spill`` (a path) or are dropped."""

    def __init__(self, limit: int, events: Iterable[Event] = (), spill: Path | None = None) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"the history limit must be an int >= 1 events, got {limit!r}")
        self.limit = limit
        self.spill_path = spill
        self._spill: IO[str] | None = spill.open("a", encoding="utf-8") if spill is not None else None
        self._events: deque[Event] = deque()
        self._recorded = 0
        self.dropped = 0  # let go without a spill file
        self.spilled = 0
        for event in events:
            self.append(event)

    @property
    def first_index(self) -> int:
        """The global index of the oldest event still held."""
        return self._recorded - len(self._events)

    def append(self, event: Event) -> None:
        self._events.append(event)
        self._recorded += 1
        while len(self._events) > self.limit:
            old = self._events.popleft()
            if self._spill is not None:
                self._spill.write(old.to_json() + "\n")
                self.spilled += 1
            else:
                self.dropped += 1

    def __len__(self) -> int:
        """Events ever recorded (what ``History`` numbers the next one by)."""
        return self._recorded

    def __iter__(self) -> Iterator[Event]:
        return iter(self._events)

    def __getitem__(self, index: int) -> Event:
        """The event of global ``index`` (negative: from the newest); evicted ones raise ``IndexError``."""
        position = index - self.first_index if index >= 0 else len(self._events) + index
        if not 0 <= position < len(self._events):
            raise IndexError(f"event {index} is not retained: the history keeps events {self.first_index} to "
                             f"{self._recorded - 1} (policy: the last {self.limit})")
        return self._events[position]

    def spill_to(self, path: Path | None) -> None:
        """From now on, append the events let go to ``path`` (``None``: drop them); the file is truncated
        first, as for a new lab (those let go before were dropped or went to the previous file)."""
        self.close()
        self.spill_path = path
        if path is not None:
            self._spill = path.open("w", encoding="utf-8")

    def retained(self) -> int:
        return len(self._events)

    def flush(self) -> None:
        if self._spill is not None:
            self._spill.flush()

    def close(self) -> None:
        if self._spill is not None:
            self._spill.close()
            self._spill = None


def bound_history(history: History, limit: int = DEFAULT_HISTORY_LIMIT, spill: Path | None = None) -> RetainedEvents:
    """Make ``history`` keep its last ``limit`` events (module docstring); returns the store."""
    events = history._events  # noqa: SLF001 - the one seam: see the module docstring
    if type(events) is not list:
        raise TypeError(f"bound_history expects simcore.History to keep a list of events, found {type(events).__name__}")
    store = RetainedEvents(limit, events, spill)
    history._events = store  # type: ignore[assignment]  # noqa: SLF001 - duck-typed: append, len, iter, index
    return store
