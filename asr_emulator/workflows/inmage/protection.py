"""Protection of a VMware VM or physical server to the secondary site: ``EnableDr`` and ``DisableDr``
with ``InMageEnableProtectionInput`` / ``InMageDisableProtectionProviderSpecificInput`` (vmware_fake/
REFERENCE.md §7), and what the configuration server's inventory tells ASR afterwards.

Enabling checks the input against what the configuration server reported (its process servers,
master targets and their retention volumes and datastores, run-as accounts, the machine's disks),
then the server's agent does the work: the Mobility service pushed if missing, the replication pair
created, initial replication started. The item is ``Protected`` once the server reports the pair's
initial replication done (``initialReplicationProgress`` 100). Disabling ends the pair, the replica
kept or deleted as the input says (``replicaVmDeletionStatus``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...channel.vmware_discovery import vmware_container_name
from ...errors import InvalidParameter
from ...models.inmage_item import InMageItem
from ...models.jobs import Job
from ...models.mappings import ContainerRef
from ...models.policies import Policy
from ...models.resources import KINDS, StoredResource
from ...models.vault import Vault
from ...policy import INMAGE_DISABLE_SCENARIO, INMAGE_ENABLE_SCENARIO
from ...wire.render import asr_prefix
from .. import sites
from ..protection import check_protection, forget_item, mark_protected, vm_affected_objects
from ._tasks import local, server_work, skipped

if TYPE_CHECKING:
    from ...channel.service import ChannelService

__all__ = ["EnableInput", "parse_enable_input", "start_enable", "start_disable", "observe_pairs", "machine_entry",
           "parse_reprotect_input", "settle"]

EnableInput = dict[str, Any]
_REQUIRED = ("masterTargetId", "processServerId", "retentionDrive", "multiVmGroupId", "multiVmGroupName")
_OPTIONAL = ("vmFriendlyName", "runAsAccountId", "datastoreName")
_PATH = "properties.providerSpecificDetails"


def _field(details: dict[str, Any], name: str, required: bool) -> str | None:
    value = details.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidParameter(f"The field '{_PATH}.{name}' is {'required' if value is None else 'invalid'}: "
                               "a non-empty string.", target=f"{_PATH}.{name}")
    return value


def machine_entry(inventory: dict[str, Any] | None, machine_id: str) -> dict[str, Any]:
    """The machine's entry in a configuration server's inventory, with the vCenter it is on (``vCenter``)."""
    for vcenter in (inventory or {}).get("vCenters", []):
        for vm in vcenter.get("vms", []):
            if str(vm["id"]).lower() == machine_id.lower():
                return {**vm, "vCenter": vcenter["id"]}
    for server in (inventory or {}).get("physicalServers", []):
        if str(server["id"]).lower() == machine_id.lower():
            return {**server, "vCenter": None}
    return {}


def _one_of(value: str | None, known: list[str], name: str, what: str) -> None:
    if value is not None and value.lower() not in (k.lower() for k in known):
        raise InvalidParameter(f"The value '{value}' of '{_PATH}.{name}' is invalid: not a {what} of this configuration "
                               f"server (known: {', '.join(known) or 'none'}).", target=f"{_PATH}.{name}")


def parse_enable_input(details: dict[str, Any], inventory: dict[str, Any] | None, machine: dict[str, Any]
                       ) -> EnableInput:
    """``InMageEnableProtectionInput`` checked against the configuration server's report (400 naming the field)."""
    given: EnableInput = {name: _field(details, name, True) for name in _REQUIRED}
    given |= {name: _field(details, name, False) for name in _OPTIONAL}
    _check_components(given, inventory or {})
    disks = details.get("disksToInclude")
    if disks is not None:
        known = [str(d["id"]) for d in machine.get("disks", [])]
        if not isinstance(disks, list) or not disks or not all(isinstance(d, str) for d in disks):
            raise InvalidParameter(f"The value of '{_PATH}.disksToInclude' is invalid: a non-empty array of disk ids.",
                                   target=f"{_PATH}.disksToInclude")
        for disk in disks:
            _one_of(disk, known, "disksToInclude", "disk of the machine")
        given["disksToInclude"] = list(disks)
    return given


def parse_reprotect_input(details: dict[str, Any], inventory: dict[str, Any] | None) -> EnableInput:
    """``InMageReprotectInput`` (``profileId`` is checked by the caller) against the server's report."""
    given: EnableInput = {name: _field(details, name, True) for name in ("masterTargetId", "processServerId",
                                                                           "retentionDrive")}
    given |= {name: _field(details, name, False) for name in ("runAsAccountId", "datastoreName")}
    _check_components(given, inventory or {})
    return given


def _check_components(given: EnableInput, report: dict[str, Any]) -> None:
    _one_of(given["processServerId"], [str(ps["id"]) for ps in report.get("processServers", [])], "processServerId",
            "process server")
    targets = {str(mt["id"]).lower(): mt for mt in report.get("masterTargets", [])}
    _one_of(given["masterTargetId"], [str(mt["id"]) for mt in targets.values()], "masterTargetId", "master target")
    target = targets[str(given["masterTargetId"]).lower()]
    _one_of(given["retentionDrive"], [str(v["volumeName"]) for v in target.get("retentionVolumes", [])],
            "retentionDrive", "retention volume of the master target")
    _one_of(given["datastoreName"], [str(d.get("symbolicName", d.get("name"))) for d in target.get("dataStores", [])],
            "datastoreName", "datastore the master target can use")
    _one_of(given["runAsAccountId"], [str(a["accountId"]) for a in report.get("runAsAccounts", [])], "runAsAccountId",
            "run-as account")


