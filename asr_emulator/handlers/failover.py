"""The failover family on the wire (asr-orchestration.md §A.4.1): test failover and its cleanup,
planned and unplanned failover, commit and reverse replication. Each body is checked as the SDK
sends it, then ``_item.operate`` runs the workflow's job (or the 532 conflict job, or refuses)."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidParameter
from ..http import HttpResponse
from ..models.inmage_item import InMageItem
from ..models.jobs import Job
from ..models.vault import Vault
from ..policy import (
    COMMIT_SCENARIO, INMAGE_PROVIDER, PLANNED_FAILOVER_SCENARIO, REVERSE_REPLICATION_SCENARIO, TEST_FAILOVER_CLEANUP_SCENARIO,
    TEST_FAILOVER_SCENARIO, UNPLANNED_FAILOVER_SCENARIO,
)
from ..routing.registry import handles
from ..wire.call import Call
from ..workflows import failover, sites, test_failover
from ..workflows.inmage import failover as inmage
from ..workflows.inmage import protection as inmage_protection
from ._item import ITEMS, failover_direction, item_of, operate, properties_of

def _inmage_details(properties: dict[str, Any]) -> dict[str, Any] | None:
    """An InMage item's ``providerSpecificDetails``: absent, or of instanceType ``InMage``."""
    details: dict[str, Any] | None = properties.get("providerSpecificDetails")
    if details is not None and details.get("instanceType") not in (None, INMAGE_PROVIDER):
        raise InvalidParameter(f"The value '{details.get('instanceType')}' of 'properties.providerSpecificDetails."
                               f"instanceType' is invalid: a machine of a configuration server takes {INMAGE_PROVIDER}.",
                               target="properties.providerSpecificDetails.instanceType")
    return details


def _reprotect_input(call: Call, vault: Vault, item: InMageItem, properties: dict[str, Any]) -> dict[str, Any]:
    """``InMageReprotectInput``, required, its ``profileId`` the item's policy."""
    details = _inmage_details(properties)
    where = "properties.providerSpecificDetails"
    if details is None:
        raise InvalidParameter(f"The field '{where}' is required: a machine of a configuration server is reprotected "
                               f"with {INMAGE_PROVIDER}ReprotectInput.", target=where)
    profile = Call.field(details, "profileId", str, where, required=True)
    if profile.lower() != item.policy_id.lower() and profile.lower() != item.policy_id.rsplit("/", 1)[-1].lower():
        raise InvalidParameter(f"The value '{profile}' of '{where}.profileId' is invalid: '{item.vm_name}' is protected "
                               f"with the policy '{item.policy_id}'.", target=f"{where}.profileId")
    fabric = sites.fabric(call.service.channel, vault, item.primary.fabric)
    return inmage_protection.parse_reprotect_input(details, getattr(fabric, "inventory", None))


@handles(ITEMS, "begin_test_failover")
def start_test_failover(call: Call) -> HttpResponse:
    """The recorded body (§A.4.1): ``failoverDirection``, ``networkType`` and, with a VM network, its
    ``networkId`` on the fabric the replica is on (the recovery fabric, or the primary in a failback)."""
    vault = call.vault()
    properties = properties_of(call)
    direction = failover_direction(properties)
    network_type = Call.field(properties, "networkType", str, "properties") or "NoNetworkAttachAsInput"
    network_id = Call.field(properties, "networkId", str, "properties")
    if network_type not in ("VmNetworkAsInput", "NoNetworkAttachAsInput"):
        raise InvalidParameter(f"The value '{network_type}' of 'properties.networkType' is invalid: VmNetworkAsInput "
                               "or NoNetworkAttachAsInput.", target="properties.networkType")
    item = item_of(call, vault)
    if isinstance(item, InMageItem):
        point = inmage.parse_recovery_point(_inmage_details(properties), item)
        return operate(call, vault, item, "TestFailover", TEST_FAILOVER_SCENARIO, lambda request_id: (
            inmage.start_test_failover(call.service.channel, vault, item, point, client_request_id=request_id)),
            direction=direction)
    network = None
    if network_type == "VmNetworkAsInput":
        if not network_id:
            raise InvalidParameter("'properties.networkId' is required with the networkType VmNetworkAsInput.",
                                   target="properties.networkId")
        fabric, name = sites.parse_child_id(vault, network_id, "replicationNetworks", "properties.networkId")
        if fabric.lower() != item.standby.fabric.lower():
            raise InvalidParameter(f"The value '{network_id}' of 'properties.networkId' is invalid: a test failover "
                                   f"network is a VM network of the fabric the replica is on ('{item.standby.fabric}').",
                                   target="properties.networkId")
        network = sites.network(call.service.channel, vault, fabric, name)
    return operate(call, vault, item, "TestFailover", TEST_FAILOVER_SCENARIO, lambda request_id: (
        test_failover.start_test_failover(call.service.channel, vault, item, network, client_request_id=request_id)),
        direction=direction)


