"""vCenter inventory calls: what they build, what they refuse (leaving the vCenter as it was), and the
power state that drives a VM's workload."""

from __future__ import annotations

import pytest

from simcore import Simulation
from vmware_fake import GIB, DuplicateName, InvalidParameter, InvalidState, ObjectNotFound, VCenter

from .conftest import make_site


def _snapshot(vcenter: VCenter) -> tuple:
    return (vcenter.revision, sorted(vcenter.vms), sorted(vcenter.hosts),
            sorted((h.name, sorted(h.datastores), sorted(h.port_groups)) for h in vcenter.hosts.values()))


def test_a_vm_gets_vmdks_on_its_datastore_and_nics_on_port_groups(site):
    vm = site.primary.create_vm("web1", host=site.host.name, datastore="vc-p-ds1", disks_gb=(40, 100),
                                nics=(("VM Network", "10.20.1.10"),))
    assert [d.name for d in vm.disks] == ["[vc-p-ds1] web1/web1.vmdk", "[vc-p-ds1] web1/web1_1.vmdk"]
    assert [d.size_bytes for d in vm.disks] == [40 * GIB, 100 * GIB] and {d.datastore for d in vm.disks} == {"vc-p-ds1"}
    assert vm.nics[0].network == "VM Network" and vm.ip_address == "10.20.1.10"
    assert vm.nics[0].mac.startswith("00:50:56:")  # VMware's OUI
    assert vm.discovery_type == "vCenter" and vm.powered_on and vm.host == site.host.name


@pytest.mark.parametrize("call, error", [
    (lambda vc, host: vc.create_vm("x", host="nohost", datastore="vc-p-ds1"), ObjectNotFound),
    (lambda vc, host: vc.create_vm("x", host=host, datastore="nods"), ObjectNotFound),
    (lambda vc, host: vc.create_vm("x", host=host, datastore="vc-p-ds1", nics=(("NoSuchGroup", None),)),
     ObjectNotFound),
    (lambda vc, host: vc.create_vm("x", host=host, datastore="vc-p-ds1", disks_gb=()), InvalidParameter),
    (lambda vc, host: vc.create_vm("x", host=host, datastore="vc-p-ds1", os_type="Solaris"), InvalidParameter),
    (lambda vc, host: vc.create_vm("x", host=host, datastore="vc-p-ds1", write_rate=-1.0), InvalidParameter),
    (lambda vc, host: vc.create_vm("WEB0", host=host, datastore="vc-p-ds1"), DuplicateName),
    (lambda vc, host: vc.add_host(host.upper()), DuplicateName),
    (lambda vc, host: vc.add_datastore(host, "VC-P-DS1", capacity_bytes=GIB), DuplicateName),
    (lambda vc, host: vc.add_datastore(host, "ds2", capacity_bytes=0), InvalidParameter),
    (lambda vc, host: vc.add_port_group(host, "VM Network"), DuplicateName),
    (lambda vc, host: vc.add_port_group(host, "pg", vlan_id=4096), InvalidParameter),
    (lambda vc, host: vc.power_on_vm("web0"), InvalidState),
    (lambda vc, host: vc.power_off_vm("nosuchvm"), ObjectNotFound),
])
def test_a_refused_call_changes_nothing(site, call, error):
    site.primary.create_vm("web0", host=site.host.name, datastore="vc-p-ds1")
    before = _snapshot(site.primary)
    with pytest.raises(error):
        call(site.primary, site.host.name)
    assert _snapshot(site.primary) == before


def test_an_unsupported_vcenter_version_is_refused_before_it_joins_the_network(sim):
    with pytest.raises(InvalidParameter, match="5.5, 6.0, 6.5"):
        VCenter(sim, "vc7", version="7.0")
    assert "vc7" not in [node.name for node in sim.network.nodes]


def test_a_vm_writes_only_while_powered_on(site):
    sim, vcenter = site.sim, site.primary
    vm = vcenter.create_vm("db1", host=site.host.name, datastore="vc-p-ds1", write_rate=2.0)
    sim.advance(10)
    vcenter.power_off_vm("db1")
    assert vm.workload.written(sim.clock.now) == 20
    sim.advance(100)
    assert vm.workload.written(sim.clock.now) == 20  # off: nothing written
    vcenter.power_on_vm("db1")
    sim.advance(5)
    assert vm.workload.written(sim.clock.now) == 30


def test_the_same_seed_builds_the_same_ids():
    def ids(seed: int) -> list[str]:
        built = make_site(Simulation(seed))
        vm = built.primary.create_vm("web1", host=built.host.name, datastore="vc-p-ds1", nics=(("VM Network", None),))
        return [built.cs.id, built.ps.id, vm.id, vm.disks[0].id, vm.nics[0].mac]

    assert ids(3) == ids(3)
    assert ids(3) != ids(4)


def test_every_change_moves_the_revision(site):
    revisions = [site.primary.revision]
    site.primary.add_port_group(site.host.name, "Backup", vlan_id=20)
    revisions.append(site.primary.revision)
    site.primary.create_vm("app1", host=site.host.name, datastore="vc-p-ds1", power_on=False)
    revisions.append(site.primary.revision)
    site.primary.power_on_vm("app1")
    revisions.append(site.primary.revision)
    assert revisions == sorted(set(revisions))  # strictly increasing
