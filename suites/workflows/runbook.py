"""The whole DR runbook of issue 9, as an automation author scripts it against the official SDK:
enable protection, wait for initial replication, test failover into the recovery network and its
cleanup, planned failover, commit, reverse replication, then an unplanned failover back to the
primary site moved to an older recovery point (ChangePit) and committed. ``run`` drives it through
any ``Runbook`` — in-process or over HTTPS — waiting with the caller's ``wait_until`` (virtual time in
process, the served lab's clock over a socket) and checks each step's job and item as recorded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .conftest import Runbook

#: Every job the runbook runs, oldest first: the recorded scenario names (asr-orchestration.md §A.3–A.4,
#: §B.2) and the policy ones (IR completion, ChangePit).
SCENARIOS = ["EnableDr", "PrimaryIrCompletion", "SecondaryIrCompletion", "TestFailover", "TestFailoverCleanup",
             "PlannedFailover", "CommitFailover", "ReverseReplication", "UnplannedFailover", "ApplyRecoveryPoint",
             "CommitFailover"]

Wait = Callable[[str, Callable[[], bool]], None]


def _body(direction: str, instance: str = "ProviderSpecificFailoverInput", **more: Any) -> dict[str, Any]:
    return {"properties": {"failoverDirection": direction, "providerSpecificDetails": {"instanceType": instance},
                           **more}}


def run(book: Runbook, wait_until: Wait, vm: str = "Gold-VM1") -> dict[str, Any]:
    """Run the runbook on ``vm``; what it saw at each step (states, the TFO's network status, the
    applied point), for the caller to compare across transports."""
    items, points = book.asr.replication_protected_items, book.asr.recovery_points
    book.create_policy()
    book.pair()
    book.map_poller().result()
    name = book.enable_poller(vm).result().name
    fabric, container = book.container("Gold")
    args = (book.rg, book.vault, fabric, container, name)

    def state() -> tuple[str, str]:
        p = items.get(*args).properties
        return p.protection_state, p.active_location

    seen: dict[str, Any] = {}
    wait_until("initial replication", lambda: state()[0] == "Protected")
    recovery_fabric, network = book.network("recovery", "Corp")
    network_id = f"{book.prefix()}/replicationFabrics/{recovery_fabric}/replicationNetworks/{network}"
    tested = items.begin_test_failover(*args, _body("PrimaryToRecovery", networkType="VmNetworkAsInput",
                                                    networkId=network_id)).result().properties
    (test_job,) = book.jobs("TestFailover")
    (test_vm,) = test_job.properties.custom_details.protected_item_details
    seen["test failover"] = (tested.test_failover_state, test_vm.network_connection_status,
                             test_vm.test_vm_friendly_name)
    items.begin_test_failover_cleanup(*args, {"properties": {"comments": "drill passed"}}).result()
    items.begin_planned_failover(*args, _body("PrimaryToRecovery")).result()
    seen["planned failover"] = state()
    items.begin_failover_commit(*args).result()
    seen["commit"] = state()
    items.begin_reprotect(*args, _body("RecoveryToPrimary", "ReverseReplicationProviderSpecificInput")).result()
    seen["reverse replication"] = state()
    wait_until("two recovery points at the primary site",
               lambda: len(list(points.list_by_replication_protected_items(*args))) >= 2)
    items.begin_unplanned_failover(*args, _body("RecoveryToPrimary", "UnplannedFailoverProviderSpecificInput",
                                                sourceSiteOperations="Required")).result()
    seen["unplanned failback"] = state()
    listed = list(points.list_by_replication_protected_items(*args))
    older = min(listed, key=lambda point: point.properties.recovery_point_time)
    applied = items.begin_apply_recovery_point(*args, {"properties": {
        "recoveryPointId": older.id, "providerSpecificDetails": {"instanceType": "HyperVReplica2012R2"}}}).result()
    seen["applied point"] = applied.properties.failover_recovery_point_id == older.id
    items.begin_failover_commit(*args).result()
    seen["commit of the failback"] = state()
    jobs = sorted((job.properties for job in book.asr.replication_jobs.list(book.rg, book.vault)
                   if job.properties.target_object_name == vm), key=lambda job: (job.start_time, job.scenario_name))
    seen["jobs"] = [(job.scenario_name, job.state) for job in jobs]
    return seen


#: What ``run`` sees, step by step, wherever it runs.
EXPECTED = {
    "test failover": ("TestFailoverCompleted", "Connected", "Gold-VM1 - Test"),
    "planned failover": ("PlannedFailoverCommitRequired", "Recovery"),
    "commit": ("PlannedFailoverStatesBegin", "Recovery"),
    "reverse replication": ("Protected", "Recovery"),
    "unplanned failback": ("UnplannedFailoverCommitPendingStatesBegin", "Primary"),
    "applied point": True,
    "commit of the failback": ("UnplannedFailoverStatesBegin", "Primary"),
    "jobs": [(scenario, "Succeeded") for scenario in SCENARIOS],
}
