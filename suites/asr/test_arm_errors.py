"""ARM conventions: 401 / 404 / 400 / 405 / 501 answers and how the SDKs map them (asr-api.md §3.2, §12)."""

from __future__ import annotations

import json

import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError
from azure.core.pipeline.policies import SansIOHTTPPolicy

from asr_emulator import HttpRequest
from drlab.azure_transport import DEFAULT_SUBSCRIPTION, site_recovery_client

from .conftest import RG

V = f"/subscriptions/{DEFAULT_SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.RecoveryServices/vaults/vault1"


def raw(service, method, path, *, body=b"", auth=True, query="?api-version=2025-08-01"):
    headers = {"Authorization": "Bearer t"} if auth else {}
    response = service.handle(HttpRequest(method, f"https://management.azure.com{path}{query}", headers, body))
    return response.status, (json.loads(response.body) if response.body else None), response.headers


def test_missing_resources_map_to_resource_not_found(asr, vault):
    with pytest.raises(ResourceNotFoundError) as caught:
        asr.replication_policies.get(RG, vault.name, "nope")
    assert caught.value.error.code == "ResourceNotFound" and "replicationPolicies/nope" in caught.value.error.message
    with pytest.raises(ResourceNotFoundError):
        asr.replication_jobs.get(RG, vault.name, "00000000-0000-0000-0000-000000000001")
    with pytest.raises(ResourceNotFoundError) as caught:
        asr.replication_policies.get(RG, "no-such-vault", "p")
    assert "Microsoft.RecoveryServices/vaults/no-such-vault" in caught.value.error.message
    with pytest.raises(ResourceNotFoundError):
        asr.replication_policies.begin_delete(RG, vault.name, "nope")


def test_no_bearer_token_is_401_client_authentication_error(service, vault):
    class NoAuth(SansIOHTTPPolicy):
        pass

    client = site_recovery_client(service, authentication_policy=NoAuth())
    with pytest.raises(ClientAuthenticationError) as caught:
        client.replication_policies.list(RG, vault.name).next()
    assert caught.value.status_code == 401 and caught.value.error.code == "AuthenticationFailed"
    status, body, headers = raw(service, "GET", f"{V}/replicationPolicies", auth=False)
    assert status == 401 and "Bearer" in headers["WWW-Authenticate"]
    status, body, _ = service_handle_with(service, {"Authorization": "Basic abc"})
    assert status == 401 and body["error"]["code"] == "InvalidAuthenticationToken"


def service_handle_with(service, headers):
    response = service.handle(HttpRequest("GET", f"{V}/replicationPolicies?api-version=2025-08-01", headers))
    return response.status, json.loads(response.body), response.headers


def test_api_version_is_required_and_checked(service, vault, asr):
    status, body, _ = raw(service, "GET", f"{V}/replicationPolicies", query="")
    assert (status, body["error"]["code"]) == (400, "MissingApiVersionParameter")
    status, body, _ = raw(service, "GET", f"{V}/replicationPolicies", query="?api-version=2023-08-02")
    assert (status, body["error"]["code"]) == (400, "InvalidApiVersionParameter")
    assert body["error"]["message"].startswith("The api-version '2023-08-02' is invalid. The supported versions are '")
    assert "2016-08-10" in body["error"]["message"] and "2025-08-01" in body["error"]["message"]
    status, body, _ = raw(service, "GET", V, query="?api-version=2025-08-01")  # the vault API has its own version
    assert (status, body["error"]["code"]) == (400, "InvalidApiVersionParameter")
    old = site_recovery_client(service, api_version="2099-01-01")
    with pytest.raises(HttpResponseError) as caught:
        old.replication_policies.get(RG, vault.name, "p")
    assert caught.value.status_code == 400 and caught.value.error.code == "InvalidApiVersionParameter"


def test_not_emulated_operations_are_501_naming_the_sdk_method(asr, vault):
    with pytest.raises(HttpResponseError) as caught:
        asr.replication_fabrics.begin_create(RG, vault.name, "fab1", {"properties": {"customDetails": {"instanceType": "Azure"}}})
    error = caught.value
    assert error.status_code == 501 and error.error.code == "NotImplemented"
    assert "replication_fabrics.begin_create" in error.error.message and "ReplicationFabrics_Create" in error.error.message
    with pytest.raises(HttpResponseError) as caught:
        list(asr.replication_appliances.list(RG, vault.name))
    assert caught.value.status_code == 501 and "replication_appliances.list" in caught.value.error.message


def test_not_implemented_vault_api_operations_are_501(rs, vault):
    with pytest.raises(HttpResponseError) as caught:
        rs.vault_extended_info.get(RG, vault.name)
    assert caught.value.status_code == 501 and "VaultExtendedInfo_Get" in caught.value.error.message


def test_unknown_paths_and_methods(service, vault):
    status, body, _ = raw(service, "GET", f"{V}/replicationNothing")
    assert (status, body["error"]["code"]) == (404, "InvalidResourceType")
    status, body, _ = raw(service, "POST", f"{V}/replicationPolicies/p1")
    assert (status, body["error"]["code"]) == (405, "MethodNotAllowed")
    status, body, _ = raw(service, "GET", f"{V}/replicationPolicies/p1/operationresults/unknown-op")
    assert (status, body["error"]["code"]) == (404, "ResourceNotFound")


def test_every_call_is_recorded_as_invoke_then_ok_or_fail(service, vault, asr, sim):
    with pytest.raises(ResourceNotFoundError):
        asr.replication_policies.get(RG, vault.name, "nope")
    list(asr.replication_policies.list(RG, vault.name))
    events = sim.history.select(op="arm.*")
    assert [(e.op, e.phase.value) for e in events] == [
        ("arm.ReplicationPolicies_Get", "invoke"), ("arm.ReplicationPolicies_Get", "fail"),
        ("arm.ReplicationPolicies_List", "invoke"), ("arm.ReplicationPolicies_List", "ok"),
    ]
    assert events[1].details == {"status": 404, "code": "ResourceNotFound"}
