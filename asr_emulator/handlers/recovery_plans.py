"""Recovery plans on the wire (asr-api.md §8, asr-orchestration.md §A.5, §B.3): create (PUT), update
(PATCH, the whole group list) and delete, each a job (``workflows.plan_resource``); get and list are
the generic reads (``handlers.readonly``). A refused request changes nothing."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidParameter
from ..http import HttpResponse
from ..models.recovery_plans import RecoveryPlan
from ..models.resources import KINDS
from ..models.vault import Vault
from ..routing.registry import handles
from ..wire.call import Call
from ..wire.render import resource_json
from ..workflows import plan_resource
from ._plan_input import read_groups

PLANS = "ReplicationRecoveryPlansOperations"
_DEPLOYMENT_MODELS = ("NotApplicable", "Classic", "ResourceManager")  # enum FailoverDeploymentModel


def render(vault: Vault) -> Any:
    """What a plan operation's final GET answers: the plan as it is now."""
    return lambda plan: resource_json(vault, KINDS["recovery_plan"], (), plan)


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
    groups = read_groups(properties)
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
    groups = read_groups(_properties(call))
    job = plan_resource.start_update(call.service.channel, vault, plan, groups, client_request_id=call.client_request_id)
    return call.accepted(vault, job, "resource", render(vault))


@handles(PLANS, "begin_delete")
def delete_plan(call: Call) -> HttpResponse:
    vault = call.vault()
    plan = _plan(call, vault)
    job = plan_resource.start_delete(call.service.channel, vault, plan, client_request_id=call.client_request_id)
    return call.accepted(vault, job, "delete")
