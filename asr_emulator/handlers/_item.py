"""What every operation on a protected item shares on the wire: its body's ``properties``, the item
the path names, the 532 conflict job while another runs on it (asr-orchestration.md §A.4.5), the
``allowedOperations`` check (150205) and the LRO answer rendering the item."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..catalogue import OPERATION_IN_PROGRESS, OPERATION_NOT_ALLOWED
from ..errors import InvalidParameter, NotImplementedOperation, ResourceNotFound
from ..http import HttpResponse
from ..models.jobs import Job
from ..models.protection import ProtectedItem
from ..models.resources import KINDS
from ..models.vault import Vault
from ..policy import Scenario
from ..wire.call import Call
from ..wire.render import resource_json
from ..workflows import protection, sites

ITEMS = "ReplicationProtectedItemsOperations"
_FAILBACK = ("TestFailover", "PlannedFailover", "UnplannedFailover")  # from the recovery site back


def properties_of(call: Call) -> dict[str, Any]:
    properties: dict[str, Any] = Call.field(call.body() or {}, "properties", dict, "", required=True)
    return properties


def render(vault: Vault) -> Any:
    return lambda item: resource_json(vault, KINDS["protected_item"], (item.primary.fabric, item.primary.container),
                                      item)


def item_of(call: Call, vault: Vault) -> ProtectedItem:
    ref = sites.container(call.service.channel, vault, call.params["fabricName"], call.params["protectionContainerName"])
    found = protection.protected_item_of(vault, ref, call.params["replicatedProtectedItemName"])
    if found is None:
        raise ResourceNotFound(
            f"The Resource 'Microsoft.RecoveryServices/vaults/{vault.name}/replicationFabrics/{call.params['fabricName']}/"
            f"replicationProtectionContainers/{call.params['protectionContainerName']}/replicationProtectedItems/"
            f"{call.params['replicatedProtectedItemName']}' under resource group '{vault.resource_group}' was not found.",
            target="replicatedProtectedItemName")
    return found


def conflicting(call: Call, vault: Vault, item: ProtectedItem, scenario: Scenario, kind: str = "resource"
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
    return call.accepted(vault, job, kind, render(vault))


def operate(call: Call, vault: Vault, item: ProtectedItem, operation: str, scenario: Scenario,
             start: Callable[[str | None], Job], kind: str = "resource") -> HttpResponse:
    """Run ``operation`` on ``item`` by ``start(client_request_id)``: a job already running on it
    makes this one fail with 532 (§A.4.5), a state that does not allow it refuses it (150205)."""
    conflict = conflicting(call, vault, item, scenario, kind)
    if conflict is not None:
        return conflict
    allow(item, operation)
    if operation in _FAILBACK and item.active_location == "Recovery":
        raise NotImplementedOperation(f"'{operation}' of '{item.vm_name}', active at the recovery site, is a failback, "
                                      "which asr-harness does not emulate yet.")
    return call.accepted(vault, start(call.client_request_id), kind, render(vault))


def direction(properties: dict[str, Any], allowed: tuple[str, ...], why: str) -> None:
    """A failover body's ``failoverDirection`` (one of ``allowed``) and ``providerSpecificDetails``."""
    direction = Call.field(properties, "failoverDirection", str, "properties")
    Call.field(properties, "providerSpecificDetails", dict, "properties")
    if direction not in (None, *allowed):
        raise InvalidParameter(f"The value '{direction}' of 'properties.failoverDirection' is invalid: {why}.",
                               target="properties.failoverDirection")


def allow(item: ProtectedItem, operation: str) -> None:
    allowed = item.allowed_operations
    if operation not in allowed:
        raise OPERATION_NOT_ALLOWED.refusal(operation=operation, vm=item.vm_name, state=item.state,
                                            allowed=", ".join(allowed) or "none")


