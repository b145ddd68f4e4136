"""InMage replication policies and the pairing of a configuration server's container, through the SDK
(vmware_fake/REFERENCE.md §6; policies ``INMAGE_POLICY_DEFAULTS`` / ``LIMITS`` / ``ASSOCIATE_SCENARIO``):
the typed round trip, defaults, every refusal with its field or code and nothing stored, and the
refusals that keep a VMM pairing and an InMage one apart."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.recoveryservicessiterecovery.models import (
    CreatePolicyInput, CreatePolicyInputProperties, InMagePolicyDetails, InMagePolicyInput,
)

import drlab
from drlab import VMwareSiteSpec
from drlab.runbook import Runbook


@pytest.fixture(scope="module")
def lab() -> drlab.Lab:
    lab = drlab.Lab(seed=41, vms_per_cloud=1)
    lab.add_vmware_site(VMwareSiteSpec(vms=("vmw-web1",), physical_servers=()))
    return lab


@pytest.fixture(scope="module")
def asr(lab: drlab.Lab) -> Any:
    return lab.azure_client()


def _container(lab: drlab.Lab, asr: Any) -> Any:
    fabric = lab.vmware.agent.registration.fabric_name
    (container,) = asr.replication_protection_containers.list_by_replication_fabrics(lab.resource_group,
                                                                                     lab.vault_name, fabric)
    return fabric, container


def _inmage(name: str, asr: Any, lab: drlab.Lab, **fields: Any) -> Any:
    body = {"properties": {"providerSpecificInput": {"instanceType": "InMage", "multiVmSyncStatus": "Disable",
                                                     **fields}}}
    return asr.replication_policies.begin_create(lab.resource_group, lab.vault_name, name, body).result()


def test_the_typed_input_round_trips_with_the_policy_defaults(lab: drlab.Lab, asr: Any) -> None:
    created = asr.replication_policies.begin_create(lab.resource_group, lab.vault_name, "inm-typed", CreatePolicyInput(
        properties=CreatePolicyInputProperties(provider_specific_input=InMagePolicyInput(
            recovery_point_threshold_in_minutes=15, multi_vm_sync_status="Enable")))).result()
    details = asr.replication_policies.get(lab.resource_group, lab.vault_name, "inm-typed").properties.provider_specific_details
    assert isinstance(details, InMagePolicyDetails) and created.name == "inm-typed"
    assert (details.recovery_point_threshold_in_minutes, details.recovery_point_history,
            details.app_consistent_frequency_in_minutes, details.multi_vm_sync_status) == (15, 1440, 60, "Enable")
    job = next(j.properties for j in asr.replication_jobs.list(lab.resource_group, lab.vault_name)
               if j.properties.scenario_name == "AddProtectionProfile" and j.properties.target_object_name == "inm-typed")
    assert job.state == "Succeeded"


@pytest.mark.parametrize("fields, target", [
    ({"multiVmSyncStatus": None}, "multiVmSyncStatus"),
    ({"multiVmSyncStatus": "Sometimes"}, "multiVmSyncStatus"),
    ({"recoveryPointThresholdInMinutes": 0}, "recoveryPointThresholdInMinutes"),
    ({"recoveryPointHistory": -5}, "recoveryPointHistory"),
    ({"appConsistentFrequencyInMinutes": 721}, "appConsistentFrequencyInMinutes"),
    ({"recoveryPointHistory": 30, "appConsistentFrequencyInMinutes": 60}, "appConsistentFrequencyInMinutes"),
    ({"recoveryPointHistory": "a day"}, "recoveryPointHistory"),
])
def test_bad_inmage_fields_are_refused_naming_the_field(lab: drlab.Lab, asr: Any, fields: dict[str, Any],
                                                        target: str) -> None:
    before = sorted(p.name for p in asr.replication_policies.list(lab.resource_group, lab.vault_name))
    with pytest.raises(HttpResponseError) as refused:
        _inmage("inm-bad", asr, lab, **fields)
    assert refused.value.status_code == 400
    assert refused.value.error.target == f"properties.providerSpecificInput.{target}"
    assert sorted(p.name for p in asr.replication_policies.list(lab.resource_group, lab.vault_name)) == before


def test_an_inmage_policy_updates_and_keeps_its_provider(lab: drlab.Lab, asr: Any) -> None:
    _inmage("inm-upd", asr, lab)
    asr.replication_policies.begin_update(lab.resource_group, lab.vault_name, "inm-upd", {"properties": {
        "replicationProviderSettings": {"instanceType": "InMage", "recoveryPointHistory": 720}}}).result()
    details = asr.replication_policies.get(lab.resource_group, lab.vault_name, "inm-upd").properties.provider_specific_details
    assert (details.recovery_point_history, details.multi_vm_sync_status) == (720, "Disable")
    with pytest.raises(HttpResponseError) as refused:
        asr.replication_policies.begin_update(lab.resource_group, lab.vault_name, "inm-upd", {"properties": {
            "replicationProviderSettings": {"instanceType": "HyperVReplica2012R2", "replicationPort": 80}}})
    assert refused.value.status_code == 400


def test_the_container_pairs_with_itself_and_refuses_everything_else(lab: drlab.Lab, asr: Any) -> None:
    rg, vault = lab.resource_group, lab.vault_name
    fabric, container = _container(lab, asr)
    book = Runbook.of(lab)
    book.create_policy("hv-pol")
    _inmage("inm-pair", asr, lab)
    prefix = book.prefix()
    vmm_fabric, vmm_cloud = book.container("Gold")
    vmm_id = f"{prefix}/replicationFabrics/{vmm_fabric}/replicationProtectionContainers/{vmm_cloud}"

    def pair(source: tuple[str, str], target: str, policy: str) -> Any:
        return asr.replication_protection_container_mappings.begin_create(rg, vault, *source, "m-inm", {"properties": {
            "targetProtectionContainerId": target, "policyId": f"{prefix}/replicationPolicies/{policy}"}})

    refusals = [((fabric, container.name), container.id, "hv-pol", "150020"),  # a Hyper-V policy on a CS
                ((fabric, container.name), vmm_id, "inm-pair", "150021"),  # another target than itself
                ((vmm_fabric, vmm_cloud), container.id, "hv-pol", "InvalidParameter"),  # a VMM cloud to a CS
                ((vmm_fabric, vmm_cloud), f"{prefix}/replicationFabrics/{book.fabric('recovery')}/"
                 f"replicationProtectionContainers/{book.container('Gold-Recovery')[1]}", "inm-pair", "150004")]
    for source, target, policy, code in refusals:
        with pytest.raises(HttpResponseError) as refused:
            pair(source, target, policy)
        assert refused.value.error.code == code, (source, target, policy, refused.value.error)
    assert list(asr.replication_protection_container_mappings.list(rg, vault)) == []
    mapping = pair((fabric, container.name), container.id, "inm-pair").result()
    assert mapping.properties.target_protection_container_id == container.id and mapping.properties.state == "Paired"
    stored = asr.replication_protection_containers.get(rg, vault, fabric, container.name).properties
    assert (stored.pairing_status, stored.role) == ("Paired", "Primary")
    job = next(j.properties for j in asr.replication_jobs.list(rg, vault)
               if j.properties.scenario_name == "AssociateProtectionProfile")
    assert [t.name for t in job.tasks] == ["CloudPairingPrerequisitesCheck", "CloudPairingPairClouds"]
    with pytest.raises(HttpResponseError) as again:
        asr.replication_protection_container_mappings.begin_create(rg, vault, fabric, container.name, "m-two", {
            "properties": {"targetProtectionContainerId": container.id,
                           "policyId": f"{prefix}/replicationPolicies/inm-pair"}})
    assert again.value.status_code in (400, 409)
    asr.replication_protection_container_mappings.begin_delete(rg, vault, fabric, container.name, "m-inm", {
        "properties": {}}).result()
    assert asr.replication_protection_containers.get(rg, vault, fabric, container.name).properties.pairing_status == \
        "NotPaired"
