"""Protection of VMs on the wire (asr-orchestration.md §A.3.2, §B.4.1): enable (PUT), disable
(POST ``…/remove``, the SDK's ``begin_delete``) and purge (DELETE). Each request is parsed, resolved
against what the Providers reported and checked against the workflow's rules before it is answered
202 with the job that carries it out (``workflows.protection``)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from ..catalogue import ITEM_NAME_MISMATCH, OPERATION_IN_PROGRESS, OPERATION_NOT_ALLOWED
from ..errors import InvalidParameter, NotImplementedOperation, ResourceNotFound
from ..http import HttpResponse
from ..models.jobs import Job
from ..models.protection import ProtectedItem
from ..models.resources import KINDS, StoredResource
from ..models.vault import Vault
from ..policy import (
    JOB_SCENARIOS, COMMIT_SCENARIO, DISABLE_SCENARIO, PLANNED_FAILOVER_SCENARIO, REVERSE_REPLICATION_SCENARIO,
    TEST_FAILOVER_CLEANUP_SCENARIO, TEST_FAILOVER_SCENARIO, UNPLANNED_FAILOVER_SCENARIO, Scenario,
)
from ..routing.registry import handles
from ..wire.call import Call
from ..wire.render import resource_json
from ..workflows import failover, protection, sites, test_failover
from .mappings import _policy_name

_ITEMS = "ReplicationProtectedItemsOperations"
_FAILBACK = ("TestFailover", "PlannedFailover", "UnplannedFailover")  # from the recovery site back
_ENABLE_INPUTS = ("EnableProtectionProviderSpecificInput", "HyperVReplica2012R2", "HyperVReplica2012")


def _properties(call: Call) -> dict[str, Any]:
    properties: dict[str, Any] = Call.field(call.body() or {}, "properties", dict, "", required=True)
    return properties


def _render(vault: Vault) -> Any:
    return lambda item: resource_json(vault, KINDS["protected_item"], (item.primary.fabric, item.primary.container),
                                      item)


def _item(call: Call, vault: Vault) -> ProtectedItem:
    ref = sites.container(call.service.channel, vault, call.params["fabricName"], call.params["protectionContainerName"])
    found = protection.protected_item_of(vault, ref, call.params["replicatedProtectedItemName"])
    if found is None:
        raise ResourceNotFound(
            f"The Resource 'Microsoft.RecoveryServices/vaults/{vault.name}/replicationFabrics/{call.params['fabricName']}/"
            f"replicationProtectionContainers/{call.params['protectionContainerName']}/replicationProtectedItems/"
            f"{call.params['replicatedProtectedItemName']}' under resource group '{vault.resource_group}' was not found.",
            target="replicatedProtectedItemName")
    return found


def _conflicting(call: Call, vault: Vault, item: ProtectedItem, scenario: Scenario, kind: str = "resource"
                 ) -> HttpResponse | None:
    """While a job runs on ``item``, another operation is accepted and its job fails with 532
    (asr-orchestration.md §A.4.5); None when nothing runs."""
    running = item.running
    if running is None:
        return None
    job = call.service.backend.start_job(
        vault, scenario, target_object_id=item.vm_id, target_object_name=item.vm_name,
        conflict=OPERATION_IN_PROGRESS.failure(vm=item.vm_name, operation=running.friendly_name),
        client_request_id=call.client_request_id)
    return call.accepted(vault, job, kind, _render(vault))


def _operate(call: Call, vault: Vault, item: ProtectedItem, operation: str, scenario: Scenario,
             start: Callable[[str | None], Job], kind: str = "resource") -> HttpResponse:
    """Run ``operation`` on ``item`` by ``start(client_request_id)``: a job already running on it
    makes this one fail with 532 (§A.4.5), a state that does not allow it refuses it (150205)."""
    conflict = _conflicting(call, vault, item, scenario, kind)
    if conflict is not None:
        return conflict
    _allow(item, operation)
    if operation in _FAILBACK and item.active_location == "Recovery":
        raise NotImplementedOperation(f"'{operation}' of '{item.vm_name}', active at the recovery site, is a failback, "
                                      "which asr-harness does not emulate yet.")
    return call.accepted(vault, start(call.client_request_id), kind, _render(vault))


def _direction(properties: dict[str, Any], allowed: tuple[str, ...], why: str) -> None:
    """A failover body's ``failoverDirection`` (one of ``allowed``) and ``providerSpecificDetails``."""
    direction = Call.field(properties, "failoverDirection", str, "properties")
    Call.field(properties, "providerSpecificDetails", dict, "properties")
    if direction not in (None, *allowed):
        raise InvalidParameter(f"The value '{direction}' of 'properties.failoverDirection' is invalid: {why}.",
                               target="properties.failoverDirection")


