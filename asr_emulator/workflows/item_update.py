"""The update of a protected item's recovery settings (``UpdateVmProperties``, policy: no recording of
it was found): what the VM that fails over is called and, per NIC, the address to inject and the
recovery VM network to connect it to (asr-orchestration.md §A.7).

The job's one task sends the name and the NICs' networks to the recovery site's Provider, whose VMM
renames the replica and reconnects its adapters (``scvmm_fake._cmdlets_replica_settings``): a
failover then takes each NIC's address from its network's pool. Once VMM reported, the item's
``vmNics`` show the choices: ``selectionType`` ``SelectedByUser`` where the operator chose something
for the NIC, else ``NotSelected`` (the network mapping's network, an address the pool picks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..channel.work import Send, wait_for_work
from ..channel.workitems import WorkItem
from ..models.jobs import Job
from ..models.mappings import NetworkRef
from ..models.protection import UNMAPPED_NETWORK, ProtectedItem
from ..models.tasks import Task
from ..models.vault import Vault
from ..policy import JOB_SCENARIOS, WORK_WAIT_SECONDS
from . import sites
from .protection import mapped_network, vm_affected_objects

if TYPE_CHECKING:
    from ..channel.service import ChannelService

__all__ = ["NicChoice", "start_update"]


@dataclass(frozen=True)
class NicChoice:
    """One ``vmNics`` entry of an update: ``selected`` (``SelectedByUser`` with an address or the
    update's network chosen for it) with the recovery address to inject (None: the pool picks); a NIC
    not selected goes back to what mapping and pool choose."""

    selected: bool
    address: str | None


def start_update(service: ChannelService, vault: Vault, item: ProtectedItem, *, vm_name: str | None,
                 network: NetworkRef | None, nics: dict[str, NicChoice], client_request_id: str | None = None
                 ) -> Job:
    """Start ``UpdateVmProperties``: the replica named ``vm_name`` (None: unchanged), each NIC of
    ``nics`` (by lower-cased ``nicId``) as chosen, the selected ones on ``network`` when given."""
    backend = service.backend
    recovery = sites.provider_for(service, vault, sites.fabric(service, vault, item.recovery.fabric))
    targets: dict[str, str] = {}
    for nic in item.nics:
        choice = nics.get(nic["nicId"].lower())
        if choice is not None:  # an entry states the NIC's whole choice: unnamed parts are the mapping's
            targets[nic["nicId"]] = network.network if choice.selected and network is not None \
                else mapped_network(vault, item, nic)
    payload = {"vmId": item.vm_id, "vmName": vm_name, "nics": [
        {"id": nic["nicId"], **({} if nic["nicId"] not in targets else {
            "recoveryVmNetworkId": None if targets[nic["nicId"]] == UNMAPPED_NETWORK else targets[nic["nicId"]]})}
        for nic in item.nics]}

    def applied(_items: Sequence[WorkItem]) -> ProtectedItem:
        for nic in item.nics:
            choice = nics.get(nic["nicId"].lower())
            if choice is None:
                continue
            target = targets[nic["nicId"]]
            address = choice.address
            nic["recoveryVMNetworkId"] = target
            nic["selectionType"] = "SelectedByUser" if choice.selected else "NotSelected"
            nic["ipConfigs"][0].update(recoveryStaticIPAddress=address, recoveryIPAddressType="Static" if address
                                       else None, isSeletedForFailover=target != UNMAPPED_NETWORK)
        return item

    (update,) = JOB_SCENARIOS["UpdateVmProperties"].tasks
    tasks: list[Task] = [
        wait_for_work(service, vault, task_id=backend.new_id(), name=update.name, friendly_name=update.friendly_name,
                      timeout=WORK_WAIT_SECONDS, collect=applied,
                      sends=lambda: [Send(recovery, "UpdateReplicaVm", payload)]),
    ]
    details: dict[str, Any] = {"instanceType": "AsrJobDetails", "affectedObjectDetails": vm_affected_objects(
        item, recoveryVmId=item.vm_id, recoveryVmName=vm_name or str(item.replica.get("name") or item.vm_name))}
    item.job = backend.start_job(vault, "UpdateVmProperties", target_object_id=item.vm_id,
                                 target_object_name=item.vm_name, tasks=tasks, custom_details=details,
                                 client_request_id=client_request_id)
    return item.job
