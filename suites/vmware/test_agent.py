"""The configuration server's agent on the Provider channel: it registers with a key, outbound only and
mutually authenticated, refuses an impostor ASR, and syncs its inventory only when the site changed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from asr_emulator import KINDS, AsrService
from asr_emulator.channel import ChannelListener
from asr_emulator.errors import InvalidParameter
from asr_emulator.http import HttpResponse
from channel_client import ChannelFailure, RegistrationRefused, ServerCertificateRejected
from drlab.azure_transport import DEFAULT_SUBSCRIPTION
from simcore.pki import CertificateAuthority, Eku
from vmware_fake import VaultAgent

RG, VAULT = "rg-dr", "vault1"


@pytest.fixture
def service(sim) -> AsrService:
    return AsrService(sim)


@pytest.fixture
def vault(service):
    return service.create_vault(DEFAULT_SUBSCRIPTION, RG, VAULT)


@pytest.fixture
def agent(service, site) -> VaultAgent:
    return VaultAgent(site.cs, trusted_roots=[service.channel.public_root])


def _key(service, vault) -> str:
    return service.channel.registration_key(vault).dumps()


def _fabric_state(vault) -> list:
    return sorted((kind, parents, r.name) for kind in ("fabric", "provider", "vcenter", "container")
                  for parents, r in vault.resources.everywhere(KINDS[kind]))


def test_registration_makes_a_vmware_fabric_named_by_the_configuration_server(sim, service, vault, site, agent):
    site.primary.create_vm("web1", host=site.host.name, datastore="vc-p-ds1")
    registration = agent.register(_key(service, vault))
    assert registration.fabric_name == site.cs.id and agent.running
    fabric = vault.resources.get(KINDS["fabric"], (), site.cs.id)
    assert fabric.arm_properties()["customDetails"]["instanceType"] == "VMware"
    provider = vault.resources.get(KINDS["provider"], (site.cs.id,), registration.provider_name)
    assert provider.arm_properties()["fabricType"] == "VMware"
    assert [r.name for r in vault.resources.children(KINDS["vcenter"], (site.cs.id,))] == ["vc-p", "vc-s"]
    (item,) = vault.resources.children(KINDS["protectable_item"], (site.cs.id, f"cloud_{site.cs.id}"))
    assert item.name == site.primary.vm("web1").id


def test_every_connection_is_opened_by_the_configuration_server(sim, service, vault, site, agent):
    agent.register(_key(service, vault))
    sim.advance(600)
    connects = sim.history.select(op="net.connect")
    assert connects and {event.details["src"] for event in connects} == {site.cs.name}
    assert {event.details["dst"] for event in connects} == {service.node}


def test_an_impostor_asr_never_sees_the_key(sim, service, vault, site):
    sim.network.add_node("evil")
    stranger = CertificateAuthority.root("stranger")
    now, endpoint = sim.clock.utcnow(), service.channel.endpoint
    credential = stranger.issue(endpoint, sans=(endpoint,), eku=Eku.SERVER_AUTH, not_before=now - timedelta(days=1),
                                not_after=now + timedelta(days=30), key_type="ecdsa")
    seen: list[object] = []
    ChannelListener(sim, "evil", 443, credential=credential, trust_roots=[],
                    handler=lambda request, peer: seen.append(request) or HttpResponse(200, {}, b"{}"))
    agent = VaultAgent(site.cs, trusted_roots=[service.channel.public_root], hosts={endpoint: "evil"})
    with pytest.raises(ChannelFailure) as info:
        agent.register(_key(service, vault))
    assert isinstance(info.value.cause, ServerCertificateRejected) and info.value.cause.reasons == ["UNTRUSTED_ROOT"]
    assert seen == [] and agent.registration is None and not agent.running


def test_a_refused_registration_changes_nothing(service, vault, agent):
    fields = json.loads(_key(service, vault))
    fields["validTo"] += 86400
    before = _fabric_state(vault)
    with pytest.raises(RegistrationRefused) as info:
        agent.register(json.dumps(fields))
    assert info.value.code == "RegistrationKeyTampered"
    assert _fabric_state(vault) == before and agent.registration is None


def test_the_inventory_is_sent_again_only_when_the_site_changed(sim, service, vault, site, agent):
    agent.register(_key(service, vault))
    sim.advance(300)  # ten polls, nothing changed
    assert len(sim.history.select(op="cs.sync", phase="ok")) == 1
    site.primary.create_vm("web2", host=site.host.name, datastore="vc-p-ds1")
    sim.advance(30)
    assert len(sim.history.select(op="cs.sync", phase="ok")) == 2
    names = [item.arm_properties()["friendlyName"]
             for item in vault.resources.children(KINDS["protectable_item"], (site.cs.id, f"cloud_{site.cs.id}"))]
    assert names == ["web2"]


def test_a_vmm_registration_cannot_take_a_vmware_fabric_name(service, vault, site, agent):
    agent.register(_key(service, vault))
    body = {"registrationKey": json.loads(_key(service, vault)), "vmmServerId": site.cs.id, "friendlyName": "vmm",
            "machineName": "vmm.contoso.com", "biosId": "b", "providerVersion": "1", "serverVersion": "1"}
    before = _fabric_state(vault)
    with pytest.raises(InvalidParameter, match="registered as a VMware fabric") as info:
        service.channel.register(body)
    assert info.value.target == "fabricType"
    assert _fabric_state(vault) == before


def test_an_unknown_fabric_type_is_refused(service, vault):
    body = {"registrationKey": json.loads(_key(service, vault)), "fabricType": "HyperVSite"}
    with pytest.raises(InvalidParameter) as info:
        service.channel.register(body)
    assert info.value.target == "fabricType"


def test_work_the_configuration_server_does_not_run_is_reported_failed(sim, service, vault, site, agent):
    from asr_emulator.channel import WorkItem
    from vmware_fake.policy import WORK_ERROR_CODE

    registration = agent.register(_key(service, vault))
    item = vault.channel.work.add(WorkItem("w1", registration.provider_name, "PairCloud", {}, sim.clock.now))
    sim.advance(30)
    assert (item.state, item.outcome) == ("Completed", "Failed")
    assert item.error["errorCode"] == WORK_ERROR_CODE and "PairCloud" in item.error["errorMessage"]


@pytest.mark.parametrize("elide", [True, False])
def test_idle_polls_are_stood_down_and_the_heartbeat_reads_as_if_they_ran(sim, service, vault, site, elide):
    agent = VaultAgent(site.cs, trusted_roots=[service.channel.public_root], elide_idle_polls=elide)
    registration = agent.register(_key(service, vault))
    sim.advance(3600)
    polls = len(sim.history.select(node=site.cs.name, op="cs.poll", phase="ok"))
    assert polls <= 3 if elide else polls >= 120  # policy IDLE_POLLS_ELIDED: cost follows events, not time
    provider = vault.resources.get(KINDS["provider"], (registration.fabric_name,), registration.provider_name)
    assert sim.clock.now - provider.last_heartbeat <= 30 and provider.connection_status == "Connected"
    site.primary.create_vm("late1", host=site.host.name, datastore="vc-p-ds1")  # the site changes: polls resume
    sim.advance(30)
    names = [item.arm_properties()["friendlyName"] for item in
             vault.resources.children(KINDS["protectable_item"], (site.cs.id, f"cloud_{site.cs.id}"))]
    assert names == ["late1"]
