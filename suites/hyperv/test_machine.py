"""The shipped state machine, run as this suite's own test (hypothesis profile from conftest.py)."""

from collections import Counter

from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from drlab import machines
from hyperv_fake.testing import ReplicationMachine

TestReplicationMachine = machines.ReplicationMachine.TestCase  # under a soak run's time budget

CI_BUDGET = settings(parent=settings.get_profile("ci"), derandomize=True, database=None)
"""The CI profile's budget (25 runs of 20 steps), derandomized whichever profile is loaded."""


def test_random_runs_reach_every_kind_of_failover() -> None:
    """Within the CI budget the random machine itself — not only the scripted runs below — fails over
    successfully in every way, so that its data-loss checks run: planned (no write lost), unplanned to
    the latest and to an older point (only writes after the point lost) and test (the point held)."""
    reached: Counter[str] = Counter()

    class Counting(ReplicationMachine):
        def teardown(self) -> None:
            reached.update(self.failovers)

    run_state_machine_as_test(Counting, settings=CI_BUDGET)
    assert all(reached[kind] for kind in ReplicationMachine.FAILOVERS), reached


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
