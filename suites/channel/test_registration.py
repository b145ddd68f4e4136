"""Registration keys (§5.2: valid 5 days) and registration: what is refused, and what a refusal leaves."""

from __future__ import annotations

import json

import pytest

from asr_emulator import KINDS, AsrService
from asr_emulator.channel.policy import KEY_VALIDITY_SECONDS
from drlab.azure_transport import DEFAULT_SUBSCRIPTION
from scvmm_fake import DRA_PROXY_ACCOUNT_NAME
from scvmm_fake.provider import AlreadyRegistered, AsrProvider, RegistrationRefused
from simcore import Simulation

from .conftest import RG, VAULT


def _state(service: AsrService, vault) -> tuple:
    """What a refused registration must not change: the vault's resources and the channel's records."""
    channel = vault.channel
    resources = sorted((kind, parents, r.name) for kind in ("fabric", "provider")
                       for parents, r in vault.resources.everywhere(KINDS[kind]))
    return resources, sorted(channel.providers), sorted(channel.fabrics), len(channel.keys)


def _refused(provider: AsrProvider, key: str, code: str, service: AsrService, vault) -> RegistrationRefused:
    before = _state(service, vault)
    with pytest.raises(RegistrationRefused) as info:
        provider.register(key)
    assert info.value.code == code
    assert _state(service, vault) == before
    assert provider.registration is None and not provider.running
    fails = service.sim.history.select(op="channel.Register", phase="fail")
    assert fails[-1].details["code"] == code
    return info.value


def test_a_key_is_valid_for_exactly_five_virtual_days(sim, service, vault, provider, site):
    key = service.channel.registration_key(vault)
    assert key.validTo - key.validFrom == KEY_VALIDITY_SECONDS == 5 * 24 * 3600
    sim.network.set_latency(site.vmm.name, service.node, 0.0)  # the request reaches ASR at the same instant
    sim.advance(KEY_VALIDITY_SECONDS)  # the last valid instant: both ends are inclusive
    registration = provider.register(key.dumps())
    assert registration.vault_id.endswith(f"/vaults/{VAULT}")


def test_one_second_after_five_days_the_key_is_expired(sim, service, vault, provider):
    key = service.channel.registration_key(vault).dumps()
    sim.advance(KEY_VALIDITY_SECONDS + 1)
    error = _refused(provider, key, "RegistrationKeyExpired", service, vault)
    assert "5 days" in str(error)


def test_a_tampered_key_is_refused(service, vault, provider, key):
    fields = json.loads(key)
    fields["validTo"] += 30 * 24 * 3600  # stretch the validity by a month
    _refused(provider, json.dumps(fields), "RegistrationKeyTampered", service, vault)


def test_a_key_of_another_services_same_named_vault_is_foreign(sim, service, vault, provider):
    other = AsrService(sim, node="asr-other")
    other_vault = other.create_vault(DEFAULT_SUBSCRIPTION, RG, VAULT)
    foreign = json.loads(other.channel.registration_key(other_vault).dumps())
    foreign["serviceEndpoint"] = service.channel.endpoint  # presented to our service
    service.channel.registration_key(vault)  # our vault has a channel (and a secret) too
    _refused(provider, json.dumps(foreign), "RegistrationKeyNotIssuedByVault", service, vault)


def test_a_key_naming_a_vault_this_service_lacks_is_foreign(service, vault, provider, key):
    fields = json.loads(key)
    fields["vaultName"] = "nowhere"
    _refused(provider, json.dumps(fields), "RegistrationKeyNotIssuedByVault", service, vault)


@pytest.mark.parametrize("text", ["not json", json.dumps({"serviceEndpoint": "x", "vaultId": "y"})])
def test_a_malformed_key_is_refused(service, vault, provider, text, key):
    if text.startswith("{"):
        fields = json.loads(text)
        fields["serviceEndpoint"] = service.channel.endpoint
        text = json.dumps(fields)
    with pytest.raises(RegistrationRefused) as info:
        provider.register(text)
    assert info.value.code == "RegistrationKeyMalformed"
    assert vault.channel.providers == {}


def test_registration_makes_a_vmm_fabric_with_a_connected_provider(asr, registered, site):
    fabric = asr.replication_fabrics.get(RG, VAULT, registered.registration.fabric_name)
    assert fabric.properties.custom_details.instance_type == "VMM"
    assert fabric.properties.friendly_name == site.vmm.fqdn
    provider = asr.replication_recovery_services_providers.get(
        RG, VAULT, fabric.name, registered.registration.provider_name)
    props = provider.properties
    assert (props.fabric_type, props.connection_status, props.provider_version) == ("VMM", "Connected", "5.1.19")
    assert props.machine_name == site.vmm.fqdn and props.fabric_friendly_name == site.vmm.fqdn
    assert props.last_heart_beat is not None
    assert provider.id == registered.registration.provider_id


def test_the_client_certificate_comes_from_the_vaults_ca(service, vault, registered):
    certificate = registered.store.credential.certificate
    assert certificate.issuer == service.channel.vault_ca(vault).certificate.subject


def test_reregistering_keeps_the_provider_and_revokes_the_old_certificate(service, vault, registered, key):
    old = registered.store.credential.certificate
    name = registered.registration.provider_name
    again = registered.register(service.channel.registration_key(vault).dumps())
    assert again.provider_name == name and len(vault.channel.providers) == 1
    assert service.channel.vault_ca(vault).is_revoked(old)


def test_a_provider_registered_elsewhere_refuses_another_vaults_key(service, registered):
    other = service.create_vault(DEFAULT_SUBSCRIPTION, RG, "vault2")
    with pytest.raises(AlreadyRegistered):
        registered.register(service.channel.registration_key(other).dumps())


def test_a_custom_proxy_with_credentials_becomes_the_run_as_account(service, site):
    from scvmm_fake import Credential
    from scvmm_fake.provider import ProxySettings, WebProxy

    WebProxy(service.sim, "proxy", credentials=("CONTOSO\\proxy", "pw"))
    AsrProvider(site.vmm, trusted_roots=[service.channel.public_root], proxy=ProxySettings("proxy"),
                proxy_credential=Credential("CONTOSO\\proxy", "pw"))
    (account,) = site.vmm.get_sc_run_as_account(DRA_PROXY_ACCOUNT_NAME)
    assert account.user_name == "CONTOSO\\proxy"


def test_same_seed_same_calls_same_history():
    from hyperv_fake import HyperVFabric

    from .conftest import make_site

    def run() -> str:
        sim = Simulation(5)
        service = AsrService(sim)
        vault = service.create_vault(DEFAULT_SUBSCRIPTION, RG, VAULT)
        site = make_site(sim, "ny", hyperv=HyperVFabric(sim))
        provider = AsrProvider(site.vmm, trusted_roots=[service.channel.public_root])
        provider.register(service.channel.registration_key(vault).dumps())
        sim.advance(600)
        return sim.history.dumps()

    assert run() == run()
