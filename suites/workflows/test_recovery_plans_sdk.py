"""The recovery-plan resource through the official SDK (asr-api.md §8, asr-orchestration.md §A.5, §B.3):
the service's normalisation, the recorded shape, the create / update / delete jobs, actions stored as
given, and every refusal an ARM error with a code and nothing stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError

from drlab import Lab

from .conftest import Runbook
from .plans import VMS, manual, plan_lab, plans

__all__ = ["plan_lab", "plans"]

SCRIPT = {"actionName": "pre", "failoverTypes": ["PlannedFailover"], "failoverDirections": ["PrimaryToRecovery"],
          "customDetails": {"instanceType": "ScriptActionDetails", "path": "\\RPScripts\\pre.ps1",
                            "fabricLocation": "Recovery", "timeout": "PT10M"}}
RUNBOOK = {"actionName": "post", "failoverTypes": ["TestFailover"], "failoverDirections": ["PrimaryToRecovery"],
           "customDetails": {"instanceType": "AutomationRunbookActionDetails", "fabricLocation": "Primary",
                             "runbookId": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Automation/"
                                          "automationAccounts/a/runbooks/r"}}


def _raw(book: Runbook, lab: Lab, name: str) -> dict[str, Any]:
    """The plan's JSON as the wire carries it (not the SDK model's view)."""
    from asr_emulator.models.resources import KINDS
    from asr_emulator.wire.render import resource_json
    vault = lab.vault
    return json.loads(json.dumps(resource_json(vault, KINDS["recovery_plan"], (),
                                               vault.resources.get(KINDS["recovery_plan"], (), name))))


def test_a_plan_of_one_boot_group_reads_back_normalised_in_the_recorded_shape(plans: Runbook, plan_lab: Lab) -> None:
    plan = plans.create_plan("rp1", [plans.boot_group("Gold-VM1")])
    raw = _raw(plans, plan_lab, "rp1")
    assert list(raw) == ["id", "name", "type", "properties"]  # no location, no systemData (§B.3.1)
    assert (raw["id"], raw["name"], raw["type"]) == (
        f"{plans.prefix()}/replicationRecoveryPlans/rp1", "rp1", "Microsoft.RecoveryServices/vaults/replicationRecoveryPlans")
    p = raw["properties"]
    assert list(p) == ["friendlyName", "primaryFabricId", "primaryFabricFriendlyName", "recoveryFabricId",
                       "recoveryFabricFriendlyName", "failoverDeploymentModel", "replicationProviders",
                       "allowedOperations", "currentScenario", "currentScenarioStatus",
                       "currentScenarioStatusDescription", "groups", "providerSpecificDetails"]
    assert (p["friendlyName"], p["primaryFabricFriendlyName"], p["recoveryFabricFriendlyName"]) == (
        "rp1", "vmm-ny.contoso.com", "vmm-chi.contoso.com")
    assert (p["failoverDeploymentModel"], p["replicationProviders"]) == ("NotApplicable", ["HyperVReplica2012R2"])
    assert p["allowedOperations"] == ["PlannedFailover", "UnplannedFailover", "TestFailover"]
    assert (p["currentScenario"], p["currentScenarioStatus"], p["providerSpecificDetails"]) == (None, None, [])
    ids = plans.item_ids()
    assert p["groups"] == [
        {"groupType": "Shutdown", "replicationProtectedItems": [], "startGroupActions": [], "endGroupActions": []},
        {"groupType": "Failover", "replicationProtectedItems": [], "startGroupActions": [], "endGroupActions": []},
        {"groupType": "Boot", "replicationProtectedItems": [{"id": ids["Gold-VM1"][0], "virtualMachineId":
                                                            ids["Gold-VM1"][1]}],
         "startGroupActions": [], "endGroupActions": []}]
    assert plan.properties.groups[2].replication_protected_items[0].id == ids["Gold-VM1"][0]
    (job,) = plans.jobs("CreateRecoveryPlan")
    j = job.properties
    assert (j.friendly_name, j.state, j.target_instance_type, j.target_object_name) == (
        "Create a recovery plan", "Succeeded", "RecoveryPlan", "rp1")
    assert [t.name for t in j.tasks] == ["CreateRecoveryPlanTask"]
    assert set(j.custom_details.affected_object_details) == {
        "primaryVmmId", "primaryVmmName", "recoveryVmmId", "recoveryVmmName", "primaryFabricProviderId",
        "recoveryFabricProviderId"}


def test_groups_are_normalised_shutdown_failover_then_boot_groups_in_order_with_actions_as_given(
        plans: Runbook, plan_lab: Lab) -> None:
    groups = [plans.boot_group("Gold-VM2", start=[SCRIPT]), {"groupType": "Failover", "endGroupActions": [manual("check")]},
              plans.boot_group("Gold-VM1", end=[RUNBOOK]), plans.boot_group("Gold-VM3")]
    plans.create_plan("rp1", groups)
    got = _raw(plans, plan_lab, "rp1")["properties"]["groups"]
    assert [g["groupType"] for g in got] == ["Shutdown", "Failover", "Boot", "Boot", "Boot"]
    assert [[i["virtualMachineId"] for i in g["replicationProtectedItems"]] for g in got[2:]] == [
        [plans.item_ids()[vm][1]] for vm in ("Gold-VM2", "Gold-VM1", "Gold-VM3")]
    assert got[1]["endGroupActions"] == [manual("check")]
    assert (got[2]["startGroupActions"], got[3]["endGroupActions"]) == ([SCRIPT], [RUNBOOK])


def test_update_replaces_the_whole_group_list_with_the_recorded_job(plans: Runbook, plan_lab: Lab) -> None:
    plans.create_plan("rp1", [plans.boot_group("Gold-VM1")])
    body = {"properties": {"groups": [{"groupType": "Shutdown"}, {"groupType": "Failover"},
                                      plans.boot_group("Gold-VM1", "Gold-VM2"), plans.boot_group()]}}
    plans.asr.replication_recovery_plans.begin_update(plans.rg, plans.vault, "rp1", body).result()
    got = _raw(plans, plan_lab, "rp1")["properties"]["groups"]
    assert [len(g["replicationProtectedItems"]) for g in got] == [0, 0, 2, 0]
    (job,) = plans.jobs("UpdateRecoveryPlan")
    j = job.properties
    assert (j.friendly_name, j.state, j.target_instance_type) == ("Save a recovery plan", "Succeeded", "RecoveryPlan")
    assert [(t.name, t.friendly_name) for t in j.tasks] == [("SaveRecoveryPlanTask", "Save a recovery plan task")]


def test_delete_runs_the_recorded_job_and_the_plan_is_gone(plans: Runbook) -> None:
    plans.create_plan("rp1", [plans.boot_group("Gold-VM1")])
    plans.asr.replication_recovery_plans.begin_delete(plans.rg, plans.vault, "rp1").result()
    assert list(plans.asr.replication_recovery_plans.list(plans.rg, plans.vault)) == []
    (job,) = plans.jobs("DeleteRecoveryPlan")
    j = job.properties
    assert (j.friendly_name, [t.name for t in j.tasks]) == ("Delete a recovery plan", ["DeleteRecoveryPlanTask"])
    assert "recoveryVmmName" not in j.custom_details.affected_object_details  # as recorded (§B.3.2)


def test_list_and_get(plans: Runbook) -> None:
    plans.create_plan("rp1", [plans.boot_group("Gold-VM1")])
    plans.create_plan("rp2", [plans.boot_group("Gold-VM1")])  # a machine may be in several plans (§5.7)
    assert [p.name for p in plans.asr.replication_recovery_plans.list(plans.rg, plans.vault)] == ["rp1", "rp2"]
    assert plans.asr.replication_recovery_plans.get(plans.rg, plans.vault, "RP2").name == "rp2"


def _refused(book: Runbook, groups: list[dict[str, Any]], status: int, code: str, *, name: str = "rp1",
             body: dict[str, Any] | None = None) -> None:
    with pytest.raises(HttpResponseError) as info:
        book.asr.replication_recovery_plans.begin_create(book.rg, book.vault, name, body or book.plan_body(groups))
    assert (info.value.status_code, info.value.error.code) == (status, code), info.value.message
    assert list(book.asr.replication_recovery_plans.list(book.rg, book.vault)) == []
    assert book.jobs("CreateRecoveryPlan") == []


def _with_action(book: Runbook, **change: Any) -> list[dict[str, Any]]:
    action = {**manual("m"), **change}
    return [book.boot_group("Gold-VM1", start=[action])]


@pytest.mark.parametrize(("case", "status", "code"), [
    ("eight boot groups", 400, "150605"),
    ("item in two groups", 400, "150604"),
    ("unknown item", 400, "150602"),
    ("not an item id", 400, "InvalidParameter"),
    ("items in the failover group", 400, "InvalidParameter"),
    ("two shutdown groups", 400, "InvalidParameter"),
    ("unknown group type", 400, "InvalidParameter"),
    ("unknown action type", 400, "InvalidParameter"),
    ("invalid failoverTypes", 400, "InvalidParameter"),
    ("empty failoverTypes", 400, "InvalidParameter"),
    ("invalid failoverDirections", 400, "InvalidParameter"),
    ("script without a path", 400, "InvalidRequestContent"),
    ("script at a wrong location", 400, "InvalidParameter"),
    ("wrong virtualMachineId", 400, "InvalidParameter"),
])
def test_bad_plans_are_refused_with_a_code_and_nothing_stored(plans: Runbook, case: str, status: int,
                                                              code: str) -> None:
    ids = plans.item_ids()
    script = {**SCRIPT, "customDetails": {"instanceType": "ScriptActionDetails", "fabricLocation": "Recovery"}}
    groups = {
        "eight boot groups": [plans.boot_group() for _ in range(8)],
        "item in two groups": [plans.boot_group("Gold-VM1"), plans.boot_group("Gold-VM1")],
        "unknown item": [{"groupType": "Boot", "replicationProtectedItems": [
            {"id": ids["Gold-VM1"][0][:-4] + "0000"}]}],
        "not an item id": [{"groupType": "Boot", "replicationProtectedItems": [{"id": "/subscriptions/x"}]}],
        "items in the failover group": [{**plans.boot_group("Gold-VM1"), "groupType": "Failover"}],
        "two shutdown groups": [{"groupType": "Shutdown"}, {"groupType": "Shutdown"}],
        "unknown group type": [{"groupType": "Start"}],
        "unknown action type": _with_action(plans, customDetails={"instanceType": "WebhookActionDetails"}),
        "invalid failoverTypes": _with_action(plans, failoverTypes=["Commit"]),
        "empty failoverTypes": _with_action(plans, failoverTypes=[]),
        "invalid failoverDirections": _with_action(plans, failoverDirections=["PrimaryToSecondary"]),
        "script without a path": [plans.boot_group("Gold-VM1", start=[script])],
        "script at a wrong location": _with_action(plans, customDetails={**SCRIPT["customDetails"],
                                                                          "fabricLocation": "Azure"}),
        "wrong virtualMachineId": [{"groupType": "Boot", "replicationProtectedItems": [
            {"id": ids["Gold-VM1"][0], "virtualMachineId": ids["Gold-VM2"][1]}]}],
    }[case]
    _refused(plans, groups, status, code)


def test_more_than_100_items_are_refused(plans: Runbook) -> None:
    ids = plans.item_ids()
    many = [{"groupType": "Boot", "replicationProtectedItems": [{"id": ids[VMS[i % 4]][0]} for i in range(101)]}]
    _refused(plans, many, 400, "150606")


def test_an_item_not_yet_replicated_or_outside_the_plans_fabrics_is_refused(plans: Runbook) -> None:
    fabrics = f"{plans.prefix()}/replicationFabrics"
    same = plans.plan_body([plans.boot_group("Gold-VM1")])
    same["properties"]["recoveryFabricId"] = f"{fabrics}/{plans.fabric('primary')}"
    _refused(plans, [], 400, "150607", body=same)
    swapped = plans.plan_body([plans.boot_group("Gold-VM1")])
    swapped["properties"].update(primaryFabricId=f"{fabrics}/{plans.fabric('recovery')}",
                                 recoveryFabricId=f"{fabrics}/{plans.fabric('primary')}")
    _refused(plans, [], 400, "150603", body=swapped)
    unknown = plans.plan_body([])
    unknown["properties"]["primaryFabricId"] = f"{fabrics}/nope"
    _refused(plans, [], 400, "InvalidParameter", body=unknown)


def test_a_second_plan_of_the_same_name_and_an_update_of_a_missing_plan_are_refused(plans: Runbook) -> None:
    plans.create_plan("rp1", [plans.boot_group("Gold-VM1")])
    with pytest.raises(HttpResponseError) as info:
        plans.asr.replication_recovery_plans.begin_create(plans.rg, plans.vault, "RP1", plans.plan_body([]))
    assert (info.value.status_code, info.value.error.code) == (409, "150601")
    with pytest.raises(HttpResponseError) as info:
        plans.asr.replication_recovery_plans.begin_update(plans.rg, plans.vault, "nope", {"properties": {"groups": []}})
    assert info.value.status_code == 404
    with pytest.raises(HttpResponseError) as info:
        plans.asr.replication_recovery_plans.begin_update(plans.rg, plans.vault, "rp1", {"properties": {
            "groups": [plans.boot_group("Gold-VM1"), plans.boot_group("Gold-VM1")]}})
    assert info.value.error.code == "150604"
    assert plans.jobs("UpdateRecoveryPlan") == []
