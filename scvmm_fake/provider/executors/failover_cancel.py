"""Rolling a cancelled failover back on the VMM servers: the work ASR sends after a client cancelled
a planned or unplanned failover job under way (hyperv-scvmm.md §3.3–3.4, §5.6;
``scvmm_fake._cmdlets_failover_cancel``).

* recovery: ``CancelFailover`` ``{jobName, vmId}`` → ``{reverted, released}`` (``Stop-VMFailover`` of
  the replica if Hyper-V had failed it over; its failover addresses back to the pools);
* primary: ``CancelFailoverOnPrimary`` ``{jobName, vmmVmId, startVm}`` → ``{prepareCancelled,
  started}`` (``Stop-VMFailover`` of a prepared primary; ``Start-VM`` if asked and it is off).

Durations are policy ``FAILOVER_CANCEL_WORK_SECONDS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..policy import FAILOVER_CANCEL_WORK_SECONDS
from . import executes

if TYPE_CHECKING:
    from ..agent import AsrProvider


@executes("CancelFailover", seconds=FAILOVER_CANCEL_WORK_SECONDS["CancelFailover"])
def cancel_failover(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    return provider.vmm.cancel_failover(payload)


@executes("CancelFailoverOnPrimary", seconds=FAILOVER_CANCEL_WORK_SECONDS["CancelFailoverOnPrimary"])
def cancel_failover_on_primary(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    return provider.vmm.cancel_failover_on_primary(payload)
