"""What the recovery-plan suites share: a lab of four protected VMs and plan bodies as the SDK sends
them (asr-api.md §8, asr-orchestration.md §A.5.1)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from drlab import Lab

from .conftest import Runbook

VMS = ("Gold-VM1", "Gold-VM2", "Gold-VM3", "Gold-VM4")


@pytest.fixture
def plan_lab() -> Iterator[Lab]:
    with Lab(seed=11, vms_per_cloud=4) as built:
        yield built


def protect_all(lab: Lab, vms: Sequence[str] = VMS) -> Runbook:
    """Protect ``vms`` of Gold to Gold-Recovery and let initial replication end; the runbook."""
    book = Runbook.of(lab)
    book.create_policy()
    book.pair()
    book.map_poller().result()
    for vm in vms:
        book.enable_poller(vm).result()
    lab.advance(3_600)
    return book


@pytest.fixture
def plans(plan_lab: Lab) -> Runbook:
    """Every VM of Gold protected to Gold-Recovery with initial replication done."""
    return protect_all(plan_lab)


def item_ids(book: Runbook) -> dict[str, tuple[str, str]]:
    """VM name -> (RPI ARM id, RPI name) of the protected items of Gold."""
    fabric, container = book.container("Gold")
    return {item.properties.friendly_name: (item.id, item.name) for item in
            book.asr.replication_protected_items.list_by_replication_protection_containers(
                book.rg, book.vault, fabric, container)}


def plan_job(book: Runbook, scenario: str) -> Any:
    """The properties of the one plan job of ``scenario``."""
    (job,) = [j for j in book.jobs(scenario) if j.properties.target_instance_type == "RecoveryPlan"]
    return job.properties


def manual(name: str, types: Sequence[str] = ("TestFailover", "PlannedFailover", "UnplannedFailover"),
           directions: Sequence[str] = ("PrimaryToRecovery", "RecoveryToPrimary"), **details: Any) -> dict[str, Any]:
    """A manual action as the SDK sends it."""
    return {"actionName": name, "failoverTypes": list(types), "failoverDirections": list(directions),
            "customDetails": {"instanceType": "ManualActionDetails", "description": f"do {name}", **details}}


def script(name: str, path: str, *, location: str = "Recovery",
           types: Sequence[str] = ("TestFailover", "PlannedFailover", "UnplannedFailover")) -> dict[str, Any]:
    """A VMM script action as the SDK sends it (the script at ``path`` of the library share)."""
    return {"actionName": name, "failoverTypes": list(types), "failoverDirections": ["PrimaryToRecovery",
                                                                                    "RecoveryToPrimary"],
            "customDetails": {"instanceType": "ScriptActionDetails", "path": path, "fabricLocation": location}}


def runbook(name: str, runbook_id: str, *, location: str = "Recovery",
            types: Sequence[str] = ("TestFailover", "PlannedFailover", "UnplannedFailover")) -> dict[str, Any]:
    """An Azure Automation runbook action as the SDK sends it."""
    return {"actionName": name, "failoverTypes": list(types), "failoverDirections": ["PrimaryToRecovery",
                                                                                    "RecoveryToPrimary"],
            "customDetails": {"instanceType": "AutomationRunbookActionDetails", "runbookId": runbook_id,
                              "fabricLocation": location}}


def boot(book: Runbook, *vms: str, start: Sequence[dict[str, Any]] = (), end: Sequence[dict[str, Any]] = ()
         ) -> dict[str, Any]:
    ids = item_ids(book)
    return {"groupType": "Boot", "replicationProtectedItems": [
        {"id": ids[vm][0], "virtualMachineId": ids[vm][1]} for vm in vms],
        "startGroupActions": list(start), "endGroupActions": list(end)}


def plan_body(book: Runbook, groups: Sequence[dict[str, Any]]) -> dict[str, Any]:
    fabrics = f"{book.prefix()}/replicationFabrics"
    return {"properties": {"primaryFabricId": f"{fabrics}/{book.fabric('primary')}",
                           "recoveryFabricId": f"{fabrics}/{book.fabric('recovery')}",
                           "failoverDeploymentModel": "NotApplicable", "groups": list(groups)}}


def create(book: Runbook, name: str, groups: Sequence[dict[str, Any]]) -> Any:
    return book.asr.replication_recovery_plans.begin_create(book.rg, book.vault, name, plan_body(book, groups)).result()
