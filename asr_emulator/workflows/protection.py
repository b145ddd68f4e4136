"""Protection of a VM in a paired cloud: ``EnableDr`` and ``DisableDr`` as recorded
(asr-orchestration.md §A.3, §B.4.1), and what the Providers' inventories tell ASR afterwards.

Enabling: the prerequisites are checked, the recovery VMM places the replica
(``CreateProtectionTarget``), the primary VMM enables Hyper-V replication to that host
(``EnableProtection``) and starts initial replication (``StartInitialReplication``), then ASR
updates its state. When the primary VMM later reports the VM's initial replication finished,
the item is ``Protected`` and the two IR-completion jobs run. Disabling removes replication on
both sides (the replica kept or deleted per the policy's ``replicaDeletion``); purge forgets the
item without asking the Providers (as a pairing purge does).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..catalogue import ALREADY_PROTECTED, CLOUD_NOT_PAIRED, PROTECTION_POLICY_MISMATCH
from ..channel.work import Send, wait_for_work
from ..channel.workitems import WorkItem
from ..models.jobs import Job
from ..models.mappings import ContainerMapping, ContainerRef, NetworkMapping
from ..models.policies import Policy, PolicySettings
from ..models.protection import UNMAPPED_NETWORK, ProtectedItem
from ..models.resources import KINDS, StoredResource
from ..models.tasks import Skipped, Task
from ..models.vault import Vault
from ..policy import DISABLE_SCENARIO, ENABLE_SCENARIO, IR_COMPLETION_SCENARIOS
from ..wire.render import asr_prefix
from . import sites
from .pairing import mapping_of

if TYPE_CHECKING:
    from ..channel.service import ChannelService

__all__ = ["mark_protected", "forget_item", "check_protection", "start_enable", "start_disable", "observe_inventory", "protected_item_of",
           "vm_affected_objects", "mapped_network"]


def protected_item_of(vault: Vault, ref: ContainerRef, name: str) -> ProtectedItem | None:
    found = vault.resources.get(KINDS["protected_item"], (ref.fabric, ref.container), name)
    return found if isinstance(found, ProtectedItem) else None


def check_protection(vault: Vault, ref: ContainerRef, vm: StoredResource, policy: Policy | None
                     ) -> tuple[ContainerMapping, str]:
    """The pairing that protects ``vm``'s cloud and the policy id to use; each refusal a coded error."""
    friendly = str(vm.properties.get("friendlyName", vm.name))
    existing = protected_item_of(vault, ref, vm.name)
    if existing is not None:
        raise ALREADY_PROTECTED.refusal(vm=friendly, item=existing.name)
    mapping = mapping_of(vault, ref)
    if mapping is None or mapping.primary.arm_id.lower() != ref.arm_id.lower():
        raise CLOUD_NOT_PAIRED.refusal(vm=friendly, cloud=ref.friendly_name, target="properties.protectableItemId")
    if policy is not None and f"{asr_prefix(vault)}/replicationPolicies/{policy.name}".lower() != mapping.policy_id.lower():
        raise PROTECTION_POLICY_MISMATCH.refusal(policy=policy.name, cloud=ref.friendly_name, paired=mapping.policy_name,
                                                 target="properties.policyId")
    return mapping, mapping.policy_id


def _nics(vault: Vault, ref: ContainerRef, vm: dict[str, Any], networks: dict[str, str]) -> list[dict[str, Any]]:
    """``vmNics`` (2025-08-01 shape, §A.7.2): each NIC with its VM network and where it is mapped."""
    out = []
    for nic in vm.get("networkAdapters", []):
        network_id = networks.get(str(nic.get("vmNetwork", "")).lower())
        recovery = _recovery_network(vault, ref, network_id) if network_id else None
        addresses = list(nic.get("ipAddresses", []))
        out.append({
            "nicId": nic["id"], "replicaNicId": None, "sourceNicArmId": None,
            "vMNetworkName": nic.get("vmNetwork", ""),
            "recoveryVMNetworkId": recovery or UNMAPPED_NETWORK,
            "ipConfigs": [{"isPrimary": True, "subnetName": nic.get("vmSubnet"),
                           "staticIPAddress": addresses[0] if addresses else None,
                           "ipAddressType": nic.get("ipv4AddressType", "Dynamic"),
                           "isSeletedForFailover": recovery is not None, "recoverySubnetName": None,
                           "recoveryStaticIPAddress": None, "recoveryIPAddressType": None}],
            "selectionType": "NotSelected",
        })
    return out


