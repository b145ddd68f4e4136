"""Repair replication (resync) through the official SDK (policies ``REPAIR_REPLICATION_SCENARIO`` and
``REPAIR_REPLICATION_STATES``): a primary whose disk was modified offline needs resynchronization
(hyperv-scvmm.md §2.6); the item then offers ``RepairReplication`` and shows the replication errors;
the repair job has the primary's VMM run ``Resume-VMReplication -Resynchronize`` and ends when the
replica is level again; the errors go. Not needed → 150205."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError

from drlab import Lab, Role
from hyperv_fake import ReplicationHealth, ReplicationState

from .conftest import Runbook

HEALTHY_OPERATIONS = ["PlannedFailover", "UnplannedFailover", "DisableProtection", "TestFailover"]


@pytest.fixture
def protected(runbook: Runbook) -> tuple[Runbook, str]:
    return runbook, runbook.protect("Gold-VM1")


def _primary(lab: Lab) -> tuple[Any, Any]:
    return next((host, vm) for host in lab.sites[Role.primary].hosts for vm in host.vms if vm.name == "Gold-VM1")


def _item(runbook: Runbook, name: str) -> Any:
    fabric, container = runbook.container("Gold")
    return runbook.asr.replication_protected_items.get(runbook.rg, runbook.vault, fabric, container, name)


def _repair(runbook: Runbook, name: str) -> Any:
    fabric, container = runbook.container("Gold")
    return runbook.asr.replication_protected_items.begin_repair_replication(
        runbook.rg, runbook.vault, fabric, container, name)


def _needs_resync(lab: Lab) -> None:
    """§2.6: "a VHD is modified while the VM is off" puts the primary in Resynchronization required."""
    host, vm = _primary(lab)
    host.stop_vm(vm.name)
    host.modify_vhd_offline(vm.name)
    host.start_vm(vm.name)
    assert vm.replication.state is ReplicationState.WaitingForStartResynchronize


def test_a_replication_needing_resync_is_repaired_and_its_health_errors_go(protected, lab: Lab) -> None:
    runbook, name = protected
    assert _item(runbook, name).properties.allowed_operations == HEALTHY_OPERATIONS
    _needs_resync(lab)
    lab.advance(120)  # the next poll reports it
    broken = _item(runbook, name).properties
    assert broken.allowed_operations == ["RepairReplication", *HEALTHY_OPERATIONS]
    assert broken.replication_health == "Critical"
    assert "67501" in {e.error_code for e in broken.health_errors}
    item = _repair(runbook, name).result()
    (job,) = runbook.jobs("RepairReplication")
    j = job.properties
    assert (j.friendly_name, j.state, j.target_object_name) == ("Repair replication", "Succeeded", "Gold-VM1")
    assert [(t.task_id, t.name, t.state) for t in j.tasks] == [
        ("RepairReplicationPreflightChecksTask", "VmRepairReplicationPrerequisitesCheck", "Succeeded"),
        ("ResynchronizeReplicationTask", "VmResynchronizeReplication", "Succeeded")]
    _, vm = _primary(lab)
    assert vm.replication.state is ReplicationState.Replicating  # from the host: resynchronized
    resynced = lab.history.select(op="vmm.replication.resynchronize")
    assert [event.details["from"] for event in resynced] == ["WaitingForStartResynchronize"]
    replica = next(v for host in lab.sites[Role.recovery].hosts for v in host.vms if v.name == "Gold-VM1")
    assert replica.replication.applied.is_prefix_of(vm.workload.image(lab.now))  # the VM writes on meanwhile
    assert item.properties.allowed_operations == HEALTHY_OPERATIONS
    lab.advance(3_600)  # a monitoring interval of healthy cycles
    host, _ = _primary(lab)
    assert host.measure_vm_replication(vm.name).health is ReplicationHealth.Normal
    healed = _item(runbook, name).properties
    assert healed.replication_health == "Normal"
    assert {e.error_code for e in healed.health_errors} <= {"161011"}  # only "no test failover" is left


def test_repair_when_replication_is_healthy_is_refused(protected) -> None:
    runbook, name = protected
    with pytest.raises(HttpResponseError) as info:
        _repair(runbook, name)
    assert (info.value.status_code, info.value.error.code) == (409, "150205")
    assert "RepairReplication" in info.value.message and runbook.jobs("RepairReplication") == []
