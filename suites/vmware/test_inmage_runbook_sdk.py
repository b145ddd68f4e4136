"""The InMage runbook end to end through the official SDK (issue 14): discover the configuration server's
vCenters → InMage policy → pair its container → protect a VMware VM and a physical server → a recovery
plan with each in its own boot group → plan test failover held at a manual action → cleanup → plan
unplanned failover (to the latest app-consistent tag) → commit → reprotect; then a vCenter added,
updated and removed, a failback of one machine to a Custom point, one item's drill and disable, and
the refusals (a plan mixing a VMM item with a VMware one, a Custom point that is not one of the
item's, a planned failover). Each history is judged by the ordering, IP-injection and data-loss
checkers, and the runbooks call every operation IMPLEMENTATION_COVERAGE.md marks implemented for the
scenario."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.recoveryservicessiterecovery import models
from azure.mgmt.recoveryservicessiterecovery.models import (
    CreatePolicyInput, CreatePolicyInputProperties, CreateProtectionContainerMappingInput,
    CreateProtectionContainerMappingInputProperties, EnableProtectionInput, EnableProtectionInputProperties,
    InMageEnableProtectionInput, InMagePolicyInput, InMageReplicationDetails, InMageReprotectInput,
    InMageUnplannedFailoverInput, RecoveryPlanInMageFailoverInput, RecoveryPlanUnplannedFailoverInput,
    RecoveryPlanUnplannedFailoverInputProperties, ReverseReplicationInput, ReverseReplicationInputProperties, UnplannedFailoverInput,
    UnplannedFailoverInputProperties, VMwareDetails,
    InMageTestFailoverInput, DisableProtectionInput, DisableProtectionInputProperties,
    InMageDisableProtectionProviderSpecificInput,
)

from asr_emulator._scenario_coverage import INMAGE_OPERATIONS
from asr_emulator.service import AsrService

import drlab
from drlab import VMwareSiteSpec
from drlab.checkers import check_ordering, data_loss, ip_injection
from drlab.runbook import Runbook
from simcore import FaultRule, Match, Partition
from vmware_fake import VCenter
from vmware_fake.policy import REPLICATION_PORT

TEST = {"properties": {"failoverDirection": "PrimaryToRecovery", "networkType": "NoNetworkAttachAsInput",
                       "providerSpecificDetails": []}}
UNPLANNED = {"properties": {"failoverDirection": "PrimaryToRecovery", "sourceSiteOperations": "NotRequired",
                            "providerSpecificDetails": []}}
MACHINES = ("vmw-web1", "phys-app1")


class Site:
    """The lab with its VMware site, the client, and the configuration server's fabric and container."""

    def __init__(self, seed: int) -> None:
        self.lab = drlab.Lab(seed=seed, vms_per_cloud=1)
        self.vmware = self.lab.add_vmware_site(VMwareSiteSpec(vms=("vmw-web1",), physical_servers=("phys-app1",)))
        self.asr, self.rg, self.vault = self.lab.azure_client(), self.lab.resource_group, self.lab.vault_name
        self.fabric = self.vmware.agent.registration.fabric_name
        (self.container,) = self.asr.replication_protection_containers.list_by_replication_fabrics(
            self.rg, self.vault, self.fabric)

    def items(self) -> dict[str, Any]:
        return {i.properties.friendly_name: i for i in self.asr.replication_protected_items
                .list_by_replication_protection_containers(self.rg, self.vault, self.fabric, self.container.name)}

    def states(self) -> dict[str, str]:
        return {name: item.properties.protection_state for name, item in self.items().items()}

    def settle(self) -> None:
        """Let every item's (re)synchronization end and the server report it."""
        self.lab.run_until(lambda: set(self.states().values()) == {"Protected"}, within=7_200)

    def plan_job(self, scenario: str) -> Any:
        return [j.properties for j in self.asr.replication_jobs.list(self.rg, self.vault)
                if j.properties.scenario_name == scenario and j.properties.target_instance_type == "RecoveryPlan"][-1]

    def protect(self) -> None:
        """Policy, pairing and protection of both machines, typed as an SDK user writes them."""
        asr, rg, vault = self.asr, self.rg, self.vault
        policy = asr.replication_policies.begin_create(rg, vault, "inm", CreatePolicyInput(
            properties=CreatePolicyInputProperties(provider_specific_input=InMagePolicyInput(
                recovery_point_threshold_in_minutes=15, recovery_point_history=1440,
                app_consistent_frequency_in_minutes=60, multi_vm_sync_status="Enable")))).result()
        asr.replication_protection_container_mappings.begin_create(
            rg, vault, self.fabric, self.container.name, "inm-map", CreateProtectionContainerMappingInput(
                properties=CreateProtectionContainerMappingInputProperties(
                    target_protection_container_id=self.container.id, policy_id=policy.id))).result()
        target, server = self.vmware.master_target, self.vmware.process_server
        for machine in asr.replication_protectable_items.list_by_replication_protection_containers(
                rg, vault, self.fabric, self.container.name):
            asr.replication_protected_items.begin_create(
                rg, vault, self.fabric, self.container.name, machine.name, EnableProtectionInput(
                    properties=EnableProtectionInputProperties(
                        policy_id=policy.id, protectable_item_id=machine.id,
                        provider_specific_details=InMageEnableProtectionInput(
                            vm_friendly_name=machine.properties.friendly_name, master_target_id=target.id,
                            process_server_id=server.id, retention_drive="E:", run_as_account_id="1",
                            multi_vm_group_id="app-group", multi_vm_group_name="app")))).result()
        self.settle()
        self.lab.advance(3_600)  # an hour of points


