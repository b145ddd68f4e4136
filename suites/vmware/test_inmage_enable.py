"""Enabling InMage protection through the SDK, up to the configuration server: every input the service
can check against the server's report is refused naming its field (nothing started), a VMM input is
refused for a server's machine, a valid request runs ``EnableDr`` whose work makes the server's
replication pair (the item ``Protected`` once the pair's initial replication is done), and a disable
ends the pair on the server."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError

import drlab
from drlab import VMwareSiteSpec


@pytest.fixture(scope="module")
def site() -> Any:
    lab = drlab.Lab(seed=43, vms_per_cloud=1)
    lab.add_vmware_site(VMwareSiteSpec(vms=("vmw-web1",), physical_servers=()))
    asr, rg, vault = lab.azure_client(), lab.resource_group, lab.vault_name
    fabric = lab.vmware.agent.registration.fabric_name
    (container,) = asr.replication_protection_containers.list_by_replication_fabrics(rg, vault, fabric)
    policy = asr.replication_policies.begin_create(rg, vault, "inm", {"properties": {"providerSpecificInput": {
        "instanceType": "InMage", "multiVmSyncStatus": "Enable"}}}).result()
    asr.replication_protection_container_mappings.begin_create(rg, vault, fabric, container.name, "m1", {"properties": {
        "targetProtectionContainerId": container.id, "policyId": policy.id}}).result()
    (machine,) = asr.replication_protectable_items.list_by_replication_protection_containers(
        rg, vault, fabric, container.name)
    return lab, asr, fabric, container, policy, machine


def _details(lab: drlab.Lab, **change: Any) -> dict[str, Any]:
    target = lab.vmware.master_target
    return {"instanceType": "InMage", "masterTargetId": target.id, "processServerId": lab.vmware.process_server.id,
            "retentionDrive": next(iter(target.retention_volumes.values())).volume_name,
            "multiVmGroupId": "g1", "multiVmGroupName": "app", **change}


def _enable(site: Any, details: dict[str, Any]) -> Any:
    lab, asr, fabric, container, policy, machine = site
    return asr.replication_protected_items.begin_create(lab.resource_group, lab.vault_name, fabric, container.name,
                                                        machine.name, {"properties": {
                                                            "policyId": policy.id, "protectableItemId": machine.id,
                                                            "providerSpecificDetails": details}})


@pytest.mark.parametrize("change, field", [
    ({"masterTargetId": "no-such-mt"}, "masterTargetId"),
    ({"processServerId": "no-such-ps"}, "processServerId"),
    ({"retentionDrive": "Z:"}, "retentionDrive"),
    ({"datastoreName": "nowhere"}, "datastoreName"),
    ({"multiVmGroupId": None}, "multiVmGroupId"),
    ({"runAsAccountId": "99"}, "runAsAccountId"),
    ({"disksToInclude": ["not-a-disk"]}, "disksToInclude"),
    ({"instanceType": "EnableProtectionProviderSpecificInput"}, "instanceType"),
])
def test_bad_inputs_are_refused_naming_the_field_and_start_nothing(site: Any, change: dict[str, Any],
                                                                   field: str) -> None:
    lab, asr = site[0], site[1]
    before = len(list(asr.replication_jobs.list(lab.resource_group, lab.vault_name)))
    with pytest.raises(HttpResponseError) as refused:
        _enable(site, _details(lab, **change))
    assert refused.value.status_code == 400 and refused.value.error.target.endswith(field), refused.value.error
    assert len(list(asr.replication_jobs.list(lab.resource_group, lab.vault_name))) == before


def test_a_valid_request_makes_the_pair_and_the_item_is_protected_once_it_resynchronized(site: Any) -> None:
    lab, asr, fabric, container = site[:4]
    rg, vault = lab.resource_group, lab.vault_name
    _enable(site, _details(lab, runAsAccountId="1")).result()
    (job,) = [j.properties for j in asr.replication_jobs.list(rg, vault) if j.properties.scenario_name == "EnableDr"]
    assert job.state == "Succeeded"
    assert [(t.name, t.state) for t in job.tasks] == [
        ("EnableProtectionPrerequisitesCheck", "Succeeded"), ("EnableProtection", "Succeeded"),
        ("UpdateDraState", "Succeeded")]
    (pair,) = lab.vmware.configuration_server.protection.pairs.values()
    assert (pair.origin.name, pair.master_target.name, pair.group_id) == ("vmw-web1", "mt1", "g1")

    def item() -> Any:
        return asr.replication_protected_items.get(rg, vault, fabric, container.name, site[5].name).properties

    assert item().protection_state == "ProtectedStatesBegin"
    assert item().provider_specific_details.protection_stage == "Resyncing (Step I)"
    lab.run_until(lambda: lab.vmware.configuration_server.protection.pairs[pair.origin.id.lower()].stage(lab.now)
                  == "Differential Sync", within=3600)
    lab.advance(60)  # the agent's next polls report the stage
    details = item().provider_specific_details
    assert (item().protection_state, details.protection_stage) == ("Protected", "Differential Sync")
    assert details.resync_details.initial_replication_progress_percentage == "100"  # a string in the SDK
    assert details.master_target_id == lab.vmware.master_target.id and details.multi_vm_group_id == "g1"
    fabric_details = asr.replication_fabrics.get(rg, vault, fabric).properties.custom_details
    assert (fabric_details.replication_pair_count, fabric_details.protected_servers) == ("1", "1")


def test_disable_ends_the_pair_on_the_server(site: Any) -> None:
    lab, asr, fabric, container, _policy, machine = site
    rg, vault = lab.resource_group, lab.vault_name
    asr.replication_protected_items.begin_delete(rg, vault, fabric, container.name, machine.name, {"properties": {
        "disableProtectionReason": "NotSpecified", "replicationProviderInput": {
            "instanceType": "InMage", "replicaVmDeletionStatus": "Delete"}}}).result()
    assert list(asr.replication_protected_items.list_by_replication_protection_containers(
        rg, vault, fabric, container.name)) == []
    again = asr.replication_protectable_items.get(rg, vault, fabric, container.name, machine.name).properties
    assert again.protection_status == "Unprotected"
    assert lab.vmware.configuration_server.protection.pairs == {}
    (removed,) = lab.history.select(op="cs.pair.removed")
    assert removed.details["replicaVmDeletionStatus"] == "Delete"
    (job,) = [j.properties for j in asr.replication_jobs.list(rg, vault) if j.properties.scenario_name == "DisableDr"]
    assert job.state == "Succeeded"
