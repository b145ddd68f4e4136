"""Lists: nextLink paging through the SDK, the jobs ``$filter``, export, events, and the read-only families."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from asr_emulator import KINDS, AsrService, StoredResource
from drlab.azure_transport import site_recovery_client

from .conftest import RG, h2012r2


@pytest.fixture
def paged(sim, vault):
    service = AsrService(sim, page_size=3)
    service.backend.vaults.add(vault)
    return service, site_recovery_client(service)


def make_policies(asr, vault, count):
    for i in range(count):
        asr.replication_policies.begin_create(
            RG, vault.name, f"pol{i:02d}", {"properties": {"providerSpecificInput": h2012r2()}}).result()


def test_lists_page_with_next_link(paged, vault, sim):
    service, asr = paged
    make_policies(asr, vault, 7)
    assert [p.name for p in asr.replication_policies.list(RG, vault.name)] == [f"pol{i:02d}" for i in range(7)]
    pages = sim.history.select(op="arm.ReplicationPolicies_List", phase="invoke")
    assert len(pages) == 3  # 3 + 3 + 1
    jobs = list(asr.replication_jobs.list(RG, vault.name))
    assert [j.properties.target_object_name for j in jobs] == [f"pol{i:02d}" for i in reversed(range(7))]


def test_job_filter_survives_paging(paged, vault, sim):
    service, asr = paged
    make_policies(asr, vault, 5)
    asr.replication_policies.begin_delete(RG, vault.name, "pol00").result()
    with pytest.raises(HttpResponseError):
        asr.replication_policies.begin_create(RG, vault.name, "pol01", {"properties": {"providerSpecificInput": h2012r2()}}).result()
    by_state = list(asr.replication_jobs.list(RG, vault.name, filter="( JobStatus eq 'Succeeded' or JobStatus eq 'Cancelled' )"))
    assert len(by_state) == 6 and {j.properties.state for j in by_state} == {"Succeeded"}
    failed = list(asr.replication_jobs.list(RG, vault.name, filter="JobStatus eq 'Failed'"))
    assert [j.properties.target_object_name for j in failed] == ["pol01"]
    deletes = list(asr.replication_jobs.list(RG, vault.name, filter="jobName eq 'DeleteProtectionProfile' and affectedObjectTypes eq 'Any'"))
    assert [j.properties.target_object_name for j in deletes] == ["pol00"]
    # PowerShell's form: times as .NET writes them ("o"), a window on the job's start time
    second = sim.clock.to_datetime(30.0).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
    later = list(asr.replication_jobs.list(RG, vault.name, filter=f"StartTime eq '{second}' and EndTime eq '{second}'"))
    assert [j.properties.target_object_name for j in later] == ["pol01"]
    assert list(asr.replication_jobs.list(RG, vault.name, filter="FabricId eq '/x/replicationFabrics/f1'")) == []


@pytest.mark.parametrize("text, target", [
    ("Owner eq 'me'", "$filter"),
    ("JobStatus ne 'Failed'", "$filter"),
    ("JobStatus eq 'Done'", "$filter.jobStatus"),
    ("StartTime eq 'yesterday'", "$filter.startTime"),
    ("StartTime eq '2026-13-01T00:00:00Z'", "$filter.startTime"),
    ("EndTime eq '2026-01-01T00:00:00+25:00'", "$filter.endTime"),
    ("( JobStatus eq 'Failed' or JobName eq 'x' )", "$filter"),
])
def test_unsupported_job_filters_are_400(asr, vault, text, target):
    with pytest.raises(HttpResponseError) as caught:
        list(asr.replication_jobs.list(RG, vault.name, filter=text))
    assert caught.value.status_code == 400 and caught.value.error.target == target


def test_export_jobs(asr, vault):
    make_policies(asr, vault, 2)
    exported = asr.replication_jobs.begin_export(
        RG, vault.name, {"jobStatus": "Succeeded", "affectedObjectTypes": "ProtectionProfile", "jobOutputType": "Json",
                         "timezoneOffset": 1}).result()
    props = exported.properties
    assert (props.scenario_name, props.state) == ("ExportJobs", "Succeeded")
    assert props.custom_details.blob_uri.endswith(f"/{props.target_object_id}.json")
    rows = vault.jobs[exported.name].output
    assert [row["properties"]["targetObjectName"] for row in rows] == ["pol01", "pol00"]
    with pytest.raises(HttpResponseError) as caught:
        asr.replication_jobs.begin_export(RG, vault.name, {"jobOutputType": "Pdf"})
    assert caught.value.error.target == "jobOutputType"


def test_a_failed_job_raises_an_event(asr, vault):
    make_policies(asr, vault, 1)
    with pytest.raises(HttpResponseError):
        asr.replication_policies.begin_create(RG, vault.name, "pol00", {"properties": {"providerSpecificInput": h2012r2()}}).result()
    (event,) = asr.replication_events.list(RG, vault.name)
    details = event.properties.event_specific_details
    assert type(details).__name__ == "JobStatusEventDetails" and details.job_status == "Failed"
    assert event.properties.affected_object_friendly_name == "pol00"
    assert asr.replication_events.get(RG, vault.name, event.name).name == event.name
    assert list(asr.replication_events.list(RG, vault.name, filter="Severity eq 'Critical'")) == []
    assert len(list(asr.replication_events.list(RG, vault.name, filter="eventType eq 'JobStatus'"))) == 1
    with pytest.raises(ResourceNotFoundError):
        asr.replication_events.get(RG, vault.name, "nope")
    with pytest.raises(HttpResponseError) as caught:
        list(asr.replication_events.list(RG, vault.name, filter="Color eq 'red'"))
    assert caught.value.status_code == 400


def test_read_only_families_list_empty_and_404(asr, vault):
    assert list(asr.replication_fabrics.list(RG, vault.name)) == []
    assert list(asr.replication_protection_containers.list(RG, vault.name)) == []
    assert list(asr.replication_recovery_plans.list(RG, vault.name)) == []
    assert list(asr.replication_protected_items.list(RG, vault.name)) == []
    with pytest.raises(ResourceNotFoundError):
        asr.replication_fabrics.get(RG, vault.name, "fab1")
    with pytest.raises(ResourceNotFoundError) as caught:
        list(asr.replication_networks.list_by_replication_fabrics(RG, vault.name, "fab1"))
    assert "replicationFabrics/fab1" in caught.value.error.message


def test_read_only_families_show_what_later_issues_insert(asr, vault):
    store = vault.resources
    store.put(KINDS["fabric"], (), StoredResource("vmm-a", {"friendlyName": "vmm-a.contoso.com",
                                                            "customDetails": {"instanceType": "VMM"}}))
    store.put(KINDS["network"], ("vmm-a",), StoredResource("net-1", {"friendlyName": "Prod"}))
    store.put(KINDS["container"], ("VMM-A",), StoredResource("cloud_1", {"friendlyName": "Gold"}))
    fabric = asr.replication_fabrics.get(RG, vault.name, "VMM-A")
    assert fabric.id.endswith("/replicationFabrics/vmm-a") and fabric.type == "Microsoft.RecoveryServices/vaults/replicationFabrics"
    assert type(fabric.properties.custom_details).__name__ == "VmmDetails"
    (network,) = asr.replication_networks.list(RG, vault.name)
    assert network.id.endswith("/replicationFabrics/vmm-a/replicationNetworks/net-1")
    assert network.type == "Microsoft.RecoveryServices/vaults/replicationFabrics/replicationNetworks"
    (cloud,) = asr.replication_protection_containers.list_by_replication_fabrics(RG, vault.name, "vmm-a")
    assert cloud.properties.friendly_name == "Gold"
    with pytest.raises(KeyError):
        store.put(KINDS["network"], ("nope",), StoredResource("n"))
    with pytest.raises(HttpResponseError) as caught:
        list(asr.replication_protected_items.list(RG, vault.name, filter="x eq 'y'"))
    assert caught.value.status_code == 501