@pytest.fixture
def site() -> Iterator[Site]:
    built = Site(seed=61)
    yield built
    built.lab.close()


def _resume(site: Site) -> None:
    plan = site.asr.replication_recovery_plans.get(site.rg, site.vault, "rp-vmware").properties
    site.asr.replication_jobs.begin_resume(site.rg, site.vault, plan.current_scenario.job_id.rsplit("/", 1)[-1],
                                           {"properties": {"comments": "approved"}}).result()


def _addresses(vcenter: Any) -> dict[str, tuple[bool, list[str | None]]]:
    return {vm.name: (vm.powered_on, [nic.ip_address for nic in vm.nics]) for vm in vcenter.vms.values()}


def test_discover_protect_and_run_the_plan_through_failover_and_reprotect(site: Site) -> None:
    _plan_flow(site)


def _plan_flow(site: Site) -> None:
    lab, asr, rg, vault = site.lab, site.asr, site.rg, site.vault
    fabrics = {f.name: f.properties.custom_details.instance_type for f in asr.replication_fabrics.list(rg, vault)}
    assert fabrics[site.fabric] == "VMware"
    (provider,) = asr.replication_recovery_services_providers.list_by_replication_fabrics(rg, vault, site.fabric)
    assert provider.properties.connection_status == "Connected"
    assert [v.name for v in asr.replicationv_centers.list_by_replication_fabrics(rg, vault, site.fabric)] == [
        "vc-primary", "vc-secondary"] == [v.name for v in asr.replicationv_centers.list(rg, vault)]
    primary = asr.replicationv_centers.get(rg, vault, site.fabric, "vc-primary").properties
    assert (primary.ip_address, primary.discovery_status) == ("10.20.0.10", "Completed")
    site.protect()
    items = site.items()
    details = items["vmw-web1"].properties.provider_specific_details
    assert isinstance(details, InMageReplicationDetails)
    assert (details.protection_stage, details.multi_vm_sync_status, details.discovery_type) == (
        "Differential Sync", "Enabled", "vCenter")
    assert items["phys-app1"].properties.provider_specific_details.discovery_type == "Physical"
    fabric = asr.replication_fabrics.get(rg, vault, site.fabric).properties.custom_details
    assert isinstance(fabric, VMwareDetails) and fabric.replication_pair_count == "2"

    book = Runbook.of(lab)
    fabric_id = f"{book.prefix()}/replicationFabrics/{site.fabric}"
    manual = {"actionName": "approve", "failoverTypes": ["TestFailover"], "failoverDirections": ["PrimaryToRecovery"],
              "customDetails": {"instanceType": "ManualActionDetails", "description": "check the app"}}
    groups = [{"groupType": "Boot", "replicationProtectedItems": [{"id": items[name].id}],
               "startGroupActions": [manual] if name == "phys-app1" else [], "endGroupActions": []} for name in MACHINES]
    asr.replication_recovery_plans.begin_create(rg, vault, "rp-vmware", {"properties": {
        "primaryFabricId": fabric_id, "recoveryFabricId": fabric_id, "failoverDeploymentModel": "NotApplicable",
        "groups": groups}}).result()
    plans = asr.replication_recovery_plans

    # test failover, held at the manual action before the physical server's group
    plan = plans.begin_test_failover(rg, vault, "rp-vmware", TEST).result()
    assert plan.properties.current_scenario_status == "Suspended"
    assert _addresses(site.vmware.secondary) == {"vmw-web1-test": (True, ["10.20.1.10"]),  # group 1 booted
                                                 "phys-app1-test": (False, ["10.20.2.10"])}  # group 2 waits
    _resume(site)
    assert site.plan_job("TestFailover").state == "Succeeded"
    assert _addresses(site.vmware.secondary) == {"vmw-web1-test": (True, ["10.20.1.10"]),
                                                 "phys-app1-test": (True, ["10.20.2.10"])}
    plans.begin_test_failover_cleanup(rg, vault, "rp-vmware", {"properties": {"comments": "ok"}}).result()
    assert site.plan_job("TestFailoverCleanup").state == "Succeeded" and _addresses(site.vmware.secondary) == {}

    # unplanned failover to the latest app-consistent tag, commit, reprotect
    plans.begin_unplanned_failover(rg, vault, "rp-vmware", RecoveryPlanUnplannedFailoverInput(
        properties=RecoveryPlanUnplannedFailoverInputProperties(
            failover_direction="PrimaryToRecovery", source_site_operations="NotRequired",
            provider_specific_details=[RecoveryPlanInMageFailoverInput(recovery_point_type="LatestTag")]))).result()
    assert site.plan_job("UnplannedFailover").state == "Succeeded"
    assert _addresses(site.vmware.secondary) == {"vmw-web1": (True, ["10.20.1.10"]), "phys-app1": (True, ["10.20.2.10"])}
    points = [e.details for e in lab.history.select(op="cs.failover") if e.details["kind"] == "Unplanned"]
    assert [p["pointType"] for p in points] == ["AppConsistent"] * 2
    assert len({p["pointId"] for p in points}) == 1  # the multi-VM group's shared tag
    assert set(site.states().values()) == {"UnplannedFailoverCommitPendingStatesBegin"}
    plans.begin_failover_commit(rg, vault, "rp-vmware").result()
    plans.begin_reprotect(rg, vault, "rp-vmware").result()
    assert [site.plan_job(s).state for s in ("CommitFailover", "ReverseReplication")] == ["Succeeded", "Succeeded"]
    pairs = site.vmware.configuration_server.protection.pairs
    assert {(p.origin.name, p.direction, p.master_target.name) for p in pairs.values()} == {
        ("vmw-web1", "Reverse", "mt-fb"), ("phys-app1", "Reverse", "mt-fb")}
    assert not site.vmware.vms["vmw-web1"].powered_on  # the machine it replicates back onto is shut down
    site.settle()

    ordering = check_ordering(lab.history)
    assert ordering.ok and ordering.checked == 5, ordering  # TFO, cleanup, UFO, commit, reprotect
    loss, ips = data_loss(lab, rpo_seconds=15 * 60), ip_injection(lab)
    assert loss.ok and loss.checked == 4, loss  # two test failovers, two failovers
    assert ips.ok and ips.checked == 4, ips


