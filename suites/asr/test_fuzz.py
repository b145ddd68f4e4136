"""Nothing a client sends makes the service answer 5xx (501 NotImplemented aside): random requests to
the service, and sequences of generated requests to the whole served app (the ARM surface from the
SDK's operations and models, the control API), through ASGI in process: every error ARM-shaped, every
refused request leaving the lab's state digest as it was, no ``Location`` off the configured origin."""

from __future__ import annotations

import asyncio
import json
import re
from urllib.parse import quote

import httpx

from hypothesis import given
from hypothesis import strategies as st

from asr_emulator import AsrService, HttpRequest
from asr_emulator.asgi import AsgiApp
from drlab import Lab
from drlab.serve import ServeOptions
from drlab.serve_lab import ServedLab
from drlab.serve_stream import FollowHistory
from asr_emulator.models.policies import SETTINGS_FIELDS
from simcore import Simulation

from ..lab.conftest import digest
from .sdk_requests import OPERATIONS, body_model, json_values, model_json, mutated_text

SUB = "00000000-0000-0000-0000-000000000000"
VAULT = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v1"
LITERALS = ["replicationPolicies", "replicationJobs", "replicationEvents", "replicationFabrics", "replicationNetworks",
            "replicationProtectionContainers", "replicationRecoveryPlans", "operationresults", "cancel", "restart",
            "resume", "export", "p1", "job", "%2F", "", "..", "x" * 300]

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


# -- the served app: the ARM surface and the control API, through ASGI ------------------------------

BASE_URL = "https://127.0.0.1:8443"
SERVED_SEED = 4
_AUTH = {"Authorization": "Bearer t"}


def _lab_names(lab: Lab) -> dict[str, list[str]]:
    """ARM names the default lab of ``SERVED_SEED`` answers to, by the path parameter that takes them."""
    vault = (f"/subscriptions/{lab.subscription_id}/resourceGroups/{lab.resource_group}/providers/"
             f"Microsoft.RecoveryServices/vaults/{lab.vault_name}")

    def names(path: str) -> list[str]:
        answer = lab.service.handle(HttpRequest("GET", f"{vault}/{path}?api-version=2025-08-01", _AUTH))
        return [item["name"] for item in json.loads(answer.body)["value"]]

    fabrics = lab.fabric_names()
    containers = [n for f in fabrics for n in names(f"replicationFabrics/{f}/replicationProtectionContainers")]
    networks = [n for f in fabrics for n in names(f"replicationFabrics/{f}/replicationNetworks")]
    items = [n for f in fabrics[:1] for c in names(f"replicationFabrics/{f}/replicationProtectionContainers")
             for n in names(f"replicationFabrics/{f}/replicationProtectionContainers/{c}/replicationProtectableItems")]
    return {"subscriptionId": [lab.subscription_id], "resourceGroupName": [lab.resource_group],
            "resourceName": [lab.vault_name], "fabricName": fabrics, "protectionContainerName": containers,
            "networkName": networks, "protectableItemName": items, "replicatedProtectedItemName": items,
            "policyName": ["pol1"], "mappingName": ["pairing1", "map1"], "jobName": ["job"]}


_SAMPLE = ServedLab(ServeOptions(seed=SERVED_SEED), BASE_URL)
LAB_NAMES = _lab_names(_SAMPLE.lab)
CONTROL_ROUTES = sorted((method, "/".join(part or "fault-1" for part in shape))
                        for method, shape in _SAMPLE.control.endpoints())
_SAMPLE.close()
CONTROL_FIELDS = ("seconds", "to", "mode", "rate", "seed", "id", "action", "match", "params", "probability", "count",
                  "start", "end", "duration", "site", "name", "cloud", "networks", "sync", "disaster_recovery",
                  "writes_per_second", "operating_system")


@st.composite
def _arm_request(draw: st.DrawFn) -> tuple[str, str, bytes]:
    operation = draw(st.sampled_from(OPERATIONS))
    path = re.sub(r"\{(\w+)\}", lambda m: quote(draw(st.sampled_from(LAB_NAMES.get(m.group(1), ["x"])) | mutated_text),
                                                 safe="%"), operation["path"])
    method = draw(st.sampled_from([operation["http_method"]] * 4 + ["GET", "PUT", "PATCH", "DELETE", "POST", "HEAD"]))
    model = body_model(operation)
    body = draw(model_json(model).map(json.dumps).map(str.encode) if model is not None else st.just(b"")) \
        if draw(st.integers(0, 3)) else draw(bodies)
    query = draw(st.sampled_from(["api-version=2025-08-01"] * 4 + ["", "api-version=1999", "$skiptoken=" + "9" * 5000,
                                                                     "api-version=2025-08-01&$filter=("]))
    return method, f"{path}?{query}", body


@st.composite
def _control_request(draw: st.DrawFn) -> tuple[str, str, bytes]:
    method, path = draw(st.sampled_from(CONTROL_ROUTES))
    method = draw(st.sampled_from([method] * 4 + ["GET", "POST", "PUT", "DELETE"]))
    fields = st.fixed_dictionaries({}, optional={name: json_values | st.integers(-5, 4000) for name in CONTROL_FIELDS})
    body = draw(st.sampled_from([b"", b"{}"]) | fields.map(json.dumps).map(str.encode) | bodies)
    query = draw(st.sampled_from(["", "api-version=x", "limit=5", "op=arm.*&phase=ok", "limit=0", "after=" + "9" * 5000,
                                  "since=2026-01-01T00:00:00", "nope=1"]))
    return method, f"/_harness/{path}?{query}", body


@st.composite
def _headers(draw: st.DrawFn) -> dict[str, str]:
    """Mostly what an SDK sends (a bearer token, JSON), sometimes not; now and then a forged ``Host``."""
    chosen = {"Authorization": draw(st.sampled_from(["Bearer t"] * 12 + [None, "Basic x", "Bearer "])),
              "Content-Type": draw(st.sampled_from(["application/json"] * 8 + [
                  None, "text/plain", "application/json; charset=utf-8", "multipart/form-data"])),
              "Host": draw(st.sampled_from([None] * 4 + ["evil.example"]))}
    return {name: value for name, value in chosen.items() if value is not None}


async def _answer_all(served: ServedLab, requests: list[tuple[tuple[str, str, bytes], dict[str, str]]]) -> None:
    app = served.clock.app(FollowHistory(AsgiApp(served, base_url=BASE_URL), served, base_url=BASE_URL))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as client:
        for (method, target, body), headers in requests:
            before = digest(served)
            response = await client.request(method, target, content=body, headers=headers)
            assert response.status_code < 500 or response.status_code == 501, response.text
            assert response.headers.get("location", BASE_URL).startswith(BASE_URL)
            if response.status_code < 400:
                continue
            if method != "HEAD":  # a HEAD answer has no body, only the error's status and headers
                assert response.headers["content-type"].startswith("application/json"), response.headers
                error = response.json()["error"]
                assert isinstance(error["code"], str) and error["code"] and isinstance(error["message"], str)
            assert digest(served) == before, f"{method} {target[:100]} was refused but changed the lab"


@given(requests=st.lists(st.tuples(_arm_request() | _control_request(), _headers()), min_size=1, max_size=12))
def test_the_served_app_answers_fuzzed_requests_with_arm_errors_that_change_nothing(
        requests: list[tuple[tuple[str, str, bytes], dict[str, str]]]) -> None:
    served = ServedLab(ServeOptions(seed=SERVED_SEED), BASE_URL)
    try:
        asyncio.run(_answer_all(served, requests))
    finally:
        served.close()