def _recovery_network(vault: Vault, ref: ContainerRef, network_id: str) -> str | None:
    for mapping in vault.resources.children(KINDS["network_mapping"], (ref.fabric, network_id)):
        if isinstance(mapping, NetworkMapping):
            return mapping.recovery.network
    return None


def mapped_network(vault: Vault, item: ProtectedItem, nic: dict[str, Any]) -> str:
    """The recovery VM network the network mappings give ``nic`` of ``item`` now (else UNMAPPED_NETWORK)."""
    network_id = _networks_by_name(vault, item.primary).get(str(nic["vMNetworkName"]).lower())
    return (_recovery_network(vault, item.primary, network_id) if network_id else None) or UNMAPPED_NETWORK


def _networks_by_name(vault: Vault, ref: ContainerRef) -> dict[str, str]:
    """VM network name → id on ``ref``'s fabric (the inventory names a NIC's network by name)."""
    return {str(n.arm_properties().get("friendlyName", "")).lower(): n.name
            for n in vault.resources.children(KINDS["network"], (ref.fabric,))}


def _container_count(vault: Vault, ref: ContainerRef, delta: int) -> None:
    stored = vault.resources.get(KINDS["container"], (ref.fabric,), ref.container)
    if isinstance(stored, StoredResource):
        stored.properties["protectedItemCount"] = int(stored.properties.get("protectedItemCount", 0)) + delta


def _protectable(vault: Vault, ref: ContainerRef, name: str, **fields: Any) -> None:
    stored = vault.resources.get(KINDS["protectable_item"], (ref.fabric, ref.container), name)
    if isinstance(stored, StoredResource):
        stored.properties.update(fields)


def mark_protected(vault: Vault, item: ProtectedItem) -> None:
    """Enabling reached its provider-state update: the protectable item reads Protected and names
    ``item``, and its container counts it."""
    ref = item.primary
    _protectable(vault, ref, item.name, protectionStatus="Protected",
                 replicationProtectedItemId=f"{ref.arm_id}/replicationProtectedItems/{item.name}")
    _container_count(vault, ref, 1)


def forget_item(service: ChannelService, vault: Vault, item: ProtectedItem, *, counted: bool, purge: bool) -> None:
    """Disabling ended: the item is gone, its protectable item unprotected (and uncounted if it was counted)."""
    vault.resources.remove(KINDS["protected_item"], (item.primary.fabric, item.primary.container), item.name)
    _protectable(vault, item.primary, item.name, protectionStatus="Unprotected", replicationProtectedItemId=None)
    if counted:
        _container_count(vault, item.primary, -1)
    service.sim.history.record(service.node, "protection.disabled", "info", {"item": item.name, "purge": purge})


def vm_affected_objects(item: ProtectedItem, primary: ContainerRef | None = None, recovery: ContainerRef | None = None,
                        **fields: str) -> dict[str, Any]:
    """``affectedObjectDetails`` of a job on ``item``: its VM, ``fields`` (each job's own, as
    recorded), then both clouds and VMM servers (``sites.affected_objects``): the item's, or the
    job's ``primary`` and ``recovery`` when it runs the other way (a failback's are swapped, §B.2.1)."""
    cloud = sites.affected_objects("Cloud", primary or item.primary, recovery or item.recovery)["affectedObjectDetails"]
    return {"primaryVmId": item.vm_id, "primaryVmName": item.vm_name, **fields, **cloud}


def _affected(item: ProtectedItem) -> dict[str, Any]:
    """``AsrJobDetails`` of a protection job (§A.3.3: ``recoveryVmId`` stays empty)."""
    return {"instanceType": "AsrJobDetails", "affectedObjectDetails": vm_affected_objects(
        item, recoveryVmId="", recoveryVmName=item.vm_name, protectionProfileId=item.policy_id.rsplit("/", 1)[-1])}


