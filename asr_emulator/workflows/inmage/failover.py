"""The failover family of an InMage item (vmware_fake/REFERENCE.md §7): test failover and its cleanup,
unplanned failover to a chosen point, commit, and reprotect — each the recorded VMM job's name and
tasks (policy ``INMAGE_*_SCENARIO``), its work done by the configuration server's master target.

A failover goes from the site the machine is active at to the other; the reprotect then replicates
the failed-over VM back through a master target on the old site, and a second failover (failback)
and reprotect restore the first direction. There is no planned failover: the SDK has no InMage input
for it (``INMAGE_PROTECTION_STATES``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...channel.workitems import WorkItem
from ...errors import InvalidParameter
from ...models.inmage_item import InMageItem
from ...models.jobs import Job
from ...models.tasks import Task
from ...models.vault import Vault
from ...policy import (
    INMAGE_COMMIT_SCENARIO, INMAGE_DEFAULT_RECOVERY_POINT, INMAGE_RECOVERY_POINT_TYPES,
    INMAGE_REPROTECT_SCENARIO, INMAGE_TEST_FAILOVER_CLEANUP_SCENARIO, INMAGE_TEST_FAILOVER_SCENARIO,
    INMAGE_UNPLANNED_FAILOVER_SCENARIO, TaskTiming,
)
from .. import sites
from ..holds import with_holds
from ..protection import vm_affected_objects
from ..test_failover import job_details
from ._tasks import local, server_work, skipped
from .protection import EnableInput, settle

if TYPE_CHECKING:
    from ...channel.records import ProviderRecord
    from ...channel.service import ChannelService

__all__ = ["RecoveryPointChoice", "parse_recovery_point", "start_test_failover", "start_test_failover_cleanup",
           "start_unplanned_failover", "start_commit", "start_reprotect", "reprotect_defaults"]

RecoveryPointChoice = tuple[str, str | None]  # (recoveryPointType, recoveryPointId)
_PATH = "properties.providerSpecificDetails"


def parse_recovery_point(details: dict[str, Any] | None, item: InMageItem) -> RecoveryPointChoice:
    """``InMageTestFailoverInput`` / ``InMageUnplannedFailoverInput``: the point type and, for ``Custom``,
    the id of one of the item's points (400 naming the field otherwise)."""
    details = details or {}
    kind = details.get("recoveryPointType") or INMAGE_DEFAULT_RECOVERY_POINT
    if kind not in INMAGE_RECOVERY_POINT_TYPES:
        raise InvalidParameter(f"The value '{kind}' of '{_PATH}.recoveryPointType' is invalid: allowed values are "
                               + ", ".join(INMAGE_RECOVERY_POINT_TYPES) + ".", target=f"{_PATH}.recoveryPointType")
    point = details.get("recoveryPointId")
    if kind != "Custom":
        return kind, None
    names = [str(p["id"]) for p in item.pair.get("recoveryPoints") or []]
    name = str(point).rsplit("/", 1)[-1] if isinstance(point, str) else ""
    if name.lower() not in (n.lower() for n in names):
        raise InvalidParameter(f"The value '{point}' of '{_PATH}.recoveryPointId' is invalid: a Custom failover needs "
                               f"the id of one of the recovery points of '{item.vm_name}'.",
                               target=f"{_PATH}.recoveryPointId")
    return kind, next(n for n in names if n.lower() == name.lower())


def _server(service: ChannelService, vault: Vault, item: InMageItem) -> ProviderRecord:
    return sites.provider_for(service, vault, sites.fabric(service, vault, item.primary.fabric))


def _boot(service: ChannelService, vault: Vault, timing: TaskTiming, server: ProviderRecord, item: InMageItem,
          kind: str, done: Callable[[], InMageItem]) -> Task:
    """The boot task (policy ``INMAGE_REPLICA_BOOT``): the server powers the failover's VM on."""
    return server_work(service, vault, timing, server, "StartRecoveryVm", lambda: {"machineId": item.vm_id, "kind": kind},
                       collect=lambda _items: done())


def _point_payload(item: InMageItem, point: RecoveryPointChoice) -> dict[str, Any]:
    return {"machineId": item.vm_id, "recoveryPointType": point[0], "recoveryPointId": point[1]}


