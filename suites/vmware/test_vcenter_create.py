"""Adding a vCenter server through the SDK (``replicationv_centers.begin_create``): the recorded job
``DiscoverVCenter`` / "Add vCenter server", carried out by the configuration server; what it refuses
before any job starts, and what a refusal of the configuration server does to the job."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

import drlab
from drlab import VMwareSiteSpec
from vmware_fake import GIB, VCenter
from vmware_fake.policy import VCENTER_DISCOVERY_SECONDS


@pytest.fixture(scope="module")
def lab() -> drlab.Lab:
    lab = drlab.Lab(seed=31, vms_per_cloud=1)
    site = lab.add_vmware_site(VMwareSiteSpec(vms=(), physical_servers=()))
    branch = VCenter(lab.sim, "vc-branch", fqdn="vc-branch.contoso.com", address="10.50.0.10")
    host = branch.add_host("esx1.branch")
    branch.add_datastore(host.name, "branch-ds1", capacity_bytes=512 * GIB)
    branch.add_port_group(host.name, "VM Network")
    branch.create_vm("branch-app1", host=host.name, datastore="branch-ds1")
    site.configuration_server.can_reach(branch)  # it is on the CS's network
    return lab


@pytest.fixture(scope="module")
def asr(lab):
    return lab.azure_client()


def _body(lab, **overrides):
    site = lab.vmware
    properties = {"friendlyName": "Branch vCenter", "ipAddress": "10.50.0.10", "port": "443",
                  "processServerId": site.process_server.id, "runAsAccountId": "1", **overrides}
    return {"properties": properties}


def _fabric(lab) -> str:
    return lab.vmware.agent.registration.fabric_name


def test_adding_a_vcenter_runs_the_recorded_job_and_its_vms_appear_once_discovered(lab, asr):
    fabric = _fabric(lab)
    vcenter = asr.replicationv_centers.begin_create(lab.resource_group, lab.vault_name, fabric, "branch",
                                                    _body(lab)).result()
    assert (vcenter.name, vcenter.properties.friendly_name, vcenter.properties.discovery_status) == (
        "branch", "Branch vCenter", "Pending")
    assert vcenter.properties.process_server_id == lab.vmware.process_server.id
    (job,) = [j for j in asr.replication_jobs.list(lab.resource_group, lab.vault_name)
              if j.properties.scenario_name == "DiscoverVCenter"]
    assert (job.properties.friendly_name, job.properties.state, job.properties.target_instance_type) == (
        "Add vCenter server", "Succeeded", "VCenter")
    assert job.properties.target_object_id == "10.50.0.10" and job.properties.target_object_name == "Branch vCenter"
    assert [t.friendly_name for t in job.properties.tasks] == ["Adding vCenter server"]
    lab.advance(VCENTER_DISCOVERY_SECONDS + 30)
    got = asr.replicationv_centers.get(lab.resource_group, lab.vault_name, fabric, "branch").properties
    assert got.discovery_status == "Completed"
    items = asr.replication_protectable_items.list_by_replication_protection_containers(
        lab.resource_group, lab.vault_name, fabric, f"cloud_{fabric}")
    assert [(i.properties.friendly_name, i.properties.custom_details.v_center_infrastructure_id) for i in items] == [
        ("branch-app1", "branch")]


def test_a_vcenter_the_configuration_server_cannot_reach_fails_the_job(lab, asr):
    poller = asr.replicationv_centers.begin_create(lab.resource_group, lab.vault_name, _fabric(lab), "nowhere",
                                                   _body(lab, ipAddress="10.99.0.1"))
    with pytest.raises(HttpResponseError):
        poller.result()
    (job,) = [j for j in asr.replication_jobs.list(lab.resource_group, lab.vault_name)
              if j.properties.scenario_name == "DiscoverVCenter" and j.properties.target_object_id == "10.99.0.1"]
    assert job.properties.state == "Failed"
    assert "cannot resolve 10.99.0.1" in job.properties.errors[0].provider_error_details.error_message
    with pytest.raises(ResourceNotFoundError):
        asr.replicationv_centers.get(lab.resource_group, lab.vault_name, _fabric(lab), "nowhere")


@pytest.mark.parametrize("fabric, name, body, status, code", [
    ("cs", "vc-primary", {}, 409, "150701"),  # the name is taken
    ("vmm", "x", {}, 400, "150702"),  # a VMM server's fabric
    ("cs", "x", {"port": "70000"}, 400, "InvalidParameter"),
    ("cs", "x", {"friendlyName": None}, 400, "InvalidRequestContent"),
])
def test_a_refused_request_starts_no_job(lab, asr, fabric, name, body, status, code):
    jobs = len(list(asr.replication_jobs.list(lab.resource_group, lab.vault_name)))
    fabric_name = _fabric(lab) if fabric == "cs" else lab.fabric_names()[0]
    request = _body(lab, **{k: v for k, v in body.items() if v is not None})
    if body.get("friendlyName", "") is None:
        del request["properties"]["friendlyName"]
    with pytest.raises(HttpResponseError) as caught:
        asr.replicationv_centers.begin_create(lab.resource_group, lab.vault_name, fabric_name, name, request)
    assert (caught.value.status_code, caught.value.error.code) == (status, code)
    assert len(list(asr.replication_jobs.list(lab.resource_group, lab.vault_name))) == jobs
