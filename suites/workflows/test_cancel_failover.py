"""Cancelling a failover through the official SDK (policy ``FAILOVER_ROLLBACK_TASKS``): the job Cancel
of a planned or unplanned failover under way — before and after Hyper-V failed the replica over —
reads ``Cancelling`` while the sites roll it back, then ``Cancelled``; the hosts are as before the
failover (replica reverted and off, its addresses back in the pool, the primary replicating and
running), the item ``Protected`` with its allowed operations, and a later failover succeeds.
``failoverCancel`` is refused with 150205: no recorded VMM-to-VMM state allows ``CancelFailover``."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError

from drlab import Lab, Role
from hyperv_fake import ReplicationState, VMState

from .conftest import Runbook

HEALTHY_OPERATIONS = ["PlannedFailover", "UnplannedFailover", "DisableProtection", "TestFailover"]


@pytest.fixture
def protected(runbook: Runbook) -> tuple[Runbook, str]:
    return runbook, runbook.protect("Gold-VM1")


def _vm(lab: Lab, role: Role) -> Any:
    return next(vm for host in lab.sites[role].hosts for vm in host.vms if vm.name == "Gold-VM1")


def _granted(lab: Lab) -> set[str]:
    vmm = lab.recovery.vmm
    return {str(a.address) for pool in vmm.get_sc_static_ip_address_pool()
            for a in vmm.get_sc_ip_address(static_ip_address_pool=pool)}


def _start(runbook: Runbook, name: str, kind: str) -> None:
    fabric, container = runbook.container("Gold")
    items = runbook.asr.replication_protected_items
    properties: dict[str, Any] = {"failoverDirection": "PrimaryToRecovery"}
    if kind == "planned":
        items.begin_planned_failover(runbook.rg, runbook.vault, fabric, container, name, {"properties": properties},
                                     polling=False)
    else:
        properties["sourceSiteOperations"] = "Required" if kind == "unplanned" else "NotRequired"
        items.begin_unplanned_failover(runbook.rg, runbook.vault, fabric, container, name,
                                       {"properties": properties}, polling=False)


def _job(runbook: Runbook, kind: str) -> Any:
    (job,) = runbook.jobs("PlannedFailover" if kind == "planned" else "UnplannedFailover")
    return job


def _run_until_task(runbook: Runbook, lab: Lab, kind: str, task: str) -> Any:
    """Advance until ``task`` of the failover job is in progress (virtual time only)."""
    for _ in range(400):
        job = _job(runbook, kind)
        if any(t.name == task and t.state == "InProgress" for t in job.properties.tasks):
            return job
        lab.advance(1)
    raise AssertionError(f"{task} never ran")


def _item(runbook: Runbook, name: str) -> Any:
    fabric, container = runbook.container("Gold")
    return runbook.asr.replication_protected_items.get(runbook.rg, runbook.vault, fabric, container, name)


@pytest.mark.parametrize(("kind", "at", "failed_over"), [
    ("planned", "VmPrepareForFailover", False),  # the primary is shut down, Hyper-V has not failed over
    ("planned", "VmFoStartVmOnSecondary", True),  # Start-VMFailover done, the address injected
    ("unplanned", "VmFoStartVmOnSecondary", True),
])
def test_a_cancelled_failover_is_rolled_back_and_a_later_one_succeeds(protected, lab: Lab, kind: str, at: str,
                                                                     failed_over: bool) -> None:
    runbook, name = protected
    before = _granted(lab)
    _start(runbook, name, kind)
    job = _run_until_task(runbook, lab, kind, at)
    replica, primary = _vm(lab, Role.recovery), _vm(lab, Role.primary)
    assert primary.state is VMState.Off  # the job shut it down
    assert (replica.replication.state is ReplicationState.FailedOverWaitingCompletion) is failed_over
    jobs = runbook.asr.replication_jobs
    poller = jobs.begin_cancel(runbook.rg, runbook.vault, job.name, polling=False)
    cancelling = jobs.get(runbook.rg, runbook.vault, job.name).properties
    assert (cancelling.state, cancelling.state_description, cancelling.allowed_actions) == (
        "Cancelling", "Cancelling", [])
    assert _item(runbook, name).properties.allowed_operations == []  # still running on the item
    assert poller.status() != "Succeeded"
    lab.advance(300)
    done = jobs.get(runbook.rg, runbook.vault, job.name).properties
    assert (done.state, done.state_description, done.allowed_actions) == ("Cancelled", "Cancelled", [])
    assert [t.state for t in done.tasks if t.name == at] == ["Cancelled"]
    # the hosts: the replica reverted and off, its address returned; the primary replicating and running
    assert replica.replication.state is ReplicationState.Replicating and replica.state is VMState.Off
    assert all(adapter.failover.ipv4_address is None for adapter in replica.adapters)
    assert _granted(lab) == before
    assert primary.replication.state is ReplicationState.Replicating and primary.state is VMState.Running
    # the item: as before the failover
    p = _item(runbook, name).properties
    assert (p.protection_state, p.active_location, p.allowed_operations) == ("Protected", "Primary", HEALTHY_OPERATIONS)
    assert [nic.ip_configs[0].recovery_static_ip_address for nic in p.provider_specific_details.vm_nics] == [None]
    assert p.last_successful_failover_time is None
    # and a later failover succeeds, from the hosts' own state
    lab.advance(600)
    fabric, container = runbook.container("Gold")
    item = runbook.asr.replication_protected_items.begin_planned_failover(
        runbook.rg, runbook.vault, fabric, container, name,
        {"properties": {"failoverDirection": "PrimaryToRecovery"}}).result()
    assert item.properties.protection_state == "PlannedFailoverCommitRequired"
    assert replica.state is VMState.Running and primary.state is VMState.Off
    assert primary.workload.image(lab.now).is_prefix_of(replica.workload.image(lab.now))  # no write lost


def test_the_cancel_poller_waits_for_the_rollback(protected, lab: Lab) -> None:
    runbook, name = protected
    _start(runbook, name, "planned")
    job = _run_until_task(runbook, lab, "planned", "VmFoStartVmOnSecondary")
    started = lab.now
    cancelled = runbook.asr.replication_jobs.begin_cancel(runbook.rg, runbook.vault, job.name).result()
    assert cancelled.properties.state == "Cancelled" and lab.now > started  # virtual time ran the rollback
    assert _vm(lab, Role.recovery).replication.state is ReplicationState.Replicating
    rolled = lab.history.select(op="vmm.failover.cancelled")
    assert [(e.details.get("reverted"), e.details.get("prepareCancelled")) for e in rolled] == [
        (True, None), (None, True)]  # the recovery site first, then the primary
    with pytest.raises(HttpResponseError) as info:  # what was undone is not re-run from the middle
        runbook.asr.replication_jobs.begin_restart(runbook.rg, runbook.vault, job.name)
    assert info.value.status_code == 400


def test_an_unplanned_failover_without_source_side_operations_rolls_back_the_replica_only(protected, lab: Lab
                                                                                         ) -> None:
    from simcore import FaultRule, Match, Partition
    runbook, name = protected
    primaries = tuple(h.name for h in lab.sites[Role.primary].hosts)
    replicas = tuple(h.name for h in lab.sites[Role.recovery].hosts)
    cut = lab.faults.add(FaultRule(Partition(), Match(src=primaries, dst=replicas, bidirectional=True)))
    lab.advance(120)
    _start(runbook, name, "unplanned-without-source")
    job = _run_until_task(runbook, lab, "unplanned-without-source", "VmFoStartVmOnSecondary")
    runbook.asr.replication_jobs.begin_cancel(runbook.rg, runbook.vault, job.name).result()
    assert [e.details.get("side") for e in lab.history.select(op="vmm.failover.cancelled")] == [None]
    assert _vm(lab, Role.recovery).replication.state is ReplicationState.Replicating
    assert _vm(lab, Role.primary).state is VMState.Running  # never shut down
    lab.faults.heal(cut)
    lab.advance(600)  # replication goes on by itself once the sites reach each other again
    assert _vm(lab, Role.primary).replication.state is ReplicationState.Replicating
    p = _item(runbook, name).properties
    assert (p.protection_state, p.allowed_operations) == ("Protected", HEALTHY_OPERATIONS)
    assert [e.error_code for e in p.health_errors] == ["161011"]


@pytest.mark.parametrize("when", ["protected", "commit pending"])
def test_failover_cancel_is_refused_as_no_recorded_state_allows_it(protected, lab: Lab, when: str) -> None:
    runbook, name = protected
    fabric, container = runbook.container("Gold")
    items = runbook.asr.replication_protected_items
    if when == "commit pending":
        items.begin_planned_failover(runbook.rg, runbook.vault, fabric, container, name,
                                     {"properties": {"failoverDirection": "PrimaryToRecovery"}}).result()
    allowed = _item(runbook, name).properties.allowed_operations
    with pytest.raises(HttpResponseError) as info:
        items.begin_failover_cancel(runbook.rg, runbook.vault, fabric, container, name)
    assert (info.value.status_code, info.value.error.code) == (409, "150205")
    assert all(operation in info.value.response.text() for operation in allowed)  # named in possibleCauses
    assert runbook.jobs("CancelFailover") == []
