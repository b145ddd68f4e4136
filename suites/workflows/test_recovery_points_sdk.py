"""Recovery points and ChangePit through the official SDK (asr-orchestration.md §B.5, §A.4.6; hyperv-scvmm.md
§2.8, §3.4): the list is the replica host's own points as its VMM reports them — tracking them as cycles
pass, keeping the policy's ``recoveryPoints`` hourly ones — in the recorded shape; after an unplanned
failover (to the latest point, policy) an older point is applied with ``applyRecoveryPoint``: the job
(policy ``ApplyRecoveryPoint``), the same injected address, ``failoverRecoveryPointId``; after the commit
the VM holds exactly the writes up to that point and the list holds only it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError

from drlab import Lab, Role
from hyperv_fake import DataImage, ReplicationState, VMState
from simcore import FaultRule, Match, Partition

from .conftest import Runbook

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_TYPE = ("Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/"
         "replicationProtectedItems/recoveryPoints")
_KINDS = {"Regular": "CrashConsistent", "ApplicationConsistent": "AppConsistent", "Planned": "AppConsistent"}


@pytest.fixture
def protected(lab: Lab) -> tuple[Runbook, str]:
    """Gold-VM1 protected with 4 hourly points kept, every second one app-consistent."""
    runbook = Runbook.of(lab)
    runbook.create_policy(recoveryPoints=4, applicationConsistentSnapshotFrequencyInHours=2)
    return runbook, runbook.protect("Gold-VM1")


def _args(runbook: Runbook, name: str) -> tuple[str, ...]:
    return (runbook.rg, runbook.vault, *runbook.container("Gold"), name)


def _points(runbook: Runbook, name: str) -> list[Any]:
    return list(runbook.asr.recovery_points.list_by_replication_protected_items(*_args(runbook, name)))


def _item(runbook: Runbook, name: str) -> Any:
    return runbook.asr.replication_protected_items.get(*_args(runbook, name))


def _replica(lab: Lab) -> tuple[Any, Any]:
    return next((host, vm) for host in lab.sites[Role.recovery].hosts for vm in host.vms if vm.name == "Gold-VM1")


def _primary(lab: Lab) -> Any:
    return next(vm for host in lab.sites[Role.primary].hosts for vm in host.vms if vm.name == "Gold-VM1")


def _host_view(lab: Lab) -> list[tuple[str, str]]:
    """The replica host's points as ASR should list them: (time, recoveryPointType), oldest first."""
    host, vm = _replica(lab)
    clock = lab.sim.clock
    return [(clock.to_datetime(p.time).strftime("%Y-%m-%dT%H:%M:%S.%f"), _KINDS[p.replication_type.value])
            for p in host.get_vm_snapshot(vm.name)]


def _asr_view(points: list[Any]) -> list[tuple[str, str]]:
    return [(p.properties.recovery_point_time.strftime("%Y-%m-%dT%H:%M:%S.%f"), p.properties.recovery_point_type)
            for p in points]


def _cut(lab: Lab) -> FaultRule:
    """The two sites' hosts cannot reach each other (ASR's channel still works)."""
    hosts = [tuple(h.name for h in lab.sites[role].hosts) for role in (Role.primary, Role.recovery)]
    return lab.faults.add(FaultRule(Partition(), Match(src=hosts[0], dst=hosts[1], bidirectional=True)))


def _ufo(runbook: Runbook, name: str) -> Any:
    body = {"properties": {"failoverDirection": "PrimaryToRecovery", "sourceSiteOperations": "NotRequired",
                           "providerSpecificDetails": {"instanceType": "UnplannedFailoverProviderSpecificInput"}}}
    return runbook.asr.replication_protected_items.begin_unplanned_failover(*_args(runbook, name), body).result()


def _apply(runbook: Runbook, name: str, point_id: str) -> Any:
    body = {"properties": {"recoveryPointId": point_id,
                           "providerSpecificDetails": {"instanceType": "HyperVReplica2012R2"}}}
    return runbook.asr.replication_protected_items.begin_apply_recovery_point(*_args(runbook, name), body)


def _commit(runbook: Runbook, name: str) -> Any:
    return runbook.asr.replication_protected_items.begin_failover_commit(*_args(runbook, name)).result()


