"""Enabling InMage protection through the SDK, up to the configuration server: every input the service
can check against the server's report is refused naming its field (nothing started), a VMM input is
refused for a server's machine, and a valid request runs ``EnableDr`` whose work goes to the server —
which does not replicate yet (issue 14's site slice), so the job fails with its 31000 and nothing is
left protected."""

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


def test_a_valid_request_sends_the_work_to_the_configuration_server(site: Any) -> None:
    lab, asr, fabric, container = site[:4]
    with pytest.raises(HttpResponseError) as failed:
        _enable(site, _details(lab, runAsAccountId="1")).result()
    assert "31000" in str(failed.value)
    (job,) = [j.properties for j in asr.replication_jobs.list(lab.resource_group, lab.vault_name)
              if j.properties.scenario_name == "EnableDr"]
    assert [(t.name, t.state) for t in job.tasks] == [
        ("EnableProtectionPrerequisitesCheck", "Succeeded"), ("EnableProtection", "Failed"),
        ("UpdateDraState", "NotStarted")]
    assert [e.provider_error_details.error_code for e in job.errors] == [31000]
    events = lab.history.select(op="cs.work")
    assert [e.details["kind"] for e in events] == ["EnableProtection"]
    item = asr.replication_protected_items.get(lab.resource_group, lab.vault_name, fabric, container.name,
                                               site[5].name).properties
    assert item.protection_state == "UnprotectedStatesBegin"
    assert item.allowed_operations == ["DisableProtection"]  # what is left is disabled as for a VMM item


def test_the_left_item_is_purged_without_asking_the_server(site: Any) -> None:
    lab, asr, fabric, container, _policy, machine = site
    rg, vault = lab.resource_group, lab.vault_name
    asr.replication_protected_items.begin_purge(rg, vault, fabric, container.name, machine.name).result()
    assert list(asr.replication_protected_items.list_by_replication_protection_containers(
        rg, vault, fabric, container.name)) == []
    again = asr.replication_protectable_items.get(rg, vault, fabric, container.name, machine.name).properties
    assert again.protection_status == "Unprotected"
    (job,) = [j.properties for j in asr.replication_jobs.list(rg, vault) if j.properties.scenario_name == "DisableDr"]
    assert [(t.name, t.state) for t in job.tasks][:2] == [("DisableProtectionOnPrimary", "Other"),
                                                         ("DisableProtectionOnSecondary", "Other")]  # skipped
    assert job.state == "Succeeded"
