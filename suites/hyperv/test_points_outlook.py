"""A replica's recovery points as a management server reads them (``replication_outlook(...).points``):
in closed form while cycles succeed, O(1) once a steady stretch outlived ``RecoveryHistory``; none
taken once the replica failed over; after ``Complete-VMFailover`` only the committed point."""

from __future__ import annotations

import math

from hyperv_fake.testing import ReplicaPair
from simcore import FaultRule, Match, Partition


def _outlook(pair: ReplicaPair, name: str = "vm"):  # type: ignore[no-untyped-def]
    return pair.replica.replication_outlook(pair.replica.get_vm(name).id)


def test_a_steady_replica_reports_its_points_in_closed_form(pair: ReplicaPair) -> None:
    pair.add_vm("vm")
    pair.protect("vm", replication_frequency_sec=30, recovery_history=3)
    pair.sim.advance(5 * 3600)
    reading = _outlook(pair)
    points = reading.points
    assert points is not None and points.follows_cycles and points.keep == 3
    assert points.points == ()  # every kept hourly point is on the grid from hourly_from: nothing listed
    assert points.hourly_origin is not None and points.hourly_from is not None
    first = points.hourly_origin + points.hourly_from * 3600
    hourly = [p for p in pair.replica.get_vm_snapshot("vm") if not p.latest]
    newest = math.floor((pair.sim.clock.now - points.hourly_origin) / 3600)
    assert [p.time for p in hourly] == [points.hourly_origin + h * 3600 for h in range(newest - 2, newest + 1)]
    assert first <= hourly[0].time
    assert points.due is None  # nothing but an event changes the points' reading


def test_a_failed_over_replica_takes_no_more_points(pair: ReplicaPair) -> None:
    pair.add_vm("vm")
    pair.protect("vm", recovery_history=4)
    pair.sim.advance(3 * 3600 + 1_700)  # the hour after the last cycle would still make a point
    pair.sim.faults.add(FaultRule(Partition(), Match(src="hv1", dst="hv2", bidirectional=True)))
    pair.replica.start_vm_failover("vm")
    before = pair.replica.get_vm_snapshot("vm")
    pair.sim.advance(2 * 3600)
    assert pair.replica.get_vm_snapshot("vm") == before
    points = _outlook(pair).points
    assert points is not None and not points.follows_cycles
    assert points.points == tuple((p.time, p.replication_type.value, p.latest) for p in before)


def test_after_the_commit_only_the_committed_point_is_reported(pair: ReplicaPair) -> None:
    pair.add_vm("vm")
    pair.protect("vm", recovery_history=4)
    pair.sim.advance(5 * 3600)
    pair.sim.faults.add(FaultRule(Partition(), Match(src="hv1", dst="hv2", bidirectional=True)))
    chosen = pair.replica.get_vm_snapshot("vm")[1]
    pair.replica.start_vm_failover("vm", recovery_point=chosen)
    pair.replica.complete_vm_failover("vm")
    assert pair.replica.get_vm_snapshot("vm") == []  # §3.4: Hyper-V lists none; the VM runs from it
    points = _outlook(pair).points
    assert points is not None and points.points == ((chosen.time, chosen.replication_type.value, False),)


def test_a_cancelled_failover_forgets_its_point(pair: ReplicaPair) -> None:
    pair.add_vm("vm")
    pair.protect("vm", recovery_history=2)
    pair.sim.advance(3 * 3600)
    pair.sim.faults.add(FaultRule(Partition(), Match(src="hv1", dst="hv2", bidirectional=True)))
    rel = pair.replica.get_vm("vm").replication
    pair.replica.start_vm_failover("vm")
    assert rel is not None and rel.failed_over_point is not None and rel.failed_over_point.latest
    pair.replica.stop_vm_failover("vm")
    assert rel.failed_over_point is None
