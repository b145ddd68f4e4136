"""What ARM checks of any request before its resource provider sees it, sans-IO: JSON depth and body
size (400 / 413), every query parameter (400 naming it), the name a PUT creates (400 with the rule),
the body's media type (415), and URLs built from the configured base URL. Every refusal is an ARM
error with its own code and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asr_emulator import AsrService, HttpRequest, HttpResponse
from asr_emulator.policy import MAX_JSON_DEPTH, MAX_QUERY_PARAMETERS, MAX_REQUEST_BODY_BYTES, MAX_TOP, PAGE_SIZE
from asr_emulator.wire.query import SDK_QUERY_PARAMETERS
from simcore import Simulation

SUB = "00000000-0000-0000-0000-000000000000"
RG = "rg-dr"
VAULT = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.RecoveryServices/vaults/vault1"
API = "api-version=2025-08-01"
ORIGIN = "https://management.azure.com"
JSON = {"Content-Type": "application/json"}
POLICY = {"properties": {"providerSpecificInput": {"instanceType": "HyperVReplica2012R2", "replicationPort": 8083,
                                                   "authentication": 1, "applicationConsistentSnapshotFrequencyInHours": 0,
                                                   "initialReplicationMethod": "OverNetwork", "offlineReplicationImportPath": None,
                                                   "offlineReplicationExportPath": None, "allowedAuthenticationType": 1,
                                                   "replicaDeletion": "Required", "recoveryPoints": 0,
                                                   "compression": "Enable", "replicationFrequencyInSeconds": 300}}}


@pytest.fixture
def service() -> AsrService:
    service = AsrService(Simulation(seed=3), retry_after=0, advance_on_poll=60)
    service.create_vault(SUB, RG, "vault1")
    return service


def call(service: AsrService, method: str, path: str, body: bytes | dict[str, Any] = b"", *, query: str = API,
         headers: dict[str, str] | None = None, origin: str = ORIGIN) -> HttpResponse:
    raw = json.dumps(body).encode() if isinstance(body, dict) else body
    sent = {"Authorization": "Bearer t", **(JSON if raw else {}), **(headers or {})}
    return service.handle(HttpRequest(method, f"{origin}{path}?{query}" if query else f"{origin}{path}", sent, raw))


def error(response: HttpResponse) -> dict[str, Any]:
    assert response.headers["Content-Type"].startswith("application/json")
    body: dict[str, Any] = json.loads(response.body)["error"]
    assert body["code"] and body["message"]
    return body


def state(service: AsrService) -> list[tuple[Any, ...]]:
    """Everything a refused request must leave as it was."""
    return [(v.key, sorted(v.policies), sorted(v.jobs), len(v.operations), len(v.events), bool(v.resources))
            for v in service.backend.vaults]


def refused(service: AsrService, status: int, code: str, method: str, path: str, body: bytes | dict[str, Any] = b"",
            **kwargs: Any) -> dict[str, Any]:
    before = state(service)
    response = call(service, method, path, body, **kwargs)
    assert response.status == status, response.body
    found = error(response)
    assert found["code"] == code
    assert state(service) == before
    fail = service.sim.history.select(op="arm.*", phase="fail")[-1]
    assert fail.details == {"status": status, "code": code}
    return found


def nested(depth: int, *, objects: bool = False) -> bytes:
    if objects:
        return b'{"a":' * depth + b"1" + b"}" * depth
    return b"[" * depth + b"]" * depth


# -- 1. JSON depth and body size ------------------------------------------------------------------

@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("objects", [False, True], ids=["arrays", "objects"])
def test_json_nested_a_thousand_deep_is_400_not_a_recursion_error(service: AsrService, depth: int, objects: bool) -> None:
    found = refused(service, 400, "InvalidRequestContent", "PUT", f"{VAULT}/replicationPolicies/p1",
                    nested(depth, objects=objects))
    assert found["target"] == "body" and f"deeper than {MAX_JSON_DEPTH} levels" in found["message"]


def test_the_depth_bound_is_exact(service: AsrService) -> None:
    inner = MAX_JSON_DEPTH - 1  # the body object is the first level
    fits = json.dumps(POLICY)[:-1].encode() + b',"x":' + nested(inner) + b"}"
    assert call(service, "PUT", f"{VAULT}/replicationPolicies/deep", fits).status == 202
    too_deep = json.dumps(POLICY)[:-1].encode() + b',"x":' + nested(inner + 1) + b"}"
    found = refused(service, 400, "InvalidRequestContent", "PUT", f"{VAULT}/replicationPolicies/deeper", too_deep)
    assert "deeper than" in found["message"]


def test_a_body_over_the_limit_is_413_and_one_at_the_limit_is_read(service: AsrService) -> None:
    over = b" " * MAX_REQUEST_BODY_BYTES + b"{}"
    found = refused(service, 413, "RequestEntityTooLarge", "PUT", f"{VAULT}/replicationPolicies/big", over)
    assert str(MAX_REQUEST_BODY_BYTES) in found["message"]
    at_limit = json.dumps(POLICY).encode()
    at_limit += b" " * (MAX_REQUEST_BODY_BYTES - len(at_limit))
    assert call(service, "PUT", f"{VAULT}/replicationPolicies/big", at_limit).status == 202


def test_a_huge_integer_in_a_body_is_400_not_500(service: AsrService) -> None:
    body = b'{"properties":{"providerSpecificInput":{"replicationPort":' + b"9" * 5000 + b"}}}"
    refused(service, 400, "InvalidRequestContent", "PUT", f"{VAULT}/replicationPolicies/p1", body)


# -- 2. Every query parameter ---------------------------------------------------------------------

@pytest.mark.parametrize("value", ["9" * 5000, "9" * 10, "-1", "abc", " 1", "1.5", "%C2%B2", "", "0x1"])
def test_a_malformed_skiptoken_is_400_naming_it(service: AsrService, value: str) -> None:
    found = refused(service, 400, "InvalidQueryParameterValue", "GET", f"{VAULT}/replicationPolicies",
                    query=f"{API}&$skiptoken={value}")
    assert found["target"] == "$skiptoken" and "$skiptoken" in found["message"]
    assert len(found["message"]) < 400  # a 5,000-digit value is quoted, not echoed whole


@pytest.mark.parametrize("value", ["0", str(MAX_TOP + 1), "abc", "-3", "9" * 5000, ""])
def test_a_malformed_top_is_400_naming_it(service: AsrService, value: str) -> None:
    found = refused(service, 400, "InvalidQueryParameterValue", "GET", f"{VAULT}/replicationJobs",
                    query=f"{API}&$top={value}")
    assert found["target"] == "$top"


@pytest.mark.parametrize(("query", "code", "target"), [
    (f"{API}&$filter=" + "(" * 3000, "InvalidQueryParameterValue", "$filter"),
    (f"{API}&$filter=JobStatus%20eq%20%27%01%27", "InvalidQueryParameterValue", "$filter"),
    (f"{API}&$filter=(", "InvalidFilter", "$filter"),
    (f"{API}&$orderby=name", "UnsupportedQueryParameter", "$orderby"),
    (f"{API}&api-version=2016-08-10", "InvalidQueryParameterValue", "api-version"),
    (f"{API}&x=%FF", "InvalidQueryParameterValue", "query"),
    (API + "".join(f"&p{i}=1" for i in range(MAX_QUERY_PARAMETERS)), "InvalidQueryParameterValue", "query"),
])
def test_other_malformed_query_parameters_are_400_naming_them(service: AsrService, query: str, code: str,
                                                               target: str) -> None:
    assert refused(service, 400, code, "GET", f"{VAULT}/replicationJobs", query=query)["target"] == target


def test_the_query_parameter_table_is_the_sdks() -> None:
    specs = json.loads((Path(__file__).parents[2] / "specs" / "asr" / "sdk-2.0.0-operations.json").read_text())
    table = {(op["sdk_operation_group"], op["sdk_method"]): tuple(q for q in op["query_params"] if q != "api-version")
             for op in specs["operations"]}
    assert {key: names for key, names in table.items() if names} == SDK_QUERY_PARAMETERS


def test_filter_on_a_list_that_takes_none_is_refused_not_ignored(service: AsrService) -> None:
    found = refused(service, 400, "UnsupportedQueryParameter", "GET", f"{VAULT}/replicationPolicies",
                    query=f"{API}&$filter=name eq 'x'")
    assert found["target"] == "$filter" and "replication_policies.list" in found["message"]


def test_unknown_plain_parameters_are_ignored_and_repeats_of_one_value_are_fine(service: AsrService) -> None:
    assert call(service, "GET", f"{VAULT}/replicationPolicies", query=f"{API}&cachebuster=1&{API}").status == 200


def test_top_keeps_the_first_n_items_paged_as_usual(service: AsrService) -> None:
    for i in range(PAGE_SIZE + 2):
        assert call(service, "PUT", f"{VAULT}/replicationPolicies/p{i:02}", POLICY).status == 202
    service.sim.advance(60)  # the creation jobs run
    three = json.loads(call(service, "GET", f"{VAULT}/replicationPolicies", query=f"{API}&$top=3").body)
    assert [p["name"] for p in three["value"]] == ["p00", "p01", "p02"] and "nextLink" not in three
    first = json.loads(call(service, "GET", f"{VAULT}/replicationPolicies", query=f"{API}&$top={PAGE_SIZE + 1}").body)
    link = urlsplit(first["nextLink"])
    assert len(first["value"]) == PAGE_SIZE and parse_qs(link.query)["$top"] == [str(PAGE_SIZE + 1)]
    second = json.loads(call(service, "GET", link.path, query=link.query).body)
    assert [p["name"] for p in second["value"]] == [f"p{PAGE_SIZE:02}"] and "nextLink" not in second


# -- 3. Resource names a PUT creates --------------------------------------------------------------

@pytest.mark.parametrize("name", ["a%2Fb", "a:b", "a%25b", "a%3Fb", "a%23b", "a%5Cb", "a%26b", "a%3Cb", "a%01b",
                                  "x" * 261])
def test_an_illegal_policy_name_is_400_stating_the_rule(service: AsrService, name: str) -> None:
    found = refused(service, 400, "InvalidResourceName", "PUT", f"{VAULT}/replicationPolicies/{name}", POLICY)
    assert found["target"] == "policyName"
    assert "cannot contain '<', '>', '%', '&', ':', '\\', '?', '/', '#'" in found["message"]
    assert call(service, "GET", f"{VAULT}/replicationPolicies").body == b'{"value":[]}'


def test_a_percent_encoded_slash_is_not_stored_under_a_name_its_own_id_cannot_reach(service: AsrService) -> None:
    refused(service, 400, "InvalidResourceName", "PUT", f"{VAULT}/replicationPolicies/a%2Fb", POLICY)
    assert call(service, "GET", f"{VAULT}/replicationPolicies/a%2Fb").status == 404


@pytest.mark.parametrize("name", ["p.1", "p_1", "P-1", "Ünïcødé", "x" * 260, "a b"])
def test_names_the_rule_allows_are_created(service: AsrService, name: str) -> None:
    assert call(service, "PUT", f"{VAULT}/replicationPolicies/{name}", POLICY).status == 202


@pytest.mark.parametrize("collection", [
    "replicationFabrics/f1/replicationProtectionContainers/c1/replicationProtectionContainerMappings",
    "replicationFabrics/f1/replicationProtectionContainers/c1/replicationProtectedItems",
    "replicationFabrics/f1/replicationNetworks/n1/replicationNetworkMappings",
    "replicationRecoveryPlans",  # the name is refused before the body is read, as ARM would
])
def test_the_rule_holds_for_every_put_before_anything_is_looked_up(service: AsrService, collection: str) -> None:
    refused(service, 400, "InvalidResourceName", "PUT", f"{VAULT}/{collection}/a%2Fb", {"properties": {}})


VAULTS = f"/subscriptions/{SUB}/resourceGroups/{{rg}}/providers/Microsoft.RecoveryServices/vaults/{{name}}"


@pytest.mark.parametrize(("rg", "name", "target"), [
    (RG, "1vault", "vaultName"), (RG, "v", "vaultName"), (RG, "my_vault", "vaultName"), (RG, "a" * 51, "vaultName"),
    (RG, "v%2Fx", "vaultName"), ("rg.", "vault2", "resourceGroupName"), ("r%2Fg", "vault2", "resourceGroupName"),
    ("r" * 91, "vault2", "resourceGroupName"),
])
def test_vault_and_resource_group_names_keep_their_rules(service: AsrService, rg: str, name: str, target: str) -> None:
    found = refused(service, 400, "InvalidResourceName", "PUT", VAULTS.format(rg=rg, name=name),
                    {"location": "westeurope"}, query="api-version=2026-11-01")
    assert found["target"] == target


def test_legal_vault_and_resource_group_names_are_created(service: AsrService) -> None:
    response = call(service, "PUT", VAULTS.format(rg="rg_(x).1", name="v-2"), {"location": "westeurope"},
                    query="api-version=2026-11-01")
    assert response.status in (200, 201), response.body


# -- 4. Media types --------------------------------------------------------------------------------

@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded",
                                          "application/json; charset=iso-8859-1", "", "json"])
def test_a_body_that_is_not_json_by_its_media_type_is_415(service: AsrService, content_type: str) -> None:
    found = refused(service, 415, "UnsupportedMediaType", "PUT", f"{VAULT}/replicationPolicies/p1", POLICY,
                    headers={"Content-Type": content_type})
    assert found["message"] == (f"The content media type '{content_type}' is not supported. "
                                "Only 'application/json' is supported.")


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "Application/JSON;charset=\"UTF-8\"", "text/json",
                                          "application/merge-patch+json"])
def test_json_media_types_are_accepted(service: AsrService, content_type: str) -> None:
    response = call(service, "PUT", f"{VAULT}/replicationPolicies/p1", POLICY, headers={"Content-Type": content_type})
    assert response.status == 202


def test_a_body_without_content_type_is_read_as_json(service: AsrService) -> None:
    sent = {"Authorization": "Bearer t"}
    request = HttpRequest("PUT", f"{ORIGIN}{VAULT}/replicationPolicies/p1?{API}", sent, json.dumps(POLICY).encode())
    assert service.handle(request).status == 202


@pytest.mark.parametrize("body", [b"", b"  \r\n"])
def test_an_empty_body_is_no_body_whatever_its_media_type(service: AsrService, body: bytes) -> None:
    accepted = call(service, "PUT", f"{VAULT}/replicationPolicies/p1", POLICY)
    job = accepted.headers["Location"].split("/operationresults/")[1].split("?")[0]
    response = call(service, "POST", f"{VAULT}/replicationJobs/{job}/restart", body,
                    headers={"Content-Type": "text/plain"})
    assert response.status != 415 and error(response)["code"] == "JobActionNotAllowed"  # it reached the handler


# -- 5. URLs from the configured base URL ---------------------------------------------------------

def test_location_async_operation_and_next_link_use_the_configured_base_url() -> None:
    service = AsrService(Simulation(seed=3), retry_after=0, base_url="https://127.0.0.1:8443/")
    service.create_vault(SUB, RG, "vault1")
    for i in range(PAGE_SIZE + 1):
        accepted = call(service, "PUT", f"{VAULT}/replicationPolicies/p{i:02}", POLICY, origin="https://evil.example")
        for header in ("Location", "Azure-AsyncOperation"):
            assert accepted.headers[header].startswith("https://127.0.0.1:8443/"), accepted.headers
    service.sim.advance(60)  # the creation jobs run
    listed = json.loads(call(service, "GET", f"{VAULT}/replicationPolicies", origin="https://evil.example").body)
    assert listed["nextLink"].startswith("https://127.0.0.1:8443/")
    location = urlsplit(accepted.headers["Location"])
    polled = call(service, "GET", location.path, query=location.query, origin="https://evil.example")
    assert "evil.example" not in json.dumps(polled.headers) + polled.body.decode()


@pytest.mark.parametrize("base_url", ["127.0.0.1:8443", "ftp://x", "https://x/path", "https://x?q=1", ""])
def test_a_base_url_must_be_an_origin(base_url: str) -> None:
    with pytest.raises(ValueError, match="origin"):
        AsrService(Simulation(seed=3), base_url=base_url)


# -- all of it, generated ---------------------------------------------------------------------------

QUERY_NAMES = st.sampled_from(["api-version", "$skiptoken", "$top", "$take", "$filter", "$orderby", "$expand",
                               "skipToken", "x", "API-VERSION"]) | st.text(max_size=6)
QUERY_VALUES = (st.sampled_from(["2025-08-01", "2016-08-10", "0", "1", "10", "1001", "-1", "9" * 50, "abc",
                                 "JobStatus eq 'Failed'", "(", "\x00", ""]) | st.text(max_size=12))
MEDIA_TYPES = st.sampled_from([None, "application/json", "text/plain", "application/json; charset=latin-1",
                               "application/x+json", "", "multipart/form-data"])
BODIES = st.one_of(st.just(b""), st.just(json.dumps(POLICY).encode()), st.binary(max_size=30),
                   st.integers(1, 3000).map(lambda depth: nested(depth)),
                   st.integers(1, 3000).map(lambda depth: nested(depth, objects=True)))


@given(name=st.text(min_size=1, max_size=300), method=st.sampled_from(["PUT", "GET", "DELETE", "PATCH"]),
       query=st.lists(st.tuples(QUERY_NAMES, QUERY_VALUES), max_size=4), media=MEDIA_TYPES, body=BODIES,
       collection=st.sampled_from(["replicationPolicies", "replicationJobs", "replicationRecoveryPlans"]))
def test_generated_requests_are_answered_or_refused_and_a_refusal_leaves_no_trace(
        name: str, method: str, query: list[tuple[str, str]], media: str | None, body: bytes, collection: str) -> None:
    service = AsrService(Simulation(seed=3), retry_after=0, advance_on_poll=60)
    service.create_vault(SUB, RG, "vault1")
    before = state(service)
    headers = {"Authorization": "Bearer t", **({"Content-Type": media} if media is not None else {})}
    text = urlencode([("api-version", "2025-08-01"), *query])
    response = service.handle(HttpRequest(method, f"{ORIGIN}{VAULT}/{collection}/{quote(name, safe='')}?{text}",
                                          headers, body))
    assert response.status < 500 or response.status == 501, response.body
    if response.status >= 400:
        error(response)
        assert state(service) == before