@handles(ITEMS, "begin_test_failover_cleanup")
def start_test_failover_cleanup(call: Call) -> HttpResponse:
    vault = call.vault()
    comments = Call.field(properties_of(call), "comments", str, "properties") or ""
    item = item_of(call, vault)

    def start(request_id: str | None) -> Job:
        if isinstance(item, InMageItem):
            return inmage.start_test_failover_cleanup(call.service.channel, vault, item, comments,
                                                      client_request_id=request_id)
        return test_failover.start_test_failover_cleanup(call.service.channel, vault, item, comments,
                                                         client_request_id=request_id)
    return operate(call, vault, item, "TestFailoverCleanup", TEST_FAILOVER_CLEANUP_SCENARIO, start)


@handles(ITEMS, "begin_planned_failover")
def start_planned_failover(call: Call) -> HttpResponse:
    """The recorded body (§A.4.1): ``failoverDirection`` and the base ``providerSpecificDetails``."""
    vault = call.vault()
    direction = failover_direction(properties_of(call))
    item = item_of(call, vault)
    return operate(call, vault, item, "PlannedFailover", PLANNED_FAILOVER_SCENARIO, lambda request_id: (
        failover.start_planned_failover(call.service.channel, vault, item, client_request_id=request_id)),
        direction=direction)


@handles(ITEMS, "begin_unplanned_failover")
def start_unplanned_failover(call: Call) -> HttpResponse:
    """``failoverDirection``, ``sourceSiteOperations`` Required | NotRequired (§A.4.1)."""
    vault = call.vault()
    properties = properties_of(call)
    direction = failover_direction(properties)
    source = Call.field(properties, "sourceSiteOperations", str, "properties") or "NotRequired"
    if source not in ("Required", "NotRequired"):
        raise InvalidParameter(f"The value '{source}' of 'properties.sourceSiteOperations' is invalid: Required or "
                               "NotRequired.", target="properties.sourceSiteOperations")
    item = item_of(call, vault)
    if isinstance(item, InMageItem):
        point = inmage.parse_recovery_point(_inmage_details(properties), item)
        return operate(call, vault, item, "UnplannedFailover", UNPLANNED_FAILOVER_SCENARIO, lambda request_id: (
            inmage.start_unplanned_failover(call.service.channel, vault, item, point, client_request_id=request_id)),
            direction=direction)
    return operate(call, vault, item, "UnplannedFailover", UNPLANNED_FAILOVER_SCENARIO, lambda request_id: (
        failover.start_unplanned_failover(call.service.channel, vault, item, source_side=source == "Required",
                                          client_request_id=request_id)), direction=direction)


@handles(ITEMS, "begin_failover_commit")
def commit_failover(call: Call) -> HttpResponse:
    """Sent without a body (§A.4.1)."""
    vault = call.vault()
    item = item_of(call, vault)

    def start(request_id: str | None) -> Job:
        if isinstance(item, InMageItem):
            return inmage.start_commit(call.service.channel, vault, item, client_request_id=request_id)
        return failover.start_commit(call.service.channel, vault, item, client_request_id=request_id)
    return operate(call, vault, item, "Commit", COMMIT_SCENARIO, start)


@handles(ITEMS, "begin_reprotect")
def reverse_replication(call: Call) -> HttpResponse:
    """``Update-AzRecoveryServicesAsrProtectionDirection`` (§A.4.1): ``failoverDirection`` and
    ``ReverseReplicationProviderSpecificInput``."""
    vault = call.vault()
    properties = properties_of(call)
    direction = failover_direction(properties)
    item = item_of(call, vault)
    if isinstance(item, InMageItem):
        given = _reprotect_input(call, vault, item, properties)
        return operate(call, vault, item, "ReverseReplicate", REVERSE_REPLICATION_SCENARIO, lambda request_id: (
            inmage.start_reprotect(call.service.channel, vault, item, given, client_request_id=request_id)),
            direction=direction)
    return operate(call, vault, item, "ReverseReplicate", REVERSE_REPLICATION_SCENARIO, lambda request_id: (
        failover.start_reverse_replication(call.service.channel, vault, item, client_request_id=request_id)),
        direction=direction)
