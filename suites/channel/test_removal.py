"""Removing a Provider or a VMM fabric through the API (asr-api.md §3.2, §4): ``begin_delete`` (POST remove)
and ``begin_purge`` (DELETE) answer 202 and end 204; the fabric and what was discovered under it go
with its last Provider, whose certificate is revoked (its next call ends in ``certificate_revoked``)."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from asr_emulator import KINDS, StoredResource

from .conftest import RG, VAULT


def _fabric_gone(asr, fabric: str) -> None:
    with pytest.raises(ResourceNotFoundError):
        asr.replication_fabrics.get(RG, VAULT, fabric)
    assert list(asr.replication_protection_containers.list(RG, VAULT)) == []
    assert list(asr.replication_networks.list(RG, VAULT)) == []
    assert list(asr.replication_recovery_services_providers.list(RG, VAULT)) == []


@pytest.mark.parametrize("how", ["delete", "purge"])
def test_removing_the_provider_removes_it_and_its_fabric(sim, asr, service, vault, registered, how):
    fabric, name = registered.registration.fabric_name, registered.registration.provider_name
    operations = asr.replication_recovery_services_providers
    poller = (operations.begin_delete if how == "delete" else operations.begin_purge)(RG, VAULT, fabric, name)
    assert poller.result() is None
    _fabric_gone(asr, fabric)
    assert service.channel.vault_ca(vault).is_revoked(registered.store.credential.certificate)
    assert registered.poll() is False
    assert registered.last_error.cause.description == "certificate_revoked"


@pytest.mark.parametrize("how", ["delete", "purge"])
def test_removing_the_fabric_removes_its_providers(sim, asr, vault, registered, how):
    fabric = registered.registration.fabric_name
    poller = (asr.replication_fabrics.begin_delete if how == "delete" else asr.replication_fabrics.begin_purge)(
        RG, VAULT, fabric)
    poller.result()
    _fabric_gone(asr, fabric)
    assert vault.channel.providers == {} and vault.channel.fabrics == {}


def _pair_a_cloud(vault, registered, site) -> None:
    """Stand in for the pairing workflow (a later issue): a container mapping under the flagged cloud."""
    parents = (registered.registration.fabric_name, site.gold.id)
    vault.resources.put(KINDS["container_mapping"], parents, StoredResource("pairing", {"state": "Paired"}))


def test_remove_refuses_a_fabric_in_use_and_purge_does_not(sim, asr, vault, registered, site):
    _pair_a_cloud(vault, registered, site)
    fabric = registered.registration.fabric_name
    with pytest.raises(HttpResponseError) as info:
        asr.replication_fabrics.begin_delete(RG, VAULT, fabric).result()
    assert info.value.error.code == "150401"
    assert asr.replication_fabrics.get(RG, VAULT, fabric).name == fabric
    assert registered.poll() is True  # still registered
    asr.replication_fabrics.begin_purge(RG, VAULT, fabric).result()
    _fabric_gone(asr, fabric)


def test_removing_an_unknown_fabric_or_provider_is_404(asr, vault, registered):
    jobs = len(vault.jobs)
    with pytest.raises(ResourceNotFoundError):
        asr.replication_fabrics.begin_purge(RG, VAULT, "no-such-fabric")
    with pytest.raises(ResourceNotFoundError):
        asr.replication_recovery_services_providers.begin_delete(
            RG, VAULT, registered.registration.fabric_name, "no-such-provider")
    assert len(vault.jobs) == jobs


def test_a_removed_server_registers_again_with_a_new_key(sim, asr, service, vault, registered):
    asr.replication_recovery_services_providers.begin_purge(
        RG, VAULT, registered.registration.fabric_name, registered.registration.provider_name).result()
    again = registered.register(service.channel.registration_key(vault).dumps())
    assert asr.replication_fabrics.get(RG, VAULT, again.fabric_name).name == again.fabric_name
    assert registered.poll() is True