def _granted(lab: Lab) -> list[str]:
    vmm = lab.recovery.vmm
    return sorted(str(a.address) for pool in vmm.get_sc_static_ip_address_pool()
                  for a in vmm.get_sc_ip_address(static_ip_address_pool=pool))


def holds_exactly_up_to(image: DataImage, point: DataImage, written: DataImage, primary_writers: set[str]) -> bool:
    """The data promise of a failover to ``point``: ``image`` holds the point's writes — each one the
    primary made (``written``) — and after them only writes of its own, starting right after the
    point: none the primary made after it."""
    after = [(writer, first) for writer, first in image.runs if first > point.last]
    fresh = image.last == point.last or (bool(after) and after[0][1] == point.last + 1)
    return (point.is_prefix_of(written) and image.upto(point.last) == point and fresh
            and not any(writer in primary_writers for writer, _ in after))


# -- the list ------------------------------------------------------------------------------------------


def test_points_are_the_replica_hosts_points_in_the_recorded_shape(protected, lab: Lab) -> None:
    runbook, name = protected
    lab.advance(6 * 3_600 + 17)
    points = _points(runbook, name)
    assert _asr_view(points) == _host_view(lab)
    assert len(points) == 5  # the policy's 4 hourly points, then the latest
    assert {p.properties.recovery_point_type for p in points[:-1]} == {"CrashConsistent", "AppConsistent"}
    prefix = _item(runbook, name).id + "/recoveryPoints/"
    for point in points:
        assert _GUID.match(point.name) and point.id == prefix + point.name and point.type == _TYPE
        assert point.properties.provider_specific_details is None
        got = runbook.asr.recovery_points.get(*_args(runbook, name), point.name)
        assert (got.id, got.properties.recovery_point_time) == (point.id, point.properties.recovery_point_time)


def test_the_list_tracks_the_replica_as_cycles_pass_and_keeps_the_policys_count(protected, lab: Lab) -> None:
    runbook, name = protected
    seen: dict[str, str] = {}
    for seconds in (30, 45, 1_800, 3_600, 3_611, 7_200, 29):
        lab.advance(seconds)
        points = _points(runbook, name)
        assert _asr_view(points) == _host_view(lab)
        hourly = points[:-1]
        assert len(hourly) <= 4
        for point in hourly:  # an hourly point keeps its name from read to read until it ages out
            assert seen.setdefault(point.properties.recovery_point_time.isoformat(), point.name) == point.name
    assert len(_points(runbook, name)) == 5


def test_the_list_follows_an_outage_and_its_end(protected, lab: Lab) -> None:
    """Points stop with the last log applied during the cut (a gap, no copies), and resume after it."""
    runbook, name = protected
    lab.advance(2 * 3_600)
    cut = _cut(lab)
    for _ in range(3):
        lab.advance(3_600 + 300)
        assert _asr_view(_points(runbook, name)) == _host_view(lab)
    lab.faults.heal(cut)
    for seconds in (600, 3_600, 5 * 3_600):
        lab.advance(seconds)
        assert _asr_view(_points(runbook, name)) == _host_view(lab)


def test_steady_replication_sends_no_inventory_for_new_points(protected, lab: Lab) -> None:
    """A point appears every cycle and every hour, yet the reports are in closed form: a day of steady
    replication (2,880 cycles, 24 hours) sends no inventory and the list still agrees with the host."""
    runbook, name = protected
    lab.advance(5 * 3_600)
    sent = len(lab.history.select(op="provider.sync", phase="ok"))
    lab.advance(24 * 3_600)
    assert len(lab.history.select(op="provider.sync", phase="ok")) == sent
    assert _asr_view(_points(runbook, name)) == _host_view(lab)


def test_an_unknown_point_is_404(protected) -> None:
    runbook, name = protected
    with pytest.raises(HttpResponseError) as info:
        runbook.asr.recovery_points.get(*_args(runbook, name), "00000000-0000-0000-0000-000000000000")
    assert info.value.status_code == 404


# -- ChangePit -------------------------------------------------------------------------------------


@pytest.fixture
def failed_over(protected, lab: Lab) -> tuple[Runbook, str, Any]:
    """The primary site cut off for 3 h 10 min, then an unplanned failover without source-side operations."""
    runbook, name = protected
    lab.advance(4 * 3_600)
    _cut(lab)
    lab.advance(3 * 3_600 + 600)
    item = _ufo(runbook, name)
    return runbook, name, item


