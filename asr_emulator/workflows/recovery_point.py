"""Change recovery point (ChangePit, ``applyRecoveryPoint``) of a failed-over VM before its commit
(asr-orchestration.md §B.5; hyperv-scvmm.md §3.4, §5.6).

The job (policy ``APPLY_RECOVERY_POINT_SCENARIO``) sends its work to the Provider of the site where the
item is active now — where it failed over to: that VMM cancels the failover and fails over again to
the chosen point (``Stop-VMFailover``, ``Start-VMFailover -VMRecoverySnapshot``), keeping the NICs'
injected addresses, then starts the VM again. The item stays commit-pending and its
``failoverRecoveryPointId`` names the point (§B.5).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..channel.records import ProviderRecord
from ..channel.work import Send, wait_for_work
from ..channel.workitems import WorkItem
from ..models.jobs import Job
from ..models.protection import ProtectedItem
from ..models.recovery_points import RecoveryPoint, points_id
from ..models.tasks import Task
from ..models.vault import Vault
from ..policy import APPLY_RECOVERY_POINT_SCENARIO
from . import sites
from .protection import vm_affected_objects

if TYPE_CHECKING:
    from ..channel.service import ChannelService

__all__ = ["active_provider", "start_apply_recovery_point"]


def active_provider(service: ChannelService, vault: Vault, item: ProtectedItem) -> ProviderRecord:
    """The Provider of the site ``item`` is active at: the recovery fabric's when ``Recovery``, the
    primary fabric's when ``Primary`` (after a failback)."""
    fabric = item.recovery.fabric if item.active_location == "Recovery" else item.primary.fabric
    return sites.provider_for(service, vault, sites.fabric(service, vault, fabric))


def start_apply_recovery_point(service: ChannelService, vault: Vault, item: ProtectedItem, point: RecoveryPoint, *,
                               client_request_id: str | None = None) -> Job:
    """Start ``ApplyRecoveryPoint`` of ``item`` to ``point`` (the caller checked ChangePit is allowed)."""
    backend = service.backend
    provider = active_provider(service, vault, item)
    point_id = f"{points_id(item)}/{point.name}"
    vm = {"vmId": item.vm_id}

    def applied(_items: Sequence[WorkItem]) -> None:
        item.applied_point = (item.last_failover, point_id)

    def started(_items: Sequence[WorkItem]) -> ProtectedItem:
        return item

    (check, apply, start) = APPLY_RECOVERY_POINT_SCENARIO.tasks
    tasks: list[Task] = [
        backend.step(check.name, check.friendly_name, seconds=backend.timings.seconds(check), task_id=check.task_id),
        wait_for_work(service, vault, task_id=apply.task_id, name=apply.name, friendly_name=apply.friendly_name,
                      timeout=backend.timings.seconds(apply), collect=applied,
                      sends=lambda: [Send(provider, "ApplyRecoveryPoint",
                                          {**vm, "pointTime": point.time, "latest": point.latest})]),
        wait_for_work(service, vault, task_id=start.task_id, name=start.name, friendly_name=start.friendly_name,
                      timeout=backend.timings.seconds(start), collect=started,
                      sends=lambda: [Send(provider, "StartReplicaVm", vm)]),
    ]
    details = {"instanceType": "AsrJobDetails",
               "affectedObjectDetails": vm_affected_objects(item, recoveryVmId=item.vm_id, recoveryPointId=point_id)}
    item.job = backend.start_job(vault, APPLY_RECOVERY_POINT_SCENARIO, target_object_id=item.vm_id,
                                 target_object_name=item.vm_name, tasks=tasks, custom_details=details,
                                 client_request_id=client_request_id)
    return item.job
