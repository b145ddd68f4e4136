"""Work runs once (asr_emulator/channel/PROTOCOL.md §5.1): a Provider executes each work item it was
handed at most once — a lapsed lease, a lost report or a second attempt is answered from the report
it keeps, never by running the work again. Judged from the history's ``provider.work`` events: an
execution is one that produced a report (``ok``, or ``fail`` with the VMM's error); a run cut short
by the channel (``error: channel``) or still pending produced none."""

from __future__ import annotations

from collections.abc import Iterable

from simcore import Event

from ._verdict import Verdict, Violation

__all__ = ["work_once"]

_RULE = "work-once"


def _executed(event: Event) -> bool:
    return event.op == "provider.work" and (event.phase.value == "ok" or (
        event.phase.value == "fail" and event.details.get("error") != "channel"))


def work_once(history: Iterable[Event]) -> Verdict:
    """Judge every work item of ``history`` (a ``simcore.History`` or its events)."""
    runs: dict[tuple[str, str], list[Event]] = {}
    for event in history:
        if _executed(event):
            runs.setdefault((event.node, str(event.details.get("item"))), []).append(event)
    violations = tuple(
        Violation(_RULE, None, f"{node} ran work item {item} ({found[0].details.get('kind')}) {len(found)} times",
                  tuple(e.index for e in found))
        for (node, item), found in runs.items() if len(found) > 1)
    return Verdict("work once", violations, len(runs))
