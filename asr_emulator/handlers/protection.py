"""Protection of VMs on the wire (asr-orchestration.md §A.3.2, §B.4.1): enable (PUT), disable
(POST ``…/remove``, the SDK's ``begin_delete``) and purge (DELETE); the update of an item's recovery
settings is ``handlers.update``. Each request is parsed, resolved against what the Providers
reported and checked against the workflow's rules before it is answered 202 with the job that
carries it out (``workflows.protection``)."""

from __future__ import annotations

from typing import Any

from ..catalogue import ITEM_NAME_MISMATCH
from ..channel.vmware_fabric import VMwareFabricRecord
from ..errors import InvalidParameter
from ..http import HttpResponse
from ..models.inmage_item import InMageItem
from ..models.jobs import Job
from ..models.resources import KINDS, StoredResource
from ..policy import DISABLE_SCENARIO, INMAGE_PROVIDER, INMAGE_REPLICA_DELETION_DEFAULT
from ..routing.registry import handles
from ..wire.call import Call
from ..workflows import protection, sites
from ..workflows.inmage import protection as inmage
from ._item import ITEMS, item_of, operate, properties_of, render
from .mappings import _policy_name

_ENABLE_INPUTS = ("EnableProtectionProviderSpecificInput", "HyperVReplica2012R2", "HyperVReplica2012")


@handles(ITEMS, "begin_create")
def enable_protection(call: Call) -> HttpResponse:
    vault = call.vault()
    properties = properties_of(call)
    policy_id = Call.field(properties, "policyId", str, "properties")
    item_id = Call.field(properties, "protectableItemId", str, "properties", required=True)
    details = Call.field(properties, "providerSpecificDetails", dict, "properties")
    channel = call.service.channel
    ref = sites.container(channel, vault, call.params["fabricName"], call.params["protectionContainerName"])
    fabric = sites.fabric(channel, vault, ref.fabric)
    vmware = isinstance(fabric, VMwareFabricRecord)
    kind = None if details is None else details.get("instanceType")
    if (vmware and kind != INMAGE_PROVIDER) or (not vmware and kind not in (None, *_ENABLE_INPUTS)):
        expected = (f"a machine of a configuration server takes {INMAGE_PROVIDER}EnableProtectionInput" if vmware
                    else "VMM-to-VMM protection takes EnableProtectionProviderSpecificInput")
        raise InvalidParameter(f"The value '{kind}' of 'properties.providerSpecificDetails.instanceType' is invalid: "
                               f"{expected}.", target="properties.providerSpecificDetails.instanceType")
    prefix = f"{ref.arm_id}/replicationProtectableItems/".lower()
    name = item_id[len(prefix):] if item_id.lower().startswith(prefix) else ""
    if not name or "/" in name:
        raise InvalidParameter(f"The value '{item_id}' of 'properties.protectableItemId' is invalid: expected the id of "
                               f"a protectable item of container '{ref.container}'.",
                               target="properties.protectableItemId")
    if name.lower() != call.params["replicatedProtectedItemName"].lower():
        raise ITEM_NAME_MISMATCH.refusal(item=name, name=call.params["replicatedProtectedItemName"],
                                         target="replicatedProtectedItemName")
    vm = vault.resources.get(KINDS["protectable_item"], (ref.fabric, ref.container), name)
    if not isinstance(vm, StoredResource):
        raise vault.missing(f"replicationFabrics/{ref.fabric}/replicationProtectionContainers/{ref.container}/"
                            f"replicationProtectableItems/{name}", target="properties.protectableItemId")
    policy = call.service.backend.policy(vault, _policy_name(vault, policy_id)) if policy_id else None
    if vmware:
        assert isinstance(fabric, VMwareFabricRecord) and details is not None
        given = inmage.parse_enable_input(details, fabric.inventory, inmage.machine_entry(fabric.inventory, vm.name))
        job = inmage.start_enable(channel, vault, ref, vm, policy, given, client_request_id=call.client_request_id)
        return call.accepted(vault, job, "resource", render(vault))
    job = protection.start_enable(channel, vault, ref, vm, policy, client_request_id=call.client_request_id)
    return call.accepted(vault, job, "resource", render(vault))


def _replica_deletion(provider_input: dict[str, Any] | None) -> bool:
    """``InMageDisableProtectionProviderSpecificInput.replicaVmDeletionStatus``: ``Delete`` or ``Retain``
    (policy ``INMAGE_REPLICA_DELETION_DEFAULT`` when absent)."""
    where = "properties.replicationProviderInput"
    if provider_input is not None and provider_input.get("instanceType") not in (None, INMAGE_PROVIDER):
        raise InvalidParameter(f"The value '{provider_input.get('instanceType')}' of '{where}.instanceType' is invalid: "
                               f"a machine of a configuration server takes {INMAGE_PROVIDER}.",
                               target=f"{where}.instanceType")
    status = (provider_input or {}).get("replicaVmDeletionStatus") or INMAGE_REPLICA_DELETION_DEFAULT
    if status not in ("Delete", "Retain"):
        raise InvalidParameter(f"The value '{status}' of '{where}.replicaVmDeletionStatus' is invalid: Delete or Retain.",
                               target=f"{where}.replicaVmDeletionStatus")
    return bool(status == "Delete")


@handles(ITEMS, "begin_delete", "begin_purge")
def disable_protection(call: Call) -> HttpResponse:
    """``begin_delete`` is the recorded ``POST …/remove`` (disable); ``begin_purge`` the DELETE."""
    vault = call.vault()
    purge = call.spec.method == "begin_purge"
    provider_input = None
    if not purge:
        properties = properties_of(call)
        provider_input = Call.field(properties, "replicationProviderInput", dict, "properties")
        if provider_input is not None:
            Call.field(provider_input, "instanceType", str, "properties.replicationProviderInput")
        Call.field(properties, "disableProtectionReason", str, "properties")
    item = item_of(call, vault)
    delete_replica = _replica_deletion(provider_input) if isinstance(item, InMageItem) else False

    def start(request_id: str | None) -> Job:
        if isinstance(item, InMageItem):
            return inmage.start_disable(call.service.channel, vault, item, purge=purge, delete_replica=delete_replica,
                                        client_request_id=request_id)
        return protection.start_disable(call.service.channel, vault, item, purge=purge, client_request_id=request_id)
    if purge:
        return call.accepted(vault, start(call.client_request_id), "delete")
    return operate(call, vault, item, "DisableProtection", DISABLE_SCENARIO, start, "delete")
