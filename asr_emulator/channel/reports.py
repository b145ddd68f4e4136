"""Work-item reports (PROTOCOL.md §5.1): one item's ``complete``, or a Provider's batch of them.

A batch (``CompleteWorkItems``) is processed entry by entry, in order, with each entry meaning
exactly what a single report of that item means: the first report completes the item, a later one
answers ``duplicate: true``, a withdrawn item's late report is acknowledged without effect. An
entry's ``idempotencyKey`` plays the single report's ``Idempotency-Key`` header: its answer is kept
(with the single reports' answers, ``IDEMPOTENCY_CACHE`` per Provider) and a repeated key is
answered from it without processing the entry again — whether it came back alone or in a batch.
Every entry is checked before anything changes: a malformed one refuses the whole call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ArmError, InvalidParameter
from ..http import HttpResponse
from ..wire.call import Call, json_response
from .errors import WorkItemNotFound
from .policy import REPORT_BATCH
from .records import ProviderRecord
from .state import Kept, VaultChannel
from .workitems import WorkItem

if TYPE_CHECKING:
    from .service import ChannelService

__all__ = ["Report", "parse_report", "find_item", "complete", "complete_batch", "single_answer"]

_ITEM_ANSWER = ("state", "outcome", "duplicate")  # what an item's answer holds, alone or in a batch


@dataclass(frozen=True)
class Report:
    """What a Provider reports of one executed item."""

    outcome: str  # Succeeded | Failed
    result: dict[str, Any]
    error: dict[str, Any] | None


def parse_report(body: dict[str, Any], where: str = "") -> Report:
    """A report's fields, checked (400 naming the field) before anything changes."""
    outcome = Call.field(body, "status", str, where, required=True)
    if outcome not in ("Succeeded", "Failed"):
        target = f"{where}.status" if where else "status"
        raise InvalidParameter(f"The value '{outcome}' of '{target}' is invalid: Succeeded or Failed.", target=target)
    result = Call.field(body, "result", dict, where) or {}
    error = Call.field(body, "error", dict, where, required=outcome == "Failed")
    if error is not None:
        inner = f"{where}.error" if where else "error"
        Call.field(error, "errorCode", int, inner, required=True)
        Call.field(error, "errorMessage", str, inner, required=True)
    return Report(outcome, result, error)


def find_item(channel: VaultChannel, record: ProviderRecord, item_id: str) -> WorkItem:
    """``record``'s work item ``item_id`` (404 if it is not this Provider's)."""
    item = channel.work.get(item_id)
    if item is None or item.provider != record.name:
        raise WorkItemNotFound(f"No work item '{item_id}' belongs to this Provider.", target="workItemId")
    return item


def complete(service: ChannelService, channel: VaultChannel, record: ProviderRecord, item_id: str,
             report: Report) -> dict[str, Any]:
    """Apply one report (404 if the item is not this Provider's): ``{state, outcome, duplicate}``."""
    item = find_item(channel, record, item_id)
    first = channel.work.complete(item, report.outcome, report.result, report.error)
    service.sim.history.record(service.node, "channel.workitem", "info",
                               {"item": item.id, "kind": item.kind, "state": item.state, "outcome": item.outcome,
                                "duplicate": not first})
    return {"state": item.state, "outcome": item.outcome, "duplicate": not first}


def single_answer(kept: Kept) -> HttpResponse:
    """A kept answer as the single ``complete`` replays it (one a batch entry left has no ``withdrawn``)."""
    if isinstance(kept, HttpResponse):
        return kept
    return json_response(200, {**{name: kept[name] for name in _ITEM_ANSWER}, "withdrawn": []})


def _entry_answer(item_id: str, kept: Kept) -> dict[str, Any]:
    """A kept answer as a batch entry replays it."""
    if not isinstance(kept, HttpResponse):
        return kept
    if kept.status >= 400:
        return {"id": item_id, "status": kept.status, **json.loads(kept.body)}
    answer = json.loads(kept.body)
    return {"id": item_id, "status": 200, **{name: answer.get(name) for name in _ITEM_ANSWER}}


def complete_batch(service: ChannelService, channel: VaultChannel, record: ProviderRecord,
                   body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Apply a batch of reports in order: ``({items: [one answer per entry], withdrawn}, replayed)``,
    ``replayed`` counting the entries answered from a kept answer."""
    entries = Call.field(body, "items", list, "", required=True)
    if not 1 <= len(entries) <= REPORT_BATCH:
        raise InvalidParameter(f"The batch holds {len(entries)} reports: 1 to {REPORT_BATCH}.", target="items")
    orders: list[tuple[str, str | None, Report]] = []
    for index, entry in enumerate(entries):  # all checked before anything changes
        where = f"items[{index}]"
        if not isinstance(entry, dict):
            raise InvalidParameter(f"The value of '{where}' is invalid: an object with the item's report.", target=where)
        orders.append((Call.field(entry, "id", str, where, required=True),
                       Call.field(entry, "idempotencyKey", str, where), parse_report(entry, where)))
    answers: list[dict[str, Any]] = []
    replayed = 0
    for item_id, key, report in orders:
        kept = channel.remembered(record.name, key) if key else None
        if kept is not None:
            answers.append(_entry_answer(item_id, kept))
            replayed += 1
            continue
        try:
            answer = {"id": item_id, "status": 200, **complete(service, channel, record, item_id, report)}
        except ArmError as error:
            answer = {"id": item_id, "status": error.status, **error.to_json()}
        if key and answer["status"] == 200:
            channel.remember(record.name, key, answer)
        answers.append(answer)
    return {"items": answers, "withdrawn": channel.unheard.pop(record.name, [])}, replayed
