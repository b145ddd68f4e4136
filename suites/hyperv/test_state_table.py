"""For every replication state and every operation: the documented transition, or the documented error.

The table below is written from the reference (hyperv-scvmm.md), row by row, with its section; it
is not imported from the emulator. Each state is reached by real operations on a fresh lab (never
forced), the operation runs on the host holding the VM in that role, and the outcome is compared:
either the state it ends in once its job is done, or the WMI code it is refused with — in which
case nothing may have changed (house rule).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from hyperv_fake import HyperVError, HyperVHost, HyperVJob, ReturnCode, VMState
from hyperv_fake.testing import GiB, ReplicaPair
from simcore import FaultRule, Match, Partition

VM = "vm"
ERR = ReturnCode.InvalidState  # 32775 "invalid state for this operation" (§1.5, §2.3, §8)
UNSUPPORTED = ReturnCode.NotSupported  # 32770: extended replication is not emulated (policy EXTENDED_REPLICATION)
RUNS = "RUNS"  # the VM starts; its replication state does not change
SAME = "SAME"  # accepted; the replication state does not change


# -- reaching each state by real operations --------------------------------------------------------------

def _lab(make_pair: Callable[..., ReplicaPair]) -> ReplicaPair:
    lab = make_pair()
    lab.add_vm(VM, disk_bytes=4 * GiB, writes_per_second=5.0)
    return lab


def _wait(job: HyperVJob) -> None:
    job.wait(within=24 * 3600)
    assert job.succeeded, job.error


def _protected(lab: ReplicaPair, *, primary_off: bool = False) -> None:
    lab.protect(VM, recovery_history=2)
    lab.sim.advance(3 * 3600)
    if primary_off:
        lab.primary.stop_vm(VM)


def _resync_required(lab: ReplicaPair) -> None:
    _protected(lab, primary_off=True)
    lab.primary.modify_vhd_offline(VM)  # §2.6: a VHD modified while the VM is off


def _resynchronizing(lab: ReplicaPair) -> None:
    _resync_required(lab)
    lab.primary.resume_vm_replication(VM, resynchronize=True)
    lab.sim.advance(1.0)


def _error(lab: ReplicaPair) -> None:
    """Primary in Error: its replica failed over (invalid replica state, §3.6), then cancelled that."""
    _protected(lab)
    cut = lab.sim.faults.add(FaultRule(Partition(), Match(src="hv1", dst="hv2", bidirectional=True)))
    _wait(lab.replica.start_vm_failover(VM))
    lab.sim.faults.heal(cut)
    lab.sim.advance(600)
    lab.primary.get_vm_replication(VM)  # observe: the refused cycle happened
    _wait(lab.replica.stop_vm_failover(VM))


def _failed_over(lab: ReplicaPair) -> None:
    _protected(lab, primary_off=True)
    _wait(lab.replica.start_vm_failover(VM))


STATES: dict[str, tuple[str, Callable[[ReplicaPair], None]]] = {
    "None/Disabled": ("primary", lambda lab: None),
    "Primary/ReadyForInitialReplication": ("primary", lambda lab: _wait(lab.enable(VM))),
    "Primary/WaitingForInitialReplication": ("primary", lambda lab: (
        _wait(lab.enable(VM)), lab.primary.start_vm_initial_replication(
            VM, initial_replication_start_time=lab.sim.clock.utcnow() + timedelta(hours=1)))),
    "Primary/InitialReplicationInProgress": ("primary", lambda lab: (
        _wait(lab.enable(VM)), lab.primary.start_vm_initial_replication(VM), lab.sim.advance(1.0))),
    "Primary/Replicating": ("primary", _protected),
    "Primary/Replicating (off)": ("primary", lambda lab: _protected(lab, primary_off=True)),
    "Primary/Suspended": ("primary", lambda lab: (_protected(lab), lab.primary.suspend_vm_replication(VM))),
    "Primary/Error": ("primary", _error),
    "Primary/WaitingForStartResynchronize": ("primary", _resync_required),
    "Primary/Resynchronizing": ("primary", _resynchronizing),
    "Primary/ResynchronizeSuspended": ("primary", lambda lab: (
        _resynchronizing(lab), lab.primary.suspend_vm_replication(VM))),
    "Primary/PreparedForFailover": ("primary", lambda lab: (
        _protected(lab, primary_off=True), _wait(lab.primary.start_vm_failover(VM, prepare=True)))),
    "Replica/WaitingForInitialReplication": ("replica", lambda lab: _wait(lab.enable(VM))),
    "Replica/Replicating": ("replica", lambda lab: _protected(lab, primary_off=True)),
    "Replica/Replicating (test running)": ("replica", lambda lab: (
        _protected(lab, primary_off=True), _wait(lab.replica.start_vm_failover(VM, as_test=True)))),
    "Replica/Suspended": ("replica", lambda lab: (
        _protected(lab, primary_off=True), lab.replica.suspend_vm_replication(VM))),
    "Replica/Resynchronizing": ("replica", _resynchronizing),
    "Replica/FailedOverWaitingCompletion": ("replica", _failed_over),
    "Replica/FailedOver": ("replica", lambda lab: (_failed_over(lab), lab.replica.complete_vm_failover(VM))),
}

# -- the operations ------------------------------------------------------------------------------------------

OPERATIONS: dict[str, Callable[[ReplicaPair, HyperVHost], object]] = {
    "Enable-VMReplication": lambda lab, host: lab.enable(VM, host=host),
    "Start-VMInitialReplication": lambda lab, host: host.start_vm_initial_replication(VM),
    "Stop-VMInitialReplication": lambda lab, host: host.stop_vm_initial_replication(VM),
    "Suspend-VMReplication": lambda lab, host: host.suspend_vm_replication(VM),
    "Resume-VMReplication": lambda lab, host: host.resume_vm_replication(VM),
    "Resume-VMReplication -Resynchronize": lambda lab, host: host.resume_vm_replication(VM, resynchronize=True),
    "Stop-VMReplication": lambda lab, host: host.stop_vm_replication(VM),
    "Start-VMFailover -Prepare": lambda lab, host: host.start_vm_failover(VM, prepare=True),
    "Start-VMFailover": lambda lab, host: host.start_vm_failover(VM),
    "Start-VMFailover -AsTest": lambda lab, host: host.start_vm_failover(VM, as_test=True),
    "Stop-VMFailover": lambda lab, host: host.stop_vm_failover(VM),
    "Complete-VMFailover": lambda lab, host: host.complete_vm_failover(VM),
    "Set-VMReplication -Reverse": lambda lab, host: host.set_vm_replication(VM, reverse=True),
    "Remove-VMReplication": lambda lab, host: host.remove_vm_replication(VM),
    "Start-VM": lambda lab, host: host.start_vm(VM),
    "Measure-VMReplication": lambda lab, host: host.measure_vm_replication(VM),
    "Set-VMReplication -ReplicationFrequencySec 900": lambda lab, host: host.set_vm_replication(
        VM, replication_frequency_sec=900),
}

# -- the table (from the reference; anything not listed for an operation is ERR) --------------------------------

PRIMARY_ENABLED = [s for s in STATES if s.startswith("Primary/")]
REPLICA_ALL = [s for s in STATES if s.startswith("Replica/")]

TABLE: dict[str, dict[str, object]] = {
    # §2.1: enable a VM that is not replicated; §3.5: on a replica it would extend replication
    "Enable-VMReplication": {"None/Disabled": "Primary/ReadyForInitialReplication",
                             **{s: UNSUPPORTED for s in REPLICA_ALL}},
    # §2.2, §2.3 state 1 "IR not initiated" → 2 → 3 when done
    "Start-VMInitialReplication": {"Primary/ReadyForInitialReplication": "Primary/Replicating"},
    # §2.2: stop network IR (or a scheduled one): "the VM returns to pending"
    "Stop-VMInitialReplication": {"Primary/InitialReplicationInProgress": "Primary/ReadyForInitialReplication",
                                  "Primary/WaitingForInitialReplication": "Primary/ReadyForInitialReplication"},
    # §2.3 RequestedState 7 suspend, both sides; §2.6 "Pause stops [resync]"
    # (§3.2: a test failover "does not affect production or ongoing replication")
    "Suspend-VMReplication": {"Primary/Replicating": "Primary/Suspended",
                              "Primary/Replicating (off)": "Primary/Suspended",
                              "Primary/Resynchronizing": "Primary/ResynchronizeSuspended",
                              "Replica/Replicating": "Replica/Suspended",
                              "Replica/Replicating (test running)": "Replica/Suspended"},
    # §2.3 resumes from Paused, Error, Suspended; §2.6 "Resume continues from where it left off"
    "Resume-VMReplication": {"Primary/Suspended": "Primary/Replicating",
                             "Primary/Error": "Primary/Replicating",
                             "Primary/ResynchronizeSuspended": "Primary/Replicating",
                             "Replica/Suspended": "Replica/Replicating"},
    # §2.3 -Resynchronize from Resynchronization Required; §2.6 manual / forced (suspend, then resume)
    "Resume-VMReplication -Resynchronize": {
        "Primary/WaitingForStartResynchronize": "Primary/Replicating", "Primary/Suspended": "Primary/Replicating",
        "Primary/Error": "Primary/Replicating", "Primary/ResynchronizeSuspended": "Primary/Replicating"},
    # §2.3 "Stop-VMReplication cancels an ongoing resync"; §2.6 "keeps the VM in Resynchronization Required"
    "Stop-VMReplication": {"Primary/Resynchronizing": "Primary/WaitingForStartResynchronize",
                           "Primary/ResynchronizeSuspended": "Primary/WaitingForStartResynchronize"},
    # §3.3, §8: -Prepare requires the VM off and state 3 → 4; §2.6 not during resync
    "Start-VMFailover -Prepare": {"Primary/Replicating (off)": "Primary/PreparedForFailover"},
    # §3.4, §8: on the replica in state 3 → 5; §2.6 unplanned failover during resync is allowed
    "Start-VMFailover": {"Replica/Replicating": "Replica/FailedOverWaitingCompletion",
                         "Replica/Replicating (test running)": "Replica/FailedOverWaitingCompletion",
                         "Replica/Resynchronizing": "Replica/FailedOverWaitingCompletion"},
    # §3.2: the test VM is a new VM, replication goes on; one at a time; §2.6 not during resync
    "Start-VMFailover -AsTest": {"Replica/Replicating": "Replica/Replicating"},
    # §3.2 stops the test failover; §3.3 cancels a prepare; §3.4, §8 cancels failover 5 → 3
    "Stop-VMFailover": {"Replica/Replicating (test running)": "Replica/Replicating",
                        "Primary/PreparedForFailover": "Primary/Replicating",
                        "Replica/FailedOverWaitingCompletion": "Replica/Replicating"},
    # §3.4, §8: 5 → 6
    "Complete-VMFailover": {"Replica/FailedOverWaitingCompletion": "Replica/FailedOver"},
    # §3.3 step 4, §3.4 step 4: a failed-over replica becomes the primary (unplanned: IR again, policy)
    "Set-VMReplication -Reverse": {"Replica/FailedOverWaitingCompletion": "Primary/ReadyForInitialReplication",
                                   "Replica/FailedOver": "Primary/ReadyForInitialReplication"},
    # §2.1: removed on each side independently; the replica VM stays
    "Remove-VMReplication": {s: "None/Disabled" for s in PRIMARY_ENABLED + REPLICA_ALL},
    # §2.1 replica blocked from starting unless failover initiated; §2.3 state 4, §3.3 primary locked
    "Start-VM": {**{s: RUNS for s in PRIMARY_ENABLED if s != "Primary/PreparedForFailover"},
                 "None/Disabled": RUNS, "Replica/FailedOverWaitingCompletion": RUNS, "Replica/FailedOver": RUNS},
    # §2.7: statistics of any replicated VM, either side
    "Measure-VMReplication": {s: SAME for s in PRIMARY_ENABLED + REPLICA_ALL},
    # §2.1 "Set-VMReplication changes the same settings" — on the primary (policy SETTINGS_CHANGE_ON_PRIMARY)
    "Set-VMReplication -ReplicationFrequencySec 900": {s: SAME for s in PRIMARY_ENABLED},
}


def _where(lab: ReplicaPair) -> list[tuple[str, str, object, object, bool]]:
    out = []
    for host in (lab.primary, lab.replica):
        for vm in host.vms:
            rel = vm.replication
            out.append((host.name, vm.name, vm.state, None if rel is None else rel.state, rel is not None
                        and rel.test_vm is not None))
    return out


def _observed(host: HyperVHost) -> str:
    vm = host.get_vm(VM)
    return f"{vm.replication_mode.value}/{vm.replication.state.value if vm.replication else 'Disabled'}"


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("state", list(STATES))
def test_state_by_operation(make_pair: Callable[..., ReplicaPair], state: str, operation: str) -> None:
    role, reach = STATES[state]
    lab = _lab(make_pair)
    reach(lab)
    host = lab.primary if role == "primary" else lab.replica
    assert _observed(host) == state.split(" (")[0], f"could not reach {state}"
    expected = TABLE[operation].get(state, ERR)
    for other in (lab.primary, lab.replica):  # settle both sides, so a refusal has nothing to catch up
        if other.find_vm(VM) is not None and other.get_vm(VM).replication is not None:
            other.get_vm_replication(VM)
    before = _where(lab)
    try:
        result = OPERATIONS[operation](lab, host)
    except HyperVError as error:
        assert error.return_code == expected, f"{operation} in {state} refused with {error.return_code.name}: {error}"
        assert _where(lab) == before, "a refused operation changed state"
        return
    if isinstance(result, HyperVJob):
        _wait(result)
    assert expected not in (ERR, UNSUPPORTED), f"{operation} in {state} was accepted; the reference refuses it"
    if expected == RUNS:
        assert host.get_vm(VM).state is VMState.Running
    if expected in (RUNS, SAME):
        assert _observed(host) == state.split(" (")[0]
    else:
        assert _observed(host) == expected