def _allow(item: ProtectedItem, operation: str) -> None:
    allowed = item.allowed_operations
    if operation not in allowed:
        raise OPERATION_NOT_ALLOWED.refusal(operation=operation, vm=item.vm_name, state=item.state,
                                            allowed=", ".join(allowed) or "none")


@handles(_ITEMS, "begin_create")
def enable_protection(call: Call) -> HttpResponse:
    vault = call.vault()
    properties = _properties(call)
    policy_id = Call.field(properties, "policyId", str, "properties")
    item_id = Call.field(properties, "protectableItemId", str, "properties", required=True)
    details = Call.field(properties, "providerSpecificDetails", dict, "properties")
    if details is not None and details.get("instanceType") not in (None, *_ENABLE_INPUTS):
        raise InvalidParameter(
            f"The value '{details.get('instanceType')}' of 'properties.providerSpecificDetails.instanceType' is invalid: "
            "VMM-to-VMM protection takes EnableProtectionProviderSpecificInput.",
            target="properties.providerSpecificDetails.instanceType")
    channel = call.service.channel
    ref = sites.container(channel, vault, call.params["fabricName"], call.params["protectionContainerName"])
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
        raise ResourceNotFound(f"The Resource 'Microsoft.RecoveryServices/vaults/{vault.name}/replicationFabrics/"
                               f"{ref.fabric}/replicationProtectionContainers/{ref.container}/"
                               f"replicationProtectableItems/{name}' under resource group '{vault.resource_group}' "
                               "was not found.", target="properties.protectableItemId")
    policy = call.service.backend.policy(vault, _policy_name(vault, policy_id)) if policy_id else None
    job = protection.start_enable(channel, vault, ref, vm, policy, client_request_id=call.client_request_id)
    return call.accepted(vault, job, "resource", _render(vault))


@handles(_ITEMS, "begin_delete", "begin_purge")
def disable_protection(call: Call) -> HttpResponse:
    """``begin_delete`` is the recorded ``POST …/remove`` (disable); ``begin_purge`` the DELETE."""
    vault = call.vault()
    purge = call.spec.method == "begin_purge"
    if not purge:
        properties = _properties(call)
        provider_input = Call.field(properties, "replicationProviderInput", dict, "properties")
        if provider_input is not None:
            Call.field(provider_input, "instanceType", str, "properties.replicationProviderInput")
        Call.field(properties, "disableProtectionReason", str, "properties")
    item = _item(call, vault)

    def start(request_id: str | None) -> Job:
        return protection.start_disable(call.service.channel, vault, item, purge=purge, client_request_id=request_id)
    if purge:
        return call.accepted(vault, start(call.client_request_id), "delete")
    return _operate(call, vault, item, "DisableProtection", DISABLE_SCENARIO, start, "delete")



_FORWARD = ("PrimaryToRecovery",)
_FORWARD_ONLY = "asr-harness fails over PrimaryToRecovery (failback is not emulated yet)"


