"""Recovery plans on the wire (asr-api.md §8, asr-orchestration.md §A.5, §B.3): create (PUT), update
(PATCH, the whole group list) and delete, each a job (``workflows.plan_resource``); get and list are
the generic reads (``handlers.readonly``); test failover and its cleanup, planned and unplanned
failover, commit and reverse replication run a plan job (``workflows.recovery_plan``) whose final
GET answers the plan. A refused request changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..catalogue import PLAN_DIRECTION_MIXED, PLAN_OPERATION_NOT_ALLOWED
from ..errors import InvalidParameter
from ..policy import INMAGE_DEFAULT_RECOVERY_POINT, INMAGE_PLAN_RECOVERY_POINT_TYPES, INMAGE_PROVIDER
from ..http import HttpResponse
from ..models.protection import ProtectedItem
from ..models.recovery_plans import RecoveryPlan
from ..models.resources import KINDS
from ..models.vault import Vault
from ..routing.registry import handles
from ..wire.call import Call
from ..wire.render import resource_json
from ..workflows import plan_resource, recovery_plan, sites
from ..workflows.plan_actions import refuse_runbooks
from ..workflows.recovery_plan import PlanRun
from ._plan_input import GroupInput, read_groups

PLANS = "ReplicationRecoveryPlansOperations"
_DEPLOYMENT_MODELS = ("NotApplicable", "Classic", "ResourceManager")  # enum FailoverDeploymentModel
_DIRECTIONS = ("PrimaryToRecovery", "RecoveryToPrimary")


def render(vault: Vault) -> Any:
    """What a plan operation's final GET answers: the plan as it is now."""
    return lambda plan: resource_json(vault, KINDS["recovery_plan"], (), plan)


def _groups(call: Call, properties: dict[str, Any]) -> list[GroupInput]:
    """The body's groups; a ``strict`` service refuses runbook actions (policy ``PLAN_RUNBOOKS_RUN``)."""
    groups = read_groups(properties)
    if call.service.strict:
        refuse_runbooks((f"{group.where}.{key}[{index}]", action) for group in groups
                        for key, actions in (("startGroupActions", group.start_actions),
                                             ("endGroupActions", group.end_actions))
                        for index, action in enumerate(actions))
    return groups


def _properties(call: Call) -> dict[str, Any]:
    properties: dict[str, Any] = Call.field(call.body(), "properties", dict, "", required=True)
    return properties


@handles(PLANS, "begin_create")
def create_plan(call: Call) -> HttpResponse:
    """``CreateRecoveryPlanInputProperties``: both fabric ids, the groups, optionally the deployment model
    (read back as policy ``PLAN_DEPLOYMENT_MODEL``) and ``providerSpecificInput``."""
    vault = call.vault()
    properties = _properties(call)
    primary = Call.field(properties, "primaryFabricId", str, "properties", required=True)
    recovery = Call.field(properties, "recoveryFabricId", str, "properties", required=True)
    model = Call.field(properties, "failoverDeploymentModel", str, "properties")
    if model is not None and model not in _DEPLOYMENT_MODELS:
        raise InvalidParameter(f"The value '{model}' of 'properties.failoverDeploymentModel' is invalid: allowed values "
                               f"are {', '.join(_DEPLOYMENT_MODELS)}.", target="properties.failoverDeploymentModel")
    Call.field(properties, "providerSpecificInput", list, "properties")
    groups = _groups(call, properties)
    job = plan_resource.start_create(call.service.channel, vault, call.params["recoveryPlanName"], primary, recovery,
                                     groups, client_request_id=call.client_request_id)
    return call.accepted(vault, job, "resource", render(vault))


def _plan(call: Call, vault: Vault) -> RecoveryPlan:
    return plan_resource.plan_of(vault, call.params["recoveryPlanName"])


@handles(PLANS, "begin_update")
def update_plan(call: Call) -> HttpResponse:
    """``UpdateRecoveryPlanInputProperties``: the whole group list (§B.3.2)."""
    vault = call.vault()
    plan = _plan(call, vault)
    groups = _groups(call, _properties(call))
    job = plan_resource.start_update(call.service.channel, vault, plan, groups, client_request_id=call.client_request_id)
    return call.accepted(vault, job, "resource", render(vault))


@handles(PLANS, "begin_delete")
def delete_plan(call: Call) -> HttpResponse:
    vault = call.vault()
    plan = _plan(call, vault)
    job = plan_resource.start_delete(call.service.channel, vault, plan, client_request_id=call.client_request_id)
    return call.accepted(vault, job, "delete")


def _operate(call: Call, operation: str, run: Callable[[RecoveryPlan, list[ProtectedItem]], PlanRun]) -> HttpResponse:
    """Run ``operation`` on the plan the path names: allowed now (every item allows it, no plan job
    runs; else 409 ``PLAN_OPERATION_NOT_ALLOWED``), every item going the direction asked for (400
    ``PLAN_DIRECTION_MIXED``)."""
    vault = call.vault()
    plan = _plan(call, vault)
    allowed = plan.allowed_operations
    if operation not in allowed:
        raise PLAN_OPERATION_NOT_ALLOWED.refusal(operation=operation, name=plan.name,
                                                 allowed=", ".join(allowed) or "nothing", target="recoveryPlanName")
    items = [item for item in (plan.protected_item(entry) for entry in plan.items) if item is not None]
    request = run(plan, items)
    if operation in recovery_plan.FAILOVER_KINDS:
        for item in items:
            if item.direction != request.direction:
                raise PLAN_DIRECTION_MIXED.refusal(name=plan.name, direction=request.direction, vm=item.vm_name,
                                                   location=item.active_location.lower(),
                                                   target="properties.failoverDirection")
    job = recovery_plan.start_plan_job(call.service.channel, vault, plan, items, request,
                                       client_request_id=call.client_request_id)
    # the plan as it is when polled: also while the job waits at a manual action (before any output)
    return call.accepted(vault, job, "resource", lambda _output: render(vault)(plan))


