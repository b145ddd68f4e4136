"""Planned and unplanned failover of a protected VM and the commit (asr-orchestration.md §A.4, §B.2).

``PlannedFailover`` checks the item, has the primary VMM shut the VM down and send its last changes
(``Start-VMFailover -Prepare``), then the recovery VMM fail the replica over — each NIC on a mapped
network given an address of the recovery network's pool (IP injection) — and start it. The item is
then ``PlannedFailoverCommitRequired`` and active at the recovery site (policy: the recording is of a
failback, §B.2.2); the commit (``Complete-VMFailover``) makes it ``PlannedFailoverStatesBegin``.
``UnplannedFailover`` runs the same tasks, the source-side ones only when asked for (else
``Skipped``, §A.4.2), to the latest recovery point, and leaves the item
``UnplannedFailoverCommitPendingStatesBegin`` (§A.4.4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..channel.work import Send, wait_for_work
from ..channel.workitems import WorkItem
from ..models.jobs import Job
from ..models.mappings import ContainerRef
from ..models.protection import UNMAPPED_NETWORK, ProtectedItem
from ..models.tasks import Skipped, Task
from ..models.vault import Vault
from ..policy import (
    COMMIT_SCENARIO, PLANNED_FAILOVER_SCENARIO, REVERSE_REPLICATION_SCENARIO, UNPLANNED_FAILOVER_SCENARIO, Scenario,
)
from . import sites
from .holds import with_holds
from .protection import vm_affected_objects

if TYPE_CHECKING:
    from ..channel.service import ChannelService

__all__ = ["start_planned_failover", "start_unplanned_failover", "start_commit", "start_reverse_replication"]


def _failover_details(item: ProtectedItem, source: ContainerRef, target: ContainerRef) -> dict[str, Any]:
    """``FailoverJobDetails`` of a failover from ``source`` to ``target`` (a failback names the
    recovery cloud and VMM as its primary ones, §B.2.1)."""
    return {"instanceType": "FailoverJobDetails", "protectedItemDetails": [],
            "affectedObjectDetails": vm_affected_objects(item, source, target, recoveryVmId=item.vm_id)}


def start_planned_failover(service: ChannelService, vault: Vault, item: ProtectedItem, *,
                           client_request_id: str | None = None, holds: Mapping[str, Task] | None = None) -> Job:
    """Start ``PlannedFailover`` of ``item`` from the site it is active at to the other (the caller
    checked it is allowed): from the primary, or back to it (failback, §B.2). ``holds``: a recovery
    plan's hold tasks, by the name of the task each goes before (``holds.with_holds``)."""
    return _start_failover(service, vault, item, PLANNED_FAILOVER_SCENARIO, source_side=True,
                           after="PlannedFailoverCommitRequired", client_request_id=client_request_id, holds=holds)


def start_unplanned_failover(service: ChannelService, vault: Vault, item: ProtectedItem, *, source_side: bool,
                             client_request_id: str | None = None, holds: Mapping[str, Task] | None = None) -> Job:
    """Start ``UnplannedFailover`` of ``item`` to its latest recovery point; with ``source_side``
    (``sourceSiteOperations`` Required) the VM is shut down and its last changes sent first."""
    return _start_failover(service, vault, item, UNPLANNED_FAILOVER_SCENARIO, source_side=source_side,
                           after="UnplannedFailoverCommitPendingStatesBegin", client_request_id=client_request_id,
                           holds=holds)


def _target_addresses(item: ProtectedItem, target: ContainerRef) -> list[dict[str, Any]]:
    """The failover work's ``nics``: per NIC the addresses it holds where it runs now (VMM keeps
    them where the target pool holds them and they are free) and, into the recovery site, the
    address an update chose for it (``recoveryIpAddress``)."""
    return [{**addresses, "recoveryIpAddress": nic["ipConfigs"][0].get("recoveryStaticIPAddress")
             if target is item.recovery and nic.get("selectionType") == "SelectedByUser" else None}
            for addresses, nic in zip(item.nic_addresses(item.active), item.nics)]