def test_failback_to_a_custom_point_lands_on_the_original_vm_and_a_second_reprotect_restores_the_direction(
        site: Site) -> None:
    _failback_flow(site)


def _branch_vcenter(site: Site) -> None:
    """A third vCenter added, renamed and removed again through the SDK (nothing of it protected)."""
    asr, rg, vault, fabric = site.asr, site.rg, site.vault, site.fabric
    branch = VCenter(site.lab.sim, "vc-branch", address="10.40.0.10")
    site.vmware.configuration_server.can_reach(branch)
    asr.replicationv_centers.begin_create(rg, vault, fabric, "branch", {"properties": {
        "friendlyName": "branch", "ipAddress": "10.40.0.10", "processServerId": site.vmware.process_server.id,
        "runAsAccountId": "1"}}).result()
    asr.replicationv_centers.begin_update(rg, vault, fabric, "branch", {"properties": {
        "friendlyName": "branch office"}}).result()
    assert asr.replicationv_centers.get(rg, vault, fabric, "branch").properties.friendly_name == "branch office"
    asr.replicationv_centers.begin_delete(rg, vault, fabric, "branch").result()
    assert [v.name for v in asr.replicationv_centers.list_by_replication_fabrics(rg, vault, fabric)] == [
        "vc-primary", "vc-secondary"]