def start_enable(service: ChannelService, vault: Vault, ref: ContainerRef, vm: StoredResource, policy: Policy | None,
                 *, client_request_id: str | None = None) -> Job:
    """Validate, then start ``EnableDr`` for the protectable item ``vm``; its output is the item."""
    mapping, policy_id = check_protection(vault, ref, vm, policy)
    backend = service.backend
    paired = backend.policy(vault, mapping.policy_name)
    settings = {"instanceType": paired.settings.instance_type, **paired.settings.to_fields()}
    primary_fabric = sites.fabric(service, vault, ref.fabric)
    recovery_fabric = sites.fabric(service, vault, mapping.recovery.fabric)
    primary, recovery = (sites.provider_for(service, vault, primary_fabric),
                         sites.provider_for(service, vault, recovery_fabric))
    inventory = _inventory_vm(service, vault, ref, vm.name)
    custom = vm.properties.get("customDetails") or {}
    item = ProtectedItem(
        name=vm.name, vm_name=str(vm.properties.get("friendlyName", vm.name)), vm_id=str(custom.get("sourceItemId", "")),
        vmm_vm_id=vm.name, primary=ref, recovery=mapping.recovery,
        protectable_item_id=f"{ref.arm_id}/replicationProtectableItems/{vm.name}",
        provider_id=service.provider_id(vault, primary), recovery_fabric_id=f"{asr_prefix(vault)}/replicationFabrics/"
        f"{recovery_fabric.name}", policy_id=policy_id, policy_name=mapping.policy_name, vault_id=asr_prefix(vault),
        clock=service.sim.clock, vm={**inventory, "diskDetails": custom.get("diskDetails", [])},
        nics=_nics(vault, ref, inventory, _networks_by_name(vault, ref)))
    vault.resources.put(KINDS["protected_item"], (ref.fabric, ref.container), item)
    method = str(settings.get("initialReplicationMethod", "OverNetwork"))

    def placed(items: Sequence[WorkItem]) -> None:
        item.recovery_host = str(items[0].result.get("recoveryHost", ""))

    def protected_states() -> ProtectedItem:
        item.state = "ProtectedStatesBegin"
        mark_protected(vault, item)
        service.sim.history.record(service.node, "protection.enabled", "info",
                                   {"item": item.name, "recoveryHost": item.recovery_host})
        return item

    def target_payload() -> dict[str, Any]:
        by_name = _networks_by_name(vault, ref)
        adapters = [{"id": nic["nicId"], "vmNetworkId": by_name.get(str(nic["vMNetworkName"]).lower()),
                     "recoveryVmNetworkId": None if nic["recoveryVMNetworkId"] == UNMAPPED_NETWORK
                     else nic["recoveryVMNetworkId"]} for nic in item.nics]
        return {"vmmVmId": item.vmm_vm_id, "vmId": item.vm_id, "vmName": item.vm_name,
                "primaryCloudId": ref.container, "recoveryCloudId": mapping.recovery.container,
                "disks": list(inventory.get("disks", [])), "networkAdapters": adapters, "settings": settings}

    (check, target, enable, start_ir, update) = ENABLE_SCENARIO.tasks
    tasks: list[Task] = [
        backend.step(check.name, check.friendly_name, seconds=backend.timings.seconds(check),
                     task_id=check.task_id),
        wait_for_work(service, vault, task_id=target.task_id, name=target.name, friendly_name=target.friendly_name,
                      timeout=backend.timings.seconds(target),
                      sends=lambda: [Send(recovery, "CreateProtectionTarget", target_payload())], collect=placed),
        wait_for_work(service, vault, task_id=enable.task_id, name=enable.name, friendly_name=enable.friendly_name,
                      timeout=backend.timings.seconds(enable),
                      sends=lambda: [Send(primary, "EnableProtection", {
                          "vmmVmId": item.vmm_vm_id, "vmName": item.vm_name, "recoveryHost": item.recovery_host,
                          "settings": settings})]),
        wait_for_work(service, vault, task_id=start_ir.task_id, name=start_ir.name,
                      friendly_name=start_ir.friendly_name, timeout=backend.timings.seconds(start_ir),
                      sends=lambda: [Send(primary, "StartInitialReplication", {
                          "vmmVmId": item.vmm_vm_id, "method": method,
                          "startTime": settings.get("onlineReplicationStartTime"),
                          "exportPath": settings.get("offlineReplicationExportPath")})]),
        backend.step(update.name, update.friendly_name, seconds=backend.timings.seconds(update),
                     action=protected_states, task_id=update.task_id),
    ]
    item.job = backend.start_job(vault, ENABLE_SCENARIO, target_object_id=item.vm_id, target_object_name=item.vm_name,
                                 tasks=tasks, custom_details=_affected(item), client_request_id=client_request_id)
    return item.job


def _inventory_vm(service: ChannelService, vault: Vault, ref: ContainerRef, name: str) -> dict[str, Any]:
    """The VM's entry in its fabric's last applied inventory."""
    inventory = service.vault_channel(vault).inventories.get(ref.fabric.lower(), {})
    for cloud in inventory.get("clouds", []):
        if str(cloud.get("id", "")).lower() == ref.container.lower():
            for vm in cloud.get("vms", []):
                if str(vm.get("id", "")).lower() == name.lower():
                    found: dict[str, Any] = vm
                    return found
    return {}


