"""Discovery through SCVMM (§5.2 "Site Recovery retrieves metadata from the VMM server"): after the
Providers of two VMM servers register, the SDK sees both fabrics, their Providers (Connected), the
flagged clouds as containers, their VM networks and their VMs — never the unflagged clouds — and
changes in VMM show up after the next sync."""

from __future__ import annotations

import pytest

from asr_emulator import AsrService
from drlab.azure_transport import DEFAULT_SUBSCRIPTION, site_recovery_client
from hyperv_fake import HyperVFabric
from scvmm_fake import NetworkAdapterSpec
from scvmm_fake.provider import AsrProvider
from simcore import Simulation

from ..channel.conftest import RG, VAULT, make_site


@pytest.fixture
def lab():
    sim = Simulation(21)
    service = AsrService(sim)
    vault = service.create_vault(DEFAULT_SUBSCRIPTION, RG, VAULT)
    hyperv = HyperVFabric(sim)
    sites = [make_site(sim, "ny", hyperv=hyperv, vms=2, octet=1), make_site(sim, "sea", hyperv=hyperv, vms=3, octet=2)]
    providers = []
    for site in sites:
        provider = AsrProvider(site.vmm, trusted_roots=[service.channel.public_root])
        provider.register(service.channel.registration_key(vault).dumps())
        providers.append(provider)
    return sim, service, site_recovery_client(service, polling_interval=0), sites, providers


def _containers(asr, fabric: str) -> dict[str, str]:
    return {c.name: c.properties.friendly_name
            for c in asr.replication_protection_containers.list_by_replication_fabrics(RG, VAULT, fabric)}


def _items(asr, fabric: str, container: str) -> dict[str, str]:
    return {i.name: i.properties.friendly_name for i in asr.replication_protectable_items
            .list_by_replication_protection_containers(RG, VAULT, fabric, container)}


def test_two_registered_vmm_servers_are_discovered_through_the_sdk(lab):
    sim, service, asr, sites, providers = lab
    fabrics = {f.name: f for f in asr.replication_fabrics.list(RG, VAULT)}
    assert set(fabrics) == {p.registration.fabric_name for p in providers}
    assert {f.properties.custom_details.instance_type for f in fabrics.values()} == {"VMM"}
    listed = list(asr.replication_recovery_services_providers.list(RG, VAULT))
    assert {p.name for p in listed} == {p.registration.provider_name for p in providers}
    assert {p.properties.connection_status for p in listed} == {"Connected"}
    for site, provider in zip(sites, providers):
        fabric = provider.registration.fabric_name
        container = site.gold.id
        assert _containers(asr, fabric) == {container: "Gold"}  # Dev is not flagged: never there
        got = asr.replication_protection_containers.get(RG, VAULT, fabric, container).properties
        assert (got.fabric_type, got.fabric_friendly_name) == ("VMM", site.vmm.fqdn)
        (network,) = asr.replication_networks.list_by_replication_fabrics(RG, VAULT, fabric)
        assert (network.name, network.properties.friendly_name) == (site.network.id, "Corp-VMs")
        assert [s.address_list for s in network.properties.subnets] == [[f"10.{1 + sites.index(site)}.0.0/24"]]
        assert _items(asr, fabric, container) == {vm.id: vm.name for vm in site.vms}
        item = asr.replication_protectable_items.get(RG, VAULT, fabric, container, site.vms[0].id).properties
        details = item.custom_details  # SDK 2.0.0 keeps the base class for this nested subtype: read it as JSON
        assert details.instance_type == "HyperVVirtualMachine"
        assert (details["sourceItemId"], details["generation"]) == (site.vms[0].vm_id, "2")
        assert details["osDetails"]["osType"] == "Windows" and details["hyperVHostId"] == site.vms[0].vm_host.name
        assert [d["vhdName"] for d in details["diskDetails"]] and item.protection_status == "Unprotected"
        assert item.recovery_services_provider_id == provider.registration.provider_id
    assert len(list(asr.replication_protection_containers.list(RG, VAULT))) == 2
    assert len(list(asr.replication_networks.list(RG, VAULT))) == 2


def test_vmm_changes_show_up_after_the_next_sync(lab):
    sim, service, asr, sites, providers = lab
    site, provider = sites[0], providers[0]
    fabric = provider.registration.fabric_name
    gold = site.gold.id
    vmm = site.vmm
    new_vm = vmm.new_sc_virtual_machine("ny-app", cloud=site.gold, operating_system="Windows Server 2019",
                                        virtual_network_adapters=[NetworkAdapterSpec(site.network)])
    vmm.remove_sc_virtual_machine(site.vms[0])
    vmm.set_sc_cloud(site.dev, disaster_recovery_supported=True)
    extra = site.hyperv.add_host("ny-hv3", fqdn="ny-hv3.ny.contoso.com", domain="ny.contoso.com")
    vmm.add_sc_vm_host(extra, credential=site.admin, vm_host_group=site.group)
    assert new_vm.id not in _items(asr, fabric, gold)  # not before the Provider's next poll
    sim.advance(provider.poll_interval)
    assert set(_items(asr, fabric, gold)) == {site.vms[1].id, new_vm.id}
    assert _containers(asr, fabric) == {gold: "Gold", site.dev.id: "Dev"}
    vmm.set_sc_cloud(site.dev, disaster_recovery_supported=False)  # unflagging (the cloud is not paired)
    sim.advance(provider.poll_interval)
    assert _containers(asr, fabric) == {gold: "Gold"}
    reported = service.backend.vaults.get(DEFAULT_SUBSCRIPTION, RG, VAULT).channel.inventories[fabric.lower()]
    assert reported["clouds"][0]["hosts"] == sorted([h.name for h in site.hosts] + ["ny-hv3.ny.contoso.com"])
