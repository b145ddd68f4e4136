"""Cancel failover on the wire (POST ``…/failoverCancel``, sent without a body; asr-api.md §7).

Fact: no recorded VMM-to-VMM state lists ``CancelFailover`` in ``allowedOperations`` (asr-orchestration.md
§A.3.4, §A.4.4, §B.2.2), so the operation is answered as every operation a state does not allow: 150205
naming the allowed ones — or, while a job runs on the item, accepted with the 532 conflict job (§A.4.5).
A failover under way is cancelled by cancelling its job (``workflows.failover_cancel``).
"""

from __future__ import annotations

from ..errors import NotImplementedOperation
from ..http import HttpResponse
from ..policy import CANCEL_FAILOVER_SCENARIO
from ..routing.registry import handles
from ..wire.call import Call
from ._item import ITEMS, allow, conflicting, item_of


@handles(ITEMS, "begin_failover_cancel")
def cancel_failover(call: Call) -> HttpResponse:
    vault = call.vault()
    item = item_of(call, vault)
    conflict = conflicting(call, vault, item, CANCEL_FAILOVER_SCENARIO)
    if conflict is not None:
        return conflict
    allow(item, "CancelFailover")
    raise NotImplementedOperation(f"'CancelFailover' of '{item.vm_name}' is allowed in state '{item.state}', which no "
                                  "recording shows: asr-harness does not emulate it.")
