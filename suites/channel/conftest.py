"""Fixtures of the channel suites: an ASR service with a vault, and VMM sites (hosts, a flagged and an
unflagged cloud, a VM network, VMs) whose Providers trust the service's public root."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from asr_emulator import AsrService
from drlab.azure_transport import DEFAULT_SUBSCRIPTION, site_recovery_client
from hyperv_fake import HyperVFabric
from scvmm_fake import Credential, NetworkAdapterSpec, SubnetVLan, VMMServer
from scvmm_fake.provider import AsrProvider
from simcore import Simulation

RG = "rg-dr"
VAULT = "vault1"


def make_site(sim: Simulation, name: str, *, hyperv: HyperVFabric, vms: int = 2, octet: int = 1) -> SimpleNamespace:
    """VMM server ``name`` with hosts ``<name>-hv1/2`` in host group DC, a logical network with a site
    and a VM network, cloud Gold (flagged, with ``vms`` VMs on the VM network) and cloud Dev (not flagged,
    one VM)."""
    domain = f"{name}.contoso.com"
    vmm = VMMServer(sim, name, fqdn=f"vmm.{domain}")
    group = vmm.new_sc_vm_host_group("DC")
    admin = vmm.new_sc_run_as_account("HostAdmin", credential=Credential("CONTOSO\\admin", "secret"))
    hosts = [vmm.add_sc_vm_host(hyperv.add_host(f"{name}-hv{i}", fqdn=f"{name}-hv{i}.{domain}", domain=domain),
                                credential=admin, vm_host_group=group) for i in (1, 2)]
    corp = vmm.new_sc_logical_network("Corp")
    vmm.new_sc_logical_network_definition("Site", logical_network=corp, vm_host_group=[group],
                                          subnet_vlan=[SubnetVLan(f"10.{octet}.0.0/24", 10)])
    network = vmm.new_sc_vm_network("Corp-VMs", logical_network=corp)
    gold = vmm.new_sc_cloud("Gold", vm_host_group=[group], disaster_recovery_supported=True)
    dev = vmm.new_sc_cloud("Dev", vm_host_group=[group])
    for cloud in (gold, dev):
        vmm.set_sc_cloud(cloud, add_cloud_resource=[corp])
    machines = [vmm.new_sc_virtual_machine(f"{name}-web{i}", cloud=gold, operating_system="Windows Server 2016",
                                           virtual_network_adapters=[NetworkAdapterSpec(network)]) for i in range(vms)]
    vmm.new_sc_virtual_machine(f"{name}-dev", cloud=dev, operating_system="Ubuntu Linux (64-bit)")
    return SimpleNamespace(vmm=vmm, group=group, admin=admin, hosts=hosts, corp=corp, network=network, gold=gold,
                           dev=dev, vms=machines, hyperv=hyperv)


@pytest.fixture
def sim() -> Simulation:
    return Simulation(seed=11)


@pytest.fixture
def service(sim: Simulation) -> AsrService:
    return AsrService(sim)  # Retry-After 30: the SDK poller's sleeps move virtual time


@pytest.fixture
def vault(service: AsrService):
    return service.create_vault(DEFAULT_SUBSCRIPTION, RG, VAULT)


@pytest.fixture
def asr(service: AsrService):
    return site_recovery_client(service, polling_interval=0)


@pytest.fixture
def hyperv(sim: Simulation) -> HyperVFabric:
    return HyperVFabric(sim)


@pytest.fixture
def site(sim: Simulation, hyperv: HyperVFabric) -> SimpleNamespace:
    return make_site(sim, "ny", hyperv=hyperv)


@pytest.fixture
def key(service: AsrService, vault) -> str:
    """A fresh registration key file for ``vault``."""
    return service.channel.registration_key(vault).dumps()


@pytest.fixture
def provider(service: AsrService, site: SimpleNamespace) -> AsrProvider:
    """The Provider of ``site`` (installed, not registered)."""
    return AsrProvider(site.vmm, trusted_roots=[service.channel.public_root])


@pytest.fixture
def registered(provider: AsrProvider, key: str) -> AsrProvider:
    provider.register(key)
    return provider


def connections(sim: Simulation) -> list[tuple[str, str]]:
    """Every connection opened, as (initiator, target), from the history."""
    return [(e.details["src"], e.details["dst"]) for e in sim.history.select(op="net.connect", phase="ok")]