@handles(_ITEMS, "begin_test_failover")
def start_test_failover(call: Call) -> HttpResponse:
    """The recorded body (§A.4.1): ``failoverDirection``, ``networkType`` and, with a VM network, its
    ``networkId`` on the recovery fabric."""
    vault = call.vault()
    properties = _properties(call)
    _direction(properties, _FORWARD, _FORWARD_ONLY)
    network_type = Call.field(properties, "networkType", str, "properties") or "NoNetworkAttachAsInput"
    network_id = Call.field(properties, "networkId", str, "properties")
    if network_type not in ("VmNetworkAsInput", "NoNetworkAttachAsInput"):
        raise InvalidParameter(f"The value '{network_type}' of 'properties.networkType' is invalid: VmNetworkAsInput "
                               "or NoNetworkAttachAsInput.", target="properties.networkType")
    item = _item(call, vault)
    network = None
    if network_type == "VmNetworkAsInput":
        if not network_id:
            raise InvalidParameter("'properties.networkId' is required with the networkType VmNetworkAsInput.",
                                   target="properties.networkId")
        fabric, name = sites.parse_child_id(vault, network_id, "replicationNetworks", "properties.networkId")
        if fabric.lower() != item.recovery.fabric.lower():
            raise InvalidParameter(f"The value '{network_id}' of 'properties.networkId' is invalid: a test failover "
                                   "network is a VM network of the recovery fabric.", target="properties.networkId")
        network = sites.network(call.service.channel, vault, fabric, name)
    return _operate(call, vault, item, "TestFailover", TEST_FAILOVER_SCENARIO, lambda request_id: (
        test_failover.start_test_failover(call.service.channel, vault, item, network, client_request_id=request_id)))


@handles(_ITEMS, "begin_test_failover_cleanup")
def start_test_failover_cleanup(call: Call) -> HttpResponse:
    vault = call.vault()
    comments = Call.field(_properties(call), "comments", str, "properties") or ""
    item = _item(call, vault)
    return _operate(call, vault, item, "TestFailoverCleanup", TEST_FAILOVER_CLEANUP_SCENARIO, lambda request_id: (
        test_failover.start_test_failover_cleanup(call.service.channel, vault, item, comments,
                                                  client_request_id=request_id)))


@handles(_ITEMS, "begin_planned_failover")
def start_planned_failover(call: Call) -> HttpResponse:
    """The recorded body (§A.4.1): ``failoverDirection`` and the base ``providerSpecificDetails``."""
    vault = call.vault()
    _direction(_properties(call), _FORWARD, _FORWARD_ONLY)
    item = _item(call, vault)
    return _operate(call, vault, item, "PlannedFailover", PLANNED_FAILOVER_SCENARIO, lambda request_id: (
        failover.start_planned_failover(call.service.channel, vault, item, client_request_id=request_id)))


@handles(_ITEMS, "begin_unplanned_failover")
def start_unplanned_failover(call: Call) -> HttpResponse:
    """``failoverDirection``, ``sourceSiteOperations`` Required | NotRequired (§A.4.1)."""
    vault = call.vault()
    properties = _properties(call)
    _direction(properties, _FORWARD, _FORWARD_ONLY)
    source = Call.field(properties, "sourceSiteOperations", str, "properties") or "NotRequired"
    if source not in ("Required", "NotRequired"):
        raise InvalidParameter(f"The value '{source}' of 'properties.sourceSiteOperations' is invalid: Required or "
                               "NotRequired.", target="properties.sourceSiteOperations")
    item = _item(call, vault)
    return _operate(call, vault, item, "UnplannedFailover", UNPLANNED_FAILOVER_SCENARIO, lambda request_id: (
        failover.start_unplanned_failover(call.service.channel, vault, item, source_side=source == "Required",
                                          client_request_id=request_id)))


@handles(_ITEMS, "begin_failover_commit")
def commit_failover(call: Call) -> HttpResponse:
    """Sent without a body (§A.4.1)."""
    vault = call.vault()
    item = _item(call, vault)
    return _operate(call, vault, item, "Commit", COMMIT_SCENARIO, lambda request_id: (
        failover.start_commit(call.service.channel, vault, item, client_request_id=request_id)))


