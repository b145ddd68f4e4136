"""Vault lifecycle through azure-mgmt-recoveryservices 4.3.0, in-process."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from drlab.azure_transport import DEFAULT_SUBSCRIPTION

from .conftest import RG


def test_vault_create_get_update_list_delete(rs, service):
    created = rs.vaults.begin_create_or_update(
        RG, "v1", {"location": "westeurope", "sku": {"name": "RS0", "tier": "Standard"}, "tags": {"env": "test"}}).result()
    assert created.id == f"/subscriptions/{DEFAULT_SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.RecoveryServices/vaults/v1"
    assert created.type == "Microsoft.RecoveryServices/vaults"
    assert created.properties.provisioning_state == "Succeeded"
    assert created.sku.name == "RS0"

    fetched = rs.vaults.get(RG, "V1")  # ARM names are case-insensitive
    assert fetched.name == "v1" and fetched.tags == {"env": "test"}

    updated = rs.vaults.begin_update(RG, "v1", {"tags": {"env": "prod"}}).result()
    assert updated.tags == {"env": "prod"} and updated.location == "westeurope"

    rs.vaults.begin_create_or_update(RG, "v2", {"location": "westeurope"}).result()
    rs.vaults.begin_create_or_update("other-rg", "v3", {"location": "northeurope"}).result()
    assert [v.name for v in rs.vaults.list_by_resource_group(RG)] == ["v1", "v2"]
    assert [v.name for v in rs.vaults.list_by_subscription_id()] == ["v1", "v2", "v3"]

    rs.vaults.begin_delete(RG, "v1").result()
    with pytest.raises(ResourceNotFoundError):
        rs.vaults.get(RG, "v1")
    assert len(service.backend.vaults) == 2


def test_vault_put_answers_201_then_200(service, sim):
    from asr_emulator import HttpRequest

    url = (f"https://management.azure.com/subscriptions/{DEFAULT_SUBSCRIPTION}/resourceGroups/{RG}"
           "/providers/Microsoft.RecoveryServices/vaults/v9?api-version=2026-11-01")
    request = HttpRequest("PUT", url, {"Authorization": "Bearer t"}, b'{"location": "westeurope"}')
    assert service.handle(request).status == 201
    assert service.handle(request).status == 200


@pytest.mark.parametrize("body, code", [
    ({"sku": {"name": "Standard"}}, "LocationRequired"),
    ({"location": "westeurope", "sku": {"name": "Premium"}}, "InvalidParameter"),
    ({"location": "westeurope", "tags": {"a": 1}}, "InvalidRequestContent"),
])
def test_bad_vault_put_is_refused_and_creates_nothing(rs, service, body, code):
    with pytest.raises(HttpResponseError) as caught:
        rs.vaults.begin_create_or_update(RG, "bad", body).result()
    assert caught.value.status_code == 400 and caught.value.error.code == code
    assert len(service.backend.vaults) == 0


def test_vault_with_a_policy_cannot_be_deleted(rs, asr, vault, policy_input):
    asr.replication_policies.begin_create(RG, vault.name, "p1", {"properties": {"providerSpecificInput": policy_input()}}).result()
    with pytest.raises(HttpResponseError) as caught:
        rs.vaults.begin_delete(RG, vault.name).result()
    assert caught.value.status_code == 400 and caught.value.error.code == "ServiceResourceNotEmpty"
    assert rs.vaults.get(RG, vault.name).name == vault.name


def test_vault_cannot_move_location(rs, vault):
    with pytest.raises(HttpResponseError) as caught:
        rs.vaults.begin_create_or_update(RG, vault.name, {"location": "eastus"}).result()
    assert caught.value.error.code == "InvalidResourceLocation"
    assert rs.vaults.get(RG, vault.name).location == "westeurope"
