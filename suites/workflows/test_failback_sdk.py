"""Failback through the official SDK (asr-orchestration.md §B.2): once a VM failed over and its
replication was reversed it is Protected and active at the recovery site; the failover family then
runs RecoveryToPrimary — the recorded job with the clouds and VMM servers swapped, the VM shut down
at the recovery site and its replica started on the primary host with its own primary-pool address
— and a reversal sets the primary replicating to the recovery site again. A full cycle ends where
it started, with no acknowledged write lost and no address leaked in either pool."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError

from drlab import Lab, Role
from hyperv_fake import ReplicationState, VMState

from .conftest import Runbook


def _body(direction: str, instance: str = "ProviderSpecificFailoverInput", **more: Any) -> dict[str, Any]:
    return {"properties": {"failoverDirection": direction, "providerSpecificDetails": {"instanceType": instance},
                           **more}}


P2R, R2P = "PrimaryToRecovery", "RecoveryToPrimary"


@pytest.fixture
def reprotected(runbook: Runbook, lab: Lab) -> tuple[Runbook, str]:
    """Gold-VM1 failed over (planned), committed and reprotected: Protected at the recovery site."""
    name = runbook.protect("Gold-VM1")
    _items(runbook, "begin_planned_failover", name, _body(P2R)).result()
    _items(runbook, "begin_failover_commit", name).result()
    _items(runbook, "begin_reprotect", name, _body(R2P, "ReverseReplicationProviderSpecificInput")).result()
    lab.advance(3_600)
    return runbook, name


def _items(runbook: Runbook, method: str, name: str, *body: Any) -> Any:
    fabric, container = runbook.container("Gold")
    return getattr(runbook.asr.replication_protected_items, method)(runbook.rg, runbook.vault, fabric, container,
                                                                    name, *body)


def _last_job(runbook: Runbook, scenario: str) -> Any:
    return max(runbook.jobs(scenario), key=lambda job: job.properties.start_time).properties


def _vm(lab: Lab, role: Role, name: str) -> Any:
    return next(vm for host in lab.sites[role].hosts for vm in host.vms if vm.name == name)


def _granted(lab: Lab, role: Role) -> list[str]:
    vmm = lab.sites[role].vmm
    return sorted(str(a.address) for pool in vmm.get_sc_static_ip_address_pool()
                  for a in vmm.get_sc_ip_address(static_ip_address_pool=pool))


def test_planned_failback_runs_the_recorded_job_the_other_way(reprotected, lab: Lab) -> None:
    runbook, name = reprotected
    primary_pool, recovery_pool = _granted(lab, Role.primary), _granted(lab, Role.recovery)
    item = _items(runbook, "begin_planned_failover", name, _body(R2P)).result()
    failback = _last_job(runbook, "PlannedFailover")
    assert failback.state == "Succeeded"
    assert [t.name for t in failback.tasks] == ["VmPfoPrerequisitesCheck", "VmShutdownVmOnPrimary",
                                                "VmPrepareForFailover", "VmFailover", "VmFoStartVmOnSecondary"]
    affected = failback.custom_details.affected_object_details
    assert (affected["primaryCloudName"], affected["recoveryCloudName"]) == ("Gold-Recovery", "Gold")  # swapped
    p = item.properties
    assert (p.protection_state, p.protection_state_description, p.active_location) == (
        "PlannedFailoverCommitRequired", "Planned failover finished", "Primary")  # as recorded (§B.2.2)
    assert p.allowed_operations == ["CompleteMigration", "ReverseReplicate", "Commit", "DisableProtection", "ChangePit"]
    at_recovery, at_primary = _vm(lab, Role.recovery, "Gold-VM1"), _vm(lab, Role.primary, "Gold-VM1")
    assert at_recovery.state is VMState.Off and at_recovery.replication.state is ReplicationState.PreparedForFailover
    assert at_primary.state is VMState.Running
    assert at_primary.replication.state is ReplicationState.FailedOverWaitingCompletion
    (guest,) = at_primary.guest.network.values()
    assert guest.ip_addresses == ("10.1.0.10",)  # its own primary-pool address, held by its VM object
    (nic,) = p.provider_specific_details.vm_nics
    assert (nic.ip_configs[0].static_ip_address, nic.ip_configs[0].recovery_static_ip_address) == (
        "10.1.0.10", "10.2.0.10")
    assert (_granted(lab, Role.primary), _granted(lab, Role.recovery)) == (primary_pool, recovery_pool)  # no leak
    final = at_recovery.workload.image(lab.now)  # no acknowledged write lost on the way back
    assert final.last > 0 and final.is_prefix_of(at_primary.workload.image(lab.now))


def test_a_full_cycle_ends_protected_at_the_primary_replicating_to_the_recovery_site(reprotected, lab: Lab
                                                                                    ) -> None:
    runbook, name = reprotected
    _items(runbook, "begin_planned_failover", name, _body(R2P)).result()
    committed = _items(runbook, "begin_failover_commit", name).result().properties
    assert (committed.protection_state, committed.active_location) == ("PlannedFailoverStatesBegin", "Primary")
    commit = _last_job(runbook, "CommitFailover").custom_details.affected_object_details
    assert commit["primaryCloudName"] == "Gold-Recovery"  # the failback's direction
    item = _items(runbook, "begin_reprotect", name, _body(P2R, "ReverseReplicationProviderSpecificInput")).result()
    p = item.properties
    assert (p.protection_state, p.active_location) == ("Protected", "Primary")
    assert p.allowed_operations == ["PlannedFailover", "UnplannedFailover", "DisableProtection", "TestFailover"]
    lab.advance(3_600)
    at_primary, at_recovery = _vm(lab, Role.primary, "Gold-VM1"), _vm(lab, Role.recovery, "Gold-VM1")
    assert at_primary.replication.mode.value == "Primary"
    assert at_primary.replication.state is ReplicationState.Replicating
    assert at_recovery.replication.mode.value == "Replica"
    # and round again: the second failover finds the replica's own recovery-pool address
    again = _items(runbook, "begin_planned_failover", name, _body(P2R)).result().properties
    assert again.active_location == "Recovery"
    (guest,) = _vm(lab, Role.recovery, "Gold-VM1").guest.network.values()
    assert guest.ip_addresses == ("10.2.0.10",)
    assert _granted(lab, Role.recovery).count("10.2.0.10") == 1


def test_an_unplanned_failback_with_the_recovery_site_cut_off(reprotected, lab: Lab) -> None:
    """The VM at the recovery site keeps writing while its hosts are cut off from the primary's: the
    failback without source-side operations comes up at the primary with a prefix of its writes."""
    from simcore import FaultRule, Match, Partition
    runbook, name = reprotected
    primaries = tuple(h.name for h in lab.sites[Role.primary].hosts)
    replicas = tuple(h.name for h in lab.sites[Role.recovery].hosts)
    lab.faults.add(FaultRule(Partition(), Match(src=replicas, dst=primaries, bidirectional=True)))
    lab.advance(600)
    written = _vm(lab, Role.recovery, "Gold-VM1").workload.image(lab.now)
    item = _items(runbook, "begin_unplanned_failover", name, _body(R2P, sourceSiteOperations="NotRequired")).result()
    p = item.properties
    assert (p.protection_state, p.active_location) == ("UnplannedFailoverCommitPendingStatesBegin", "Primary")
    ufo = _last_job(runbook, "UnplannedFailover")
    assert [t.state_description for t in ufo.tasks][1:3] == ["Skipped", "Skipped"]
    event = lab.history.select(op="vmm.failover")[-1]
    assert event.details["rpoSeconds"] >= 600
    held = _vm(lab, Role.primary, "Gold-VM1").workload.image(event.time)
    assert held.is_prefix_of(written) and held.last < written.last  # only writes after the point lost


@pytest.mark.parametrize("method", ["begin_planned_failover", "begin_unplanned_failover", "begin_test_failover"])
def test_a_failover_in_the_wrong_direction_is_refused_and_changes_nothing(reprotected, method: str) -> None:
    runbook, name = reprotected
    with pytest.raises(HttpResponseError) as info:
        _items(runbook, method, name, _body(P2R))
    assert info.value.status_code == 400 and info.value.error.target == "properties.failoverDirection"
    assert "active at the recovery site" in info.value.error.message
    p = _items(runbook, "get", name).properties
    assert (p.protection_state, p.active_location) == ("Protected", "Recovery")


def test_a_failback_test_failover_runs_on_the_primary_site(reprotected, lab: Lab) -> None:
    runbook, name = reprotected
    _items(runbook, "begin_test_failover", name, _body(R2P, networkType="NoNetworkAttachAsInput")).result()
    test_vms = [vm.name for host in lab.sites[Role.primary].hosts for vm in host.vms if vm.name.endswith(" - Test")]
    assert test_vms == ["Gold-VM1 - Test"]
    _items(runbook, "begin_test_failover_cleanup", name, {"properties": {"comments": "ok"}}).result()
    assert not [vm for host in lab.sites[Role.primary].hosts for vm in host.vms if vm.name.endswith(" - Test")]