def _affected(item: InMageItem) -> dict[str, Any]:
    return {"instanceType": "AsrJobDetails", "affectedObjectDetails": vm_affected_objects(
        item, recoveryVmId="", recoveryVmName=item.vm_name, protectionProfileId=item.policy_id.rsplit("/", 1)[-1])}


def start_enable(service: ChannelService, vault: Vault, ref: ContainerRef, machine: StoredResource,
                 policy: Policy | None, given: EnableInput, *, client_request_id: str | None = None) -> Job:
    """Validate, then start ``EnableDr`` for the protectable ``machine`` with the checked input ``given``."""
    mapping, policy_id = check_protection(vault, ref, machine, policy)
    backend = service.backend
    fabric = sites.fabric(service, vault, ref.fabric)
    server = sites.provider_for(service, vault, fabric)
    settings = backend.policy(vault, mapping.policy_name).settings.to_fields()
    entry = machine_entry(getattr(fabric, "inventory", None), machine.name)
    item = InMageItem(
        name=machine.name, vm_name=str(given.get("vmFriendlyName") or machine.properties.get("friendlyName", machine.name)),
        vm_id=machine.name, vmm_vm_id=machine.name, primary=ref, recovery=mapping.recovery,
        protectable_item_id=f"{ref.arm_id}/replicationProtectableItems/{machine.name}",
        provider_id=service.provider_id(vault, server),
        recovery_fabric_id=f"{asr_prefix(vault)}/replicationFabrics/{mapping.recovery.fabric}", policy_id=policy_id,
        policy_name=mapping.policy_name, vault_id=asr_prefix(vault), clock=service.sim.clock, vm=entry,
        protection=dict(given))
    vault.resources.put(KINDS["protected_item"], (ref.fabric, ref.container), item)

    def protected_states() -> InMageItem:
        item.state = "ProtectedStatesBegin"
        mark_protected(vault, item)
        service.sim.history.record(service.node, "protection.enabled", "info", {"item": item.name})
        settle(service, item)  # the server may have reported it before this task ran
        return item

    check, enable, update = INMAGE_ENABLE_SCENARIO.tasks
    payload = {"machineId": machine.name, **{k: v for k, v in given.items() if k != "vmFriendlyName"},
               "policy": settings}
    tasks = [local(service, check), server_work(service, vault, enable, server, "EnableProtection", lambda: payload),
             local(service, update, protected_states)]
    item.job = backend.start_job(vault, INMAGE_ENABLE_SCENARIO, target_object_id=item.vm_id,
                                 target_object_name=item.vm_name, tasks=tasks, custom_details=_affected(item),
                                 client_request_id=client_request_id)
    return item.job


def start_disable(service: ChannelService, vault: Vault, item: InMageItem, *, purge: bool, delete_replica: bool,
                  client_request_id: str | None = None) -> Job:
    """``DisableDr``: the configuration server ends the pair (skipped for a purge), then ASR forgets the item."""
    backend = service.backend
    server = sites.provider_for(service, vault, sites.fabric(service, vault, item.primary.fabric))
    counted = item.state != "UnprotectedStatesBegin"
    running = item.running
    if running is not None:  # only a purge gets here while a job runs (as for a VMM item)
        backend.engine.cancel(running)
    item.state = "DisablingProtection"

    def forget() -> None:
        forget_item(service, vault, item, counted=counted, purge=purge)

    on_primary, on_secondary, update = INMAGE_DISABLE_SCENARIO.tasks
    ending = skipped(service, on_primary) if purge else server_work(
        service, vault, on_primary, server, "DisableProtection",
        lambda: {"machineId": item.vm_id, "replicaVmDeletionStatus": "Delete" if delete_replica else "Retain"})
    tasks = [ending, skipped(service, on_secondary) if purge else local(service, on_secondary),
             local(service, update, forget)]
    item.job = backend.start_job(vault, INMAGE_DISABLE_SCENARIO, target_object_id=item.vm_id,
                                 target_object_name=item.vm_name, tasks=tasks, custom_details=_affected(item),
                                 client_request_id=client_request_id)
    return item.job


def settle(service: ChannelService, item: InMageItem) -> None:
    """An item waiting for its pair's (re)synchronization is ``Protected`` once the server reports it done."""
    pair = item.pair
    if item.state == "ProtectedStatesBegin" and pair.get("initialReplicationProgress") == 100 and not pair.get("failover"):
        item.state = "Protected"
        item.protected_at = service.sim.clock.now
        service.sim.history.record(service.node, "protection.protected", "info", {"item": item.name})


def observe_pairs(service: ChannelService, vault: Vault, fabric: str, inventory: dict[str, Any]) -> None:
    """What a configuration server's inventory says of the machines ASR protects: each item keeps its
    machine's entry and its pair's; an item waiting for (re)synchronization becomes ``Protected`` when
    the pair reports it done."""
    items = {item.vm_id.lower(): item for item in vault.resources.children(
        KINDS["protected_item"], (fabric, vmware_container_name(fabric))) if isinstance(item, InMageItem)}
    if not items:
        return
    for pair in inventory.get("replicationPairs", []):
        item = items.get(str(pair["machineId"]).lower())
        if item is None:
            continue
        item.pair = dict(pair)
        item.vm = machine_entry(inventory, item.vm_id) or item.vm
        settle(service, item)

