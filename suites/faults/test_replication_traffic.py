"""Drop, delay, duplicate and reset on Hyper-V replication traffic (point ``net.send``, traffic="replication").

Each fault fires at an attempt's own instant and is recorded, has the effect of policy
TRAFFIC_FAULT_EFFECTS (a lost or reset log retried with the §3.6 back-off, a late one landing late,
a duplicate discarded), and heals: replication catches up. A Drop window of probability 1 must
give what a partition of the same window gives, however often the lab is observed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from hypothesis import given
from hypothesis import strategies as st

from hyperv_fake import ReplicationHealth
from hyperv_fake.testing import GiB, ReplicaPair
from simcore import Corrupt, Delay, Drop, Duplicate, FaultRule, Match, Partition, Reset

if TYPE_CHECKING:
    from hyperv_fake._relationship import Relationship

REPLICATION = Match(point="net.send", src="hv1", dst="hv2", where={"traffic": "replication"})


def _protected(make_pair: Callable[..., ReplicaPair], **kwargs: object) -> tuple[ReplicaPair, float]:
    pair = make_pair(**kwargs)
    pair.add_vm("vm", disk_bytes=1024 * GiB)
    pair.protect("vm", replication_frequency_sec=30)
    return pair, pair.primary.get_vm("vm").replication.link.anchor


def _fired(pair: ReplicaPair, rule: str) -> list[float]:
    return [e.time for e in pair.sim.history.select(op="fault.fire") if e.details["rule"] == rule]


def _replica_holds_primary_at(pair: ReplicaPair, t: float) -> bool:
    return _replica(pair).applied == pair.primary.get_vm("vm").workload.image(t)


def _replica(pair: ReplicaPair) -> Relationship:
    """The replica's relationship, settled to now (replication is computed when observed)."""
    pair.replica.measure_vm_replication("vm")
    return pair.replica.get_vm("vm").replication


def test_a_lost_log_is_retried_after_the_first_back_off_step(make_pair) -> None:  # noqa: ANN001
    pair, anchor = _protected(make_pair)
    initial = _replica(pair).last_replication_time
    pair.sim.faults.add(FaultRule(Drop(), REPLICATION, count=1, name="lose-one"))
    pair.sim.run_until(anchor + 31)
    assert _fired(pair, "lose-one") == [anchor + 30]  # the first cycle after the rule joined
    assert pair.sim.history.select(op="fault.heal")[-1].details == {"rule": "lose-one", "why": "count used up"}
    failed = pair.sim.history.select(node="hv1", op="hyperv.replication.cycle", phase="fail")
    assert [e.details["reason"] for e in failed] == ["CONNECTION_TIMED_OUT"]
    assert pair.primary.measure_vm_replication("vm").health is ReplicationHealth.Critical  # cannot send (§2.5)
    assert _replica(pair).last_replication_time == initial
    pair.sim.run_until(anchor + 30 + 60)  # §3.6: the retry, one minute on, gets through
    assert _replica(pair).last_replication_time == anchor + 90
    assert _replica_holds_primary_at(pair, anchor + 90)
    stats = pair.primary.measure_vm_replication("vm")
    assert stats.network_failure_count == 1 and stats.health is not ReplicationHealth.Critical


def test_a_reset_fails_the_attempt_as_a_reset(make_pair) -> None:  # noqa: ANN001
    pair, anchor = _protected(make_pair)
    pair.sim.faults.add(FaultRule(Reset(), REPLICATION, start=anchor + 50, end=anchor + 200, name="reset"))
    pair.sim.run_until(anchor + 400)
    # cycles at +60 fail, retries at +120 and +240 (back-off 1, 2 min): +120 fails, +240 is after the window
    assert _fired(pair, "reset") == [anchor + 60, anchor + 120]
    assert {e.details["reason"] for e in pair.sim.history.select(op="hyperv.replication.cycle", phase="fail")} \
        == {"CONNECTION_RESET"}
    assert pair.sim.history.select(op="fault.heal")[-1].details == {"rule": "reset", "why": "window ended"}
    assert _replica(pair).last_replication_time == anchor + 240 + 150
    assert pair.primary.get_vm_replication("vm").state.value == "Replicating"


def test_a_delayed_log_lands_late_with_what_it_carried_and_cycles_follow_it(make_pair) -> None:  # noqa: ANN001
    pair, anchor = _protected(make_pair)
    pair.sim.faults.add(FaultRule(Delay(45.0), REPLICATION, count=1, name="slow"))
    pair.sim.run_until(anchor + 60)
    assert _replica(pair).last_replication_time < anchor + 30  # the +30 log is still on its way
    assert pair.primary.measure_vm_replication("vm").health is not ReplicationHealth.Critical  # late, not failing
    pair.sim.run_until(anchor + 75)
    assert _replica(pair).last_replication_time == anchor + 75 and _replica_holds_primary_at(pair, anchor + 30)
    pair.sim.run_until(anchor + 105)  # the next cycle follows the landing (§2.7: the next one is delayed)
    assert _replica(pair).last_replication_time == anchor + 105 and _replica_holds_primary_at(pair, anchor + 105)
    stats = pair.primary.measure_vm_replication("vm")
    assert stats.replication_miss_count == 1 and stats.network_failure_count == 0  # the +60 cycle was overrun


