"""The channel's HTTP surface (PROTOCOL.md §5–6), driven with a plain httpx client over the simulated
network: typed errors with the ARM envelope, and a refused request changes nothing."""

from __future__ import annotations

import copy

import httpx
import pytest

from asr_emulator import KINDS
from scvmm_fake.provider import SimulatedNetworkTransport
from scvmm_fake.provider.inventory import inventory_json

PREFIX = "/providers/Microsoft.RecoveryServices/channel"


@pytest.fixture
def client(sim, service, registered) -> httpx.Client:
    """An httpx client on the registered Provider's node, presenting its certificate."""
    transport = SimulatedNetworkTransport(sim, registered.vmm.name, trust_roots=[service.channel.public_root],
                                          identity=lambda: registered.store.credential)
    return httpx.Client(transport=transport, base_url=f"https://{service.channel.endpoint}", trust_env=False)


def _discovered(vault) -> list:
    return sorted((kind, parents, r.name, repr(r.arm_properties())) for kind in ("container", "network", "protectable_item")
                  for parents, r in vault.resources.everywhere(KINDS[kind]))


def _error(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


@pytest.mark.parametrize("damage, target", [
    (lambda body: body.pop("sequence"), "inventory.sequence"),
    (lambda body: body["clouds"][0].update(vms="none"), "inventory.clouds[0].vms"),
    (lambda body: body["clouds"][0]["vms"][0].update(generation="two"), "inventory.clouds[0].vms[0].generation"),
    (lambda body: body["clouds"][0]["vmNetworks"][0].pop("vmSubnets"), "inventory.clouds[0].vmNetworks[0].vmSubnets"),
])
def test_a_malformed_inventory_is_400_and_changes_nothing(client, vault, registered, damage, target):
    body = inventory_json(registered.vmm.dr_inventory())
    body["sequence"] = registered.store.sequence + 1
    body["clouds"][0]["vms"] = body["clouds"][0]["vms"][:1]  # would drop a VM if it were applied
    broken = copy.deepcopy(body)
    damage(broken)
    before = _discovered(vault)
    response = client.put(f"{PREFIX}/inventory", json=broken)
    assert _error(response) == (400, "InvalidRequestContent")
    assert response.json()["error"]["target"] == target
    assert _discovered(vault) == before
    assert client.put(f"{PREFIX}/inventory", json=body).json()["applied"] is True  # the well-formed one applies
    assert _discovered(vault) != before


def test_a_stale_inventory_sequence_is_not_applied(client, vault, registered):
    body = inventory_json(registered.vmm.dr_inventory())
    body["sequence"] = registered.store.sequence  # already applied
    body["clouds"] = []
    before = _discovered(vault)
    assert client.put(f"{PREFIX}/inventory", json=body).json() == {"applied": False, "sequence": registered.store.sequence}
    assert _discovered(vault) == before


@pytest.mark.parametrize("method, path, status, code", [
    ("GET", "heartbeat", 405, "MethodNotAllowed"),
    ("POST", "nothing/here", 404, "NotFound"),
    ("POST", "workItems/no-such-item/complete", 404, "WorkItemNotFound"),
    ("GET", "workItems/complete", 405, "MethodNotAllowed"),
    ("POST", "workItems/complete", 400, "InvalidRequestContent"),  # a batch needs its items
])
def test_routing_errors(client, method, path, status, code):
    assert _error(client.request(method, f"{PREFIX}/{path}", json={"status": "Succeeded"})) == (status, code)


@pytest.mark.parametrize("body, code", [
    ({"max": 0}, "InvalidParameter"),
    ({"max": "ten"}, "InvalidRequestContent"),
])
def test_a_bad_lease_request_is_400(client, body, code):
    assert _error(client.post(f"{PREFIX}/workItems/lease", json=body)) == (400, code)


def test_a_body_that_is_not_an_object_is_400(client):
    response = client.post(f"{PREFIX}/heartbeat", content=b"[1, 2]", headers={"Content-Type": "application/json"})
    assert _error(response) == (400, "InvalidRequestContent")


def test_a_registration_without_its_fields_is_400_and_registers_nothing(sim, service, vault, registered, client):
    key = service.channel.registration_key(vault)
    providers = dict(vault.channel.providers)
    response = client.post(f"{PREFIX}/registrations", json={"registrationKey": key.dumps()})
    assert _error(response) == (400, "InvalidRequestContent")
    assert vault.channel.providers == providers


def test_every_channel_call_is_recorded_with_its_outcome(sim, client):
    client.post(f"{PREFIX}/heartbeat", json={})
    invoke, ok = sim.history.select(op="channel.Heartbeat")[-2:]
    assert (invoke.phase.value, ok.phase.value, ok.details["status"]) == ("invoke", "ok", 200)
