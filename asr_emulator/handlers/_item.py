"""What every operation on a protected item shares on the wire: its body's ``properties``, the item
the path names, the 532 conflict job while another runs on it (asr-orchestration.md §A.4.5), the
``allowedOperations`` check (150205) and the LRO answer rendering the item."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..catalogue import OPERATION_IN_PROGRESS, OPERATION_NOT_ALLOWED
from ..errors import InvalidParameter
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
        raise vault.missing(f"replicationFabrics/{call.params['fabricName']}/replicationProtectionContainers/"
                            f"{call.params['protectionContainerName']}/replicationProtectedItems/"
                            f"{call.params['replicatedProtectedItemName']}", target="replicatedProtectedItemName")
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
            start: Callable[[str | None], Job], kind: str = "resource", *, direction: str | None = None
            ) -> HttpResponse:
    """Run ``operation`` on ``item`` by ``start(client_request_id)``: a job already running on it
    makes this one fail with 532 (§A.4.5), a state that does not allow it refuses it (150205), and
    a ``failoverDirection`` other than the item's is refused (400): from the site it is active at
    to the other (a failback is RecoveryToPrimary, §B.2.1)."""
    conflict = conflicting(call, vault, item, scenario, kind)
    if conflict is not None:
        return conflict
    allow(item, operation)
    if direction not in (None, item.direction):
        raise InvalidParameter(f"The value '{direction}' of 'properties.failoverDirection' is invalid: "
                               f"'{item.vm_name}' is active at the {item.active_location.lower()} site, so this runs "
                               f"{item.direction}.", target="properties.failoverDirection")
    return call.accepted(vault, start(call.client_request_id), kind, render(vault))


def failover_direction(properties: dict[str, Any]) -> str | None:
    """A failover or reversal body's ``failoverDirection`` (checked against the item by ``operate``)
    and ``providerSpecificDetails``, each of its type or absent."""
    Call.field(properties, "providerSpecificDetails", dict, "properties")
    given: str | None = Call.field(properties, "failoverDirection", str, "properties")
    if given not in (None, "PrimaryToRecovery", "RecoveryToPrimary"):
        raise InvalidParameter(f"The value '{given}' of 'properties.failoverDirection' is invalid: PrimaryToRecovery "
                               "or RecoveryToPrimary.", target="properties.failoverDirection")
    return given


def allow(item: ProtectedItem, operation: str) -> None:
    allowed = item.allowed_operations
    if operation not in allowed:
        raise OPERATION_NOT_ALLOWED.refusal(operation=operation, vm=item.vm_name, state=item.state,
                                            allowed=", ".join(allowed) or "none")


