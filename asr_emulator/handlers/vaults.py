"""Vaults as azure-mgmt-recoveryservices 4.3.0 drives them (api-version 2026-11-01, asr-api.md §10).

PUT answers 201 (created) or 200 (replaced) with ``provisioningState: Succeeded``, so the SDK's
body-content polling ends at once; DELETE answers 204 (ARM's answer for a missing vault too).
"""

from __future__ import annotations

from typing import Any

from ..errors import ArmError, InvalidParameter, InvalidRequestContent
from ..http import HttpResponse
from ..policy import VAULT_NOT_EMPTY_CODE
from ..routing.registry import handles
from ..wire.call import Call
from ..wire.render import vault_json

_SKUS = {"standard": "Standard", "rs0": "RS0"}  # enum SkuName, case-insensitive in the SDK
_READ_ONLY = ("provisioningState", "privateEndpointConnections", "moveState", "secureScore", "bcdrSecurityLevel")


def _vault_fields(body: dict[str, Any], *, patch: bool) -> dict[str, Any]:
    """The vault fields of a PUT/PATCH body, type-checked; only those present."""
    fields: dict[str, Any] = {}
    tags = Call.field(body, "tags", dict, "")
    if tags is not None:
        for key, value in tags.items():
            if not isinstance(value, str):
                raise InvalidRequestContent(f"The request content was invalid: the tag 'tags.{key}' must be a string.",
                                            target=f"tags.{key}")
        fields["tags"] = dict(tags)
    sku = Call.field(body, "sku", dict, "")
    if sku is not None:
        name = Call.field(sku, "name", str, "sku", required=True)
        if name.lower() not in _SKUS:
            raise InvalidParameter(f"The value '{name}' of 'sku.name' is invalid: allowed values are 'Standard', 'RS0'.",
                                   target="sku.name")
        fields["sku"] = {**sku, "name": _SKUS[name.lower()]}
    identity = Call.field(body, "identity", dict, "")
    if identity is not None:
        fields["identity"] = dict(identity)
    properties = Call.field(body, "properties", dict, "")
    if properties is not None:
        fields["properties"] = {k: v for k, v in properties.items() if k not in _READ_ONLY}
    elif not patch:
        fields["properties"] = {}
    return fields


def _check_location(call: Call, vault_location: str | None, location: str | None) -> None:
    if vault_location is not None and location is not None and location.replace(" ", "").lower() != vault_location.replace(" ", "").lower():
        raise ArmError(
            f"The resource '{call.params['vaultName']}' already exists in location '{vault_location}' in resource group "
            f"'{call.params['resourceGroupName']}'. A resource with the same name cannot be created in location '{location}'.",
            code="InvalidResourceLocation", target="location")


@handles("VaultsOperations", "get")
def get_vault(call: Call) -> HttpResponse:
    return call.json(vault_json(call.vault()))


@handles("VaultsOperations", "begin_create_or_update")
def put_vault(call: Call) -> HttpResponse:
    body = call.body()
    location = Call.field(body, "location", str, "")
    if not location:
        raise InvalidRequestContent("The location property is required for this definition.", code="LocationRequired",
                                    target="location")
    backend = call.service.backend
    sub, rg, name = call.params["subscriptionId"], call.params["resourceGroupName"], call.params["vaultName"]
    existing = backend.vaults.find(sub, rg, name)
    _check_location(call, existing.location if existing else None, location)
    fields = _vault_fields(body, patch=False)
    fields.setdefault("tags", {})
    fields.setdefault("sku", None)
    fields.setdefault("identity", None)
    vault, created = backend.put_vault(sub, rg, name, location=location, **fields)
    return call.json(vault_json(vault), 201 if created else 200)


@handles("VaultsOperations", "begin_update")
def patch_vault(call: Call) -> HttpResponse:
    vault = call.vault()
    body = call.body()
    _check_location(call, vault.location, Call.field(body, "location", str, ""))
    fields = _vault_fields(body, patch=True)
    if "properties" in fields:
        fields["properties"] = {**vault.properties, **fields["properties"]}
    vault, _ = call.service.backend.put_vault(vault.subscription_id, vault.resource_group, vault.name, **fields)
    return call.json(vault_json(vault))


@handles("VaultsOperations", "begin_delete")
def delete_vault(call: Call) -> HttpResponse:
    backend = call.service.backend
    vault = backend.vaults.find(call.params["subscriptionId"], call.params["resourceGroupName"], call.params["vaultName"])
    if vault is not None:
        if vault.holds_replication_resources:
            raise ArmError(
                f"Vault '{vault.name}' cannot be deleted as there are existing resources within the vault: remove its "
                "replication policies and registered Site Recovery infrastructure first.", code=VAULT_NOT_EMPTY_CODE)
        backend.delete_vault(vault)
    return call.no_content()


@handles("VaultsOperations", "list_by_resource_group")
def list_vaults_in_group(call: Call) -> HttpResponse:
    vaults = call.service.backend.vaults.in_subscription(call.params["subscriptionId"], call.params["resourceGroupName"])
    return call.page(vaults, vault_json)


@handles("VaultsOperations", "list_by_subscription_id")
def list_vaults(call: Call) -> HttpResponse:
    vaults = call.service.backend.vaults.in_subscription(call.params["subscriptionId"])
    return call.page(vaults, vault_json)
