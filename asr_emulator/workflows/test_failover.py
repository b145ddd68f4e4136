"""Test failover of a protected VM and its cleanup, as recorded (asr-orchestration.md §A.4.1–A.4.3).

``TestFailover`` checks the item, asks the recovery VMM to create and start the test VM — into a
recovery VM network (``VmNetworkAsInput``, addresses from that network's pool) or none
(``NoNetworkAttachAsInput``) — then takes the recorded preparing and boot time. The job's
``TestFailoverJobDetails`` names the network and, once done, the test VM with its network
connection status. ``TestFailoverCleanup`` asks the recovery VMM to delete the test VM and return
its addresses; the item then reads ``MarkedForDeletion`` for good (§A.3.4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..channel.work import Send, wait_for_work
from ..channel.workitems import WorkItem
from ..models.jobs import Job
from ..models.mappings import NetworkRef
from ..models.protection import ProtectedItem
from ..models.tasks import Task
from ..models.vault import Vault
from ..policy import TEST_FAILOVER_CLEANUP_SCENARIO, TEST_FAILOVER_SCENARIO
from . import sites
from .holds import with_holds
from .protection import vm_affected_objects

if TYPE_CHECKING:
    from ..channel.service import ChannelService

__all__ = ["start_test_failover", "start_test_failover_cleanup", "job_details"]


def job_details(item: ProtectedItem, network: NetworkRef | None, status: str | None, comments: str | None
             ) -> dict[str, Any]:
    """``TestFailoverJobDetails`` of a test failover (or its cleanup) of ``item`` into ``network``."""
    affected = vm_affected_objects(item, item.active, item.standby,
                                   RecoveryVmId=item.vm_id)  # capitalized as recorded (§A.4.3)
    return {"instanceType": "TestFailoverJobDetails", "testFailoverStatus": status, "comments": comments,
            "networkName": "" if network is None else network.network,
            "networkFriendlyName": "" if network is None else network.friendly_name,
            "networkType": "NoNetworkAttachAsInput" if network is None else "VmNetworkAsInput",
            "protectedItemDetails": [], "affectedObjectDetails": affected}


def start_test_failover(service: ChannelService, vault: Vault, item: ProtectedItem, network: NetworkRef | None, *,
                        client_request_id: str | None = None, holds: Mapping[str, Task] | None = None) -> Job:
    """Start ``TestFailover`` of ``item`` (the caller checked it is allowed) into ``network``, at the
    site the replica is (the recovery site, or the primary once the VM runs at the recovery site).
    ``holds``: a recovery plan's hold tasks (``holds.with_holds``)."""
    backend = service.backend
    standby = sites.provider_for(service, vault, sites.fabric(service, vault, item.standby.fabric))
    details = job_details(item, network, "Active", None)
    payload = {"vmId": item.vm_id, "vmName": item.vm_name, "vmNetworkId": None if network is None else network.network,
               "nics": item.nic_addresses(item.active)}

    def created(items: Sequence[WorkItem]) -> None:
        answer = dict(items[0].result)
        item.test_vm = answer
        details["protectedItemDetails"] = [{
            "name": item.vm_id, "friendlyName": item.vm_name, "testVmName": answer.get("testVmId", ""),
            "testVmFriendlyName": answer.get("testVmName", ""),
            "networkConnectionStatus": answer.get("networkConnectionStatus", "Disconnected"),
            "networkFriendlyName": "" if network is None else network.friendly_name, "subnet": "",
            "recoveryPointId": None}]

    def succeeded() -> ProtectedItem:
        assert item.job is not None
        item.last_test_failover = item.job.start_time
        return item  # the job's output: what the final GET answers

    (check, initiate, prepare, boot) = TEST_FAILOVER_SCENARIO.tasks
    tasks: list[Task] = [
        backend.step(check.name, check.friendly_name, seconds=backend.timings.seconds(check), task_id=check.task_id),
        wait_for_work(service, vault, task_id=initiate.task_id, name=initiate.name,
                      friendly_name=initiate.friendly_name, timeout=backend.timings.seconds(initiate),
                      sends=lambda: [Send(standby, "TestFailover", payload)], collect=created),
        backend.step(prepare.name, prepare.friendly_name, seconds=backend.timings.seconds(prepare),
                     task_id=prepare.task_id),
        backend.step(boot.name, boot.friendly_name, seconds=backend.timings.seconds(boot), action=succeeded,
                     task_id=boot.task_id),
    ]
    item.job = backend.start_job(vault, TEST_FAILOVER_SCENARIO, target_object_id=item.vm_id,
                                 target_object_name=item.vm_name, tasks=with_holds(tasks, holds),
                                 custom_details=details, client_request_id=client_request_id)
    return item.job


def start_test_failover_cleanup(service: ChannelService, vault: Vault, item: ProtectedItem, comments: str, *,
                                client_request_id: str | None = None) -> Job:
    """Start ``TestFailoverCleanup`` of ``item`` (the caller checked a test failover is up)."""
    backend = service.backend
    standby = sites.provider_for(service, vault, sites.fabric(service, vault, item.standby.fabric))
    details = {**job_details(item, None, None, comments), "networkName": None, "networkFriendlyName": None,
               "networkType": None}

    def ended() -> ProtectedItem:
        item.test_vm = None
        return item

    (check, end, delete) = TEST_FAILOVER_CLEANUP_SCENARIO.tasks
    tasks: list[Task] = [
        backend.step(check.name, check.friendly_name, seconds=backend.timings.seconds(check), task_id=check.task_id),
        wait_for_work(service, vault, task_id=end.task_id, name=end.name, friendly_name=end.friendly_name,
                      timeout=backend.timings.seconds(end),
                      sends=lambda: [Send(standby, "TestFailoverCleanup", {"vmId": item.vm_id})]),
        backend.step(delete.name, delete.friendly_name, seconds=backend.timings.seconds(delete), action=ended,
                     task_id=delete.task_id),
    ]
    item.job = backend.start_job(vault, TEST_FAILOVER_CLEANUP_SCENARIO, target_object_id=item.vm_id,
                                 target_object_name=item.vm_name, tasks=tasks, custom_details=details,
                                 client_request_id=client_request_id)
    return item.job
