"""Cancelling a planned or unplanned failover job under way (policy ``FAILOVER_ROLLBACK_TASKS``;
hyperv-scvmm.md §5.6: ASR's cancel is Hyper-V's ``Stop-VMFailover``).

The engine stops the job at once (its work not yet done is withdrawn and never runs); the job then
reads ``Cancelling`` while the sites undo what it did: the target site stops the replica's failover
and returns the addresses that failover granted (when the job had reached "Start failover"), then
the source site cancels the prepare and starts the VM again (when the job had reached the
shutdown). Each site judges from its hosts, so work whose report never reached ASR is undone too.
The item is as before the failover: ``Protected``, active where it was (the primary, or the
recovery site for a cancelled failback), no recovery address shown for a NIC the pool chooses. Any
other job is cancelled as the engine cancels it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..channel.work import Send, wait_for_work
from ..channel.workitems import WorkItem
from ..models.jobs import Job
from ..models.protection import ProtectedItem
from ..models.resources import KINDS
from ..models.tasks import Task
from ..models.vault import Vault
from ..policy import FAILOVER_ROLLBACK_TASKS, PLANNED_FAILOVER_SCENARIO, UNPLANNED_FAILOVER_SCENARIO
from . import sites

if TYPE_CHECKING:
    from ..channel.service import ChannelService

__all__ = ["cancel_job"]

_ROLLED_BACK = (PLANNED_FAILOVER_SCENARIO.name, UNPLANNED_FAILOVER_SCENARIO.name)
_REACHED = ("Succeeded", "Cancelled")  # a task that ran or was running when the job was cancelled


def cancel_job(service: ChannelService, vault: Vault, job: Job) -> None:
    """Cancel ``job`` (refused unless its ``allowedActions`` hold Cancel), rolling a failover back."""
    item = next((found for _, found in vault.resources.everywhere(KINDS["protected_item"])
                 if isinstance(found, ProtectedItem) and found.job is job), None)
    if item is None or job.scenario_name not in _ROLLED_BACK:
        service.backend.engine.cancel(job)
        return
    service.backend.engine.cancel(job, undo=lambda: _rollback(service, vault, item, job))


def _reached(job: Job, task_name: str) -> bool:
    return any(task.name == task_name and task.state in _REACHED for task in job.tasks)


def _rollback(service: ChannelService, vault: Vault, item: ProtectedItem, job: Job) -> list[Task]:
    """The tasks that undo what the cancelled failover ``job`` of ``item`` reached."""
    backend = service.backend
    (on_recovery, on_primary) = FAILOVER_ROLLBACK_TASKS
    (_check, shutdown, _prepare, failover, _start) = PLANNED_FAILOVER_SCENARIO.tasks  # same names in UFO

    source, target = item.active, item.standby  # the job was cancelled before it moved the item

    def restored(_items: Sequence[WorkItem]) -> None:
        for nic in item.nics:
            if target is item.recovery and nic["selectionType"] != "SelectedByUser":
                nic["ipConfigs"][0].update(recoveryStaticIPAddress=None, recoveryIPAddressType=None)
        service.sim.history.record(service.node, "protection.failover-rolled-back", "info",
                                   {"item": item.name, "job": job.name})

    tasks: list[Task] = []
    if _reached(job, failover.name):
        on_target = sites.provider_for(service, vault, sites.fabric(service, vault, target.fabric))
        tasks.append(wait_for_work(
            service, vault, task_id=backend.new_id(), name=on_recovery.name, friendly_name=on_recovery.friendly_name,
            timeout=backend.timings.seconds(on_recovery), collect=restored,
            sends=lambda: [Send(on_target, "CancelFailover", {"vmId": item.vm_id})]))
    if _reached(job, shutdown.name):
        on_source = sites.provider_for(service, vault, sites.fabric(service, vault, source.fabric))
        tasks.append(wait_for_work(
            service, vault, task_id=backend.new_id(), name=on_primary.name, friendly_name=on_primary.friendly_name,
            timeout=backend.timings.seconds(on_primary),
            sends=lambda: [Send(on_source, "CancelFailoverOnPrimary", {"vmmVmId": item.vmm_vm_id_on(source),
                                                                       "startVm": True})]))
    return tasks