def _failback_flow(site: Site) -> None:
    asr, rg, vault, container = site.asr, site.rg, site.vault, site.container.name
    _branch_vcenter(site)
    site.protect()
    web = site.items()["vmw-web1"]
    first = asr.replication_protected_items.begin_unplanned_failover(rg, vault, site.fabric, container, web.name,
                                                                     UnplannedFailoverInput(
        properties=UnplannedFailoverInputProperties(failover_direction="PrimaryToRecovery",
                                                    provider_specific_details=InMageUnplannedFailoverInput(
                                                        recovery_point_type="LatestTag")))).result()
    assert first.properties.protection_state == "UnplannedFailoverCommitPendingStatesBegin"
    point = site.vmware.configuration_server.protection.pair(web.name).failover
    assert point is not None and point.point.type == "AppConsistent"
    asr.replication_protected_items.begin_failover_commit(rg, vault, site.fabric, container, web.name).result()
    asr.replication_protected_items.begin_reprotect(rg, vault, site.fabric, container, web.name, ReverseReplicationInput(
        properties=ReverseReplicationInputProperties(failover_direction="RecoveryToPrimary",
                                                     provider_specific_details=InMageReprotectInput(
            master_target_id=site.vmware.failback_master_target.id, process_server_id=site.vmware.process_server.id,
            retention_drive="E:", profile_id=web.properties.policy_id)))).result()
    site.settle()
    site.lab.advance(3_600)
    asr.replication_recovery_services_providers.begin_refresh_provider(  # the server reports its points now
        rg, vault, site.fabric, site.vmware.agent.registration.provider_name).result()
    points = list(asr.recovery_points.list_by_replication_protected_items(rg, vault, site.fabric, container, web.name))
    chosen = points[-2]
    assert asr.recovery_points.get(rg, vault, site.fabric, container, web.name, chosen.name).name == chosen.name
    with pytest.raises(HttpResponseError) as refused:
        asr.replication_protected_items.begin_unplanned_failover(rg, vault, site.fabric, container, web.name, {
            "properties": {"failoverDirection": "RecoveryToPrimary", "providerSpecificDetails": {
                "instanceType": "InMage", "recoveryPointType": "Custom", "recoveryPointId": "not-a-point"}}})
    assert refused.value.status_code == 400 and refused.value.error.target.endswith("recoveryPointId")
    asr.replication_protected_items.begin_unplanned_failover(rg, vault, site.fabric, container, web.name, {
        "properties": {"failoverDirection": "RecoveryToPrimary", "providerSpecificDetails": {
            "instanceType": "InMage", "recoveryPointType": "Custom", "recoveryPointId": chosen.id}}}).result()
    original = site.vmware.vms["vmw-web1"]
    pair = site.vmware.configuration_server.protection.pair(web.name)
    assert pair.failover is not None and pair.failover.vm is original and original.powered_on
    assert pair.failover.point.id == chosen.name
    asr.replication_protected_items.begin_reprotect(rg, vault, site.fabric, container, web.name, ReverseReplicationInput(
        properties=ReverseReplicationInputProperties(failover_direction="PrimaryToRecovery",
                                                     provider_specific_details=InMageReprotectInput(
            master_target_id=site.vmware.master_target.id, process_server_id=site.vmware.process_server.id,
            retention_drive="E:", profile_id=web.properties.policy_id)))).result()
    pair = site.vmware.configuration_server.protection.pair(web.name)
    assert (pair.direction, pair.machine, pair.target) == ("Forward", original, site.vmware.secondary.vm("vmw-web1"))
    site.settle()
    _drill_and_disable(site, site.items()["phys-app1"])
    assert data_loss(site.lab, rpo_seconds=None).ok and ip_injection(site.lab).ok


