"""Cloud pairing and network mapping through the official SDK, in-process: the recorded jobs, tasks
and resources (asr-orchestration.md §A.1, §A.2, §B.4), what pairing did on every host (from the hosts'
own state), a VM replicating host to host across the pair with no manual step, and removal."""

from __future__ import annotations

from drlab import Lab, Role

from .conftest import Runbook
from .hosts import assert_configured, replicate_one_vm


def test_pairing_runs_the_recorded_job_and_reads_back_as_recorded(runbook: Runbook, lab: Lab) -> None:
    mapping = runbook.pair()
    props = mapping.properties
    assert (mapping.name, props.state, props.health, props.policy_friendly_name) == ("pairing1", "Paired", "Normal", "pol1")
    assert props.source_protection_container_friendly_name == "Gold"
    assert props.target_protection_container_friendly_name == "Gold-Recovery"
    assert props.source_fabric_friendly_name == "vmm-ny.contoso.com"
    assert props.target_fabric_friendly_name == "vmm-chi.contoso.com"
    assert props.policy_id.endswith("/replicationPolicies/pol1")
    (job,) = runbook.jobs("AssociateProtectionProfile")
    p = job.properties
    assert (p.friendly_name, p.state, p.target_instance_type, p.target_object_name) == (
        "Associate replication policy", "Succeeded", "ProtectionProfile", "pol1")
    assert [(t.task_id, t.name, t.friendly_name, t.state) for t in p.tasks] == [
        ("CloudPairingWfPreflightChecksTask", "CloudPairingPrerequisitesCheck", "Check protection prerequisites",
         "Succeeded"),
        ("CloudPairingWfPrepareSiteTask", "CloudPairingPrepareSite", "Prepare the server", "Succeeded"),
        ("CloudPairingWfPrepareCloudForPairingTask", "CloudPairingPrepareCloud", "Prepare for configuring protection",
         "Succeeded"),
        ("CloudPairingWfPairCloudsTask", "CloudPairingPairClouds", "Configure the protection settings", "Succeeded"),
    ]
    details = p.custom_details.affected_object_details
    assert details["primaryCloudName"] == "Gold" and details["recoveryCloudName"] == "Gold-Recovery"
    assert details["primaryVmmId"] == runbook.fabric("primary") and details["recoveryFabricProviderId"] == "VMM"
    # the tasks waited for the Providers' VMM work: 64 s, 25 s and 9 s of it, at their polls
    durations = [(t.end_time - t.start_time).total_seconds() for t in p.tasks[1:]]
    assert all(d >= work for d, work in zip(durations, (64, 25, 9)))
    containers = {c.properties.friendly_name: c.properties for fabric in runbook.fabrics.values()
                  for c in runbook.asr.replication_protection_containers.list_by_replication_fabrics(
                      runbook.rg, runbook.vault, fabric)}
    assert (containers["Gold"].pairing_status, containers["Gold"].role) == ("Paired", "Primary")
    assert (containers["Gold-Recovery"].pairing_status, containers["Gold-Recovery"].role) == ("Paired", "Recovery")


def test_pairing_configures_every_host_of_both_clouds_and_a_vm_replicates_across(runbook: Runbook, lab: Lab) -> None:
    runbook.pair()
    assert_configured(lab)
    replicate_one_vm(lab)


def test_pairing_status_survives_the_next_inventory_sync(runbook: Runbook, lab: Lab) -> None:
    runbook.pair()
    fabric = runbook.fabric("primary")
    provider = lab.providers[Role.primary]
    runbook.asr.replication_recovery_services_providers.begin_refresh_provider(
        runbook.rg, runbook.vault, fabric, provider.registration.provider_name).result()
    (gold,) = [c for c in runbook.asr.replication_protection_containers.list_by_replication_fabrics(
        runbook.rg, runbook.vault, fabric) if c.properties.friendly_name == "Gold"]
    assert gold.properties.pairing_status == "Paired"


def test_network_mapping_runs_the_recorded_job_and_removal_unmaps(runbook: Runbook, lab: Lab) -> None:
    runbook.pair()
    mapping = runbook.map_poller().result()
    props = mapping.properties
    assert (props.state, props.primary_network_friendly_name, props.recovery_network_friendly_name) == (
        "Paired", "Corp", "Corp")
    assert props.recovery_fabric_arm_id.endswith(f"/replicationFabrics/{runbook.fabric('recovery')}")
    assert props.fabric_specific_settings.instance_type == "VmmToVmm"
    (job,) = runbook.jobs("NetworkPairing")
    p = job.properties
    assert (p.friendly_name, p.target_instance_type, p.target_object_name) == ("Map Networks", "Network", "Corp")
    first, attach = p.tasks
    assert (first.name, first.friendly_name, first.state) == ("ModifyVMNetworksPairingStatusTask", "Map network",
                                                              "Succeeded")
    assert (attach.name, attach.friendly_name, attach.state, attach.state_description, attach.task_type) == (
        "VmNetworksUpdateVMNicsTask", "Attach network (0)", "Other", "Skipped", "GroupTaskDetails")
    listed = list(runbook.asr.replication_network_mappings.list(runbook.rg, runbook.vault))
    assert [m.name for m in listed] == ["map1"]
    fabric, network = runbook.network("primary", "Corp")
    runbook.asr.replication_network_mappings.begin_delete(runbook.rg, runbook.vault, fabric, network, "map1").result()
    assert list(runbook.asr.replication_network_mappings.list(runbook.rg, runbook.vault)) == []
    (unmap,) = runbook.jobs("NetworkUnPairing")
    assert [t.friendly_name for t in unmap.properties.tasks] == ["Unmap network", "Detach network (0)"]


def test_removing_the_pairing_runs_the_recorded_job_and_unpairs(runbook: Runbook, lab: Lab) -> None:
    runbook.pair()
    fabric, container = runbook.container("Gold")
    runbook.asr.replication_protection_container_mappings.begin_delete(
        runbook.rg, runbook.vault, fabric, container, "pairing1", {"properties": {"providerSpecificInput": {}}}).result()
    assert list(runbook.asr.replication_protection_container_mappings.list(runbook.rg, runbook.vault)) == []
    (job,) = runbook.jobs("DissociateProtectionProfile")
    assert [t.task_id for t in job.properties.tasks] == [
        "CloudUnpairingWfPreflightChecksTask", "CloudUnpairingWfUnpairCloudsTask", "CloudUnpairingWfCleanupCloudsTask",
        "CloudUnpairingWfCleanupSiteTask"]
    assert job.properties.state == "Succeeded"
    gold = runbook.asr.replication_protection_containers.get(runbook.rg, runbook.vault, fabric, container)
    assert (gold.properties.pairing_status, gold.properties.role) == ("NotPaired", "")
    runbook.pair(name="pairing2")  # the clouds can be paired again
