"""Repair of a VM's replication (resync) on the VMM server of its primary side: the work ASR's
``RepairReplication`` job sends (hyperv-scvmm.md §2.6; ``scvmm_fake._cmdlets_repair``).

* ``ResynchronizeReplication`` ``{jobName, vmId}`` → ``{state}``: ``Resume-VMReplication
  -Resynchronize`` of the replication primary of the Hyper-V VM ``vmId``; answered once Hyper-V's
  resynchronization ended (``WorkPending`` until then), ``state`` the replication's state then.

Duration is policy ``REPAIR_WORK_SECONDS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..policy import REPAIR_WORK_SECONDS
from . import WorkPending, executes

if TYPE_CHECKING:
    from ..agent import AsrProvider


@executes("ResynchronizeReplication", seconds=REPAIR_WORK_SECONDS["ResynchronizeReplication"])
def resynchronize_replication(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    result = provider.vmm.resynchronize_replication(payload)
    if result is None:
        raise WorkPending("the resynchronization is running")
    return result
