"""A registration key cannot take over a registered server (``asr_emulator.channel.reregistration``):
a key registers once, and a registered server registers again only with its current certificate or a
key downloaded after its registration. Each refusal is typed, coded, and changes nothing; the
legitimate re-registrations keep working."""

from __future__ import annotations

import json
from typing import Any

import pytest

from asr_emulator import AsrService, HttpRequest, HttpResponse
from asr_emulator.channel.policy import CHANNEL_PREFIX
from scvmm_fake.provider import AsrProvider, RegistrationRefused

from .conftest import RG, VAULT, make_site


def state(vault: Any) -> tuple[Any, ...]:
    """What a refused registration must leave as it was: records, certificates, revocations, keys."""
    channel = vault.channel
    return (sorted((name, record.thumbprint, record.fabric.name) for name, record in channel.providers.items()),
            sorted(channel.fabrics), len(channel.keys), channel.ca.revoked_serials)


def register_raw(service: AsrService, key: str, victim: AsrProvider, *, peer: Any = None,
                 machine: str | None = None) -> HttpResponse:
    """A registration as anyone holding ``key`` can send it, claiming ``victim``'s server id."""
    body = {"registrationKey": json.loads(key), "vmmServerId": victim.store.vmm_server_id,
            "friendlyName": "attacker", "machineName": machine or victim.vmm.fqdn, "biosId": victim.store.bios_id,
            "providerVersion": "5.1.19", "serverVersion": "1"}
    request = HttpRequest("POST", f"https://{service.channel.endpoint}{CHANNEL_PREFIX}/registrations",
                          {"Content-Type": "application/json"}, json.dumps(body).encode())
    return service.channel.handle(request, peer)


def refused(service: AsrService, vault: Any, response: HttpResponse, status: int, code: str) -> None:
    assert response.status == status, response.body
    assert json.loads(response.body)["error"]["code"] == code
    assert service.sim.history.select(op="channel.Register", phase="fail")[-1].details["code"] == code


def still_in_control(service: AsrService, vault: Any, victim: AsrProvider) -> None:
    certificate = victim.store.credential.certificate
    assert not service.channel.vault_ca(vault).is_revoked(certificate)
    assert victim.poll() is True and victim.last_error is None


def test_the_issues_takeover_a_used_key_replayed_is_refused(service: AsrService, vault: Any, provider: AsrProvider,
                                                            key: str) -> None:
    provider.register(key)
    before = state(vault)
    refused(service, vault, register_raw(service, key, provider), 400, "RegistrationKeyAlreadyUsed")
    assert state(vault) == before
    still_in_control(service, vault, provider)


def test_a_used_key_cannot_register_another_server_either(service: AsrService, vault: Any, sim: Any, hyperv: Any,
                                                          provider: AsrProvider, key: str) -> None:
    provider.register(key)
    other = AsrProvider(make_site(sim, "chi", hyperv=hyperv).vmm, trusted_roots=[service.channel.public_root])
    with pytest.raises(RegistrationRefused) as info:
        other.register(key)
    assert info.value.code == "RegistrationKeyAlreadyUsed" and other.registration is None


def test_a_spare_key_downloaded_before_the_registration_cannot_take_the_server_over(
        service: AsrService, vault: Any, provider: AsrProvider, key: str) -> None:
    spare = service.channel.registration_key(vault).dumps()  # a second download, never used
    provider.register(key)
    before = state(vault)
    for machine in (None, "evil.contoso.com"):  # replace its Provider, or join its fabric beside it
        refused(service, vault, register_raw(service, spare, provider, machine=machine), 409, "ServerAlreadyRegistered")
    assert state(vault) == before
    still_in_control(service, vault, provider)
    refused(service, vault, register_raw(service, spare, provider), 409, "ServerAlreadyRegistered")  # not spent


def test_the_server_presenting_its_current_certificate_may_use_any_valid_key(
        service: AsrService, vault: Any, provider: AsrProvider, key: str) -> None:
    spare = service.channel.registration_key(vault).dumps()
    provider.register(key)
    old = provider.store.credential.certificate
    answer = register_raw(service, spare, provider, peer=old)
    assert answer.status == 200, answer.body
    assert service.channel.vault_ca(vault).is_revoked(old) and len(vault.channel.providers) == 1


def test_a_stranger_presenting_another_servers_certificate_proves_nothing(
        service: AsrService, vault: Any, sim: Any, hyperv: Any, provider: AsrProvider, key: str) -> None:
    spare = service.channel.registration_key(vault).dumps()
    provider.register(key)
    other = AsrProvider(make_site(sim, "chi", hyperv=hyperv).vmm, trusted_roots=[service.channel.public_root])
    other.register(service.channel.registration_key(vault).dumps())
    before = state(vault)
    response = register_raw(service, spare, provider, peer=other.store.credential.certificate)
    refused(service, vault, response, 409, "ServerAlreadyRegistered")
    assert state(vault) == before


def test_a_key_downloaded_after_the_registration_re_registers_the_server(
        service: AsrService, vault: Any, provider: AsrProvider, key: str) -> None:
    provider.register(key)
    name, old = provider.registration.provider_name, provider.store.credential.certificate
    again = provider.register(service.channel.registration_key(vault).dumps())
    assert again.provider_name == name and service.channel.vault_ca(vault).is_revoked(old)
    assert provider.poll() is True


def test_a_second_node_of_a_vmm_cluster_joins_the_fabric_with_a_new_key(
        service: AsrService, vault: Any, provider: AsrProvider, key: str) -> None:
    provider.register(key)
    fresh = service.channel.registration_key(vault).dumps()
    assert register_raw(service, fresh, provider, machine="vmm-ny-2.contoso.com").status == 200
    assert len(vault.channel.providers_of(vault.channel.fabric(provider.store.vmm_server_id))) == 2


def test_after_a_purge_nothing_is_left_to_take_over(service: AsrService, vault: Any, asr: Any,
                                                    provider: AsrProvider, key: str) -> None:
    spare = service.channel.registration_key(vault).dumps()
    provider.register(key)
    asr.replication_recovery_services_providers.begin_purge(
        RG, VAULT, provider.registration.fabric_name, provider.registration.provider_name).result()
    assert provider.register(spare).fabric_name == provider.store.vmm_server_id


def test_a_deeply_nested_channel_body_is_400_not_500(service: AsrService, vault: Any, key: str) -> None:
    request = HttpRequest("POST", f"https://{service.channel.endpoint}{CHANNEL_PREFIX}/registrations",
                          {"Content-Type": "application/json"}, b"[" * 5000 + b"]" * 5000)
    response = service.channel.handle(request, None)
    assert response.status == 400 and json.loads(response.body)["error"]["code"] == "InvalidRequestContent"