def start_test_failover(service: ChannelService, vault: Vault, item: InMageItem, point: RecoveryPointChoice, *,
                        client_request_id: str | None = None, holds: Mapping[str, Task] | None = None) -> Job:
    """``TestFailover``: the master target creates a test VM from ``point`` and powers it on; replication goes on."""
    server = _server(service, vault, item)
    details = job_details(item, None, "Active", None)

    def created(items: Sequence[WorkItem]) -> None:
        answer = dict(items[0].result)
        item.test_vm = answer
        details["protectedItemDetails"] = [{
            "name": item.vm_id, "friendlyName": item.vm_name, "testVmName": answer.get("recoveryVmId", ""),
            "testVmFriendlyName": answer.get("recoveryVmName", ""), "networkConnectionStatus": "Connected",
            "networkFriendlyName": "", "subnet": "", "recoveryPointId": (answer.get("recoveryPoint") or {}).get("id")}]

    def succeeded() -> InMageItem:
        assert item.job is not None
        item.last_test_failover = item.job.start_time
        return item

    check, initiate, prepare, boot = INMAGE_TEST_FAILOVER_SCENARIO.tasks
    tasks = [local(service, check),
             server_work(service, vault, initiate, server, "TestFailover", lambda: _point_payload(item, point),
                         collect=created),
             local(service, prepare), _boot(service, vault, boot, server, item, "Test", succeeded)]
    item.job = service.backend.start_job(vault, INMAGE_TEST_FAILOVER_SCENARIO, target_object_id=item.vm_id,
                                         target_object_name=item.vm_name, tasks=with_holds(tasks, holds),
                                         custom_details=details, client_request_id=client_request_id)
    return item.job


def start_test_failover_cleanup(service: ChannelService, vault: Vault, item: InMageItem, comments: str, *,
                                client_request_id: str | None = None) -> Job:
    """``TestFailoverCleanup``: the test VM is deleted."""
    server = _server(service, vault, item)
    details = {**job_details(item, None, None, comments), "networkName": None, "networkFriendlyName": None,
               "networkType": None}

    def ended() -> InMageItem:
        item.test_vm = None
        return item

    check, end, delete = INMAGE_TEST_FAILOVER_CLEANUP_SCENARIO.tasks
    tasks = [local(service, check),
             server_work(service, vault, end, server, "TestFailoverCleanup", lambda: {"machineId": item.vm_id}),
             local(service, delete, ended)]
    item.job = service.backend.start_job(vault, INMAGE_TEST_FAILOVER_CLEANUP_SCENARIO, target_object_id=item.vm_id,
                                         target_object_name=item.vm_name, tasks=tasks, custom_details=details,
                                         client_request_id=client_request_id)
    return item.job


def _failover_details(item: InMageItem) -> dict[str, Any]:
    return {"instanceType": "FailoverJobDetails", "protectedItemDetails": [],
            "affectedObjectDetails": vm_affected_objects(item, recoveryVmId=item.vm_id)}


def start_unplanned_failover(service: ChannelService, vault: Vault, item: InMageItem, point: RecoveryPointChoice, *,
                             client_request_id: str | None = None, holds: Mapping[str, Task] | None = None) -> Job:
    """``UnplannedFailover`` to ``point``: the source-side tasks are skipped, the master target creates
    and powers on the replica; the item is then commit-pending and active at the other site."""
    server = _server(service, vault, item)
    other = "Recovery" if item.active_location == "Primary" else "Primary"

    def failed_over(items: Sequence[WorkItem]) -> None:
        item.pair = {**item.pair, "failover": {"kind": "Unplanned", **items[0].result}}

    def started() -> InMageItem:
        assert item.job is not None
        item.state, item.active_location, item.last_failover = (
            "UnplannedFailoverCommitPendingStatesBegin", other, item.job.start_time)
        return item

    check, shutdown, prepare, failover, start = INMAGE_UNPLANNED_FAILOVER_SCENARIO.tasks
    tasks = [local(service, check), skipped(service, shutdown), skipped(service, prepare),
             server_work(service, vault, failover, server, "UnplannedFailover", lambda: _point_payload(item, point),
                         collect=failed_over),
             _boot(service, vault, start, server, item, "Unplanned", started)]
    item.job = service.backend.start_job(vault, INMAGE_UNPLANNED_FAILOVER_SCENARIO, target_object_id=item.vm_id,
                                         target_object_name=item.vm_name, tasks=with_holds(tasks, holds),
                                         custom_details=_failover_details(item), client_request_id=client_request_id)
    return item.job


