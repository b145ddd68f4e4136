"""Adding a vCenter server to a configuration server (``replicationvCenters`` create): the job
``DiscoverVCenter`` / "Add vCenter server" with its one task "Adding vCenter server" (channel policy
``DISCOVER_VCENTER_SCENARIO``, after the recorded session of vmware_fake/REFERENCE.md §5).

The task sends ``AddVCenter`` to the configuration server's agent, which adds the vCenter at that
address for discovery by the named process server with the named account and reports its inventory
before it answers; the job's output is the vCenter resource the report made (``Pending`` until its
discovery ends). Every rule is checked before the job starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..catalogue import NOT_A_CONFIGURATION_SERVER, VCENTER_EXISTS
from ..channel.policy import DISCOVER_VCENTER_SCENARIO
from ..channel.vmware_fabric import VMwareFabricRecord
from ..channel.work import Send, wait_for_work
from ..channel.workitems import WorkItem
from ..models.jobs import Job
from ..models.resources import KINDS
from ..models.vault import Vault
from ..wire.render import asr_prefix
from . import sites

if TYPE_CHECKING:
    from ..channel.service import ChannelService

__all__ = ["configuration_server", "start_add_vcenter"]


def configuration_server(service: ChannelService, vault: Vault, fabric_name: str) -> VMwareFabricRecord:
    """The VMware fabric ``fabric_name`` (404 if there is none, a coded 400 if it is a VMM server's)."""
    record = sites.fabric(service, vault, fabric_name)
    if not isinstance(record, VMwareFabricRecord):
        raise NOT_A_CONFIGURATION_SERVER.refusal(fabric=record.friendly_name, kind=record.fabric_type,
                                                 target="fabricName")
    return record


def start_add_vcenter(service: ChannelService, vault: Vault, fabric: VMwareFabricRecord, name: str,
                      request: dict[str, Any], *, client_request_id: str | None = None) -> Job:
    """Start ``DiscoverVCenter`` for ``request`` (``AddVCenterRequestProperties``, checked by the caller)."""
    if vault.resources.get(KINDS["vcenter"], (fabric.name,), name) is not None:
        raise VCENTER_EXISTS.refusal(name=name, server=fabric.friendly_name, target="vcenterName")
    provider = sites.provider_for(service, vault, fabric)
    backend = service.backend
    (timing,) = DISCOVER_VCENTER_SCENARIO.tasks

    def collect(_items: Sequence[WorkItem]) -> Any:
        return vault.resources.get(KINDS["vcenter"], (fabric.name,), name)

    task = wait_for_work(service, vault, task_id=backend.new_id(), name=timing.name, friendly_name=timing.friendly_name,
                         timeout=backend.timings.seconds(timing), sends=lambda: [Send(provider, "AddVCenter", {
                             "name": name, **request})], collect=collect)
    return backend.start_job(vault, DISCOVER_VCENTER_SCENARIO, target_object_id=request["ipAddress"],
                             target_object_name=request["friendlyName"], tasks=[task],
                             fabric_id=f"{asr_prefix(vault)}/replicationFabrics/{fabric.name}",
                             client_request_id=client_request_id)
