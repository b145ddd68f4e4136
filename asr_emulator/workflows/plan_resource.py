"""Create, update and delete of a recovery plan: the request is judged whole against the vault
(nothing stored on a refusal), then a job commits it (asr-orchestration.md §B.3.2; the create job is
policy).

The groups are normalised as the service does (fact, §A.5.2): the Shutdown group, the Failover group,
then the Boot groups in the order given, empty ones added; at least one Boot group (policy: the portal
puts new machines in "Group 1", hyperv-scvmm.md §5.7). Items go in Boot groups only (policy); each must
be a protected VM (initial replication done) between the plan's two fabrics and in one group only.
A plan of VMware VMs and physical servers names its configuration server's fabric as both primary and
recovery (policy ``INMAGE_PLAN_FABRICS``: one server manages both sites); it holds no Hyper-V VM, and
a plan of VMM fabrics no machine of a configuration server (``PLAN_ITEMS_MIXED``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..catalogue import (
    PLAN_BUSY, PLAN_EXISTS, PLAN_ITEM_NOT_PROTECTED, PLAN_ITEMS_MIXED, PLAN_ITEM_OTHER_FABRICS, PLAN_ITEM_TWICE, PLAN_SAME_FABRIC,
    PLAN_TOO_MANY_GROUPS, PLAN_TOO_MANY_ITEMS,
)
from ..channel.records import FabricRecord
from ..channel.vmware_fabric import VMwareFabricRecord
from ..errors import InvalidParameter, ResourceNotFound
from ..models.inmage_item import InMageItem
from ..models.jobs import Job
from ..models.recovery_plans import PlanGroup, PlanItem, RecoveryPlan
from ..models.resources import KINDS
from ..models.vault import Vault
from ..policy import (
    CREATE_PLAN_SCENARIO, DELETE_PLAN_SCENARIO, MAX_PLAN_BOOT_GROUPS, MAX_PLAN_ITEMS, UPDATE_PLAN_SCENARIO, Scenario,
)
from ..wire.render import asr_prefix
from . import sites
from .protection import protected_item_of

if TYPE_CHECKING:
    from ..channel.service import ChannelService
    from ..handlers._plan_input import GroupInput

__all__ = ["plan_of", "fabric_of_id", "plan_affected_objects", "start_create", "start_update", "start_delete", "NOT_YET_PROTECTED"]

#: Policy: item states a plan refuses (protection not enabled yet, initial replication under way,
#: protection being disabled).
NOT_YET_PROTECTED = ("UnprotectedStatesBegin", "ProtectedStatesBegin", "DisablingProtection")


def plan_of(vault: Vault, name: str) -> RecoveryPlan:
    found = vault.resources.get(KINDS["recovery_plan"], (), name)
    if not isinstance(found, RecoveryPlan):
        raise vault.missing(f"replicationRecoveryPlans/{name}", target="recoveryPlanName")
    return found


def fabric_of_id(service: ChannelService, vault: Vault, arm_id: str, where: str) -> FabricRecord:
    """The fabric ``{vault}/replicationFabrics/{name}`` names; 400 naming ``where`` otherwise."""
    prefix = asr_prefix(vault).lower() + "/replicationfabrics/"
    name = arm_id[len(prefix):] if arm_id.lower().startswith(prefix) else ""
    record = service.vault_channel(vault).fabric(name) if name and "/" not in name else None
    if record is None:
        raise InvalidParameter(f"The value '{arm_id}' of '{where}' is invalid: expected the id of a fabric of vault "
                               f"'{vault.name}'.", target=where)
    return record


def _entry(service: ChannelService, vault: Vault, primary: str, recovery: str, item_id: str, vm_id: str | None,
           where: str) -> PlanItem:
    """The plan entry of the RPI ``item_id``, judged as module doc says."""
    prefix = asr_prefix(vault).lower() + "/replicationfabrics/"
    parts = item_id[len(prefix):].split("/") if item_id.lower().startswith(prefix) else []
    if len(parts) != 5 or [p.lower() for p in parts[1::2]] != ["replicationprotectioncontainers",
                                                                  "replicationprotecteditems"] or not all(parts):
        raise InvalidParameter(f"The value '{item_id}' of '{where}.id' is invalid: expected the id of a protected item "
                               f"of vault '{vault.name}'.", target=f"{where}.id")
    fabric, container, name = parts[0], parts[2], parts[4]
    try:
        item = protected_item_of(vault, sites.container(service, vault, fabric, container), name)
    except ResourceNotFound:
        item = None
    if item is None or item.state in NOT_YET_PROTECTED:
        why = "No such protected item exists." if item is None else f"Its protection state is '{item.state}'."
        raise PLAN_ITEM_NOT_PROTECTED.refusal(item=item_id, why=why, target=f"{where}.id")
    vmware_plan = isinstance(service.vault_channel(vault).fabric(primary), VMwareFabricRecord)
    if isinstance(item, InMageItem) != vmware_plan:
        raise PLAN_ITEMS_MIXED.refusal(
            vm=item.vm_name, kind="a machine of a configuration server" if isinstance(item, InMageItem)
            else "a Hyper-V VM of a VMM cloud", fabrics="a configuration server's" if vmware_plan else "VMM servers",
            target=f"{where}.id")
    if (item.primary.fabric.lower(), item.recovery.fabric.lower()) != (primary.lower(), recovery.lower()):
        raise PLAN_ITEM_OTHER_FABRICS.refusal(vm=item.vm_name, primary=item.primary.fabric_friendly_name,
                                              recovery=item.recovery.fabric_friendly_name, target=f"{where}.id")
    if vm_id is not None and vm_id.lower() != item.name.lower():
        raise InvalidParameter(f"The value '{vm_id}' of '{where}.virtualMachineId' is invalid: the item '{item_id}' "
                               f"protects '{item.name}'.", target=f"{where}.virtualMachineId")
    return PlanItem(f"{item.primary.arm_id}/replicationProtectedItems/{item.name}", item.name,
                    item.primary.fabric, item.primary.container, item.name)


def _normalised(service: ChannelService, vault: Vault, primary: str, recovery: str,
                given: Sequence[GroupInput]) -> list[PlanGroup]:
    boot = [group for group in given if group.group_type == "Boot"]
    if len(boot) > MAX_PLAN_BOOT_GROUPS:
        raise PLAN_TOO_MANY_GROUPS.refusal(limit=MAX_PLAN_BOOT_GROUPS, count=len(boot), target="properties.groups")
    count = sum(len(group.items) for group in given)
    if count > MAX_PLAN_ITEMS:
        raise PLAN_TOO_MANY_ITEMS.refusal(limit=MAX_PLAN_ITEMS, count=count, target="properties.groups")
    fixed: dict[str, PlanGroup] = {}
    for group in given:
        if group.group_type == "Boot":
            continue
        if group.group_type in fixed:
            raise InvalidParameter(f"'{group.where}': a recovery plan has one {group.group_type} group.",
                                   target=f"{group.where}.groupType")
        if group.items:
            raise InvalidParameter(f"'{group.where}': machines go in Boot groups; a {group.group_type} group holds "
                                   "actions only.", target=f"{group.where}.replicationProtectedItems")
        fixed[group.group_type] = PlanGroup(group.group_type, (), group.start_actions, group.end_actions)
    seen: set[str] = set()
    booted = []
    for group in boot:
        items = []
        for index, (item_id, vm_id) in enumerate(group.items):
            entry = _entry(service, vault, primary, recovery, item_id, vm_id,
                           f"{group.where}.replicationProtectedItems[{index}]")
            if entry.name.lower() in seen:
                raise PLAN_ITEM_TWICE.refusal(vm=entry.name, target=f"{group.where}.replicationProtectedItems")
            seen.add(entry.name.lower())
            items.append(entry)
        booted.append(PlanGroup("Boot", tuple(items), group.start_actions, group.end_actions))
    return [fixed.get("Shutdown", PlanGroup("Shutdown")), fixed.get("Failover", PlanGroup("Failover")),
            *(booted or [PlanGroup("Boot")])]


def _providers(vault: Vault, plan_groups: list[PlanGroup]) -> list[str]:
    """The replication providers of the items' policies, in item order (an empty plan lists none)."""
    found: list[str] = []
    for entry in (item for group in plan_groups for item in group.items):
        item = vault.resources.get(KINDS["protected_item"], (entry.fabric, entry.container), entry.name)
        policy = vault.policies.get(str(getattr(item, "policy_name", "")).lower())
        provider = policy.settings.instance_type if policy is not None else "HyperVReplica2012R2"
        if provider not in found:
            found.append(provider)
    return found


