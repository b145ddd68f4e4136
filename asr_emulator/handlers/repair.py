"""Repair replication on the wire (POST ``…/repairReplication``, sent without a body; asr-api.md §7):
allowed while the item offers ``RepairReplication`` (policy ``REPAIR_REPLICATION_STATES``), else
refused with 150205; the job is ``workflows.repair``'s."""

from __future__ import annotations

from ..http import HttpResponse
from ..policy import REPAIR_REPLICATION_SCENARIO
from ..routing.registry import handles
from ..wire.call import Call
from ..workflows import repair
from ._item import ITEMS, item_of, operate


@handles(ITEMS, "begin_repair_replication")
def repair_replication(call: Call) -> HttpResponse:
    vault = call.vault()
    item = item_of(call, vault)
    return operate(call, vault, item, "RepairReplication", REPAIR_REPLICATION_SCENARIO, lambda request_id: (
        repair.start_repair_replication(call.service.channel, vault, item, client_request_id=request_id)))