def start_commit(service: ChannelService, vault: Vault, item: InMageItem, *,
                 client_request_id: str | None = None) -> Job:
    """``CommitFailover``: the failover is final (the master target discards the other points)."""
    server = _server(service, vault, item)

    def committed(_items: Sequence[WorkItem]) -> InMageItem:
        item.state = "UnplannedFailoverStatesBegin"
        return item

    (commit,) = INMAGE_COMMIT_SCENARIO.tasks
    tasks = [server_work(service, vault, commit, server, "CommitFailover", lambda: {"machineId": item.vm_id},
                         collect=committed)]
    item.job = service.backend.start_job(vault, INMAGE_COMMIT_SCENARIO, target_object_id=item.vm_id,
                                         target_object_name=item.vm_name, tasks=tasks,
                                         custom_details=_failover_details(item), client_request_id=client_request_id)
    return item.job


def reprotect_defaults(vault: Vault, service: ChannelService, item: InMageItem) -> EnableInput:
    """Policy ``INMAGE_PLAN_REPROTECT``: what a reprotect without an InMage input (a recovery plan's) uses —
    the item's process server, and the configuration server's first master target other than the one the
    item replicated to, with its first retention volume."""
    inventory = getattr(sites.fabric(service, vault, item.primary.fabric), "inventory", None) or {}
    current = str(item.pair.get("masterTargetId", item.protection.get("masterTargetId", ""))).lower()
    target = next((mt for mt in inventory.get("masterTargets", []) if str(mt["id"]).lower() != current), None)
    volumes = [] if target is None else target.get("retentionVolumes", [])
    return {"processServerId": item.protection.get("processServerId"),
            "masterTargetId": None if target is None else target["id"],
            "retentionDrive": volumes[0]["volumeName"] if volumes else None,
            "runAsAccountId": item.protection.get("runAsAccountId"), "datastoreName": None}


def start_reprotect(service: ChannelService, vault: Vault, item: InMageItem, given: EnableInput | None = None, *,
                    client_request_id: str | None = None) -> Job:
    """``ReverseReplication``: commit first if needed, then the configuration server replicates the
    failed-over VM back to the other site through ``given``'s master target (``InMageReprotectInput``;
    a plan's reprotect uses ``reprotect_defaults``); the item waits for the resynchronization."""
    backend = service.backend
    server = _server(service, vault, item)
    settings = backend.policy(vault, item.policy_name).settings.to_fields()
    chosen = given if given is not None else reprotect_defaults(vault, service, item)

    def committed(_items: Sequence[WorkItem]) -> None:
        item.state = "UnplannedFailoverStatesBegin"

    def reversed_(_items: Sequence[WorkItem]) -> None:
        item.state = "ProtectedStatesBegin"
        item.protection = {**item.protection, **{k: v for k, v in chosen.items() if v is not None}}
        item.pair = {**item.pair, "failover": None, "initialReplicationProgress": 0}

    def updated() -> InMageItem:
        settle(service, item)
        return item

    check, commit, prepare, initiate, update = INMAGE_REPROTECT_SCENARIO.tasks
    committing = server_work(service, vault, commit, server, "CommitFailover", lambda: {"machineId": item.vm_id},
                             collect=committed)
    tasks = [local(service, check),
             committing if item.state == "UnplannedFailoverCommitPendingStatesBegin" else skipped(service, commit),
             local(service, prepare),
             server_work(service, vault, initiate, server, "Reprotect",
                         lambda: {"machineId": item.vm_id, **chosen, "policy": settings}, collect=reversed_),
             local(service, update, updated)]
    affected = vm_affected_objects(item, recoveryVmId=item.vm_id, recoveryVmName=item.vm_name,
                                   protectionProfileId=item.policy_id.rsplit("/", 1)[-1])
    item.job = backend.start_job(vault, INMAGE_REPROTECT_SCENARIO, target_object_id=item.vm_id,
                                 target_object_name=item.vm_name, tasks=tasks,
                                 custom_details={"instanceType": "AsrJobDetails", "affectedObjectDetails": affected},
                                 client_request_id=client_request_id)
    return item.job
