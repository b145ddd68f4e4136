"""``replication_outlook`` (hyperv_fake/_outlook.py): a reading of a VM's replication holds until its
``next_change`` unless something happens. Over generated partitions (now or later, bounded or
not), pauses on either side, workload changes and spans of time, a second reading at any instant
before ``next_change`` — with no event in between (the fabric's revision unchanged) — shows the
same state, health, phase and anchor on both sides, and the last replication time the closed form
gives; and the fabric's revision moves at every change of state, never merely because cycles ran."""

from __future__ import annotations

import math
from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st

from hyperv_fake import HyperVError, HyperVHost, InitialReplicationStatus, ReplicationOutlook, ReplicationState
from hyperv_fake.testing import GiB, ReplicaPair
from simcore import FaultRule, Match, Partition

DAY = 86400.0

_OPS = st.one_of(
    st.tuples(st.just("advance"), st.sampled_from([7.0, 95.5, 1_000.0, 3_700.0, 20_000.0])),
    st.tuples(st.just("partition"), st.sampled_from([0.0, 45.0, 2_000.0]),
              st.sampled_from([None, 200.0, 5_000.0, 40_000.0])),
    st.tuples(st.just("heal")),
    st.tuples(st.just("pause"), st.sampled_from(["primary", "replica"])),
    st.tuples(st.just("resume"), st.sampled_from(["primary", "replica"])),
    st.tuples(st.just("workload"), st.sampled_from([0.0, 3.0, 400.0])),
)
_LOOK = st.tuples(st.just("look"), st.floats(min_value=0.01, max_value=0.99))


def _seen(reading: ReplicationOutlook | None) -> tuple[object, ...] | None:
    if reading is None:
        return None
    r = reading.replication
    return (r.mode, r.state, r.health, reading.initial_replication, reading.cycle_anchor,
            reading.last_replication_time if reading.cycle_anchor is not None else None)


def _last_by_closed_form(reading: ReplicationOutlook, t: float) -> float | None:
    anchor = reading.cycle_anchor
    assert anchor is not None
    k = math.floor((t - anchor) / reading.replication.frequency_sec + 1e-9)
    return anchor + k * reading.replication.frequency_sec if k >= 1 else reading.last_replication_time


def _apply(lab: ReplicaPair, op: tuple, hosts: dict[str, HyperVHost]) -> None:  # type: ignore[type-arg]
    kind = op[0]
    try:
        if kind == "advance":
            lab.sim.advance(op[1])
        elif kind == "partition":
            now = lab.sim.clock.now
            end = None if op[2] is None else now + op[1] + op[2]
            lab.sim.faults.add(FaultRule(Partition(), Match(src="hv1", dst="hv2", bidirectional=True),
                                         start=now + op[1] if op[1] else None, end=end))
        elif kind == "heal":
            for rule in list(lab.sim.faults.rules):
                lab.sim.faults.heal(rule)
        elif kind == "pause":
            hosts[op[1]].suspend_vm_replication("vm")
        elif kind == "resume":
            hosts[op[1]].resume_vm_replication("vm")
        elif kind == "workload":
            lab.primary.set_vm_workload("vm", writes_per_second=op[1])
    except HyperVError:
        pass  # not allowed in this state: nothing changed


def _look(lab: ReplicaPair, fraction: float) -> None:
    """Read both sides, go part of the way to the earlier ``next_change``, read again, compare."""
    vm_id = lab.primary.get_vm("vm").id
    sides = (lab.primary, lab.replica)
    first = [side.replication_outlook(vm_id) for side in sides]
    now = lab.sim.clock.now
    horizon = min([r.next_change for r in first if r is not None and r.next_change is not None],
                  default=now + 3 * DAY)
    revision = lab.fabric.revision
    t = now + fraction * (horizon - now)
    if t >= horizon:
        return  # the change is due at the very next instant: nothing to hold meanwhile
    lab.sim.run_until(t)
    if lab.fabric.revision != revision:
        return  # something happened meanwhile (a transfer, a retry's exchange): a new reading is due
    second = [side.replication_outlook(vm_id) for side in sides]
    assert [_seen(r) for r in second] == [_seen(r) for r in first], (now, t, horizon)
    for reading, side in zip(first, sides):
        if reading is not None and reading.cycle_anchor is not None:
            rel = side.get_vm("vm").replication
            assert rel is not None and rel.last_replication_time == _last_by_closed_form(reading, t)
    assert lab.fabric.revision == revision  # reading the same thing again changes nothing


