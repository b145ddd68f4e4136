"""The configuration server: its built-in process server, run-as accounts, components, discovered
vCenters, physical servers and the Mobility service, and the inventory its agent reports."""

from __future__ import annotations

import json

import pytest

from vmware_fake import (
    GIB, ComponentNotRegistered, ConfigurationServer, DuplicateName, InvalidParameter, ObjectNotFound, VCenter, policy,
    take_inventory,
)


def _state(cs: ConfigurationServer) -> str:
    return json.dumps({**take_inventory(cs), "takenAt": None}, sort_keys=True)


def test_the_built_in_process_server_is_the_configuration_server_itself(site):
    cs = site.cs
    assert policy.BUILT_IN_PROCESS_SERVER
    assert cs.built_in is cs.process_server(cs.name) is cs.process_server(cs.host_id)
    assert cs.built_in.node is cs.node and cs.built_in.ip_address == "10.30.0.20"
    assert [ps.name for ps in cs.process_servers.values()] == ["cs1", "ps1"]
    listed = [ps["friendlyName"] for ps in take_inventory(cs)["processServers"]]
    assert listed == ["ps1", "cs1"]  # policy PROCESS_SERVER_ORDER: scale-out ones first
    assert len(cs.id) == 64 and int(cs.id, 16) >= 0  # CS_ID_STREAM: 64 hex digits, as recorded


def test_run_as_accounts_are_numbered_in_the_order_they_are_added(site):
    second = site.cs.add_run_as_account("linux-root", user_name="root", password="pw")
    assert (site.cs.account("vc-admin").account_id, second.account_id) == ("1", "2")  # policy RUN_AS_ACCOUNT_IDS
    assert site.cs.account("2") is second and "pw" not in repr(second)


@pytest.mark.parametrize("call, error", [
    (lambda s: s.cs.add_run_as_account("VC-ADMIN", user_name="x", password="y"), DuplicateName),
    (lambda s: s.cs.add_process_server("PS1"), DuplicateName),
    (lambda s: s.cs.add_vcenter(s.primary, account="vc-admin"), DuplicateName),
    (lambda s: s.cs.add_master_target("mt1", vcenter="vc-unknown"), ComponentNotRegistered),
    (lambda s: s.cs.add_master_target("mt1", vcenter="vc-s", retention=()), InvalidParameter),
    (lambda s: s.cs.add_master_target("mt1", vcenter="vc-s", os_type="AIX"), InvalidParameter),
    (lambda s: s.cs.add_physical_server("p1", ip_address="10.0.0.1", disks_gb=(0,)), InvalidParameter),
    (lambda s: s.cs.add_physical_server("p1", ip_address="10.0.0.1", os_type="OS/2"), InvalidParameter),
    (lambda s: s.cs.install_mobility_service("nosuch", account="vc-admin"), ObjectNotFound),
    (lambda s: s.cs.install_mobility_service("web1"), InvalidParameter),  # a push needs an account
    (lambda s: s.cs.install_mobility_service("web1", account="nobody"), ObjectNotFound),
    (lambda s: s.cs.install_mobility_service("web1", account="vc-admin", process_server="ps9"), ComponentNotRegistered),
])
def test_a_refused_call_changes_nothing(site, call, error):
    site.primary.create_vm("web1", host=site.host.name, datastore="vc-p-ds1")
    before, revision = _state(site.cs), site.cs.dr_revision
    with pytest.raises(error):
        call(site)
    assert (_state(site.cs), site.cs.dr_revision) == (before, revision)


def test_a_vcenter_is_discovered_once_whichever_process_server_is_named(site):
    with pytest.raises(DuplicateName):
        site.cs.add_vcenter(site.secondary, account="vc-admin", process_server="ps1")
    with pytest.raises(DuplicateName):  # nor may another vCenter take a name in use
        site.cs.add_vcenter(VCenter(site.sim, "vc-other"), account="vc-admin", name="VC-P")