def _inmage_point(properties: dict[str, Any]) -> str:
    """The ``recoveryPointType`` of the body's ``RecoveryPlanInMageFailoverInput`` (policy
    ``INMAGE_PLAN_FABRICS``; ``LatestTime`` without one): ``LatestTime`` or ``LatestTag``, a plan input
    naming no point for ``Custom``."""
    details = Call.field(properties, "providerSpecificDetails", list, "properties") or []
    for index, entry in enumerate(details):
        where = f"properties.providerSpecificDetails[{index}]"
        if not isinstance(entry, dict):
            raise InvalidParameter(f"The value of '{where}' is invalid: an object.", target=where)
        if entry.get("instanceType") != INMAGE_PROVIDER:
            continue
        kind: str = Call.field(entry, "recoveryPointType", str, where, required=True)
        if kind not in INMAGE_PLAN_RECOVERY_POINT_TYPES:
            raise InvalidParameter(f"The value '{kind}' of '{where}.recoveryPointType' is invalid: a recovery plan's "
                                   f"InMage failover goes to {' or '.join(INMAGE_PLAN_RECOVERY_POINT_TYPES)} (it names "
                                   "no point for Custom).", target=f"{where}.recoveryPointType")
        return kind
    return INMAGE_DEFAULT_RECOVERY_POINT


def _direction(call: Call) -> tuple[dict[str, Any], str]:
    """A plan failover body's required ``failoverDirection`` and its ``providerSpecificDetails``, an
    array (it stays ``[]`` for HyperVReplica2012R2, §A.5.5)."""
    properties = _properties(call)
    _inmage_point(properties)
    direction: str = Call.field(properties, "failoverDirection", str, "properties", required=True)
    if direction not in _DIRECTIONS:
        raise InvalidParameter(f"The value '{direction}' of 'properties.failoverDirection' is invalid: "
                               f"{' or '.join(_DIRECTIONS)}.", target="properties.failoverDirection")
    return properties, direction


@handles(PLANS, "begin_planned_failover")
def plan_planned_failover(call: Call) -> HttpResponse:
    _, direction = _direction(call)
    return _operate(call, "PlannedFailover", lambda plan, items: PlanRun("PlannedFailover", direction))


@handles(PLANS, "begin_unplanned_failover")
def plan_unplanned_failover(call: Call) -> HttpResponse:
    properties, direction = _direction(call)
    source = Call.field(properties, "sourceSiteOperations", str, "properties", required=True)
    if source not in ("Required", "NotRequired"):
        raise InvalidParameter(f"The value '{source}' of 'properties.sourceSiteOperations' is invalid: Required or "
                               "NotRequired.", target="properties.sourceSiteOperations")
    return _operate(call, "UnplannedFailover", lambda plan, items: PlanRun(
        "UnplannedFailover", direction, source_side=source == "Required", inmage_point=_inmage_point(properties)))


@handles(PLANS, "begin_test_failover")
def plan_test_failover(call: Call) -> HttpResponse:
    """``networkType`` VmNetworkAsInput with a VM network of the fabric the replicas are on, or
    NoNetworkAttachAsInput (as for one item, ``handlers.failover``)."""
    vault = call.vault()
    properties, direction = _direction(call)
    network_type = Call.field(properties, "networkType", str, "properties", required=True)
    if network_type not in ("VmNetworkAsInput", "NoNetworkAttachAsInput"):
        raise InvalidParameter(f"The value '{network_type}' of 'properties.networkType' is invalid: VmNetworkAsInput "
                               "or NoNetworkAttachAsInput.", target="properties.networkType")
    network_id = Call.field(properties, "networkId", str, "properties")

    def run(plan: RecoveryPlan, _items: list[ProtectedItem]) -> PlanRun:
        if network_type == "NoNetworkAttachAsInput":
            return PlanRun("TestFailover", direction, inmage_point=_inmage_point(properties))
        target = plan.recovery_fabric if direction == "PrimaryToRecovery" else plan.primary_fabric
        fabric, name = sites.parse_child_id(vault, network_id or "", "replicationNetworks", "properties.networkId")
        if fabric.lower() != target.lower():
            raise InvalidParameter(f"The value '{network_id}' of 'properties.networkId' is invalid: a test failover "
                                   f"network is a VM network of the fabric the replicas are on ('{target}').",
                                   target="properties.networkId")
        return PlanRun("TestFailover", direction, network=sites.network(call.service.channel, vault, fabric, name),
                       inmage_point=_inmage_point(properties))

    return _operate(call, "TestFailover", run)


@handles(PLANS, "begin_test_failover_cleanup")
def plan_test_failover_cleanup(call: Call) -> HttpResponse:
    comments = Call.field(_properties(call), "comments", str, "properties") or ""
    return _operate(call, "TestFailoverCleanup", lambda plan, items: PlanRun(
        "TestFailoverCleanup", items[0].direction if items else "PrimaryToRecovery", comments=comments))


@handles(PLANS, "begin_failover_commit")
def plan_commit(call: Call) -> HttpResponse:
    """Sent without a body."""
    return _operate(call, "Commit", lambda plan, items: PlanRun("Commit", "PrimaryToRecovery"))


@handles(PLANS, "begin_reprotect")
def plan_reverse_replication(call: Call) -> HttpResponse:
    """Sent without a body ([TSP] calls the plan's reProtect deprecated; the SDK still has it): each
    item's reverse replication."""
    return _operate(call, "ReverseReplicate", lambda plan, items: PlanRun("ReverseReplicate", "PrimaryToRecovery"))
