"""``asr-harness serve``: the emulator over real HTTPS on 127.0.0.1, driven by the two official SDKs.

One server for the session (default options: ``Retry-After: 0``, polls advance virtual time); the
lifecycle tests start their own to check the ready-line contract and a clean stop on each signal.
"""

from __future__ import annotations

import json
import re
import signal
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError
from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.mgmt.recoveryservices import RecoveryServicesClient
from azure.mgmt.recoveryservicessiterecovery import SiteRecoveryManagementClient

from asr_emulator.policy import PAGE_SIZE
from asr_emulator.http import HttpRequest
from drlab.azure_transport import ARM_BASE_URL, FakeCredential
from drlab.serve import ServeInfo, ServeOptions, build_service
from drlab.serve_process import ServeProcess

from .conftest import h2012r2

pytestmark = pytest.mark.sockets
Asr = SiteRecoveryManagementClient

ASR_API = "2025-08-01"


@pytest.fixture(scope="session")
def served() -> Iterator[ServeProcess]:
    process = ServeProcess.start()
    yield process
    stopped = process.stop(signal.SIGTERM)  # SDK clients still hold pooled keep-alive connections here
    assert (stopped.returncode, stopped.stdout) == (0, ""), stopped.stderr
    assert not Path(process.info.ca_bundle).parent.exists()


def sdk_kwargs(served: ServeProcess) -> dict[str, object]:
    return {"base_url": served.info.base_url, "connection_verify": served.info.ca_bundle, "polling_interval": 0}


@pytest.fixture
def asr(served: ServeProcess) -> Iterator[SiteRecoveryManagementClient]:
    with SiteRecoveryManagementClient(FakeCredential(), served.info.subscription_id, **sdk_kwargs(served)) as client:
        yield client


@pytest.fixture
def rs(served: ServeProcess) -> Iterator[RecoveryServicesClient]:
    with RecoveryServicesClient(FakeCredential(), served.info.subscription_id, **sdk_kwargs(served)) as client:
        yield client


@pytest.fixture
def vault(rs: RecoveryServicesClient, served: ServeProcess, request: pytest.FixtureRequest) -> str:
    """A vault of this test's own (created over HTTPS), so lists and jobs see only what the test did."""
    name = re.sub(r"[^A-Za-z0-9-]", "-", request.node.name)[:50]
    rs.vaults.begin_create_or_update(served.info.resource_group, name, {"location": "westeurope"}).result()
    return name


def policy_body(**fields: object) -> dict[str, object]:
    return {"properties": {"providerSpecificInput": h2012r2(**fields)}}


def raw_policy_put(info: ServeInfo, name: str) -> httpx.Response:
    """A bare PUT with httpx, trusting only the server's CA bundle: the raw 202 and its headers."""
    url = (f"{info.base_url}/subscriptions/{info.subscription_id}/resourceGroups/{info.resource_group}"
           f"/providers/Microsoft.RecoveryServices/vaults/{info.vault}/replicationPolicies/{name}")
    return httpx.put(url, params={"api-version": ASR_API}, json=policy_body(), headers={"Authorization": "Bearer any"},
                     verify=ssl.create_default_context(cafile=info.ca_bundle))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_ready_line_retry_after_30_and_clean_stop(sig: signal.Signals) -> None:
    with ServeProcess.start("--retry-after", "30", "--seed", "3") as process:
        check_ready_line_and_retry_after_30(process)
        ca_bundle = Path(process.info.ca_bundle)
        stopped = process.stop(sig)
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout == ""  # the ready line was the only thing on stdout
    assert not ca_bundle.parent.exists()


def check_ready_line_and_retry_after_30(process: ServeProcess) -> None:
    info = json.loads(process.ready_line)
    assert process.ready_line.endswith("}\n") and process.ready_line.count("\n") == 1
    assert list(info)[:5] == ["base_url", "ca_bundle", "subscription_id", "resource_group", "vault"]  # + the lab's
    assert re.fullmatch(r"https://127\.0\.0\.1:[1-9][0-9]*", info["base_url"])
    ca_bundle = Path(info["ca_bundle"])
    assert ca_bundle.read_text().startswith("-----BEGIN CERTIFICATE-----")

    accepted = raw_policy_put(process.info, "p30")  # the real service's value on the 202; nobody waits for it
    assert accepted.status_code == 202 and accepted.headers["Retry-After"] == "30"
    location = accepted.headers["Location"]
    assert location.startswith(f"{info['base_url']}/Subscriptions/")
    assert "/replicationPolicies/p30/operationresults/" in location
    # same seed, same requests, same answers: the served lab is the in-process one behind a socket
    path = accepted.request.url.raw_path.decode()
    in_process = build_service(ServeOptions(retry_after=30, seed=3)).handle(
        HttpRequest("PUT", f"{ARM_BASE_URL}{path}", {"Authorization": "Bearer any"}, accepted.request.content))
    assert location.removeprefix(info["base_url"]) == in_process.headers["Location"].removeprefix(ARM_BASE_URL)


