"""Replication health by the documented rules (§2.5) and statistics over the monitoring interval (§2.7)."""

from __future__ import annotations

from datetime import time

from hyperv_fake import ReplicationHealth, ReplicationState
from hyperv_fake.testing import ReplicaPair
from simcore import FaultRule, Match, Partition

Normal, Warning_, Critical = ReplicationHealth.Normal, ReplicationHealth.Warning, ReplicationHealth.Critical


def _protected(pair: ReplicaPair, **settings: object) -> ReplicaPair:
    for host in (pair.primary, pair.replica):  # one monitoring interval per day from midnight: no boundary mid-test
        host.set_vm_replication_server(monitoring_interval=24 * 3600, monitoring_start_time=time(0, 0))
    pair.add_vm("vm")
    pair.protect("vm", replication_frequency_sec=30, **settings)
    return pair


def _health(host, name: str = "vm") -> tuple[ReplicationHealth, tuple[str, ...]]:  # noqa: ANN001
    stats = host.measure_vm_replication(name)
    return stats.health, stats.replication_health_details


def test_initial_replication_not_complete_is_a_warning(pair: ReplicaPair) -> None:
    pair.add_vm("vm")
    pair.enable("vm").wait()
    health, details = _health(pair.primary)
    assert health is Warning_ and "Initial replication is not complete" in details[0]
    assert _health(pair.replica)[0] is Warning_


def test_steady_replication_is_normal(pair: ReplicaPair) -> None:
    _protected(pair)
    pair.sim.advance(6 * 3600)
    assert _health(pair.primary) == (Normal, ())
    assert _health(pair.replica) == (Normal, ())
    stats = pair.primary.measure_vm_replication("vm")
    assert stats.replication_miss_count == 0 and stats.replication_success_count >= 6 * 120 - 1
    assert stats.pending_replication_size < 30 * 10 * 4096  # at most one cycle of writes waits


def test_a_partition_is_critical_then_missed_cycles_leave_a_warning(pair: ReplicaPair) -> None:
    _protected(pair)
    pair.sim.advance(600)
    cut = pair.sim.faults.add(FaultRule(Partition(), Match(src="hv1", dst="hv2", bidirectional=True)))
    pair.sim.advance(2 * 3600)
    health, details = _health(pair.primary)
    assert health is Critical and "cannot replicate" in details[0]  # §2.5: cannot send replication traffic
    assert pair.primary.get_vm_replication("vm").state is ReplicationState.Replicating  # policy: recoverable
    health, details = _health(pair.replica)
    assert health is Warning_ and "Replica virtual machine 'vm' is behind the primary by more than an hour." in details
    pair.sim.faults.heal(cut)
    pair.sim.advance(3600)  # the next retry gets through (back-off: every 30 min by now)
    health, details = _health(pair.primary)
    assert health is Warning_ and any("20 percent" in line for line in details)  # 2 h of 2 h 20 min missed
    stats = pair.primary.measure_vm_replication("vm")
    assert stats.replication_miss_count > 0 and stats.network_failure_count > 0
    assert stats.max_replication_size > stats.average_replication_size  # the backlog went in one cycle


def test_a_new_monitoring_interval_starts_clean_and_logs_the_last(pair: ReplicaPair) -> None:
    _protected(pair)
    cut = pair.sim.faults.add(FaultRule(Partition(), Match(src="hv1", dst="hv2", bidirectional=True)))
    pair.sim.advance(3 * 3600)
    pair.sim.faults.heal(cut)
    pair.sim.advance(3600)
    assert _health(pair.primary)[0] is Warning_
    pair.sim.advance(24 * 3600)
    assert _health(pair.primary)[0] is Normal
    logged = pair.sim.history.select(node="hv1", op="hyperv.event.29174")
    assert [event.details["end"] for event in logged] == [24 * 3600] and logged[0].details["missed"] > 0
    pair.sim.advance(3 * 24 * 3600)  # three more intervals close unobserved: only the last is logged
    pair.primary.measure_vm_replication("vm")
    logged = pair.sim.history.select(node="hv1", op="hyperv.event.29174")
    assert [event.details["end"] for event in logged] == [24 * 3600, 4 * 24 * 3600]
    assert logged[-1].details["missed"] == 0 and logged[-1].details["success"] == 24 * 120


def test_pausing_is_a_warning_on_the_primary_and_critical_on_the_replica(pair: ReplicaPair) -> None:
    _protected(pair)
    pair.primary.suspend_vm_replication("vm")
    assert _health(pair.primary)[0] is Warning_  # §2.5: replication paused on the primary
    pair.primary.resume_vm_replication("vm").wait()
    pair.replica.suspend_vm_replication("vm")
    pair.sim.advance(120)
    assert _health(pair.replica)[0] is Critical  # §2.5: paused on the replica
    assert _health(pair.primary)[0] is Critical  # policy REPLICA_PAUSE_BLOCKS_PRIMARY: it cannot send
    pair.replica.resume_vm_replication("vm")
    pair.sim.advance(3600)
    assert pair.replica.get_vm("vm").replication.applied == pair.primary.get_vm("vm").replication.applied


def test_failover_without_reverse_is_a_warning(pair: ReplicaPair) -> None:
    _protected(pair)
    pair.primary.stop_vm("vm")
    pair.replica.start_vm_failover("vm")
    health, details = _health(pair.replica)
    assert health is Warning_ and "reverse replication has not been initiated" in details[0]