def test_a_duplicated_log_is_applied_once(make_pair) -> None:  # noqa: ANN001
    pair, anchor = _protected(make_pair)
    pair.sim.faults.add(FaultRule(Duplicate(2), REPLICATION, start=anchor, end=anchor + 95, name="twice"))
    pair.sim.run_until(anchor + 300)
    assert _fired(pair, "twice") == [anchor + 30, anchor + 60, anchor + 90]
    logs = pair.sim.history.select(node="hv2", op="hyperv.replication.log")
    assert [e.details for e in logs] == [{"vm": "vm", "copies": 2, "applied": "once"}] * 3
    stats = pair.replica.measure_vm_replication("vm")
    assert stats.replication_success_count == 10 and stats.replication_miss_count == 0
    assert _replica_holds_primary_at(pair, anchor + 300)


def test_a_lossy_link_is_decided_by_the_seed_alone(make_pair) -> None:  # noqa: ANN001
    def run(seed: int, looks: list[float]) -> list[float]:
        pair, anchor = _protected(make_pair, seed=seed)
        pair.sim.faults.add(FaultRule(Drop(), REPLICATION, probability=0.5, end=anchor + 1800, name="lossy"))
        for look in looks:
            pair.sim.run_until(anchor + look)
            pair.replica.measure_vm_replication("vm")
        pair.sim.run_until(anchor + 3600)
        return _fired(pair, "lossy")
    first = run(7, [])
    assert first and first == run(7, [45.0, 61.0, 900.0])  # observing does not move the draws
    assert first != run(8, [])


@given(start=st.integers(0, 3000), length=st.integers(1, 4000), looks=st.lists(st.integers(0, 8000), max_size=3))
def test_a_certain_drop_window_replicates_as_a_partition_does(make_pair, start: int, length: int,  # noqa: ANN001
                                                              looks: list[int]) -> None:
    outcomes = []
    for action in (Drop(), Partition()):
        pair, anchor = _protected(make_pair)
        match = REPLICATION if isinstance(action, Drop) else Match(src="hv1", dst="hv2", bidirectional=True)
        pair.sim.faults.add(FaultRule(action, match, start=anchor + start + 0.5, end=anchor + start + length + 0.5))
        for look in sorted(looks):
            pair.sim.run_until(anchor + look)
            pair.primary.measure_vm_replication("vm")
        pair.sim.run_until(anchor + 8000)
        replica = _replica(pair)
        stats = pair.primary.measure_vm_replication("vm")
        outcomes.append((replica.last_replication_time, replica.applied, stats.replication_success_count,
                         stats.network_failure_count))
    assert outcomes[0] == outcomes[1]


LOG = Match(point="hyperv.log", src="hv1", dst="hv2")


def test_a_log_lost_at_the_replica_requires_a_resync(make_pair) -> None:  # noqa: ANN001
    pair, anchor = _protected(make_pair)
    pair.sim.faults.add(FaultRule(Drop(), LOG, count=1, name="lost-log"))
    pair.sim.run_until(anchor + 31)
    held = _replica(pair).applied
    assert _fired(pair, "lost-log") == [anchor + 30]
    assert [e.details for e in pair.sim.history.select(node="hv2", op="hyperv.replication.log", phase="fail")] \
        == [{"vm": "vm", "log": "lost"}]
    stats = pair.primary.measure_vm_replication("vm")
    assert stats.state.value == "WaitingForStartResynchronize" and stats.health is ReplicationHealth.Critical
    pair.sim.run_until(anchor + 600)
    assert _replica(pair).applied == held  # nothing more is applied until a resync
    assert held == pair.primary.get_vm("vm").workload.image(anchor)  # what it had before the lost log


def test_a_corrupt_recovery_point_is_detected_on_apply_and_a_resync_mends_it(make_pair) -> None:  # noqa: ANN001
    pair, anchor = _protected(make_pair)
    pair.sim.faults.add(FaultRule(Corrupt(), LOG, start=anchor + 40, end=anchor + 70, name="corrupt"))
    pair.sim.run_until(anchor + 100)
    assert _fired(pair, "corrupt") == [anchor + 60]
    assert pair.primary.measure_vm_replication("vm").state.value == "WaitingForStartResynchronize"
    pair.primary.resume_vm_replication("vm", resynchronize=True)
    pair.sim.run_until(lambda: pair.primary.get_vm_replication("vm").state.value == "Replicating", within=3600)
    pair.sim.advance(60)
    assert _replica_holds_primary_at(pair, _replica(pair).last_replication_time)


def test_a_duplicated_log_at_the_replica_is_applied_once(make_pair) -> None:  # noqa: ANN001
    pair, anchor = _protected(make_pair)
    pair.sim.faults.add(FaultRule(Duplicate(), LOG, count=1, name="dup-log"))
    pair.sim.run_until(anchor + 120)
    assert _fired(pair, "dup-log") == [anchor + 30]
    assert pair.primary.measure_vm_replication("vm").state.value == "Replicating"
    assert _replica_holds_primary_at(pair, anchor + 120)
