"""Failover end to end (§3.1–3.4): planned with zero loss, reverse and failback; unplanned and its
split-brain guard; cancelling; test failover one at a time. Also errors and determinism."""

from __future__ import annotations

import pytest

from hyperv_fake import (
    HyperVPolicy,
    InvalidParameterError,
    InvalidStateError,
    ObjectNotFoundError,
    ReplicationMode,
    ReplicationState,
    SystemInUseError,
    VMState,
)
from hyperv_fake.testing import ReplicaPair
from simcore import FaultRule, Match, Partition

State = ReplicationState


def _planned(pair: ReplicaPair, primary, replica) -> None:  # noqa: ANN001
    """§3.3 step by step, with the checks each step documents."""
    with pytest.raises(InvalidStateError):  # step 1: the VM must be off
        primary.start_vm_failover("vm", prepare=True)
    primary.stop_vm("vm")
    written = primary.get_vm("vm").workload.image(pair.sim.clock.now)
    primary.start_vm_failover("vm", prepare=True).wait()  # step 2: sends what is pending
    assert primary.get_vm_replication("vm").state is State.PreparedForFailover
    with pytest.raises(InvalidStateError):  # locked from powering up
        primary.start_vm("vm")
    replica.start_vm_failover("vm")  # step 3
    assert replica.get_vm_replication("vm").state is State.FailedOverWaitingCompletion
    assert replica.get_vm("vm").workload.image(pair.sim.clock.now).upto(written.last) == written  # no write lost
    replica.set_vm_replication("vm", reverse=True).wait()  # step 4
    replica.start_vm("vm")  # step 5
    assert replica.get_vm("vm").replication_mode is ReplicationMode.Primary
    assert primary.get_vm("vm").replication_mode is ReplicationMode.Replica
    assert replica.get_vm_replication("vm").state is State.Replicating
    assert primary.get_vm_replication("vm").state is State.Replicating


def test_planned_failover_reverse_and_failback_lose_nothing(pair: ReplicaPair) -> None:
    pair.add_vm("vm", writes_per_second=25)
    pair.protect("vm", recovery_history=4)
    pair.sim.advance(5 * 3600)
    _planned(pair, pair.primary, pair.replica)
    pair.sim.advance(2 * 3600)  # replicating back to the original site
    pair.primary.get_vm_replication("vm")  # observe (replication is computed when observed)
    back = pair.primary.get_vm("vm").replication.applied
    running = pair.replica.get_vm("vm").workload.image(pair.sim.clock.now)
    assert back.is_prefix_of(running) and running.last - back.last <= 25 * 300
    assert len(pair.primary.get_vm_snapshot("vm")) == 2 + 1  # two hours of new points on the old primary
    _planned(pair, pair.replica, pair.primary)  # failback
    assert pair.primary.get_vm("vm").state is VMState.Running


def test_cancelling_a_prepare_unlocks_the_primary(pair: ReplicaPair) -> None:
    pair.add_vm("vm")
    pair.protect("vm")
    pair.primary.stop_vm("vm")
    pair.primary.start_vm_failover("vm", prepare=True).wait()
    pair.primary.stop_vm_failover("vm")  # §3.3: "cancels that action and restarts replication"
    pair.primary.start_vm("vm")
    pair.sim.advance(3600)
    assert pair.primary.measure_vm_replication("vm").health.value == "Normal"
    assert not pair.replica.get_vm("vm").replication.planned_ready


def test_unplanned_failover_guards_against_split_brain(pair: ReplicaPair) -> None:
    pair.add_vm("vm")
    pair.protect("vm")
    with pytest.raises(InvalidStateError) as refused:  # policy split_brain_guard
        pair.replica.start_vm_failover("vm")
    assert "running" in str(refused.value)
    pair.sim.faults.add(FaultRule(Partition(), Match(src="hv1", dst="hv2", bidirectional=True)))
    assert pair.replica.start_vm_failover("vm").succeeded  # the primary site is unreachable


def test_without_the_guard_an_unplanned_failover_may_split_the_brain(make_pair) -> None:  # noqa: ANN001
    pair: ReplicaPair = make_pair(policy=HyperVPolicy(split_brain_guard=False))
    pair.add_vm("vm")
    pair.protect("vm")
    assert pair.replica.start_vm_failover("vm").succeeded
    pair.sim.advance(600)
    status = pair.primary.get_vm_replication("vm")
    assert status.state is State.Error and status.last_error.reason.value == "INVALID_REPLICA_STATE"


