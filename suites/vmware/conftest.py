"""Fixtures of the VMware site suites: a primary and a secondary vCenter, and a configuration server
with a run-as account, a process server in the primary site and both vCenters discovered (the lab
clock moved past their discovery)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from simcore import Simulation
from vmware_fake import GIB, ConfigurationServer, VCenter
from vmware_fake.policy import VCENTER_DISCOVERY_SECONDS


def make_vcenter(sim: Simulation, name: str, octet: int) -> VCenter:
    vcenter = VCenter(sim, name, fqdn=f"{name}.contoso.com", address=f"10.{octet}.0.10")
    host = vcenter.add_host(f"esx1.{name}.contoso.com")
    vcenter.add_datastore(host.name, f"{name}-ds1", capacity_bytes=1024 * GIB)
    vcenter.add_port_group(host.name, "VM Network")
    return vcenter


def make_site(sim: Simulation) -> SimpleNamespace:
    primary, secondary = make_vcenter(sim, "vc-p", 20), make_vcenter(sim, "vc-s", 30)
    cs = ConfigurationServer(sim, "cs1", fqdn="cs1.contoso.com", address="10.30.0.20")
    cs.add_run_as_account("vc-admin", user_name="CONTOSO\\vc", password="pw")
    ps = cs.add_process_server("ps1", address="10.20.0.20")
    cs.add_vcenter(primary, account="vc-admin", process_server="ps1")
    cs.add_vcenter(secondary, account="vc-admin")
    sim.advance(VCENTER_DISCOVERY_SECONDS)  # both discoveries end
    return SimpleNamespace(sim=sim, primary=primary, secondary=secondary, cs=cs, ps=ps,
                           host=next(iter(primary.hosts.values())))


@pytest.fixture
def sim() -> Simulation:
    return Simulation(seed=5)


@pytest.fixture
def site(sim: Simulation) -> SimpleNamespace:
    return make_site(sim)