def _drill_and_disable(site: Site, item: Any) -> None:
    """One item's own test failover and cleanup, a planned failover refused (no InMage input for it), and
    a disable that deletes the replica."""
    asr, rg, vault, fabric, container = site.asr, site.rg, site.vault, site.fabric, site.container.name
    asr.replication_protected_items.begin_test_failover(rg, vault, fabric, container, item.name, models.TestFailoverInput(
        properties=models.TestFailoverInputProperties(failover_direction="PrimaryToRecovery",
                                               network_type="NoNetworkAttachAsInput",
                                               provider_specific_details=InMageTestFailoverInput(
                                                   recovery_point_type="LatestTime")))).result()
    assert site.vmware.secondary.vm("phys-app1-test").powered_on
    asr.replication_protected_items.begin_test_failover_cleanup(rg, vault, fabric, container, item.name, {
        "properties": {"comments": "drill over"}}).result()
    assert "phys-app1-test" not in site.vmware.secondary.vms
    with pytest.raises(HttpResponseError) as refused:
        asr.replication_protected_items.begin_planned_failover(rg, vault, fabric, container, item.name, {
            "properties": {"failoverDirection": "PrimaryToRecovery"}})
    assert refused.value.status_code in (400, 409), refused.value.error
    asr.replication_protected_items.begin_delete(rg, vault, fabric, container, item.name, DisableProtectionInput(
        properties=DisableProtectionInputProperties(
            replication_provider_input=InMageDisableProtectionProviderSpecificInput(
                replica_vm_deletion_status="Delete")))).result()
    assert "phys-app1" not in site.items()
    assert [p.origin.name for p in site.vmware.configuration_server.protection.pairs.values()] == ["vmw-web1"]


def test_every_operation_the_coverage_marks_implemented_answers_in_the_runbook() -> None:
    """IMPLEMENTATION_COVERAGE.md's InMage section: what it marks implemented, these runbooks call and
    get answered (2xx)."""
    answered: set[str] = set()
    for seed, flow in ((61, _plan_flow), (62, _failback_flow)):
        site = Site(seed)
        try:
            flow(site)
            answered |= {e.op.removeprefix("arm.") for e in site.lab.history.select(op="arm.*")
                         if isinstance(e.details.get("status"), int) and e.details["status"] < 300}
        finally:
            site.lab.close()
    routes = {route.spec.operation_id: route for route in AsrService.router_routes()}
    implemented = {name for name, _ in INMAGE_OPERATIONS if routes[name].handler is not None}
    assert implemented - answered == set()