def test_cancelling_an_unplanned_failover_restores_the_replica(pair: ReplicaPair) -> None:
    pair.add_vm("vm")
    pair.protect("vm", recovery_history=2)
    pair.sim.advance(3 * 3600)
    cut = pair.sim.faults.add(FaultRule(Partition(), Match(src="hv1", dst="hv2", bidirectional=True)))
    latest = pair.replica.get_vm("vm").replication.applied
    pair.replica.start_vm_failover("vm", recovery_point=pair.replica.get_vm_snapshot("vm")[0])
    pair.replica.start_vm("vm")
    pair.replica.stop_vm_failover("vm")  # §3.4: turns the VM off and cancels
    vm = pair.replica.get_vm("vm")
    assert vm.state is VMState.Off and vm.workload.image(pair.sim.clock.now).upto(latest.last) == latest
    assert pair.replica.get_vm_replication("vm").state is State.Replicating
    pair.sim.faults.heal(cut)
    if pair.primary.get_vm_replication("vm").state is State.Error:  # if a cycle was refused meanwhile
        pair.primary.resume_vm_replication("vm").wait()
    pair.sim.advance(3600)
    assert pair.primary.get_vm_replication("vm").state is State.Replicating


def test_one_test_failover_at_a_time(pair: ReplicaPair) -> None:
    pair.add_vm("vm")
    pair.protect("vm")
    test = pair.replica.start_vm_failover("vm", as_test=True).result
    with pytest.raises(InvalidStateError):
        pair.replica.start_vm_failover("vm", as_test=True)
    assert [v.name for v in pair.replica.vms] == ["vm", "vm - Test"]
    assert pair.replica.measure_vm_replication("vm").last_test_failover_time == pair.sim.clock.utcnow()
    pair.sim.advance(3600)  # replication goes on (§3.2)
    assert pair.replica.measure_vm_replication("vm").health.value == "Normal"
    pair.replica.stop_vm_failover("vm")
    assert pair.replica.find_vm(test.name) is None
    assert pair.replica.start_vm_failover("vm", as_test=True).succeeded


def test_errors_carry_the_wmi_code_and_change_nothing(pair: ReplicaPair) -> None:
    pair.add_vm("vm")
    with pytest.raises(ObjectNotFoundError) as missing:
        pair.primary.start_vm_failover("nope")
    assert missing.value.return_code == 32773 and str(missing.value).startswith("Start-VMFailover : ")
    for bad in ({"replication_frequency_sec": 60}, {"recovery_history": 25}, {"vss_snapshot_frequency_hour": 2},
                {"excluded_vhd_path": ["D:\\other.vhdx"]}):
        with pytest.raises(InvalidParameterError):
            pair.enable("vm", **bad)
    with pytest.raises(InvalidParameterError):
        pair.primary.enable_vm_replication("vm", pair.replica.fqdn, 0, "Certificate",
                                           certificate_thumbprint=pair.thumbprints["hv1"])
    assert pair.primary.get_vm("vm").replication is None and pair.replica.find_vm("vm") is None
    job = pair.enable("vm")
    with pytest.raises(SystemInUseError):  # policy ONE_JOB_PER_VM_CODE
        pair.enable("vm")
    job.wait()
    with pytest.raises(InvalidStateError) as twice:
        pair.enable("vm")
    assert twice.value.return_code == 32775
    events = pair.sim.history.select(node="hv1", op="hyperv.Enable-VMReplication", phase="fail")
    assert [e.details["code"] for e in events] == [32773] * 5 + [32774, 32775]


def _scenario(pair: ReplicaPair) -> str:
    pair.add_vm("vm", writes_per_second=3)
    pair.protect("vm", recovery_history=3, replication_frequency_sec=30)
    cut = pair.sim.faults.add(FaultRule(Partition(), Match(src="hv1", dst="hv2", bidirectional=True)))
    pair.sim.advance(4000)
    pair.sim.faults.heal(cut)
    pair.sim.advance(8000)
    pair.primary.measure_vm_replication("vm")
    pair.replica.start_vm_failover("vm", as_test=True)
    return pair.sim.history.dumps()


def test_same_seed_and_calls_give_the_same_history(pair: ReplicaPair) -> None:
    again = ReplicaPair.build(ca=pair.ca, seed=0, certificates=pair.certificates)  # the very same certificates
    other = ReplicaPair.build(ca=pair.ca, seed=1, certificates=pair.certificates)
    first = _scenario(pair)
    assert first == _scenario(again)
    assert first != _scenario(other)  # the seed matters (VM ids, MAC addresses, job ids)