def start_disable(service: ChannelService, vault: Vault, item: ProtectedItem, *, purge: bool,
                  client_request_id: str | None = None) -> Job:
    """``DisableDr``: remove replication on both sides (skipped for a purge), then forget the item."""
    backend = service.backend
    policy = vault.policies.get(item.policy_name.lower())
    delete_replica = (policy is not None and isinstance(policy.settings, PolicySettings)
                      and policy.settings.replica_deletion == "Required")
    primary = sites.provider_for(service, vault, sites.fabric(service, vault, item.primary.fabric))
    recovery = sites.provider_for(service, vault, sites.fabric(service, vault, item.recovery.fabric))
    counted = item.state != "UnprotectedStatesBegin"  # UpdateDraState of EnableDr ran
    on_hosts = counted or item.recovery_host is not None  # replication may exist on the hosts
    running = item.running
    if running is not None:  # only a purge gets here while a job runs (policy: it stops that job)
        backend.engine.cancel(running)
    item.state = "DisablingProtection"

    def forget() -> None:
        forget_item(service, vault, item, counted=counted, purge=purge)

    (on_primary, on_secondary, update) = DISABLE_SCENARIO.tasks
    provider_tasks: list[Task] = [
        wait_for_work(service, vault, task_id=on_primary.task_id, name=on_primary.name,
                      friendly_name=on_primary.friendly_name, timeout=backend.timings.seconds(on_primary),
                      sends=lambda: [Send(primary, "DisableProtectionOnPrimary", {"vmmVmId": item.vmm_vm_id})]),
        wait_for_work(service, vault, task_id=on_secondary.task_id, name=on_secondary.name,
                      friendly_name=on_secondary.friendly_name, timeout=backend.timings.seconds(on_secondary),
                      sends=lambda: [Send(recovery, "DisableProtectionOnSecondary", {
                          "vmId": item.vm_id, "vmName": item.vm_name, "deleteReplica": delete_replica})]),
    ]
    if purge or not on_hosts:
        provider_tasks = [Skipped(task_id=t.task_id, name=t.name, friendly_name=t.friendly_name)
                          for t in (on_primary, on_secondary)]
    tasks = [*provider_tasks, backend.step(update.name, update.friendly_name, seconds=backend.timings.seconds(update),
                                           action=forget, task_id=update.task_id)]
    item.job = backend.start_job(vault, DISABLE_SCENARIO, target_object_id=item.vm_id, target_object_name=item.vm_name,
                                 tasks=tasks, custom_details=_affected(item), client_request_id=client_request_id)
    return item.job


def observe_inventory(service: ChannelService, vault: Vault, fabric: str, inventory: dict[str, Any]) -> None:
    """What a VMM's inventory says of the VMs ASR protects: an item keeps its VM's entry from its
    primary fabric and the other site's entry of the same Hyper-V VM (each side's replication as
    its hosts report it); an item whose initial replication the primary VMM reports finished becomes
    ``Protected`` and the IR-completion jobs run (policy)."""
    by_vm_id = {item.vm_id: item for _, item in vault.resources.everywhere(KINDS["protected_item"])
                if isinstance(item, ProtectedItem)}
    if not by_vm_id:
        return
    now = service.sim.clock.now
    for cloud in inventory.get("clouds", []):
        for vm in cloud.get("vms", []):
            item = by_vm_id.get(str(vm.get("vmId", "")))
            if item is None:
                continue
            if item.primary.fabric.lower() == fabric.lower():
                item.vm = {**vm, "diskDetails": item.vm.get("diskDetails", [])}
                report = item.replication or {}
                if item.state == "ProtectedStatesBegin" and report.get("initialReplication") == "Completed":
                    _ir_completed(service, vault, item)
            else:
                item.replica = dict(vm)
            item.observe_health(now)


def _ir_completed(service: ChannelService, vault: Vault, item: ProtectedItem) -> None:
    item.state = "Protected"
    item.protected_at = service.sim.clock.now
    service.sim.history.record(service.node, "protection.protected", "info", {"item": item.name})
    for scenario in IR_COMPLETION_SCENARIOS:
        service.backend.start_job(vault, scenario, target_object_id=item.vm_id, target_object_name=item.vm_name,
                                  custom_details=_affected(item))
