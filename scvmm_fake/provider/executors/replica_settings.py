"""The recovery settings of a replica on the recovery VMM server: the work ASR's update of a protected
item sends (asr-orchestration.md §A.7; ``scvmm_fake._cmdlets_replica_settings``).

* ``UpdateReplicaVm`` ``{jobName, vmId, vmName | null, nics: [{id, recoveryVmNetworkId? | null}]}`` →
  ``{vmName, nics: [{adapter, vmNetworkId}]}``: the replica renamed (when ``vmName`` is given) and
  each adapter, in NIC order, connected to its recovery VM network (null: not connected; no key:
  left as it is).

Duration is policy ``REPLICA_UPDATE_WORK_SECONDS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..policy import REPLICA_UPDATE_WORK_SECONDS
from . import executes

if TYPE_CHECKING:
    from ..agent import AsrProvider


@executes("UpdateReplicaVm", seconds=REPLICA_UPDATE_WORK_SECONDS["UpdateReplicaVm"])
def update_replica_vm(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    return provider.vmm.update_replica_vm(payload)