def plan_affected_objects(plan: RecoveryPlan, *, recovery_name: bool = True) -> dict[str, Any]:
    """``affectedObjectDetails`` of a plan job as recorded (§B.3.2): the delete's has no
    ``recoveryVmmName``."""
    details = {"primaryVmmId": plan.primary_fabric, "primaryVmmName": plan.primary_fabric_friendly_name,
               "recoveryVmmId": plan.recovery_fabric, "recoveryVmmName": plan.recovery_fabric_friendly_name,
               "primaryFabricProviderId": sites.FABRIC_PROVIDER_ID, "recoveryFabricProviderId": sites.FABRIC_PROVIDER_ID}
    if not recovery_name:
        del details["recoveryVmmName"]
    return {"instanceType": "AsrJobDetails", "affectedObjectDetails": details}


def _start(service: ChannelService, vault: Vault, plan: RecoveryPlan, scenario: Scenario, action: Callable[[], Any],
           client_request_id: str | None, *, recovery_name: bool = True) -> Job:
    backend = service.backend
    (task,) = scenario.tasks
    step = backend.step(task.name, task.friendly_name, seconds=backend.timings.seconds(task), action=action)
    return backend.start_job(vault, scenario, target_object_id=plan.internal_id, target_object_name=plan.name,
                             tasks=[step], custom_details=plan_affected_objects(plan, recovery_name=recovery_name),
                             client_request_id=client_request_id)


