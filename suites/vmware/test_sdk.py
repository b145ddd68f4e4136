"""Through the official SDK: a lab with a VMware site registers its configuration server, and ASR lists
the VMware fabric with its ``VMwareDetails``, its vCenters and the discovered VMs and physical servers
as protectable items — beside the default two VMM sites, which stay as they were."""

from __future__ import annotations

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.recoveryservicessiterecovery.models import VMwareDetails, VMwareVirtualMachineDetails

import drlab
from drlab import LabConfigError
from drlab import VMwareSiteSpec


@pytest.fixture(scope="module")
def lab() -> drlab.Lab:
    lab = drlab.Lab(seed=21, vms_per_cloud=1)
    lab.add_vmware_site(VMwareSiteSpec(vms=("vmw-web1", "vmw-db1"), physical_servers=("phys-app1",)))
    return lab


@pytest.fixture(scope="module")
def asr(lab):
    return lab.azure_client()


def _fabric(lab, asr):
    return asr.replication_fabrics.get(lab.resource_group, lab.vault_name, lab.vmware.agent.registration.fabric_name)


def test_the_vmware_fabric_is_listed_beside_the_vmm_fabrics(lab, asr):
    kinds = {f.properties.friendly_name: f.properties.custom_details.instance_type
             for f in asr.replication_fabrics.list(lab.resource_group, lab.vault_name)}
    assert kinds == {**{name: "VMM" for name in ("vmm-ny.contoso.com", "vmm-chi.contoso.com")}, "cs1": "VMware"}


def test_vmware_details_name_the_scout_components(lab, asr):
    site = lab.vmware
    details = _fabric(lab, asr).properties.custom_details
    assert isinstance(details, VMwareDetails)
    assert [(ps.friendly_name, ps.id, ps.ip_address) for ps in details.process_servers] == [
        ("ps1", site.process_server.id, "10.20.0.20"), ("cs1", site.configuration_server.host_id, "10.30.0.20")]
    assert [(ps.machine_count, ps.ps_service_status, ps.health) for ps in details.process_servers] == [
        ("3", "Running", "Normal"), ("0", "Running", "Normal")]  # every machine's agent reports to ps1
    target, back = details.master_target_servers  # the secondary site's, and the primary's for failback
    assert (target.name, target.id, target.ip_address) == ("mt1", site.master_target.id, "10.30.0.30")
    assert (back.name, back.ip_address) == ("mt-fb", "10.20.0.30")
    assert [v.volume_name for v in target.retention_volumes] == ["E:"]
    assert {d.symbolic_name for d in target.data_stores} == {"vc-secondary-ds1"}
    assert [(a.account_id, a.account_name) for a in details.run_as_accounts] == [("1", "vcenter-admin")]
    assert (details.process_server_count, details.agent_count, details.replication_pair_count) == ("2", "5", "0")
    assert (details.host_name, details.ip_address, details.agent_version) == ("cs1.contoso.com", "10.30.0.20", "8.0.7.0")
    assert details.cs_service_status == "Running" and details.agent_version_details.version == "8.0.7.0"


def test_the_last_heartbeat_follows_the_configuration_servers_polls(lab, asr):
    before = _fabric(lab, asr).properties.custom_details.last_heartbeat
    lab.advance(600)
    details = _fabric(lab, asr).properties.custom_details
    assert (details.last_heartbeat - before).total_seconds() == pytest.approx(600, abs=30)
    assert {ps.last_heartbeat for ps in details.process_servers} == {details.last_heartbeat}
    (provider,) = asr.replication_recovery_services_providers.list_by_replication_fabrics(
        lab.resource_group, lab.vault_name, lab.vmware.agent.registration.fabric_name)
    assert (provider.properties.fabric_type, provider.properties.connection_status) == ("VMware", "Connected")


def test_the_vcenters_are_listed_and_read_one_by_one(lab, asr):
    fabric = lab.vmware.agent.registration.fabric_name
    listed = list(asr.replicationv_centers.list_by_replication_fabrics(lab.resource_group, lab.vault_name, fabric))
    assert [v.name for v in listed] == ["vc-primary", "vc-secondary"]
    everywhere = list(asr.replicationv_centers.list(lab.resource_group, lab.vault_name))
    assert [v.name for v in everywhere] == ["vc-primary", "vc-secondary"]
    primary = asr.replicationv_centers.get(lab.resource_group, lab.vault_name, fabric, "vc-primary").properties
    assert (primary.ip_address, primary.port, primary.discovery_status) == ("10.20.0.10", "443", "Completed")
    assert primary.process_server_id == lab.vmware.process_server.id and primary.run_as_account_id == "1"
    assert primary.fabric_arm_resource_name == fabric
    with pytest.raises(ResourceNotFoundError):
        asr.replicationv_centers.get(lab.resource_group, lab.vault_name, fabric, "vc-nowhere")


