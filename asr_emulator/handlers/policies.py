"""Replication policies on the wire (asr-api.md §6): PUT ``providerSpecificInput`` in, PATCH
``replicationProviderSettings`` in, ``providerSpecificDetails`` (with ``replicaDeletionOption``) out.

A request with any bad field is refused with 400 naming it, before any job exists; a valid one
answers 202 and its job commits the change (models.backend).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import InvalidParameter, NotImplementedOperation
from ..http import HttpResponse
from ..models.policies import PROVIDERS, Policy, fields_of, settings_from_fields
from ..routing.registry import handles
from ..wire.call import Call
from ..wire.render import policy_json

#: SDK 2.0.0's other ``PolicyProviderSpecificInput`` subtypes: real inputs of scenarios this
#: emulator does not model, so they fail loudly with 501 instead of 400.
_OTHER_SDK_PROVIDERS = ("A2A", "A2ACrossClusterMigration", "HyperVReplicaAzure", "InMageAzureV2",
                        "InMageRcmFailback", "InMageRcm", "VMwareCbt")


def _provider_input(body: dict[str, Any], container: str) -> tuple[str, dict[str, Any], str]:
    """(instanceType, present fields, JSON path) of ``properties.<container>``; typed 400s otherwise."""
    properties = Call.field(body, "properties", dict, "", required=True)
    path = f"properties.{container}"
    settings = Call.field(properties, container, dict, "properties", required=True)
    instance_type = Call.field(settings, "instanceType", str, path, required=True)
    if instance_type in _OTHER_SDK_PROVIDERS:
        raise NotImplementedOperation(
            f"Replication policies with {path}.instanceType '{instance_type}' are not implemented by asr-harness "
            f"(it emulates {', '.join(PROVIDERS)}).", target=f"{path}.instanceType")
    if instance_type not in PROVIDERS:
        raise InvalidParameter(
            f"The value '{instance_type}' of '{path}.instanceType' is invalid: allowed values are "
            + ", ".join(repr(p) for p in PROVIDERS) + ".", target=f"{path}.instanceType")
    fields = {}
    for name, kind in fields_of(instance_type).items():
        if name in settings:
            fields[name] = Call.field(settings, name, kind, path)
    return instance_type, fields, path


def _render(call: Call) -> Callable[[Policy], dict[str, Any]]:
    vault = call.vault()
    return lambda policy: policy_json(vault, policy)


@handles("ReplicationPoliciesOperations", "get")
def get_policy(call: Call) -> HttpResponse:
    vault = call.vault()
    return call.json(policy_json(vault, call.service.backend.policy(vault, call.params["policyName"])))


@handles("ReplicationPoliciesOperations", "list")
def list_policies(call: Call) -> HttpResponse:
    vault = call.vault()
    return call.page(list(vault.policies.values()), lambda policy: policy_json(vault, policy))


@handles("ReplicationPoliciesOperations", "begin_create")
def create_policy(call: Call) -> HttpResponse:
    vault = call.vault()
    instance_type, fields, path = _provider_input(call.body(), "providerSpecificInput")
    settings = settings_from_fields(instance_type, {k: v for k, v in fields.items() if v is not None}, path=path)
    backend = call.service.backend
    job = backend.create_policy(vault, call.params["policyName"], settings, client_request_id=call.client_request_id)
    return call.accepted(vault, job, "resource", _render(call))


@handles("ReplicationPoliciesOperations", "begin_update")
def update_policy(call: Call) -> HttpResponse:
    vault = call.vault()
    body = call.body()
    backend = call.service.backend
    backend.policy(vault, call.params["policyName"])  # 404 before 400, as ARM checks the resource first
    instance_type, fields, path = _provider_input(body, "replicationProviderSettings")
    job = backend.update_policy(vault, call.params["policyName"], fields, instance_type, path=path,
                                client_request_id=call.client_request_id)
    return call.accepted(vault, job, "resource", _render(call))


@handles("ReplicationPoliciesOperations", "begin_delete")
def delete_policy(call: Call) -> HttpResponse:
    vault = call.vault()
    backend = call.service.backend
    job = backend.delete_policy(vault, call.params["policyName"], client_request_id=call.client_request_id)
    return call.accepted(vault, job, "delete")
