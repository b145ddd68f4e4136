"""The LRO envelope on the wire (asr-orchestration.md §A.0, §B.1) and the api-versions (§B.7).

Raw httpx against ``AsrService`` (drlab's in-process httpx transport): the 202 headers, the
``replicationOperationStatus`` body while running / succeeded / failed / cancelled, a client that
follows ``Location`` until it stops answering 202 (as PowerShell does), and every published
api-version accepted, echoed in the LRO URLs, an unknown one refused as ARM refuses it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from asr_emulator import AsrService, Vault
from asr_emulator.api_versions import ASR_API_VERSIONS
from asr_emulator.policy import JobTimings
from drlab.azure_transport import ARM_BASE_URL, DEFAULT_SUBSCRIPTION, site_recovery_client
from drlab.httpx_transport import HttpxEmulatorTransport
from simcore import Simulation

from .conftest import RG, VAULT, h2012r2

V_REQ = f"/subscriptions/{DEFAULT_SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.RecoveryServices/vaults/{VAULT}"
V = f"/Subscriptions/{DEFAULT_SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.RecoveryServices/vaults/{VAULT}"
AUTH = {"Authorization": "Bearer lro"}
STATUS_KEYS = ["error", "id", "name", "properties", "status", "startTime", "endTime", "percentComplete"]
START = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$")
END = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.0000000Z$")


@pytest.fixture
def slow(sim: Simulation, vault: Vault) -> AsrService:
    """A service whose policy-creation job runs 60 s, so polls see it in progress."""
    service = AsrService(sim, timings=JobTimings({"AddProtectionProfileTask": 60}))
    service.backend.vaults.add(vault)
    return service


@pytest.fixture
def client(slow: AsrService) -> Iterator[httpx.Client]:
    with httpx.Client(transport=HttpxEmulatorTransport(slow), base_url=ARM_BASE_URL, headers=AUTH) as client:
        yield client


def put_policy(client: httpx.Client, name: str, version: str = "2025-08-01") -> httpx.Response:
    body = {"properties": {"providerSpecificInput": h2012r2()}}
    return client.put(f"{V_REQ}/replicationPolicies/{name}", params={"api-version": version}, json=body)


def test_every_mutating_call_answers_the_recorded_202(client: httpx.Client) -> None:
    accepted = put_policy(client, "p1", "2018-07-10")
    assert accepted.status_code == 202 and accepted.content == b""
    job = accepted.headers["Location"].split("/operationresults/")[1].split("?")[0]
    assert accepted.headers["Location"] == f"{ARM_BASE_URL}{V}/replicationPolicies/p1/operationresults/{job}?api-version=2018-07-10"
    assert accepted.headers["Azure-AsyncOperation"] == f"{ARM_BASE_URL}{V}/replicationOperationStatus/{job}?api-version=2018-07-10"
    assert accepted.headers["Retry-After"] == "30"
    assert accepted.headers["x-ms-request-id"] == f"{V}/replicationJobs/{job}"
    # a POST action: Location under the action's parent, the same headers
    cancel = client.post(f"{V_REQ}/replicationJobs/{job}/cancel", params={"api-version": "2023-06-01"})
    assert cancel.status_code == 202 and cancel.content == b""
    assert cancel.headers["Location"] == f"{ARM_BASE_URL}{V}/replicationJobs/{job}/operationresults/{job}?api-version=2023-06-01"
    assert re.fullmatch(rf"{re.escape(ARM_BASE_URL + V)}/replicationOperationStatus/[0-9a-f-]{{36}}\?api-version=2023-06-01",
                        cancel.headers["Azure-AsyncOperation"])
    assert cancel.headers["Azure-AsyncOperation"] != accepted.headers["Azure-AsyncOperation"]


def test_operation_status_while_running_then_succeeded(client: httpx.Client, sim: Simulation) -> None:
    accepted = put_policy(client, "p1")
    status_url = accepted.headers["Azure-AsyncOperation"]
    job = accepted.headers["x-ms-request-id"].rsplit("/", 1)[1]
    running = client.get(status_url)
    assert running.status_code == 200 and running.headers["x-ms-request-id"] == f"{V}/replicationJobs/{job}"
    assert running.headers["Retry-After"] == "30"
    body = running.json()
    assert list(body) == STATUS_KEYS
    assert {k: body[k] for k in ("error", "id", "name", "properties", "status", "endTime", "percentComplete")} == {
        "error": None, "id": None, "name": job, "properties": None, "status": "InProgress", "endTime": None,
        "percentComplete": None}
    assert START.match(body["startTime"])
    sim.advance(61)
    done = client.get(status_url)
    assert "Retry-After" not in done.headers
    body = done.json()
    assert (body["status"], body["error"]) == ("Succeeded", None) and END.match(body["endTime"])
    assert body["endTime"][:19] == client.get(f"{V_REQ}/replicationJobs/{job}", params={"api-version": "2025-08-01"}
                                              ).json()["properties"]["endTime"][:19]


def test_operation_status_failed_carries_the_job_error(client: httpx.Client, sim: Simulation) -> None:
    put_policy(client, "p1")
    sim.advance(61)
    accepted = put_policy(client, "p1")  # exists: the job fails with 150261
    sim.advance(61)
    body = client.get(accepted.headers["Azure-AsyncOperation"]).json()
    assert body["status"] == "Failed"
    assert body["error"] == {"code": "150261", "message": "Replication policy creation failed.", "details": None}
    assert END.match(body["endTime"])
    location = client.get(accepted.headers["Location"])  # policy: a 400 with the job's code, no Retry-After
    assert location.status_code == 400 and location.json()["error"]["code"] == "150261"
    assert "Retry-After" not in location.headers


def test_operation_status_cancelled_is_canceled_and_terminal(client: httpx.Client, sim: Simulation) -> None:
    accepted = put_policy(client, "p1")
    job = accepted.headers["x-ms-request-id"].rsplit("/", 1)[1]
    cancel = client.post(f"{V_REQ}/replicationJobs/{job}/cancel", params={"api-version": "2025-08-01"})
    body = client.get(accepted.headers["Azure-AsyncOperation"]).json()
    assert body["status"] == "Canceled" and body["error"]["code"] == "OperationCancelled"  # policy.OPERATION_STATUS
    job_state = client.get(f"{V_REQ}/replicationJobs/{job}", params={"api-version": "2025-08-01"}).json()
    assert job_state["properties"]["state"] == "Cancelled"  # the job keeps its own spelling (§B.1.4)
    action = client.get(cancel.headers["Azure-AsyncOperation"]).json()  # the cancel itself succeeded
    assert (action["status"], action["error"], action["name"]) == ("Succeeded", None, job)
    location = client.get(accepted.headers["Location"])
    assert location.status_code == 400 and location.json()["error"]["code"] == "OperationCancelled"


def follow_location(client: httpx.Client, sim: Simulation, response: httpx.Response) -> list[httpx.Response]:
    """What PowerShell does: GET ``Location`` every ``Retry-After`` until the answer is not 202."""
    answers = [response]
    while answers[-1].status_code == 202:
        sim.advance(int(answers[-1].headers["Retry-After"]))
        answers.append(client.get(answers[-1].headers["Location"]))
        assert len(answers) < 10
    return answers


def test_a_location_following_client_gets_the_resource_of_a_put_and_the_job_of_a_post(
        client: httpx.Client, sim: Simulation) -> None:
    answers = follow_location(client, sim, put_policy(client, "p1", "2021-11-01"))
    assert [a.status_code for a in answers] == [202, 202, 202, 200]
    assert all(a.headers["Location"].endswith("?api-version=2021-11-01") for a in answers[:-1])
    final = answers[-1]
    assert final.json()["id"] == f"{V}/replicationPolicies/p1" and "Azure-AsyncOperation" in final.headers
    export = client.post(f"{V_REQ}/replicationJobs/export", params={"api-version": "2021-11-01"}, json={})
    answers = follow_location(client, sim, export)
    assert answers[-1].status_code == 200
    assert answers[-1].json()["properties"]["scenarioName"] == "ExportJobs"
    delete = client.delete(f"{V_REQ}/replicationPolicies/p1", params={"api-version": "2021-11-01"})
    answers = follow_location(client, sim, delete)
    assert answers[-1].status_code == 204 and answers[-1].content == b""


@pytest.mark.parametrize("version", ["2018-07-10", "2021-11-01", "2023-06-01", "2025-08-01"])
def test_sdk_pinned_to_a_version_creates_updates_and_deletes(service: AsrService, vault: Vault, version: str) -> None:
    asr = site_recovery_client(service, api_version=version)
    created = asr.replication_policies.begin_create(
        RG, vault.name, "p1", {"properties": {"providerSpecificInput": h2012r2()}}).result()
    assert created.name == "p1"
    updated = asr.replication_policies.begin_update(
        RG, vault.name, "p1", {"properties": {"replicationProviderSettings": h2012r2(recoveryPoints=6)}}).result()
    assert updated.properties.provider_specific_details.recovery_points == 6
    assert asr.replication_policies.begin_delete(RG, vault.name, "p1").result() is None
    assert "p1" not in vault.policies
    polls = service.sim.history.select(op="arm.OperationStatus_Get", phase="ok")
    assert polls and all(e.details["status"] == 200 for e in polls)


def test_every_published_version_is_accepted_and_matches_specs(client: httpx.Client) -> None:
    spec = json.loads((Path(__file__).parents[2] / "specs" / "asr" / "api-versions.json").read_text())
    assert tuple(spec["versions"]) == ASR_API_VERSIONS and len(ASR_API_VERSIONS) == 32
    for version in ASR_API_VERSIONS:
        assert client.get(f"{V_REQ}/replicationPolicies", params={"api-version": version}).status_code == 200


def test_unknown_version_is_refused_naming_the_supported_ones(client: httpx.Client) -> None:
    accepted = put_policy(client, "p1")
    for url in (f"{V_REQ}/replicationPolicies", accepted.headers["Azure-AsyncOperation"].split("?")[0]):
        refused = client.get(url, params={"api-version": "2019-01-01"})
        error = refused.json()["error"]
        assert refused.status_code == 400 and error["code"] == "InvalidApiVersionParameter"
        assert error["message"] == ("The api-version '2019-01-01' is invalid. The supported versions are '"
                                    + ", ".join(ASR_API_VERSIONS) + "'.")


def test_status_route_keeps_arm_ordering_and_never_500s(client: httpx.Client) -> None:
    accepted = put_policy(client, "p1")
    url = accepted.headers["Azure-AsyncOperation"]
    assert client.get(url, headers={"Authorization": ""}).status_code == 401  # auth first
    unauth = httpx.Client(transport=client._transport, base_url=ARM_BASE_URL)
    assert unauth.get(f"{V_REQ}/replicationOperationStatus/x/y", params={"api-version": "1"}).status_code == 401
    assert client.get(f"{V_REQ}/replicationOperationStatus/nope", params={"api-version": "2025-08-01"}).status_code == 404
    assert client.get(f"{V_REQ}/replicationOperationStatus/a/b", params={"api-version": "2025-08-01"}).status_code == 404
    missing_vault = url.replace(f"/vaults/{VAULT}/", "/vaults/other/")
    assert client.get(missing_vault).status_code == 404
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        assert 400 <= client.request(method, url).status_code < 500
    assert client.get(url.split("?")[0]).json()["error"]["code"] == "MissingApiVersionParameter"