@given(frequency=st.sampled_from([30, 300, 900]), ops=st.lists(st.one_of(_OPS, _LOOK, _LOOK), max_size=16),
       disk=st.sampled_from([1, 64]), hourly=st.booleans())
def test_a_reading_holds_until_its_next_change(make_pair: Callable[..., ReplicaPair], frequency: int,
                                               ops: list[tuple], disk: int, hourly: bool) -> None:  # type: ignore[type-arg]
    lab = make_pair()
    if hourly:  # monitoring intervals of an hour: health's counters start afresh often
        for host in (lab.primary, lab.replica):
            host.set_vm_replication_server(monitoring_interval=3600)
    lab.add_vm("vm", disk_bytes=disk * GiB, writes_per_second=50.0)
    lab.protect("vm", replication_frequency_sec=frequency)
    hosts = {"primary": lab.primary, "replica": lab.replica}
    seen, revision = _states(lab), lab.fabric.revision
    for op in ops:
        if op[0] == "look":
            _look(lab, op[1])
        else:
            _apply(lab, op, hosts)
        states = _states(lab)  # reading settles: a state that time alone changed changes here, and must tell
        assert states == seen or lab.fabric.revision != revision, (op, seen, states)
        seen, revision = states, lab.fabric.revision
    _look(lab, 0.5)


def _states(lab: ReplicaPair) -> tuple[object, ...]:
    vm_id = lab.primary.get_vm("vm").id
    readings = [side.replication_outlook(vm_id) for side in (lab.primary, lab.replica)]
    return tuple(None if r is None else r.replication.state for r in readings)


def test_healthy_replication_moves_no_revision_for_a_week_and_needs_no_new_reading(make_pair) -> None:  # type: ignore[no-untyped-def]
    lab: ReplicaPair = make_pair()
    lab.add_vm("vm", disk_bytes=GiB)
    lab.protect("vm", replication_frequency_sec=30)
    vm_id = lab.primary.get_vm("vm").id
    reading = lab.primary.replication_outlook(vm_id)
    assert reading is not None and reading.cycle_anchor is not None
    assert reading.next_change is not None and reading.next_change > 300 * DAY  # only the certificates lapse
    assert reading.initial_replication is InitialReplicationStatus.Completed
    revision = lab.fabric.revision
    lab.sim.advance(7 * DAY)
    assert lab.fabric.revision == revision
    again = lab.primary.replication_outlook(vm_id)
    assert again is not None and _seen(again) == _seen(reading)
    assert lab.primary.get_vm("vm").replication.last_replication_time == _last_by_closed_form(reading,
                                                                                              lab.sim.clock.now)


def test_a_partition_is_foreseen_and_its_failure_reported_at_the_first_cycle_it_blocks(make_pair) -> None:  # type: ignore[no-untyped-def]
    lab: ReplicaPair = make_pair()
    lab.add_vm("vm", disk_bytes=GiB)
    lab.protect("vm", replication_frequency_sec=300)
    vm_id = lab.primary.get_vm("vm").id
    revision = lab.fabric.revision
    start = lab.sim.clock.now + 1_000
    lab.sim.faults.add(FaultRule(Partition(), Match(src="hv1", dst="hv2", bidirectional=True), start=start))
    assert lab.fabric.revision == revision + 1  # the fault plan changed the link's future
    reading = lab.primary.replication_outlook(vm_id)
    assert reading is not None and reading.next_change is not None and start < reading.next_change <= start + 300
    lab.sim.run_until(reading.next_change)
    failing = lab.primary.replication_outlook(vm_id)
    assert failing is not None and failing.replication.health.value == "Critical" and failing.cycle_anchor is None
    assert failing.replication.state is ReplicationState.Replicating  # recoverable: state kept, health says it
    assert failing.last_replication_time is not None and failing.last_replication_time < start
