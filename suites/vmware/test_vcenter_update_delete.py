"""Updating and removing a vCenter server through the SDK (``replicationv_centers.begin_update`` /
``begin_delete``): the jobs ``UpdateVCenter`` and ``RemoveVCenter`` (channel policy), carried out by the
configuration server; what is refused before a job starts (a bad port, a missing vCenter, a vCenter in
use by a master target or a protected machine: 409 ``VCENTER_IN_USE``) and what the configuration
server refuses (an unknown process server fails the job). Then ``update_vcenter`` / ``remove_vcenter``
of ``vmware_fake`` directly: each checks everything before it changes anything."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.recoveryservicessiterecovery.models import UpdateVCenterRequest, UpdateVCenterRequestProperties

import drlab
from drlab import VMwareSiteSpec
from vmware_fake import (
    GIB, ComponentNotRegistered, ConfigurationServer, InvalidParameter, InvalidState, ObjectNotFound, VCenter,
    take_inventory,
)
from vmware_fake.policy import VCENTER_DISCOVERY_SECONDS

from .conftest import make_vcenter


@pytest.fixture(scope="module")
def lab() -> drlab.Lab:
    lab = drlab.Lab(seed=53, vms_per_cloud=1)
    lab.add_vmware_site(VMwareSiteSpec(vms=("vmw-web1",), physical_servers=()))
    return lab


@pytest.fixture(scope="module")
def asr(lab: drlab.Lab) -> Any:
    return lab.azure_client()


def _fabric(lab: drlab.Lab) -> str:
    return str(lab.vmware.agent.registration.fabric_name)


def _jobs(lab: drlab.Lab, asr: Any, scenario: str) -> list[Any]:
    return [j.properties for j in asr.replication_jobs.list(lab.resource_group, lab.vault_name)
            if j.properties.scenario_name == scenario]


def _vcenters(lab: drlab.Lab, asr: Any) -> list[dict[str, Any]]:
    """The vCenters listed, without the heartbeat (which moves with every report)."""
    listed = asr.replicationv_centers.list_by_replication_fabrics(lab.resource_group, lab.vault_name, _fabric(lab))
    return [{**v.as_dict(), "properties": {**v.as_dict()["properties"], "lastHeartbeat": None}} for v in listed]


def _update(lab: drlab.Lab, asr: Any, name: str, **properties: Any) -> Any:
    return asr.replicationv_centers.begin_update(lab.resource_group, lab.vault_name, _fabric(lab), name,
                                                 UpdateVCenterRequest(properties=UpdateVCenterRequestProperties(
                                                     **properties)))


def _add_branch(lab: drlab.Lab, asr: Any, name: str, octet: int) -> VCenter:
    """A third vCenter with one VM, on the configuration server's network, added through the SDK under
    ``name`` and discovered."""
    branch = VCenter(lab.sim, f"vc-{name}", fqdn=f"vc-{name}.contoso.com", address=f"10.{octet}.0.10")
    host = branch.add_host(f"esx1.{name}")
    branch.add_datastore(host.name, f"{name}-ds1", capacity_bytes=512 * GIB)
    branch.add_port_group(host.name, "VM Network")
    branch.create_vm(f"{name}-app1", host=host.name, datastore=f"{name}-ds1")
    lab.vmware.configuration_server.can_reach(branch)
    asr.replicationv_centers.begin_create(lab.resource_group, lab.vault_name, _fabric(lab), name, {"properties": {
        "friendlyName": f"{name} vCenter", "ipAddress": f"10.{octet}.0.10", "port": "443",
        "processServerId": lab.vmware.process_server.id, "runAsAccountId": "1"}}).result()
    lab.advance(VCENTER_DISCOVERY_SECONDS + 30)
    return branch


def _machines(lab: drlab.Lab, asr: Any) -> list[str]:
    fabric = _fabric(lab)
    return [i.properties.friendly_name for i in asr.replication_protectable_items.list_by_replication_protection_containers(
        lab.resource_group, lab.vault_name, fabric, f"cloud_{fabric}")]


# -- update -------------------------------------------------------------------------------------------


def test_an_update_changes_the_given_fields_in_a_job_of_its_own(lab, asr):
    cs = lab.vmware.configuration_server
    vcenter = _update(lab, asr, "vc-primary", friendly_name="Primary DC", port="8443",
                      process_server_id=cs.host_id).result()
    assert (vcenter.name, vcenter.properties.friendly_name, vcenter.properties.port) == ("vc-primary", "Primary DC",
                                                                                          "8443")
    got = asr.replicationv_centers.get(lab.resource_group, lab.vault_name, _fabric(lab), "vc-primary").properties
    assert (got.friendly_name, got.port, got.process_server_id) == ("Primary DC", "8443", cs.host_id)
    assert (got.ip_address, got.run_as_account_id, got.discovery_status) == ("10.20.0.10", "1", "Completed")  # kept
    found = cs.discovered_vcenter("vc-primary")
    assert (found.friendly_name, found.port, found.process_server) == ("Primary DC", 8443, cs.built_in)
    (job,) = _jobs(lab, asr, "UpdateVCenter")
    assert (job.friendly_name, job.state, job.target_instance_type) == ("Update vCenter server", "Succeeded", "VCenter")
    assert (job.target_object_id, job.target_object_name) == ("10.20.0.10", "Primary DC")
    assert [(t.name, t.friendly_name, t.state) for t in job.tasks] == [
        ("UpdateVCenterServerTask", "Updating vCenter server", "Succeeded")]


@pytest.mark.parametrize("name, properties, status, code", [
    ("vc-primary", {"port": "0"}, 400, "InvalidParameter"),
    ("vc-primary", {"port": "65536"}, 400, "InvalidParameter"),
    ("vc-primary", {"port": "https"}, 400, "InvalidParameter"),
    ("vc-primary", {"friendlyName": 7}, 400, "InvalidRequestContent"),
    ("vc-nowhere", {"friendlyName": "x"}, 404, "ResourceNotFound"),
])
def test_a_refused_update_starts_no_job(lab, asr, name, properties, status, code):
    before, jobs = _vcenters(lab, asr), len(list(asr.replication_jobs.list(lab.resource_group, lab.vault_name)))
    with pytest.raises(HttpResponseError) as refused:
        asr.replicationv_centers.begin_update(lab.resource_group, lab.vault_name, _fabric(lab), name,
                                              {"properties": properties})
    assert (refused.value.status_code, refused.value.error.code) == (status, code)
    if status == 400:
        assert refused.value.error.target == f"properties.{next(iter(properties))}"
    assert len(list(asr.replication_jobs.list(lab.resource_group, lab.vault_name))) == jobs
    assert _vcenters(lab, asr) == before


def test_an_update_of_a_missing_vcenter_is_not_found(lab, asr):
    with pytest.raises(ResourceNotFoundError):
        _update(lab, asr, "vc-nowhere", port="443")


@pytest.mark.parametrize("properties, message", [
    ({"process_server_id": "no-such-ps"}, "no process server no-such-ps"),
    ({"run_as_account_id": "99"}, "no run-as account 99"),
    ({"ip_address": "10.20.0.10"}, "10.20.0.10 is not the address of vCenter vc-secondary"),  # vc-primary's
])
def test_what_only_the_configuration_server_knows_fails_the_job_and_changes_nothing(lab, asr, properties, message):
    """ASR passes process server, account and address on; the server refuses them, so the job fails."""
    before, revision = _vcenters(lab, asr), lab.vmware.configuration_server.revision
    poller = _update(lab, asr, "vc-secondary", friendly_name="renamed", **properties)
    with pytest.raises(HttpResponseError):
        poller.result()
    job = _jobs(lab, asr, "UpdateVCenter")[0]  # newest first
    assert (job.state, job.target_object_name) == ("Failed", "renamed")
    assert message in job.errors[0].provider_error_details.error_message
    assert _vcenters(lab, asr) == before and lab.vmware.configuration_server.revision == revision


# -- delete -------------------------------------------------------------------------------------------


def _possible_causes(error: HttpResponseError) -> str:
    return str(error.response.json()["error"]["details"][0]["possibleCauses"])


@pytest.mark.parametrize("name, user", [("vc-secondary", "the master target 'mt1'"),
                                        ("vc-primary", "the master target 'mt-fb'")])
def test_a_vcenter_a_master_target_is_on_is_not_removed(lab, asr, name, user):
    before, jobs = _vcenters(lab, asr), len(list(asr.replication_jobs.list(lab.resource_group, lab.vault_name)))
    inventory = json.dumps({**take_inventory(lab.vmware.configuration_server), "takenAt": None}, sort_keys=True)
    with pytest.raises(HttpResponseError) as refused:
        asr.replicationv_centers.begin_delete(lab.resource_group, lab.vault_name, _fabric(lab), name)
    assert (refused.value.status_code, refused.value.error.code) == (409, "150703")
    assert user in _possible_causes(refused.value)
    assert len(list(asr.replication_jobs.list(lab.resource_group, lab.vault_name))) == jobs
    assert _vcenters(lab, asr) == before
    assert json.dumps({**take_inventory(lab.vmware.configuration_server), "takenAt": None}, sort_keys=True) == inventory


def test_an_unused_vcenter_is_removed_with_its_machines(lab, asr):
    branch = _add_branch(lab, asr, "branch", 50)
    assert "branch-app1" in _machines(lab, asr)
    assert asr.replicationv_centers.begin_delete(lab.resource_group, lab.vault_name, _fabric(lab), "branch"
                                                 ).result() is None
    (job,) = _jobs(lab, asr, "RemoveVCenter")
    assert (job.friendly_name, job.state, job.target_object_id, job.target_object_name) == (
        "Remove vCenter server", "Succeeded", "10.50.0.10", "branch vCenter")
    assert [(t.name, t.friendly_name) for t in job.tasks] == [("RemoveVCenterServerTask", "Removing vCenter server")]
    assert [v["name"] for v in _vcenters(lab, asr)] == ["vc-primary", "vc-secondary"]
    assert "branch-app1" not in _machines(lab, asr)
    assert branch.name.lower() not in lab.vmware.configuration_server.vcenters
    with pytest.raises(ResourceNotFoundError):
        asr.replicationv_centers.begin_delete(lab.resource_group, lab.vault_name, _fabric(lab), "branch")


def test_a_vcenter_a_protected_machine_is_on_is_not_removed(lab, asr):
    rg, vault, fabric = lab.resource_group, lab.vault_name, _fabric(lab)
    _add_branch(lab, asr, "depot", 60)
    container = f"cloud_{fabric}"
    policy = asr.replication_policies.begin_create(rg, vault, "inm", {"properties": {"providerSpecificInput": {
        "instanceType": "InMage", "multiVmSyncStatus": "Enable"}}}).result()
    container_id = asr.replication_protection_containers.get(rg, vault, fabric, container).id
    asr.replication_protection_container_mappings.begin_create(rg, vault, fabric, container, "m1", {"properties": {
        "targetProtectionContainerId": container_id, "policyId": policy.id}}).result()
    (machine,) = [i for i in asr.replication_protectable_items.list_by_replication_protection_containers(
        rg, vault, fabric, container) if i.properties.friendly_name == "depot-app1"]
    target = lab.vmware.master_target
    asr.replication_protected_items.begin_create(rg, vault, fabric, container, machine.name, {"properties": {
        "policyId": policy.id, "protectableItemId": machine.id, "providerSpecificDetails": {
            "instanceType": "InMage", "masterTargetId": target.id, "processServerId": lab.vmware.process_server.id,
            "retentionDrive": "E:", "multiVmGroupId": "g1", "multiVmGroupName": "app", "runAsAccountId": "1"}}}).result()
    before, jobs = _vcenters(lab, asr), len(list(asr.replication_jobs.list(rg, vault)))
    with pytest.raises(HttpResponseError) as refused:
        asr.replicationv_centers.begin_delete(rg, vault, fabric, "depot")
    assert (refused.value.status_code, refused.value.error.code) == (409, "150703")
    assert "the protected machine 'depot-app1'" in _possible_causes(refused.value)
    assert len(list(asr.replication_jobs.list(rg, vault))) == jobs
    assert _vcenters(lab, asr) == before and "depot-app1" in _machines(lab, asr)


# -- the configuration server's side ------------------------------------------------------------------


def _state(cs: ConfigurationServer) -> str:
    return json.dumps({**take_inventory(cs), "takenAt": None}, sort_keys=True)


def test_update_vcenter_changes_only_what_it_is_given(site: SimpleNamespace) -> None:
    cs = site.cs
    cs.add_run_as_account("other", user_name="x", password="y")
    revision = cs.dr_revision
    found = cs.update_vcenter("vc-p", friendly_name="Primary", port=8443, account="2")
    assert found is cs.discovered_vcenter("VC-P") and cs.dr_revision != revision
    (entry, _) = take_inventory(cs)["vCenters"]
    assert (entry["friendlyName"], entry["port"], entry["runAsAccountId"], entry["processServerId"]) == (
        "Primary", 8443, "2", site.ps.id)
    cs.update_vcenter("vc-p", address="vc-p.contoso.com", process_server="cs1")  # its FQDN reaches the same vCenter
    assert found.process_server is cs.built_in and take_inventory(cs)["vCenters"][0]["ipAddress"] == "10.20.0.10"


@pytest.mark.parametrize("change, error", [
    ({"port": 0}, InvalidParameter),
    ({"port": 65536}, InvalidParameter),
    ({"process_server": "ps9"}, ComponentNotRegistered),
    ({"account": "nobody"}, ObjectNotFound),
    ({"address": "10.99.0.1"}, ObjectNotFound),  # nothing there
    ({"address": "10.30.0.10"}, InvalidParameter),  # vc-s
])
def test_a_refused_update_changes_nothing(site: SimpleNamespace, change: dict[str, Any], error: type[Exception]) -> None:
    before, revision = _state(site.cs), site.cs.dr_revision
    with pytest.raises(error):
        site.cs.update_vcenter("vc-p", friendly_name="renamed", **change)
    assert (_state(site.cs), site.cs.dr_revision) == (before, revision)


def test_a_vcenter_in_use_is_not_removed_and_an_unused_one_is(site: SimpleNamespace) -> None:
    cs = site.cs
    target = cs.add_master_target("mt1", vcenter="vc-s", address="10.30.0.30")
    vm = site.primary.create_vm("web1", host=site.host.name, datastore="vc-p-ds1")
    cs.protection.enable(vm.id, {"masterTargetId": target.id, "processServerId": site.ps.id, "retentionDrive": "E:",
                                 "multiVmGroupId": "g1", "multiVmGroupName": "app", "runAsAccountId": "1",
                                 "policy": {"recoveryPointThresholdInMinutes": 60, "recoveryPointHistory": 1440,
                                            "appConsistentFrequencyInMinutes": 60, "multiVmSyncStatus": "Disable"}})
    spare = make_vcenter(site.sim, "vc-spare", 40)
    cs.add_vcenter(spare, account="vc-admin")
    before, revision = _state(cs), cs.dr_revision
    for name, user in (("vc-p", "web1"), ("vc-s", "mt1")):
        with pytest.raises(InvalidState, match=user):
            cs.remove_vcenter(name)
    with pytest.raises(ComponentNotRegistered):
        cs.remove_vcenter("vc-nowhere")
    assert (_state(cs), cs.dr_revision) == (before, revision)
    cs.remove_vcenter("VC-SPARE")
    assert [v["id"] for v in take_inventory(cs)["vCenters"]] == ["vc-p", "vc-s"] and cs.dr_revision != revision
    with pytest.raises(ObjectNotFound):  # no longer reachable by address
        cs.find_vcenter("10.40.0.10")