def test_default_retry_after_0_and_an_sdk_creation_finishes_at_once(served: ServeProcess, asr: Asr, vault: str) -> None:
    accepted = raw_policy_put(served.info, "raw")
    assert accepted.status_code == 202 and accepted.headers["Retry-After"] == "0"
    started = time.perf_counter()
    policy = asr.replication_policies.begin_create(served.info.resource_group, vault, "fast", policy_body()).result()
    assert time.perf_counter() - started < 5  # generous: what it guards is a 30 s poll wait
    assert policy.name == "fast" and policy.properties.provider_specific_details.replication_port == 8083


def test_seeded_vault_and_vault_lifecycle(served: ServeProcess, rs: RecoveryServicesClient) -> None:
    rg = served.info.resource_group
    seeded = rs.vaults.get(rg, served.info.vault)
    assert seeded.name == served.info.vault and seeded.properties.provisioning_state == "Succeeded"
    rs.vaults.begin_create_or_update(rg, "life", {"location": "northeurope", "tags": {"env": "test"}}).result()
    assert rs.vaults.get(rg, "life").tags == {"env": "test"}
    assert rs.vaults.begin_update(rg, "life", {"tags": {"env": "prod"}}).result().tags == {"env": "prod"}
    assert "life" in [v.name for v in rs.vaults.list_by_resource_group(rg)]
    rs.vaults.begin_delete(rg, "life").result()
    with pytest.raises(ResourceNotFoundError):
        rs.vaults.get(rg, "life")


def test_policy_create_get_update_list_delete_each_with_its_job(served: ServeProcess, asr: Asr, vault: str) -> None:
    rg, policies = served.info.resource_group, asr.replication_policies
    created = policies.begin_create(rg, vault, "pol", policy_body()).result()
    assert policies.get(rg, vault, "pol").as_dict() == created.as_dict()
    settings = {"instanceType": "HyperVReplica2012R2", "replicationPort": 8084}
    updated = policies.begin_update(rg, vault, "pol", {"properties": {"replicationProviderSettings": settings}})
    assert updated.result().properties.provider_specific_details.replication_port == 8084
    assert [p.name for p in policies.list(rg, vault)] == ["pol"]
    assert policies.begin_delete(rg, vault, "pol").result() is None
    with pytest.raises(ResourceNotFoundError):
        policies.get(rg, vault, "pol")
    jobs = [(j.properties.scenario_name, j.properties.target_object_name, j.properties.state)
            for j in asr.replication_jobs.list(rg, vault)]
    assert jobs == [("DeleteProtectionProfile", "pol", "Succeeded"), ("UpdateProtectionProfile", "pol", "Succeeded"),
                    ("AddProtectionProfile", "pol", "Succeeded")]


def test_invalid_policy_field_is_400_naming_it_and_leaves_nothing(served: ServeProcess, asr: Asr, vault: str) -> None:
    rg = served.info.resource_group
    with pytest.raises(HttpResponseError) as caught:
        asr.replication_policies.begin_create(rg, vault, "bad", policy_body(replicationFrequencyInSeconds=60))
    assert caught.value.status_code == 400 and caught.value.error.code == "InvalidParameter"
    assert "replicationFrequencyInSeconds" in caught.value.error.target
    assert list(asr.replication_policies.list(rg, vault)) == []
    assert list(asr.replication_jobs.list(rg, vault)) == []


def test_sdk_error_mapping_over_https(served: ServeProcess, asr: Asr, vault: str) -> None:
    rg = served.info.resource_group
    with pytest.raises(ResourceNotFoundError):
        asr.replication_policies.get(rg, vault, "missing")
    with pytest.raises(HttpResponseError) as caught:
        list(asr.replication_appliances.list(rg, vault))
    assert caught.value.status_code == 501 and caught.value.error.code == "NotImplemented"
    anonymous = SiteRecoveryManagementClient(FakeCredential(), served.info.subscription_id,
                                             authentication_policy=SansIOHTTPPolicy(), **sdk_kwargs(served))
    with anonymous, pytest.raises(ClientAuthenticationError) as caught:
        anonymous.replication_policies.get(rg, vault, "missing")
    assert caught.value.status_code == 401


def test_lists_page_through_next_link_on_the_served_base_url(served: ServeProcess, asr: Asr, vault: str) -> None:
    rg = served.info.resource_group
    names = [f"p{i:02}" for i in range(PAGE_SIZE + 1)]
    for name in names:
        asr.replication_policies.begin_create(rg, vault, name, policy_body()).result()
    pages = [[p.name for p in page] for page in asr.replication_policies.list(rg, vault).by_page()]
    assert pages == [names[:PAGE_SIZE], names[PAGE_SIZE:]]
    assert len(list(asr.replication_jobs.list(rg, vault))) == len(names)