def test_vms_and_physical_servers_are_protectable_items_of_the_fabrics_container(lab, asr):
    site, fabric = lab.vmware, lab.vmware.agent.registration.fabric_name
    (container,) = asr.replication_protection_containers.list_by_replication_fabrics(
        lab.resource_group, lab.vault_name, fabric)
    assert container.name == f"cloud_{fabric}" and container.properties.fabric_type == "VMware"
    items = {item.properties.friendly_name: item for item in asr.replication_protectable_items.
             list_by_replication_protection_containers(lab.resource_group, lab.vault_name, fabric, container.name)}
    assert sorted(items) == ["phys-app1", "vmw-db1", "vmw-web1"]
    web = items["vmw-web1"].properties
    details = web.custom_details
    assert isinstance(details, VMwareVirtualMachineDetails)
    assert items["vmw-web1"].name == site.vms["vmw-web1"].id and web.protection_status == "Unprotected"
    assert (details.discovery_type, details.v_center_infrastructure_id, details.ip_address) == (
        "vCenter", "vc-primary", "10.20.1.10")
    assert details.agent_generated_id == site.vms["vmw-web1"].mobility.agent_id and details.agent_installed == "Yes"
    assert [(d.disk_type, d.disk_size_in_mb) for d in details.disk_details] == [("System", "40960")]
    assert web.supported_replication_providers == ["InMage"]
    physical = items["phys-app1"].properties.custom_details
    assert (physical.discovery_type, physical.v_center_infrastructure_id, physical.os_type) == ("Physical", None, "Windows")


def test_a_default_lab_has_no_vmware_site_and_refuses_a_second_one():
    lab = drlab.Lab(seed=2, vms_per_cloud=1)
    assert lab.vmware is None and len(lab.fabric_names()) == 2
    lab.add_vmware_site(VMwareSiteSpec(vms=(), physical_servers=("p1",)), register=False)
    assert lab.vmware.agent.registration is None
    assert [f.name for f in lab.azure_client().replication_fabrics.list(lab.resource_group, lab.vault_name)] == \
        lab.fabric_names()
    with pytest.raises(LabConfigError, match="already"):
        lab.add_vmware_site()


@pytest.mark.parametrize("bad", [dict(vms="web1"), dict(vms=("a", "A")), dict(hosts_per_site=0),
                                 dict(write_rate=-1.0), dict(physical_servers=("",))])
def test_a_bad_site_spec_is_refused_by_name(bad):
    with pytest.raises(LabConfigError):
        VMwareSiteSpec(**bad)


def test_string_flags_follow_the_machine_and_versions_read_supported(lab, asr):
    site, fabric = lab.vmware, lab.vmware.agent.registration.fabric_name
    container = f"cloud_{fabric}"
    site.primary.power_off_vm("vmw-db1")
    lab.advance(30)  # the next poll reports the change
    item = asr.replication_protectable_items.get(lab.resource_group, lab.vault_name, fabric, container,
                                                 site.vms["vmw-db1"].id).properties.custom_details
    web = asr.replication_protectable_items.get(lab.resource_group, lab.vault_name, fabric, container,
                                                site.vms["vmw-web1"].id).properties.custom_details
    assert (item.powered_on, web.powered_on) == ("OFF", "ON")  # policy VMWARE_FLAG_VALUES
    assert {d.disk_configuration for d in web.disk_details} == {"Basic"}
    details = _fabric(lab, asr).properties.custom_details
    assert {ps.agent_version_details.status for ps in details.process_servers} == {"Supported"}


def test_refresh_server_sends_the_inventory_again(lab, asr):
    site = lab.vmware
    registration = site.agent.registration
    synced = len(lab.history.select(op="cs.sync", phase="ok"))
    poller = asr.replication_recovery_services_providers.begin_refresh_provider(
        lab.resource_group, lab.vault_name, registration.fabric_name, registration.provider_name)
    provider = poller.result()
    assert provider.name == registration.provider_name and provider.properties.fabric_type == "VMware"
    jobs = [j for j in asr.replication_jobs.list(lab.resource_group, lab.vault_name)
            if j.properties.scenario_name == "RefreshServer"]
    assert [j.properties.state for j in jobs] == ["Succeeded"]
    assert len(lab.history.select(op="cs.sync", phase="ok")) == synced + 1  # forced: nothing had changed


def test_the_same_seed_gives_the_same_vmware_history():
    def run(seed: int) -> str:
        lab = drlab.Lab(seed=seed, vms_per_cloud=1)
        lab.add_vmware_site(VMwareSiteSpec(vms=("a1",), physical_servers=("p1",)))
        lab.vmware.primary.power_off_vm("a1")
        lab.advance(120)
        return lab.history.dumps()

    first = run(9)
    assert first == run(9) and "cs.sync" in first
    assert first != run(10)


def test_removing_the_configuration_server_removes_its_fabric_and_revokes_its_certificate():
    lab = drlab.Lab(seed=4, vms_per_cloud=1)
    site = lab.add_vmware_site(VMwareSiteSpec(vms=("a1",), physical_servers=()))
    asr, registration = lab.azure_client(), site.agent.registration
    asr.replication_recovery_services_providers.begin_delete(
        lab.resource_group, lab.vault_name, registration.fabric_name, registration.provider_name).result()
    assert [f.name for f in asr.replication_fabrics.list(lab.resource_group, lab.vault_name)] == lab.fabric_names()
    assert list(asr.replicationv_centers.list(lab.resource_group, lab.vault_name)) == []
    lab.advance(60)
    failure = site.agent.last_error
    assert failure is not None and getattr(failure.cause, "description", None) == "certificate_revoked"
