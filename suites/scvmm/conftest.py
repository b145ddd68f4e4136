"""Fixtures of the VMM suites: a server on a fresh lab, a small network fabric, and a state
fingerprint to prove that a refused cmdlet changed nothing."""

from __future__ import annotations

import dataclasses
import enum
import ipaddress
from types import SimpleNamespace
from typing import Any

import pytest

from hyperv_fake import HyperVFabric
from scvmm_fake import Credential, DefaultGateway, SubnetVLan, VMMServer
from simcore import Simulation


@pytest.fixture
def sim() -> Simulation:
    return Simulation(7)


@pytest.fixture
def vmm(sim: Simulation) -> VMMServer:
    return VMMServer(sim, "vmm-ny", fqdn="vmm-ny.contoso.com")


@pytest.fixture
def fabric(vmm: VMMServer) -> SimpleNamespace:
    """Host groups NY > {Rack1, Rack2}; logical network Corp with site NY-Site (10.1.0.0/24, VLAN
    10; 10.2.0.0/24, VLAN 20) on NY; a NoIsolation VM network; a pool on 10.1.0.0/24."""
    ny = vmm.new_sc_vm_host_group("NY")
    rack1 = vmm.new_sc_vm_host_group("Rack1", parent_host_group=ny)
    rack2 = vmm.new_sc_vm_host_group("Rack2", parent_host_group=ny)
    corp = vmm.new_sc_logical_network("Corp")
    site = vmm.new_sc_logical_network_definition(
        "NY-Site", logical_network=corp, vm_host_group=[ny],
        subnet_vlan=[SubnetVLan("10.1.0.0/24", 10), SubnetVLan("10.2.0.0/24", 20)],
    )
    vm_network = vmm.new_sc_vm_network("Corp-VMs", logical_network=corp)
    pool = vmm.new_sc_static_ip_address_pool(
        "Corp-Pool", subnet="10.1.0.0/24", logical_network_definition=site,
        ip_address_range_start="10.1.0.10", ip_address_range_end="10.1.0.99",
        ip_address_reserved_set="10.1.0.25-10.1.0.35, 10.1.0.38", vip_address_set="10.1.0.95-10.1.0.99",
        default_gateway=[DefaultGateway("10.1.0.1", 10)], dns_server=["10.1.0.2", "10.1.0.3"], dns_suffix="contoso.com",
    )
    admin = vmm.new_sc_run_as_account("HostAdmin", credential=Credential("CONTOSO\\hvadmin", "secret"))
    return SimpleNamespace(ny=ny, rack1=rack1, rack2=rack2, corp=corp, site=site, vm_network=vm_network,
                           pool=pool, admin=admin)


@pytest.fixture
def hosts(vmm: VMMServer, fabric: SimpleNamespace) -> SimpleNamespace:
    """Hyper-V hosts hv1, hv2 (Rack1) and hv3 (Rack2) managed by ``vmm``; hv4 exists but is not managed."""
    hyperv = HyperVFabric(vmm.sim)
    made = {name: hyperv.add_host(name, fqdn=f"{name}.contoso.com", domain="contoso.com")
            for name in ("hv1", "hv2", "hv3", "hv4")}
    managed = {
        name: vmm.add_sc_vm_host(made[name], credential=fabric.admin, vm_host_group=group)
        for name, group in (("hv1", fabric.rack1), ("hv2", fabric.rack1), ("hv3", fabric.rack2))
    }
    return SimpleNamespace(hyperv=hyperv, raw=made, **managed)


def _plain(value: Any, depth: int = 0) -> Any:
    """A comparable rendering of a model object: its fields, with references to other objects by id."""
    if isinstance(value, enum.Enum) or isinstance(value, (str, int, float, bool, type(None))):
        return value
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address, ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(item, depth) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item, depth) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and depth == 0:
        return {field.name: _plain(getattr(value, field.name), depth + 1) for field in dataclasses.fields(value)}
    if dataclasses.is_dataclass(value) and hasattr(value, "id"):
        return ("ref", value.id)
    if dataclasses.is_dataclass(value):
        return {field.name: _plain(getattr(value, field.name), depth) for field in dataclasses.fields(value)}
    return repr(value)


def fingerprint(vmm: VMMServer) -> Any:
    """Everything a cmdlet could change: every registered object's fields, every job, the id stream."""
    registries = {kind: [_plain(obj) for obj in objects.values()] for kind, objects in vmm._registries.items()}
    jobs = [_plain(job) for job in vmm._job_runner.jobs]
    return registries, jobs, vmm.sim.random.stream(vmm._id_stream).getstate()


@pytest.fixture(scope="session")
def state_of():
    """The ``fingerprint`` function, for tests that cannot take function-scoped fixtures (hypothesis)."""
    return fingerprint


@pytest.fixture
def unchanged(vmm: VMMServer):
    """``with unchanged(exc_type): call()`` asserts the call raises ``exc_type`` and changes nothing,
    and that its history is exactly one invoke and one fail."""
    from contextlib import contextmanager

    @contextmanager
    def check(exc_type: type[BaseException]):
        before, events = fingerprint(vmm), len(vmm.sim.history)
        with pytest.raises(exc_type):
            yield
        assert fingerprint(vmm) == before
        tail = [(e.op.startswith("vmm."), e.phase.value) for e in list(vmm.sim.history)[events:]]
        assert tail == [(True, "invoke"), (True, "fail")]
    return check
