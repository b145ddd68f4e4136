"""Repair replication (resync) of a protected VM: the ``RepairReplication`` job (policy
``REPAIR_REPLICATION_SCENARIO``; asr-api.md §7 ``repairReplication``; hyperv-scvmm.md §2.6).

A preflight, then the Provider of the site where the VM is the replication primary (the primary
site, or the recovery site after a reverse replication) has its VMM resynchronize it
(``Resume-VMReplication -Resynchronize``); the task ends when Hyper-V's resynchronization ended. The
item's health follows what the VMM servers report next: its replication errors go once Hyper-V
reports the replication healthy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..channel.work import Send, wait_for_work
from ..channel.workitems import WorkItem
from ..models.jobs import Job
from ..models.protection import ProtectedItem
from ..models.tasks import Task
from ..models.vault import Vault
from ..policy import REPAIR_REPLICATION_SCENARIO
from . import sites
from .protection import vm_affected_objects

if TYPE_CHECKING:
    from ..channel.service import ChannelService

__all__ = ["start_repair_replication"]


def start_repair_replication(service: ChannelService, vault: Vault, item: ProtectedItem, *,
                             client_request_id: str | None = None) -> Job:
    """Start ``RepairReplication`` of ``item`` (the caller checked it is allowed)."""
    backend = service.backend
    side = item.primary if item.active_location == "Primary" else item.recovery
    provider = sites.provider_for(service, vault, sites.fabric(service, vault, side.fabric))

    def repaired(_items: Sequence[WorkItem]) -> ProtectedItem:
        service.sim.history.record(service.node, "protection.repaired", "info", {"item": item.name})
        return item

    (check, resync) = REPAIR_REPLICATION_SCENARIO.tasks
    tasks: list[Task] = [
        backend.step(check.name, check.friendly_name, seconds=backend.timings.seconds(check), task_id=check.task_id),
        wait_for_work(service, vault, task_id=resync.task_id, name=resync.name, friendly_name=resync.friendly_name,
                      timeout=backend.timings.seconds(resync), collect=repaired,
                      sends=lambda: [Send(provider, "ResynchronizeReplication", {"vmId": item.vm_id})]),
    ]
    affected = vm_affected_objects(item, recoveryVmId=item.vm_id, recoveryVmName=item.vm_name,
                                   protectionProfileId=item.policy_id.rsplit("/", 1)[-1])
    item.job = backend.start_job(vault, REPAIR_REPLICATION_SCENARIO, target_object_id=item.vm_id,
                                 target_object_name=item.vm_name, tasks=tasks,
                                 custom_details={"instanceType": "AsrJobDetails", "affectedObjectDetails": affected},
                                 client_request_id=client_request_id)
    return item.job