def test_a_plan_mixing_a_vmm_item_with_a_vmware_one_is_refused_and_each_runs_in_its_own(site: Site) -> None:
    site.protect()
    book = Runbook.of(site.lab)
    book.create_policy()
    book.pair()
    book.map_poller().result()
    book.enable_poller("Gold-VM1").result()
    site.lab.advance(3_600)
    vmm_item = book.item_ids()["Gold-VM1"][0]
    fabric_id = f"{book.prefix()}/replicationFabrics/{site.fabric}"
    before = list(site.asr.replication_recovery_plans.list(site.rg, site.vault))
    with pytest.raises(HttpResponseError) as refused:
        site.asr.replication_recovery_plans.begin_create(site.rg, site.vault, "rp-mixed", {"properties": {
            "primaryFabricId": fabric_id, "recoveryFabricId": fabric_id, "failoverDeploymentModel": "NotApplicable",
            "groups": [{"groupType": "Boot", "replicationProtectedItems": [
                {"id": site.items()["vmw-web1"].id}, {"id": vmm_item}]}]}})
    assert refused.value.error.code == "150618", refused.value.error
    assert list(site.asr.replication_recovery_plans.list(site.rg, site.vault)) == before
    # each scenario in a plan of its own, in the same lab and vault: both test failovers run
    book.create_plan("rp-vmm", [book.boot_group("Gold-VM1")])
    site.asr.replication_recovery_plans.begin_create(site.rg, site.vault, "rp-vmware", {"properties": {
        "primaryFabricId": fabric_id, "recoveryFabricId": fabric_id, "failoverDeploymentModel": "NotApplicable",
        "groups": [{"groupType": "Boot", "replicationProtectedItems": [{"id": site.items()["vmw-web1"].id}]}]}}).result()
    for plan in ("rp-vmm", "rp-vmware"):
        site.asr.replication_recovery_plans.begin_test_failover(site.rg, site.vault, plan, TEST).result()
    assert [j.properties.state for j in book.jobs("TestFailover")
            if j.properties.target_instance_type == "RecoveryPlan"] == ["Succeeded"] * 2
    assert site.vmware.secondary.vm("vmw-web1-test").powered_on
    assert check_ordering(site.lab.history).ok


def test_a_process_server_cut_off_past_the_rpo_threshold_raises_the_alert_until_it_heals(site: Site) -> None:
    """The policy's RPO threshold (15 minutes here): an alert once replication is that far behind."""
    site.protect()
    web = site.items()["vmw-web1"].name

    def health() -> tuple[str, list[str], int | None]:
        item = site.asr.replication_protected_items.get(site.rg, site.vault, site.fabric, site.container.name,
                                                        web).properties
        return (item.replication_health, [e.error_code for e in item.health_errors if e.error_code == "67530"],
                item.provider_specific_details.rpo_in_seconds)

    assert health() == ("Normal", [], 30)
    cut = site.lab.faults.add(FaultRule(Partition(), Match(
        src=site.vmware.process_server.node.name, dst=site.vmware.master_target.node.name, port=REPLICATION_PORT,
        bidirectional=True)))
    began, syncs = site.lab.now, len(site.lab.history.select(op="cs.sync"))
    site.lab.advance(15 * 60 - 30 - 60)  # a minute before the RPO reaches the threshold
    assert health()[:2] == ("Normal", [])
    site.lab.advance(120)
    assert health() == ("Warning", ["67530"], pytest.approx(15 * 60, abs=31))
    reports = [round(e.time - began) for e in site.lab.history.select(op="cs.sync")[syncs:] if e.phase.value == "ok"]
    assert len(reports) == 2 and 0 < reports[0] <= 30 and 870 < reports[1] <= 900  # the cut, the crossing: no more
    site.lab.faults.heal(cut)
    site.lab.advance(60)
    assert health() == ("Normal", [], 30)