def test_the_mobility_service_is_pushed_with_an_account_or_installed_by_hand(site):
    site.primary.create_vm("web1", host=site.host.name, datastore="vc-p-ds1")
    server = site.cs.add_physical_server("phys1", ip_address="10.20.2.10")
    pushed = site.cs.install_mobility_service("web1", account="vc-admin", process_server="ps1")
    manual = site.cs.install_mobility_service("phys1", push=False)
    assert pushed.push and not manual.push and pushed.version == manual.version == policy.SCOUT_VERSION
    assert server.mobility is manual and pushed.agent_id != manual.agent_id
    with pytest.raises(DuplicateName):
        site.cs.install_mobility_service("phys1", push=False)
    inventory = take_inventory(site.cs)
    assert {ps["friendlyName"]: ps["machineCount"] for ps in inventory["processServers"]} == {"cs1": 1, "ps1": 1}
    assert inventory["configurationServer"]["agentCount"] == 2


def test_a_change_on_a_discovered_vcenter_moves_the_configuration_servers_revision(site):
    before = site.cs.dr_revision
    site.primary.create_vm("web1", host=site.host.name, datastore="vc-p-ds1")
    assert site.cs.dr_revision != before
    assert [m.name for m in site.cs.machines()] == ["web1"]


def test_the_inventory_lists_components_and_machines_as_the_vault_needs_them(site, sim):
    cs = site.cs
    cs.add_master_target("mt1", vcenter="vc-s", address="10.30.0.30", retention=(("E:", 200 * GIB),))
    site.primary.create_vm("web1", host=site.host.name, datastore="vc-p-ds1", disks_gb=(40, 10),
                           nics=(("VM Network", "10.20.1.10"),))
    cs.add_physical_server("phys1", ip_address="10.20.2.10", os_type="Linux", os_name="RHEL 7.2")
    cs.install_mobility_service("web1", account="vc-admin", process_server="ps1")
    inventory = take_inventory(cs)
    assert inventory == take_inventory(cs)  # deterministic
    assert [vc["id"] for vc in inventory["vCenters"]] == ["vc-p", "vc-s"]
    primary = inventory["vCenters"][0]
    assert (primary["processServerId"], primary["runAsAccountId"], primary["port"]) == (site.ps.id, "1", 443)
    assert inventory["vCenters"][1]["processServerId"] == cs.host_id  # discovered by the built-in one
    (vm,) = primary["vms"]
    assert [d["type"] for d in vm["disks"]] == ["System", "Data"]  # policy DISK_TYPES
    assert vm["agent"]["processServerId"] == site.ps.id and vm["ipAddress"] == "10.20.1.10"
    (server,) = inventory["physicalServers"]
    assert (server["discoveryType"], server["osType"], server["agent"]) == ("Physical", "Linux", None)
    (target,) = inventory["masterTargets"]
    assert target["retentionVolumes"] == [{"volumeName": "E:", "capacityInBytes": 200 * GIB,
                                           "freeSpaceInBytes": 200 * GIB, "thresholdPercentage": 80}]
    assert [d["symbolicName"] for d in target["dataStores"]] == ["vc-s-ds1"]  # the secondary vCenter's


def test_a_vcenters_vms_are_reported_only_once_its_discovery_ended(site, sim):
    late = VCenter(sim, "vc-late", address="10.40.0.10")
    host = late.add_host("esx1.late")
    late.add_datastore(host.name, "late-ds1", capacity_bytes=GIB)
    late.create_vm("app9", host=host.name, datastore="late-ds1")
    site.cs.add_vcenter(late, account="vc-admin")

    def reported() -> tuple[str, list[str]]:
        (entry,) = [vc for vc in take_inventory(site.cs)["vCenters"] if vc["id"] == "vc-late"]
        return entry["discoveryStatus"], [vm["name"] for vm in entry["vms"]]

    assert reported() == ("Pending", [])
    with pytest.raises(ObjectNotFound):  # a push install needs a discovered machine
        site.cs.install_mobility_service("app9", account="vc-admin")
    sim.advance(policy.VCENTER_DISCOVERY_SECONDS - 1)
    assert reported() == ("Pending", [])
    revision = site.cs.dr_revision
    sim.advance(1)
    assert reported() == ("Completed", ["app9"]) and site.cs.dr_revision != revision
