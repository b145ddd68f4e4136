"""Change recovery point on the VMM server of the site where a failed-over VM is active: the work ASR's
``ApplyRecoveryPoint`` job sends (asr-orchestration.md §B.5; ``scvmm_fake._cmdlets_recovery_point``).

* ``ApplyRecoveryPoint`` ``{jobName, vmId, pointTime, latest}`` → ``{}`` (``Stop-VMFailover``, then
  ``Start-VMFailover -VMRecoverySnapshot``; the job then sends ``StartReplicaVm``).

Duration: policy ``RECOVERY_POINT_WORK_SECONDS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..policy import RECOVERY_POINT_WORK_SECONDS
from . import executes

if TYPE_CHECKING:
    from ..agent import AsrProvider


@executes("ApplyRecoveryPoint", seconds=RECOVERY_POINT_WORK_SECONDS["ApplyRecoveryPoint"])
def apply_recovery_point(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    return provider.vmm.apply_recovery_point(payload)