def test_unplanned_failover_goes_to_the_latest_point_and_keeps_failover_recovery_point_id_empty(failed_over, lab: Lab
                                                                                              ) -> None:
    runbook, name, item = failed_over
    assert item.properties.failover_recovery_point_id == ""  # recorded (§A.4.6)
    _, replica = _replica(lab)
    latest = replica.replication.failed_over_point
    assert latest is not None and latest.latest
    assert _asr_view(_points(runbook, name)) == _host_view(lab)


def test_change_pit_applies_an_older_point_before_the_commit(failed_over, lab: Lab) -> None:
    runbook, name, _ = failed_over
    points = _points(runbook, name)
    chosen = points[1]
    host, replica = _replica(lab)
    wanted = host.get_vm_snapshot(replica.name)[1]
    (guest,) = replica.guest.network.values()
    address, granted = guest.ip_addresses, _granted(lab)
    item = _apply(runbook, name, chosen.id).result()
    p = item.properties
    assert (p.protection_state, p.active_location) == ("UnplannedFailoverCommitPendingStatesBegin", "Recovery")
    assert p.allowed_operations == ["CompleteMigration", "ReverseReplicate", "Commit", "DisableProtection", "ChangePit"]
    assert p.failover_recovery_point_id == chosen.id  # §B.5
    (job,) = runbook.jobs("ApplyRecoveryPoint")
    j = job.properties
    assert (j.friendly_name, j.state, j.target_object_name, j.custom_details.instance_type) == (
        "Change recovery point", "Succeeded", "Gold-VM1", "AsrJobDetails")
    assert [(t.task_id, t.name, t.friendly_name, t.state) for t in j.tasks] == [
        ("ChangePitPreflightChecksTask", "VmChangePitPrerequisitesCheck",
         "Prerequisites check for changing the recovery point", "Succeeded"),
        ("ChangePitTask", "VmChangePit", "Change the recovery point", "Succeeded"),
        ("StartVmOnSecondary", "VmFoStartVmOnSecondary", "Start the replica virtual machine", "Succeeded")]
    assert j.custom_details.affected_object_details["recoveryPointId"] == chosen.id
    # on the recovery host: failed over again, to the chosen point, running with the same address
    assert replica.replication.state is ReplicationState.FailedOverWaitingCompletion
    assert replica.replication.failed_over_point == wanted and replica.state is VMState.Running
    (guest,) = replica.guest.network.values()
    assert guest.ip_addresses == address == ("10.2.0.10",)
    assert _granted(lab) == granted  # the same address stays granted: none leaked, none granted twice
    event = lab.history.select(op="vmm.failover")[-1]
    assert (event.details["pointTime"], event.details["addresses"]) == (wanted.time, ["10.2.0.10"])
    assert event.details["rpoSeconds"] == pytest.approx(event.time - wanted.time)
    assert _asr_view(_points(runbook, name)) == _host_view(lab)  # the points are all still there


def test_after_the_commit_the_vm_holds_exactly_the_writes_up_to_the_point(failed_over, lab: Lab) -> None:
    runbook, name, _ = failed_over
    chosen = _points(runbook, name)[1]
    host, replica = _replica(lab)
    wanted = host.get_vm_snapshot(replica.name)[1]
    primary = _primary(lab)
    _apply(runbook, name, chosen.id).result()
    writers = {writer for writer, _ in primary.workload.image(lab.now).runs}
    assert holds_exactly_up_to(replica.workload.image(lab.now), wanted.image, primary.workload.image(lab.now), writers)
    item = _commit(runbook, name)
    assert item.properties.protection_state == "UnplannedFailoverStatesBegin"
    assert item.properties.failover_recovery_point_id == chosen.id
    lab.advance(600)  # the failed-over VM keeps writing, as its own writer
    written = primary.workload.image(lab.now)  # the cut-off primary kept writing too
    final = replica.workload.image(lab.now)
    assert final.last > wanted.image.last and written.last > wanted.image.last
    assert holds_exactly_up_to(final, wanted.image, written, writers)
    # after the commit the other points are gone (Hyper-V's Complete-VMFailover); the list says so
    (only,) = _points(runbook, name)
    assert (only.id, only.properties.recovery_point_time) == (chosen.id, chosen.properties.recovery_point_time)
    assert runbook.asr.recovery_points.get(*_args(runbook, name), chosen.name).id == chosen.id


