"""httpx clients drive the real ``AsrService`` in-process (no socket) and share its state with the SDK."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx

from asr_emulator import AsrService, Vault
from drlab.azure_transport import ARM_BASE_URL, DEFAULT_SUBSCRIPTION, site_recovery_client
from drlab.httpx_transport import HttpxEmulatorTransport, httpx_handler
from simcore import Simulation

from .conftest import RG, VAULT, h2012r2

VAULTS = f"/subscriptions/{DEFAULT_SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.RecoveryServices/vaults"
POLICIES = f"{VAULTS}/{VAULT}/replicationPolicies"
ASR = {"api-version": "2025-08-01"}
AUTH = {"Authorization": "Bearer httpx"}


@pytest.fixture
def client(service: AsrService, vault: Vault) -> Iterator[httpx.Client]:
    with httpx.Client(transport=HttpxEmulatorTransport(service), base_url=ARM_BASE_URL, headers=AUTH) as client:
        yield client


def test_lro_by_hand_follows_virtual_time(client: httpx.Client, service: AsrService, sim: Simulation) -> None:
    accepted = client.put(f"{POLICIES}/p1", params=ASR, json={"properties": {"providerSpecificInput": h2012r2()}})
    assert accepted.status_code == 202 and accepted.headers["Retry-After"] == "30"
    location = accepted.headers["Location"]
    assert location.startswith(f"{ARM_BASE_URL}/Subscriptions/") and "/operationresults/" in location
    assert client.get(location).status_code == 202  # nothing moves the clock but the lab
    sim.advance(30)
    done = client.get(location)
    assert done.status_code == 200 and done.json()["name"] == "p1"
    assert [p.name for p in site_recovery_client(service).replication_policies.list(RG, VAULT)] == ["p1"]


def test_advance_on_poll_finishes_the_job_within_one_poll() -> None:
    sim = Simulation(seed=7)
    service = AsrService(sim, retry_after=0, advance_on_poll=30)
    service.create_vault(DEFAULT_SUBSCRIPTION, RG, VAULT)
    with httpx.Client(transport=HttpxEmulatorTransport(service), base_url=ARM_BASE_URL, headers=AUTH) as client:
        accepted = client.put(f"{POLICIES}/p1", params=ASR, json={"properties": {"providerSpecificInput": h2012r2()}})
        assert accepted.headers["Retry-After"] == "0"
        assert client.get(accepted.headers["Location"]).status_code == 200
    assert sim.clock.now == 1.0  # the job's two tasks, not the whole 30 s bound


@pytest.mark.asyncio
async def test_async_client_sees_what_the_sdk_created(service: AsrService, vault: Vault) -> None:
    site_recovery_client(service).replication_policies.begin_create(
        RG, VAULT, "sdk", {"properties": {"providerSpecificInput": h2012r2()}}).result()
    transport = HttpxEmulatorTransport(service)
    async with httpx.AsyncClient(transport=transport, base_url=ARM_BASE_URL, headers=AUTH) as client:
        listed = await client.get(POLICIES, params=ASR)
    assert [p["name"] for p in listed.json()["value"]] == ["sdk"]


def test_respx_route_serves_arm_and_errors_keep_their_shape(service: AsrService, vault: Vault) -> None:
    with respx.mock(assert_all_called=True) as router:
        route = router.route(host="management.azure.com").mock(side_effect=httpx_handler(service))
        missing = httpx.get(f"{ARM_BASE_URL}{POLICIES}/nope", params=ASR, headers=AUTH)
        anonymous = httpx.get(f"{ARM_BASE_URL}{POLICIES}", params=ASR)
    assert route.call_count == 2
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ResourceNotFound"
    assert anonymous.status_code == 401 and "Bearer" in anonymous.headers["WWW-Authenticate"]
