"""Nothing a client sends makes the service answer 5xx (501 NotImplemented aside): random requests."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from asr_emulator import AsrService, HttpRequest
from asr_emulator.models.policies import SETTINGS_FIELDS
from simcore import Simulation

SUB = "00000000-0000-0000-0000-000000000000"
VAULT = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v1"
LITERALS = ["replicationPolicies", "replicationJobs", "replicationEvents", "replicationFabrics", "replicationNetworks",
            "replicationProtectionContainers", "replicationRecoveryPlans", "operationresults", "cancel", "restart",
            "resume", "export", "p1", "job", "%2F", "", "..", "x" * 300]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
provider_input = st.fixed_dictionaries(
    {}, optional={"instanceType": st.sampled_from(["HyperVReplica2012R2", "HyperVReplica2012", "A2A", "", "x"]) | json_values,
                  **{name: json_values | st.integers(-5, 70000) | st.sampled_from(["Enable", "Offline", "Required", "12:00:00"])
                     for name in SETTINGS_FIELDS}})
bodies = st.one_of(
    st.binary(max_size=40),
    json_values.map(lambda v: json.dumps(v).encode()),
    provider_input.map(lambda p: json.dumps({"properties": {"providerSpecificInput": p}}).encode()),
    provider_input.map(lambda p: json.dumps({"properties": {"replicationProviderSettings": p}}).encode()),
    st.fixed_dictionaries({}, optional={"location": json_values, "sku": json_values, "tags": json_values,
                                        "properties": json_values}).map(lambda v: json.dumps(v).encode()),
)
queries = st.lists(st.sampled_from([
    "api-version=2025-08-01", "api-version=2026-11-01", "api-version=", "api-version=1999", "$filter=JobStatus eq 'Failed'",
    "$filter=(", "$filter=StartTime eq 'x'", "$filter=StartTime eq '2026-13-01T00:00:00Z'", "$skiptoken=-1", "$skiptoken=3", "$skiptoken=abc", "%ZZ=1",
]), max_size=3).map("&".join)


@given(
    method=st.sampled_from(["GET", "PUT", "PATCH", "DELETE", "POST", "HEAD", "get"]),
    tail=st.lists(st.sampled_from(LITERALS) | st.text(max_size=6), max_size=5),
    prefix=st.sampled_from([VAULT, VAULT.replace("vaults/v1", "vaults"), "", "/subscriptions/x/providers/Microsoft.RecoveryServices/vaults"]),
    query=queries, body=bodies, auth=st.sampled_from([None, "Bearer t", "Bearer ", "Basic x"]),
)
def test_random_requests_never_get_a_5xx_other_than_501(method, tail, prefix, query, body, auth):
    service = AsrService(Simulation(seed=1), retry_after=0, advance_on_poll=60)
    service.create_vault(SUB, "rg", "v1")
    service.handle(HttpRequest("PUT", f"{VAULT}/replicationPolicies/p1?api-version=2025-08-01", {"Authorization": "Bearer t"},
                               b'{"properties":{"providerSpecificInput":{"instanceType":"HyperVReplica2012","replicationPort":1}}}'))
    path = prefix + "".join("/" + segment for segment in tail)
    headers = {"Authorization": auth} if auth is not None else {}
    response = service.handle(HttpRequest(method, f"https://management.azure.com{path}?{query}", headers, body))
    assert response.status < 500 or response.status == 501, response.body
    if response.status >= 400:
        error = json.loads(response.body)["error"]
        assert error["code"] and error["message"]
        assert "Retry-After" not in response.headers
