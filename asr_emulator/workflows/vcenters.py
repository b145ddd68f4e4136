"""vCenter servers of a configuration server (``replicationvCenters`` create, update, delete), each a
job of one task that the configuration server's agent carries out:

* create: ``DiscoverVCenter`` / "Add vCenter server" (channel policy ``DISCOVER_VCENTER_SCENARIO``, after
  the recorded session of vmware_fake/REFERENCE.md §5) sends ``AddVCenter``; the server adds the vCenter
  at that address for discovery by the named process server with the named account;
* update: ``UpdateVCenter`` (policy ``UPDATE_VCENTER_SCENARIO``) sends ``UpdateVCenter`` with the given
  fields, which the server checks as it checks an add;
* delete: ``RemoveVCenter`` (policy ``REMOVE_VCENTER_SCENARIO``) sends ``RemoveVCenter``, refused first
  (``VCENTER_IN_USE``) while a protected item or a master target is a VM of the vCenter.

The server reports its inventory before it answers, so the job's output is the vCenter resource that
report made (create and update; ``Pending`` until an added vCenter's discovery ends), and a removed
vCenter is pruned from the vault by then. Every rule ASR knows is checked before the job starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..catalogue import NOT_A_CONFIGURATION_SERVER, VCENTER_EXISTS, VCENTER_IN_USE
from ..channel.policy import DISCOVER_VCENTER_SCENARIO, REMOVE_VCENTER_SCENARIO, UPDATE_VCENTER_SCENARIO
from ..channel.vmware_discovery import vmware_container_name
from ..channel.vmware_fabric import VMwareFabricRecord
from ..channel.work import Send, wait_for_work
from ..channel.workitems import WorkItem
from ..models.inmage_item import InMageItem
from ..models.jobs import Job
from ..models.resources import KINDS, ArmResource
from ..models.vault import Vault
from ..policy import Scenario
from ..wire.render import asr_prefix
from . import sites

if TYPE_CHECKING:
    from ..channel.service import ChannelService

__all__ = ["configuration_server", "vcenter", "start_add_vcenter", "start_update_vcenter", "start_remove_vcenter"]


def configuration_server(service: ChannelService, vault: Vault, fabric_name: str) -> VMwareFabricRecord:
    """The VMware fabric ``fabric_name`` (404 if there is none, a coded 400 if it is a VMM server's)."""
    record = sites.fabric(service, vault, fabric_name)
    if not isinstance(record, VMwareFabricRecord):
        raise NOT_A_CONFIGURATION_SERVER.refusal(fabric=record.friendly_name, kind=record.fabric_type,
                                                 target="fabricName")
    return record


def vcenter(vault: Vault, fabric: VMwareFabricRecord, name: str) -> ArmResource:
    """The vCenter resource ``name`` of ``fabric`` (404, as a read of it would answer, if there is none)."""
    found = vault.resources.get(KINDS["vcenter"], (fabric.name,), name)
    if found is None:
        raise vault.missing(f"replicationFabrics/{fabric.name}/replicationvCenters/{name}")
    return found


def _start(service: ChannelService, vault: Vault, fabric: VMwareFabricRecord, scenario: Scenario, kind: str,
           payload: dict[str, Any], target: tuple[str, str], *, client_request_id: str | None) -> Job:
    """Start ``scenario``: its one task sends ``kind`` with ``payload`` to the configuration server and
    waits for the report; the job's output is then the vCenter ``payload["name"]`` (None once removed).
    ``target``: the job's target object (the vCenter's address, its friendly name)."""
    provider = sites.provider_for(service, vault, fabric)
    backend = service.backend
    (timing,) = scenario.tasks

    def collect(_items: Sequence[WorkItem]) -> Any:
        return vault.resources.get(KINDS["vcenter"], (fabric.name,), payload["name"])

    task = wait_for_work(service, vault, task_id=backend.new_id(), name=timing.name, friendly_name=timing.friendly_name,
                         timeout=backend.timings.seconds(timing), sends=lambda: [Send(provider, kind, payload)],
                         collect=collect)
    return backend.start_job(vault, scenario, target_object_id=target[0], target_object_name=target[1], tasks=[task],
                             fabric_id=f"{asr_prefix(vault)}/replicationFabrics/{fabric.name}",
                             client_request_id=client_request_id)


def _target(resource: ArmResource, request: dict[str, Any]) -> tuple[str, str]:
    properties = {**resource.arm_properties(), **request}
    return str(properties["ipAddress"]), str(properties["friendlyName"])


def start_add_vcenter(service: ChannelService, vault: Vault, fabric: VMwareFabricRecord, name: str,
                      request: dict[str, Any], *, client_request_id: str | None = None) -> Job:
    """Start ``DiscoverVCenter`` for ``request`` (``AddVCenterRequestProperties``, checked by the caller)."""
    if vault.resources.get(KINDS["vcenter"], (fabric.name,), name) is not None:
        raise VCENTER_EXISTS.refusal(name=name, server=fabric.friendly_name, target="vcenterName")
    return _start(service, vault, fabric, DISCOVER_VCENTER_SCENARIO, "AddVCenter", {"name": name, **request},
                  (request["ipAddress"], request["friendlyName"]), client_request_id=client_request_id)


def start_update_vcenter(service: ChannelService, vault: Vault, fabric: VMwareFabricRecord, name: str,
                         request: dict[str, Any], *, client_request_id: str | None = None) -> Job:
    """Start ``UpdateVCenter`` for ``request`` (the given ``UpdateVCenterRequestProperties``, checked by
    the caller) of the existing vCenter ``name``."""
    resource = vcenter(vault, fabric, name)
    return _start(service, vault, fabric, UPDATE_VCENTER_SCENARIO, "UpdateVCenter", {"name": resource.name, **request},
                  _target(resource, request), client_request_id=client_request_id)


def _users(vault: Vault, fabric: VMwareFabricRecord, name: str) -> list[str]:
    """What is a VM of the vCenter ``name``: protected items' machines, the server's master targets."""
    items = vault.resources.children(KINDS["protected_item"], (fabric.name, vmware_container_name(fabric.name)))
    machines = [f"the protected machine '{item.vm_name}'" for item in items
                if isinstance(item, InMageItem) and str(item.vm.get("vCenter") or "").lower() == name.lower()]
    targets = [f"the master target '{target['name']}'" for target in (fabric.inventory or {}).get("masterTargets", [])
               if str(target.get("vCenter") or "").lower() == name.lower()]
    return machines + targets


def start_remove_vcenter(service: ChannelService, vault: Vault, fabric: VMwareFabricRecord, name: str, *,
                         client_request_id: str | None = None) -> Job:
    """Start ``RemoveVCenter`` of the existing vCenter ``name``, refused (409) while it is in use."""
    resource = vcenter(vault, fabric, name)
    users = _users(vault, fabric, resource.name)
    if users:
        raise VCENTER_IN_USE.refusal(name=resource.name, server=fabric.friendly_name, users=", ".join(users),
                                     target="vcenterName")
    return _start(service, vault, fabric, REMOVE_VCENTER_SCENARIO, "RemoveVCenter", {"name": resource.name},
                  _target(resource, {}), client_request_id=client_request_id)
