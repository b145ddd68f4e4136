"""Resynchronisation (§2.6): its triggers, its process, pausing and cancelling it, and automatic resync."""

from __future__ import annotations

import math

import pytest

from hyperv_fake import InvalidStateError, ReplicationHealth, ReplicationState
from hyperv_fake.testing import GiB, ReplicaPair
from simcore import FaultRule, Match, Partition

State = ReplicationState


def _protected(pair: ReplicaPair, *, rate: float = 100.0, **settings: object) -> ReplicaPair:
    pair.add_vm("vm", disk_bytes=4 * GiB, writes_per_second=rate)
    pair.protect("vm", recovery_history=4, **settings)
    return pair


def test_a_long_outage_grows_the_log_past_half_the_disk(pair: ReplicaPair) -> None:
    """§2.6: "tracking logs (.hrl) exceed 50 % of total VHD size (e.g. after a long network outage)"."""
    _protected(pair)
    workload = pair.primary.get_vm("vm").workload
    shipped = pair.primary.get_vm("vm").replication.applied.last
    pair.sim.faults.add(FaultRule(Partition(), Match(src="hv1", dst="hv2", bidirectional=True)))
    pair.sim.advance(24 * 3600)
    status = pair.primary.measure_vm_replication("vm")
    assert status.state is State.WaitingForStartResynchronize and status.health is ReplicationHealth.Critical
    change = pair.sim.history.select(op="hyperv.replication.state",
                                     where=lambda e: e.details["to"] == status.state.value)
    threshold = math.floor(0.5 * 4 * GiB / 4096)
    assert change[-1].details["at"] == pytest.approx(workload.time_of(shipped + threshold + 1))


@pytest.mark.parametrize("trigger", ["offline edit", "host crash"])
def test_tracking_lost_requires_resynchronisation(pair: ReplicaPair, trigger: str) -> None:
    _protected(pair)
    if trigger == "offline edit":
        pair.primary.stop_vm("vm")
        pair.primary.modify_vhd_offline("vm")
    else:
        pair.primary.crash()
    assert pair.primary.get_vm_replication("vm").state is State.WaitingForStartResynchronize
    assert pair.primary.get_vm("vm").state.value == "Off"


def test_resynchronisation_brings_the_replica_level_and_deletes_its_points(pair: ReplicaPair) -> None:
    _protected(pair)
    pair.sim.advance(5 * 3600)
    pair.primary.stop_vm("vm")
    pair.primary.modify_vhd_offline("vm")
    job = pair.primary.resume_vm_replication("vm", resynchronize=True)
    pair.sim.advance(1)
    assert pair.replica.get_vm_replication("vm").state is State.Resynchronizing
    assert pair.primary.get_vm_replication("vm").state is State.Resynchronizing
    assert pair.replica.get_vm_snapshot("vm")[:-1]  # points survive until the merge
    job.wait()
    assert job.succeeded, job.error
    assert pair.replica.get_vm_replication("vm").state is State.Replicating
    assert len(pair.replica.get_vm_snapshot("vm")) == 1  # step 7: the points were deleted
    assert pair.replica.get_vm("vm").replication.applied == pair.primary.get_vm("vm").workload.image(pair.sim.clock.now)


def test_a_paused_resync_continues_where_it_left_off_and_a_cancelled_one_starts_over(pair: ReplicaPair) -> None:
    _protected(pair)
    pair.primary.stop_vm("vm")
    pair.primary.modify_vhd_offline("vm")
    pair.primary.resume_vm_replication("vm", resynchronize=True)
    compare = 4 * GiB / pair.fabric.policy.transfer.compare_bytes_per_second
    pair.sim.advance(compare / 2)
    pair.primary.suspend_vm_replication("vm")
    assert pair.primary.get_vm_replication("vm").state is State.ResynchronizeSuspended
    pair.sim.advance(3600)
    started = pair.sim.clock.now
    pair.primary.resume_vm_replication("vm").wait()
    assert pair.sim.clock.now - started == pytest.approx(compare / 2, abs=0.05)  # only the rest
    pair.primary.modify_vhd_offline("vm")
    pair.primary.resume_vm_replication("vm", resynchronize=True)
    pair.sim.advance(compare / 2)
    pair.primary.stop_vm_replication("vm")  # cancel
    assert pair.primary.get_vm_replication("vm").state is State.WaitingForStartResynchronize
    started = pair.sim.clock.now
    pair.primary.resume_vm_replication("vm", resynchronize=True).wait()
    assert pair.sim.clock.now - started == pytest.approx(compare, abs=0.05)  # from the beginning


def test_automatic_resync_waits_for_the_evening_window(pair: ReplicaPair) -> None:
    """§2.6, §1.5: with AutoResynchronizeEnabled the resync runs in 18:30–06:00 (UTC by policy)."""
    _protected(pair, auto_resynchronize_enabled=True)
    pair.sim.run_until(10 * 3600)
    pair.primary.stop_vm("vm")
    pair.primary.modify_vhd_offline("vm")
    pair.sim.run_until(18 * 3600 + 29 * 60)
    assert pair.primary.get_vm_replication("vm").state is State.WaitingForStartResynchronize
    pair.sim.run_until(18 * 3600 + 40 * 60)
    assert pair.primary.get_vm_replication("vm").state is State.Replicating
    started = pair.sim.history.select(op="hyperv.auto-resynchronize")
    assert [event.time for event in started] == [18 * 3600 + 30 * 60]


def test_unplanned_failover_during_resync_cancels_it(pair: ReplicaPair) -> None:
    _protected(pair)
    pair.primary.stop_vm("vm")
    pair.primary.modify_vhd_offline("vm")
    job = pair.primary.resume_vm_replication("vm", resynchronize=True)
    pair.sim.advance(1)
    with pytest.raises(InvalidStateError):  # §2.6: test failover is not possible during resync
        pair.replica.start_vm_failover("vm", as_test=True)
    assert pair.replica.start_vm_failover("vm").succeeded  # unplanned failover is allowed
    job.wait()
    assert job.error is not None and job.error.reason.value == "INVALID_REPLICA_STATE"
    assert pair.primary.get_vm_replication("vm").state is State.Error
