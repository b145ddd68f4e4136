"""Recovery points (§2.8): the latest plus up to ``RecoveryHistory`` hourly points, app-consistent ones
every ``VSSSnapshotFrequencyHour``, and what failing over to each of them holds."""

from __future__ import annotations

import pytest

from hyperv_fake import IntegrationService, InvalidParameterError, ReplicationType, SnapshotType
from hyperv_fake.testing import ReplicaPair
from simcore import FaultRule, Match, Partition


@pytest.mark.parametrize("history", [0, 1, 24])
def test_at_most_recovery_history_hourly_points_plus_the_latest(pair: ReplicaPair, history: int) -> None:
    pair.add_vm("vm")
    pair.protect("vm", replication_frequency_sec=30, recovery_history=history)
    pair.sim.advance(30 * 3600)
    points = pair.replica.get_vm_snapshot("vm")
    assert len(points) == history + 1 and points[-1].latest
    hourly = points[:-1]
    assert all(b.time - a.time == pytest.approx(3600) for a, b in zip(hourly, hourly[1:]))
    assert all(a.image.is_prefix_of(b.image) and a.image.last < b.image.last for a, b in zip(hourly, hourly[1:]))
    assert all(p.image.is_prefix_of(points[-1].image) and p.time <= points[-1].time for p in hourly)
    written = pair.primary.get_vm("vm").workload
    for point in hourly:  # a point holds what the last cycle before its hour shipped
        assert point.time - 30 < written.time_of(point.image.last) <= point.time


def test_application_consistent_points_need_the_vss_integration_service(pair: ReplicaPair) -> None:
    pair.add_vm("vm")
    pair.protect("vm", recovery_history=12, vss_snapshot_frequency_hour=4)
    pair.sim.advance(12 * 3600)
    kinds = [p.replication_type for p in pair.replica.get_vm_snapshot("vm")[:-1]]
    assert kinds.count(ReplicationType.ApplicationConsistent) == 3
    assert len(pair.replica.get_vm_snapshot("vm", snapshot_type=SnapshotType.AppConsistentReplica)) == 3
    pair.primary.disable_vm_integration_service("vm", IntegrationService.VolumeShadowCopy)
    pair.sim.advance(12 * 3600)
    kinds = [p.replication_type for p in pair.replica.get_vm_snapshot("vm")[:-1]]
    assert ReplicationType.ApplicationConsistent not in kinds
    assert pair.primary.measure_vm_replication("vm").application_consistent_snapshot_failure_count == 3


def test_an_outage_leaves_a_gap_in_the_points(pair: ReplicaPair) -> None:
    """Policy RECOVERY_POINT_NEEDS_APPLIED_LOG: no log applied in an hour, no point for it."""
    pair.add_vm("vm")
    pair.protect("vm", recovery_history=24)
    pair.sim.advance(3 * 3600)
    cut = pair.sim.faults.add(FaultRule(Partition(), Match(src="hv1", dst="hv2", bidirectional=True)))
    pair.sim.advance(5 * 3600)
    pair.sim.faults.heal(cut)
    pair.sim.advance(3 * 3600)
    times = [p.time for p in pair.replica.get_vm_snapshot("vm")[:-1]]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert max(gaps) >= 5 * 3600 and len(times) < 11


def test_fewer_points_are_kept_when_recovery_history_is_lowered(pair: ReplicaPair) -> None:
    pair.add_vm("vm")
    pair.protect("vm", recovery_history=24)
    pair.sim.advance(10 * 3600)
    pair.primary.set_vm_replication("vm", recovery_history=2)
    assert len(pair.replica.get_vm_snapshot("vm")) == 3
    with pytest.raises(InvalidParameterError):
        pair.primary.set_vm_replication("vm", recovery_history=25)
    assert pair.primary.get_vm_replication("vm").recovery_history == 2


def test_failing_over_to_an_older_point_loses_exactly_the_writes_after_it(pair: ReplicaPair) -> None:
    pair.add_vm("vm", writes_per_second=20)
    pair.protect("vm", recovery_history=6)
    pair.sim.advance(8 * 3600)
    pair.sim.faults.add(FaultRule(Partition(), Match(src="hv1", dst="hv2", bidirectional=True)))  # site lost
    point = pair.replica.get_vm_snapshot("vm")[2]
    written = pair.primary.get_vm("vm").workload.image(pair.sim.clock.now)
    pair.replica.start_vm_failover("vm", recovery_point=point)
    held = pair.replica.get_vm("vm").workload.image(pair.sim.clock.now)
    assert held.last == point.image.last and point.image.is_prefix_of(held) and point.image.is_prefix_of(written)
    assert written.last - held.last > 0
    pair.replica.start_vm("vm")
    pair.sim.advance(60)
    after = pair.replica.get_vm("vm").workload.image(pair.sim.clock.now)
    assert point.image.is_prefix_of(after) and not after.is_prefix_of(written)  # new writes are its own
    pair.replica.complete_vm_failover("vm")
    assert pair.replica.get_vm_snapshot("vm") == []  # §3.4: the other points are removed


def test_a_point_of_another_vm_is_refused(pair: ReplicaPair) -> None:
    for name in ("a", "b"):
        pair.add_vm(name)
        pair.protect(name, recovery_history=2)
    pair.sim.advance(3 * 3600)
    pair.primary.stop_vm("a")
    foreign = pair.replica.get_vm_snapshot("b")[0]
    with pytest.raises(InvalidParameterError):
        pair.replica.start_vm_failover("a", recovery_point=foreign)
    assert pair.replica.get_vm_replication("a").state.value == "Replicating"