def _start_failover(service: ChannelService, vault: Vault, item: ProtectedItem, scenario: Scenario, *,
                    source_side: bool, after: str, client_request_id: str | None,
                    holds: Mapping[str, Task] | None) -> Job:
    backend = service.backend
    source_ref, target_ref = item.active, item.standby
    source = sites.provider_for(service, vault, sites.fabric(service, vault, source_ref.fabric))
    target = sites.provider_for(service, vault, sites.fabric(service, vault, target_ref.fabric))
    details = _failover_details(item, source_ref, target_ref)
    nics = _target_addresses(item, target_ref)
    field = "recoveryStaticIPAddress" if target_ref is item.recovery else "staticIPAddress"
    now_at = "Recovery" if target_ref is item.recovery else "Primary"

    def failed_over(items: Sequence[WorkItem]) -> None:
        answer = items[0].result.get("nics") or []
        addresses = [a for nic in answer if isinstance(nic, dict) for a in nic.get("ipAddresses") or []]
        for nic, address in zip((n for n in item.nics if n["recoveryVMNetworkId"] != UNMAPPED_NETWORK), addresses):
            nic["ipConfigs"][0][field] = address
            if field == "recoveryStaticIPAddress":
                nic["ipConfigs"][0]["recoveryIPAddressType"] = "Static"

    def started(_items: Sequence[WorkItem]) -> ProtectedItem:
        item.state, item.active_location = after, now_at
        assert item.job is not None
        item.last_failover = item.job.start_time
        return item

    (check, shutdown, prepare, failover, start) = scenario.tasks
    vm = {"vmmVmId": item.vmm_vm_id_on(source_ref)}
    source_tasks: list[Task] = [
        wait_for_work(service, vault, task_id=shutdown.task_id, name=shutdown.name, friendly_name=shutdown.friendly_name,
                      timeout=backend.timings.seconds(shutdown), sends=lambda: [Send(source, "ShutdownPrimaryVm", vm)]),
        wait_for_work(service, vault, task_id=prepare.task_id, name=prepare.name, friendly_name=prepare.friendly_name,
                      timeout=backend.timings.seconds(prepare), sends=lambda: [Send(source, "PrepareForFailover", vm)]),
    ] if source_side else [Skipped(task_id=t.task_id, name=t.name, friendly_name=t.friendly_name)
                           for t in (shutdown, prepare)]
    tasks: list[Task] = [
        backend.step(check.name, check.friendly_name, seconds=backend.timings.seconds(check), task_id=check.task_id),
        *source_tasks,
        wait_for_work(service, vault, task_id=failover.task_id, name=failover.name, friendly_name=failover.friendly_name,
                      timeout=backend.timings.seconds(failover), collect=failed_over,
                      sends=lambda: [Send(target, "Failover", {"vmId": item.vm_id, "nics": nics})]),
        wait_for_work(service, vault, task_id=start.task_id, name=start.name, friendly_name=start.friendly_name,
                      timeout=backend.timings.seconds(start), collect=started,
                      sends=lambda: [Send(target, "StartReplicaVm", {"vmId": item.vm_id})]),
    ]
    item.job = backend.start_job(vault, scenario, target_object_id=item.vm_id, target_object_name=item.vm_name,
                                 tasks=with_holds(tasks, holds), custom_details=details,
                                 client_request_id=client_request_id)
    return item.job