@handles(_ITEMS, "begin_reprotect")
def reverse_replication(call: Call) -> HttpResponse:
    """``Update-AzRecoveryServicesAsrProtectionDirection`` (§A.4.1): ``failoverDirection`` and
    ``ReverseReplicationProviderSpecificInput``."""
    vault = call.vault()
    _direction(_properties(call), ("RecoveryToPrimary",),
               "a VM failed over to the recovery site is reprotected RecoveryToPrimary")
    item = _item(call, vault)
    return _operate(call, vault, item, "ReverseReplicate", REVERSE_REPLICATION_SCENARIO, lambda request_id: (
        failover.start_reverse_replication(call.service.channel, vault, item, client_request_id=request_id)))


_AZURE_ONLY = ("recoveryAzureVMName", "recoveryAzureVMSize", "selectedRecoveryAzureNetworkId",
               "selectedTfoAzureNetworkId", "enableRdpOnTargetOption", "licenseType", "recoveryAvailabilitySetId")


@handles(_ITEMS, "begin_update")
def update_protected_item(call: Call) -> HttpResponse:
    """``vmNics``: per NIC, the recovery static IP address to inject at failover (``ipConfigs[0]
    .recoveryStaticIPAddress``, ``selectionType`` SelectedByUser) or none (NotSelected: the pool
    chooses). The Azure-target fields do not apply to a VMM-to-VMM item and are refused."""
    vault = call.vault()
    properties = _properties(call)
    for name in _AZURE_ONLY:
        if properties.get(name) is not None:
            raise InvalidParameter(f"'properties.{name}' applies to replication to Azure, not to a VMM cloud.",
                                   target=f"properties.{name}")
    nics = Call.field(properties, "vmNics", list, "properties") or []
    item = _item(call, vault)
    known = {nic["nicId"].lower(): nic for nic in item.nics}
    chosen: dict[str, str | None] = {}
    for index, nic in enumerate(nics):
        where = f"properties.vmNics[{index}]"
        if not isinstance(nic, dict):
            raise InvalidParameter(f"'{where}' must be an object.", target=where)
        nic_id = Call.field(nic, "nicId", str, where, required=True)
        if nic_id.lower() not in known:
            raise InvalidParameter(f"The value '{nic_id}' of '{where}.nicId' is not a NIC of '{item.vm_name}'.",
                                   target=f"{where}.nicId")
        configs = Call.field(nic, "ipConfigs", list, where) or [{}]
        address = Call.field(configs[0], "recoveryStaticIPAddress", str, f"{where}.ipConfigs[0]") \
            if isinstance(configs[0], dict) else None
        if address is not None:
            try:
                ipaddress.IPv4Address(address)
            except ValueError:
                raise InvalidParameter(f"The value '{address}' of '{where}.ipConfigs[0].recoveryStaticIPAddress' is "
                                       "not an IPv4 address.", target=f"{where}.ipConfigs[0].recoveryStaticIPAddress"
                                       ) from None
        chosen[nic_id.lower()] = address

    def apply() -> ProtectedItem:
        for nic_id, address in chosen.items():
            nic = known[nic_id]
            nic["selectionType"] = "SelectedByUser" if address else "NotSelected"
            nic["ipConfigs"][0].update(recoveryStaticIPAddress=address, recoveryIPAddressType="Static" if address
                                       else None)
        return item

    def start(request_id: str | None) -> Job:
        return call.service.backend.start_job(vault, "UpdateVmProperties", target_object_id=item.vm_id,
                                              target_object_name=item.vm_name,
                                              actions={"UpdateVmPropertiesTask": apply},
                                              client_request_id=request_id)
    conflict = _conflicting(call, vault, item, JOB_SCENARIOS["UpdateVmProperties"])
    if conflict is not None:
        return conflict
    job = start(call.client_request_id)
    item.job = job
    return call.accepted(vault, job, "resource", _render(vault))