def start_create(service: ChannelService, vault: Vault, name: str, primary_id: str, recovery_id: str,
                 groups: Sequence[GroupInput], *, client_request_id: str | None = None) -> Job:
    """Judge a create request whole, then start ``CreateRecoveryPlan``, whose task stores the plan."""
    if vault.resources.get(KINDS["recovery_plan"], (), name) is not None:
        raise PLAN_EXISTS.refusal(name=name, target="recoveryPlanName")
    primary = fabric_of_id(service, vault, primary_id, "properties.primaryFabricId")
    recovery = fabric_of_id(service, vault, recovery_id, "properties.recoveryFabricId")
    vmware = [isinstance(record, VMwareFabricRecord) for record in (primary, recovery)]
    if vmware[0] != vmware[1]:
        raise InvalidParameter(f"The value '{recovery_id}' of 'properties.recoveryFabricId' is invalid: a plan of "
                               f"'{primary.friendly_name}' fails over within "
                               + ("that configuration server's sites." if vmware[0] else "VMM servers."),
                               target="properties.recoveryFabricId")
    if vmware[0] and primary.name.lower() != recovery.name.lower():  # policy INMAGE_PLAN_FABRICS
        raise InvalidParameter(f"The value '{recovery_id}' of 'properties.recoveryFabricId' is invalid: the "
                               f"recovery fabric of a plan of the configuration server '{primary.friendly_name}' is "
                               "its own fabric (it manages both sites).", target="properties.recoveryFabricId")
    if not vmware[0] and primary.name.lower() == recovery.name.lower():
        raise PLAN_SAME_FABRIC.refusal(fabric=primary.friendly_name, target="properties.recoveryFabricId")
    plan_groups = _normalised(service, vault, primary.name, recovery.name, groups)
    fabrics = f"{asr_prefix(vault)}/replicationFabrics"
    plan = RecoveryPlan(name, service.backend.new_id(), f"{fabrics}/{primary.name}", primary.friendly_name,
                        f"{fabrics}/{recovery.name}", recovery.friendly_name, plan_groups,
                        _providers(vault, plan_groups), vault.resources, service.sim.clock, asr_prefix(vault))

    def store() -> RecoveryPlan:
        if vault.resources.get(KINDS["recovery_plan"], (), name) is not None:
            raise PLAN_EXISTS.failure(name=name)
        vault.resources.put(KINDS["recovery_plan"], (), plan)
        return plan

    return _start(service, vault, plan, CREATE_PLAN_SCENARIO, store, client_request_id)


def _idle(plan: RecoveryPlan) -> None:
    running = plan.running
    if running is not None:
        raise PLAN_BUSY.refusal(name=plan.name, job=running.name)


def start_update(service: ChannelService, vault: Vault, plan: RecoveryPlan, groups: Sequence[GroupInput], *,
                 client_request_id: str | None = None) -> Job:
    """Judge the new group list whole (the PATCH sends all of it, §A.5.3), then start
    ``UpdateRecoveryPlan``, whose task replaces the groups."""
    _idle(plan)
    plan_groups = _normalised(service, vault, plan.primary_fabric, plan.recovery_fabric, groups)

    def save() -> RecoveryPlan:
        plan.groups, plan.replication_providers = plan_groups, _providers(vault, plan_groups)
        return plan

    return _start(service, vault, plan, UPDATE_PLAN_SCENARIO, save, client_request_id)


def start_delete(service: ChannelService, vault: Vault, plan: RecoveryPlan, *,
                 client_request_id: str | None = None) -> Job:
    """Start ``DeleteRecoveryPlan``, whose task removes the plan."""
    _idle(plan)

    def remove() -> None:
        vault.resources.remove(KINDS["recovery_plan"], (), plan.name)

    return _start(service, vault, plan, DELETE_PLAN_SCENARIO, remove, client_request_id, recovery_name=False)