def start_commit(service: ChannelService, vault: Vault, item: ProtectedItem, *,
                 client_request_id: str | None = None) -> Job:
    """Start the commit of ``item``'s failover, at the site it failed over to (the caller checked
    it is allowed)."""
    backend = service.backend
    active = sites.provider_for(service, vault, sites.fabric(service, vault, item.active.fabric))

    def committed(_items: Sequence[WorkItem]) -> ProtectedItem:
        item.state = _COMMITTED[item.state]
        return item

    (commit,) = COMMIT_SCENARIO.tasks
    tasks: list[Task] = [
        wait_for_work(service, vault, task_id=commit.task_id, name=commit.name, friendly_name=commit.friendly_name,
                      timeout=backend.timings.seconds(commit), collect=committed,
                      sends=lambda: [Send(active, "CommitFailover", {"vmId": item.vm_id})]),
    ]
    item.job = backend.start_job(vault, COMMIT_SCENARIO, target_object_id=item.vm_id, target_object_name=item.vm_name,
                                 tasks=tasks, custom_details=_failover_details(item, item.standby, item.active),
                                 client_request_id=client_request_id)
    return item.job


_COMMITTED = {"PlannedFailoverCommitRequired": "PlannedFailoverStatesBegin",
              "UnplannedFailoverCommitPendingStatesBegin": "UnplannedFailoverStatesBegin"}


def start_reverse_replication(service: ChannelService, vault: Vault, item: ProtectedItem, *,
                              client_request_id: str | None = None) -> Job:
    """Start ``ReverseReplication`` of a failed-over ``item``: commit if not committed (``VmCommit``),
    shut the old primary VM down if it still runs (after an unplanned failover without source-side
    operations: "Preparing for reverse replication", policy), then the recovery VMM makes the
    failed-over VM the primary, replicating back to the old primary's host; the item is
    ``Protected`` again, active where it failed over to (§A.4.4). After a failback the same runs the
    other way: the primary replicates to the recovery site again."""
    backend = service.backend
    old = sites.provider_for(service, vault, sites.fabric(service, vault, item.standby.fabric))
    active = sites.provider_for(service, vault, sites.fabric(service, vault, item.active.fabric))
    vm = {"vmId": item.vm_id}

    def committed(_items: Sequence[WorkItem]) -> None:
        item.state = _COMMITTED[item.state]

    def reversed_(_items: Sequence[WorkItem]) -> None:
        item.state = "Protected"

    def updated() -> ProtectedItem:
        return item

    (check, commit, prepare, initiate, update) = REVERSE_REPLICATION_SCENARIO.tasks
    committing: Task = wait_for_work(
        service, vault, task_id=backend.new_id(), name=commit.name, friendly_name=commit.friendly_name,
        timeout=backend.timings.seconds(commit), sends=lambda: [Send(active, "CommitFailover", vm)], collect=committed)
    tasks: list[Task] = [
        backend.step(check.name, check.friendly_name, seconds=backend.timings.seconds(check)),
        committing if item.state in _COMMITTED else Skipped(task_id=backend.new_id(), name=commit.name,
                                                            friendly_name=commit.friendly_name),
        wait_for_work(service, vault, task_id=backend.new_id(), name=prepare.name, friendly_name=prepare.friendly_name,
                      timeout=backend.timings.seconds(prepare),
                      sends=lambda: [Send(old, "ShutdownPrimaryVm", {"vmmVmId": item.vmm_vm_id_on(item.standby)})]),
        wait_for_work(service, vault, task_id=backend.new_id(), name=initiate.name, friendly_name=initiate.friendly_name,
                      timeout=backend.timings.seconds(initiate), collect=reversed_,
                      sends=lambda: [Send(active, "ReverseReplication", vm)]),
        backend.step(update.name, update.friendly_name, seconds=backend.timings.seconds(update), action=updated),
    ]
    affected = vm_affected_objects(item, item.standby, item.active, recoveryVmId=item.vm_id, recoveryVmName=item.vm_name,
                                   protectionProfileId=item.policy_id.rsplit("/", 1)[-1])
    item.job = backend.start_job(vault, REVERSE_REPLICATION_SCENARIO, target_object_id=item.vm_id,
                                 target_object_name=item.vm_name, tasks=tasks,
                                 custom_details={"instanceType": "AsrJobDetails", "affectedObjectDetails": affected},
                                 client_request_id=client_request_id)
    return item.job
