"""Enabling and disabling protection on the VMM server: the work ASR's ``EnableDr`` and ``DisableDr``
jobs send (asr-orchestration.md §A.3.3, §B.4.1; hyperv-scvmm.md §5.4–5.5).

``CreateProtectionTarget`` and ``DisableProtectionOnSecondary`` go to the recovery site's Provider,
``EnableProtection``, ``StartInitialReplication`` and ``DisableProtectionOnPrimary`` to the primary's.
Each calls the VMM server's own protection operation (``scvmm_fake._cmdlets_protection``), which does
the Hyper-V work on the VM's host; ``EnableProtection`` answers once Hyper-V's job ended
(``WorkPending`` until then). Durations are policy ``PROTECTION_WORK_SECONDS``: the recorded tasks'.

Payloads and results (the contract with ASR's workflows):

* ``CreateProtectionTarget`` ``{jobName, vmmVmId, vmId, vmName, primaryCloudId, recoveryCloudId,
  disks: [{path, sizeBytes}], networkAdapters: [{id, vmNetworkId, recoveryVmNetworkId | null}],
  settings}`` → ``{recoveryHost, recoveryHostName}``;
* ``EnableProtection`` ``{jobName, vmmVmId, vmName, recoveryHost, settings}`` → ``{replicaVmId}``;
* ``StartInitialReplication`` ``{jobName, vmmVmId, method: OverNetwork | OfflineReplication,
  startTime: ISO 8601 | null, exportPath: str | null}`` → ``{initialReplication}``;
* ``DisableProtectionOnPrimary`` ``{jobName, vmmVmId}`` → ``{}``;
* ``DisableProtectionOnSecondary`` ``{jobName, vmId, vmName, deleteReplica}`` → ``{replicaDeleted}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..policy import PROTECTION_WORK_SECONDS
from . import WorkPending, executes

if TYPE_CHECKING:
    from ..agent import AsrProvider


@executes("CreateProtectionTarget", seconds=PROTECTION_WORK_SECONDS["CreateProtectionTarget"])
def create_protection_target(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    return provider.vmm.create_protection_target(payload)


@executes("EnableProtection", seconds=PROTECTION_WORK_SECONDS["EnableProtection"])
def enable_protection(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    result = provider.vmm.enable_protection(payload)
    if result is None:
        raise WorkPending("Enable-VMReplication is running")
    return result


@executes("StartInitialReplication", seconds=PROTECTION_WORK_SECONDS["StartInitialReplication"])
def start_initial_replication(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    return provider.vmm.start_initial_replication(payload)


@executes("DisableProtectionOnPrimary", seconds=PROTECTION_WORK_SECONDS["DisableProtectionOnPrimary"])
def disable_protection_on_primary(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    return provider.vmm.disable_protection_on_primary(payload)


@executes("DisableProtectionOnSecondary", seconds=PROTECTION_WORK_SECONDS["DisableProtectionOnSecondary"])
def disable_protection_on_secondary(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    return provider.vmm.disable_protection_on_secondary(payload)