def test_change_pit_twice_goes_back_to_the_latest_point(failed_over, lab: Lab) -> None:
    runbook, name, _ = failed_over
    points = _points(runbook, name)
    _apply(runbook, name, points[0].id).result()
    item = _apply(runbook, name, points[-1].id).result()
    assert item.properties.failover_recovery_point_id == points[-1].id
    _, replica = _replica(lab)
    assert replica.replication.failed_over_point.latest
    assert len(runbook.jobs("ApplyRecoveryPoint")) == 2
    assert _granted(lab).count("10.2.0.10") == 1


# -- refusals ------------------------------------------------------------------------------------------


def test_change_pit_while_protected_is_refused_with_150205(protected, lab: Lab) -> None:
    runbook, name = protected
    point = _points(runbook, name)[0]
    with pytest.raises(HttpResponseError) as info:
        _apply(runbook, name, point.id)
    assert (info.value.status_code, info.value.error.code) == (409, "150205")
    assert runbook.jobs("ApplyRecoveryPoint") == []
    assert _item(runbook, name).properties.protection_state == "Protected"


@pytest.mark.parametrize("make, status", [
    (lambda item, points: item.id + "/recoveryPoints/00000000-0000-0000-0000-000000000000", 404),
    (lambda item, points: points[0].id.replace(item.name, "someone-else"), 400),
    (lambda item, points: points[0].name, 400),
    (lambda item, points: item.id + "/recoveryPoints/", 400),
])
def test_a_point_id_not_of_this_items_points_is_refused_and_changes_nothing(failed_over, lab: Lab, make: Any,
                                                                          status: int) -> None:
    runbook, name, item = failed_over
    points = _points(runbook, name)
    _, replica = _replica(lab)
    before = replica.replication.failed_over_point
    with pytest.raises(HttpResponseError) as info:
        _apply(runbook, name, make(item, points))
    assert info.value.status_code == status and info.value.error.code in ("InvalidParameter", "ResourceNotFound")
    assert runbook.jobs("ApplyRecoveryPoint") == []
    after = _item(runbook, name).properties
    assert (after.protection_state, after.failover_recovery_point_id) == (
        "UnplannedFailoverCommitPendingStatesBegin", "")
    assert replica.replication.failed_over_point == before and replica.state is VMState.Running


def test_a_body_without_a_point_id_is_400(failed_over) -> None:
    runbook, name, _ = failed_over
    with pytest.raises(HttpResponseError) as info:
        runbook.asr.replication_protected_items.begin_apply_recovery_point(
            *_args(runbook, name), {"properties": {"providerSpecificDetails": {"instanceType": "x"}}})
    assert (info.value.status_code, info.value.error.code) == (400, "InvalidRequestContent")


def test_change_pit_after_a_planned_failover_and_the_id_cleared_once_protected_again(protected, lab: Lab) -> None:
    """Planned failover's commit-pending state allows ChangePit too (§B.2.2); its last point, taken with the
    VM shut down, reads AppConsistent (policy). Reverse replication protects the item again:
    ``failoverRecoveryPointId`` reads ``""`` again (policy ``APPLIED_POINT_SHOWN_UNTIL_PROTECTED``)."""
    runbook, name = protected
    lab.advance(3 * 3_600)
    items = runbook.asr.replication_protected_items
    items.begin_planned_failover(*_args(runbook, name), {"properties": {"failoverDirection": "PrimaryToRecovery"}}
                                 ).result()
    points = _points(runbook, name)
    assert points[-1].properties.recovery_point_type == "AppConsistent"
    item = _apply(runbook, name, points[0].id).result()
    assert (item.properties.protection_state, item.properties.failover_recovery_point_id) == (
        "PlannedFailoverCommitRequired", points[0].id)
    item = items.begin_reprotect(*_args(runbook, name), {"properties": {"failoverDirection": "RecoveryToPrimary"}}
                                 ).result()
    assert (item.properties.protection_state, item.properties.failover_recovery_point_id) == ("Protected", "")
