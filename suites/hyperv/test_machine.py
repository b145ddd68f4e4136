"""The shipped state machine, run as this suite's own test (hypothesis profile from conftest.py)."""

from hyperv_fake.testing import ReplicationMachine

TestReplicationMachine = ReplicationMachine.TestCase


def _run(*steps: tuple[str, dict]) -> ReplicationMachine:
    """A scripted run of the shipped machine: CI reaches its deepest checks every time."""
    machine = ReplicationMachine()
    for name, arguments in steps:
        getattr(machine, name)(**arguments)
        machine.replication_invariants()
    return machine


def test_scripted_planned_failover_and_failback_lose_nothing() -> None:
    machine = _run(("start", {"protected": True, "history": 3}), ("advance", {"seconds": 3600.0}),
                   ("planned_failover", {}), ("advance", {"seconds": 6 * 3600.0}), ("planned_failover", {}))
    planned = machine.sim.history.select(op="hyperv.replication.state", where=lambda e: e.details.get("planned"))
    assert [event.node for event in planned] == ["hv2", "hv1"]  # over and back, both checked by the rule
    assert machine.lab.primary.get_vm_replication("app").mode.value == "Primary"


def test_scripted_unplanned_failover_to_an_older_point() -> None:
    machine = _run(("start", {"protected": True, "history": 3}), ("advance", {"seconds": 4 * 3600.0}),
                   ("partition_or_heal", {}), ("advance", {"seconds": 299.0}), ("failover", {"pick": 2}),
                   ("complete_failover", {}), ("partition_or_heal", {}), ("stop_vm", {"role": "primary"}),
                   ("reverse", {}), ("start_initial_replication", {"role": "primary"}),
                   ("advance", {"seconds": 3600.0}))
    unplanned = machine.sim.history.select(op="hyperv.replication.state",
                                           where=lambda e: e.details.get("planned") is False)
    assert len(unplanned) == 1
    assert machine.lab.replica.get_vm_replication("app").state.value == "Replicating"  # hv2 is the primary now
    assert machine.lab.replica.get_vm_replication("app").mode.value == "Primary"


def test_scripted_test_failover_resync_and_refusals() -> None:
    machine = _run(("start", {"protected": True, "history": 0}), ("test_failover", {}), ("test_failover", {}),
                   ("stop_failover", {"role": "replica"}), ("stop_vm", {"role": "primary"}),
                   ("modify_vhd_offline", {}), ("resume", {"role": "primary", "resynchronize": True}),
                   ("enable", {"frequency": 30, "history": 2, "vss": 1}), ("advance", {"seconds": 3600.0}))
    refused = machine.sim.history.select(phase="fail", op="hyperv.*")
    assert {event.details["code"] for event in refused} == {32775}  # second test failover, enable twice
    assert machine.lab.primary.get_vm_replication("app").state.value == "Replicating"
