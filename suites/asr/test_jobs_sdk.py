"""The job engine through the SDK: LRO polls, failures with numeric codes, cancel / restart / resume."""

from __future__ import annotations

import json

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from asr_emulator import AsrService, HttpRequest
from asr_emulator.policy import JobTimings, Scenario, TaskTiming
from drlab.azure_transport import site_recovery_client
from simcore import Fail, FaultRule, Match

from .conftest import RG, h2012r2

MANUAL = Scenario("RecoveryPlanManualAction", "Manual action test", "RecoveryPlan",
                  (TaskTiming("PreActionTask", "Before the manual action", 5.0),))


def create(asr, vault, name, **kwargs):
    return asr.replication_policies.begin_create(
        RG, vault.name, name, {"properties": {"providerSpecificInput": h2012r2()}}, **kwargs)


def suspended_job(service, vault):
    backend = service.backend
    before = backend.step("PreActionTask", "Before the manual action", seconds=5.0)
    wait = backend.manual_action("ManualActionTask", "Approve")
    after = backend.step("PostActionTask", "After the manual action", seconds=5.0)
    return backend.start_job(vault, MANUAL, target_object_id="rp-1", target_object_name="plan1",
                             tasks=[before, wait, after])


def test_location_answers_202_while_the_job_runs(sim, vault):
    slow = AsrService(sim, timings=JobTimings({"AddProtectionProfileTask": 75}))
    slow.backend.vaults.add(vault)
    asr = site_recovery_client(slow)
    policy = create(asr, vault, "pol1").result()
    assert policy.name == "pol1"
    # azure-core follows Azure-AsyncOperation: polls the status at once, then every Retry-After (the
    # job ends at 75.5 s), then GETs the PUT's resource URL (§A.0.3); it never GETs the Location
    calls = [(e.time, e.op, e.details["status"]) for e in sim.history.select(op="arm.*", phase="ok")]
    assert calls == [(0.0, "arm.ReplicationPolicies_Create", 202), (0.0, "arm.OperationStatus_Get", 200),
                     (30.0, "arm.OperationStatus_Get", 200), (60.0, "arm.OperationStatus_Get", 200),
                     (90.0, "arm.OperationStatus_Get", 200), (90.0, "arm.ReplicationPolicies_Get", 200)]


def test_initial_answer_is_202_with_location_and_integer_retry_after(asr, vault):
    poller = create(asr, vault, "pol1", polling=False)
    response = poller.polling_method()._initial_response.http_response
    assert response.status_code == 202
    location = response.headers["Location"]
    job_name = location.split("/operationresults/")[1].split("?")[0]
    assert location.startswith("https://management.azure.com/Subscriptions/")
    assert f"/vaults/{vault.name}/replicationPolicies/pol1/operationresults/" in location
    assert location.endswith("?api-version=2025-08-01")
    assert response.headers["Retry-After"] == "30" and response.text() == ""
    assert response.headers["Azure-AsyncOperation"] == (
        f"https://management.azure.com/Subscriptions/{vault.subscription_id}/resourceGroups/{RG}/providers/"
        f"Microsoft.RecoveryServices/vaults/{vault.name}/replicationOperationStatus/{job_name}?api-version=2025-08-01")
    assert response.headers["x-ms-request-id"] == (
        f"/Subscriptions/{vault.subscription_id}/resourceGroups/{RG}/providers/"
        f"Microsoft.RecoveryServices/vaults/{vault.name}/replicationJobs/{job_name}")
    assert asr.replication_jobs.get(RG, vault.name, job_name).properties.scenario_name == "AddProtectionProfile"


def test_failed_job_fails_the_poll_with_its_numeric_code_and_can_be_restarted(asr, vault):
    create(asr, vault, "pol1").result()
    with pytest.raises(HttpResponseError) as caught:
        create(asr, vault, "pol1").result()
    # the status poll is 200 + {"status": "Failed", "error": {"code": "150261", ...}}; azure-core raises
    assert caught.value.status_code == 200 and caught.value.error.code == "150261"
    assert caught.value.error.message == "Replication policy creation failed."
    assert caught.value.response.headers.get("Retry-After") is None
    failed = next(iter(asr.replication_jobs.list(RG, vault.name)))
    props = failed.properties
    assert (props.state, props.state_description, props.allowed_actions) == ("Failed", "Failed", ["Restart"])
    (error,) = props.errors
    assert error.service_error_details.code == "150261" and "already exists" in error.service_error_details.possible_causes
    assert props.tasks[0].state == "Failed" and props.tasks[1].state == "NotStarted"
    assert error.task_id == props.tasks[0].task_id

    # the cause persists, so a restart fails again; once removed, a restart succeeds
    with pytest.raises(HttpResponseError):
        asr.replication_jobs.begin_cancel(RG, vault.name, failed.name).result()
    restarted = asr.replication_jobs.begin_restart(RG, vault.name, failed.name).result()
    assert restarted.name == failed.name and restarted.properties.state == "Failed"
    asr.replication_policies.begin_delete(RG, vault.name, "pol1").result()
    restarted = asr.replication_jobs.begin_restart(RG, vault.name, failed.name).result()
    assert restarted.properties.state == "Succeeded" and restarted.properties.errors == []
    assert asr.replication_policies.get(RG, vault.name, "pol1").name == "pol1"


def test_cancel_a_running_job_then_restart_it(asr, vault, sim):
    create(asr, vault, "pol1", polling=False)
    job = next(iter(asr.replication_jobs.list(RG, vault.name)))
    assert job.properties.allowed_actions == ["Cancel"] and job.properties.state == "InProgress"
    cancelled = asr.replication_jobs.begin_cancel(RG, vault.name, job.name).result()
    assert (cancelled.properties.state, cancelled.properties.allowed_actions) == ("Cancelled", ["Restart"])
    assert cancelled.properties.tasks[0].state == "Cancelled"
    sim.advance(60)
    assert "pol1" not in vault.policies  # the cancelled job never committed
    with pytest.raises(HttpResponseError) as caught:
        asr.replication_jobs.begin_resume(RG, vault.name, job.name, {"properties": {"comments": "go"}})
    assert caught.value.status_code == 400 and caught.value.error.code == "JobActionNotAllowed"
    assert asr.replication_jobs.begin_restart(RG, vault.name, job.name).result().properties.state == "Succeeded"
    assert "pol1" in vault.policies


def test_polling_a_cancelled_operation_fails(asr, service, vault):
    poller = create(asr, vault, "pol1", polling=False)
    location = poller.polling_method()._initial_response.http_response.headers["Location"]
    job_name = location.split("/operationresults/")[1].split("?")[0]
    asr.replication_jobs.begin_cancel(RG, vault.name, job_name).result()
    response = service.handle(HttpRequest("GET", location, {"Authorization": "Bearer t"}))
    assert response.status == 400 and json.loads(response.body)["error"]["code"] == "OperationCancelled"
    assert "Retry-After" not in response.headers


def test_resume_a_suspended_job(asr, service, vault, sim):
    job = suspended_job(service, vault)
    sim.advance(10)
    got = asr.replication_jobs.get(RG, vault.name, job.name).properties
    assert (got.state, got.state_description, got.allowed_actions) == ("Suspended", "WaitingForManualAction", ["Cancel", "Resume"])
    assert got.tasks[1].state == "Suspended" and got.tasks[1].allowed_actions == ["Resume"]
    with pytest.raises(HttpResponseError) as caught:
        asr.replication_jobs.begin_restart(RG, vault.name, job.name)
    assert caught.value.error.code == "JobActionNotAllowed"
    resumed = asr.replication_jobs.begin_resume(RG, vault.name, job.name, {"properties": {"comments": "approved"}}).result()
    assert resumed.properties.state == "Succeeded"
    assert resumed.properties.tasks[1].custom_details.get("observation") == "approved"
    with pytest.raises(HttpResponseError) as caught:
        asr.replication_jobs.begin_resume(RG, vault.name, job.name, {"properties": {"comments": "again"}})
    assert caught.value.error.code == "JobActionNotAllowed"


def test_cancel_a_suspended_job(asr, service, vault, sim):
    job = suspended_job(service, vault)
    sim.advance(10)
    cancelled = asr.replication_jobs.begin_cancel(RG, vault.name, job.name).result()
    assert cancelled.properties.state == "Cancelled" and cancelled.properties.tasks[1].state == "Cancelled"
    assert cancelled.properties.tasks[2].state == "NotStarted"


def test_injected_task_fault_fails_the_job_with_the_rule_code(asr, vault, sim):
    sim.faults.add(FaultRule(Fail("150299", "Injected provider failure."),
                             Match(point="asr.task", where={"task": "AddProtectionProfileTask"}), count=1))
    with pytest.raises(HttpResponseError) as caught:
        create(asr, vault, "pol1").result()
    assert caught.value.error.code == "150299"
    failed = next(iter(asr.replication_jobs.list(RG, vault.name)))
    assert failed.properties.tasks[0].state == "Succeeded" and failed.properties.tasks[1].state == "Failed"
    assert asr.replication_jobs.begin_restart(RG, vault.name, failed.name).result().properties.state == "Succeeded"


def test_job_changes_are_in_the_history(asr, vault, sim):
    create(asr, vault, "pol1").result()
    states = [(e.details["state"], e.details.get("task"), e.details.get("taskState")) for e in sim.history.select(op="job")]
    assert states == [
        ("InProgress", None, None),
        ("InProgress", "AddProtectionProfilePreflightsCheckTask", "InProgress"),
        ("InProgress", "AddProtectionProfilePreflightsCheckTask", "Succeeded"),
        ("InProgress", "AddProtectionProfileTask", "InProgress"),
        ("InProgress", "AddProtectionProfileTask", "Succeeded"),
        ("Succeeded", None, None),
    ]


def test_advance_on_poll_lets_a_zero_retry_after_client_finish(sim, vault):
    served = AsrService(sim, retry_after=0, advance_on_poll=120, timings=JobTimings({"AddProtectionProfileTask": 75}))
    served.backend.vaults.add(vault)
    asr = site_recovery_client(served, polling_interval=0)
    assert create(asr, vault, "pol1").result().name == "pol1"
    polls = sim.history.select(op="arm.OperationStatus_Get", phase="ok")
    assert [e.details["status"] for e in polls] == [200]
    assert sim.history.select(op="arm.OperationResults_Get") == []
    assert sim.clock.now == 75.5  # exactly to the job's end, not to the bound


def test_job_and_policy_shapes_match_the_upstream_examples(asr, vault):
    from asr_emulator.routing._generate import default_specs_path

    examples = default_specs_path().parent / "examples"
    job_example = json.loads((examples / "ReplicationJobs_Get.json").read_text())["responses"]["200"]["body"]
    create(asr, vault, "pol1").result()
    (job,) = asr.replication_jobs.list(RG, vault.name)
    ours = job.as_dict()
    assert set(job_example) <= set(ours) and set(job_example["properties"]) <= set(ours["properties"])
    assert set(job_example["properties"]["tasks"][0]) <= set(ours["properties"]["tasks"][0])
    assert ours["properties"]["tasks"][0]["taskType"] == job_example["properties"]["tasks"][0]["taskType"]
    policy_example = json.loads((examples / "ReplicationPolicies_Create.json").read_text())["responses"]["200"]["body"]
    policy = asr.replication_policies.get(RG, vault.name, "pol1").as_dict()
    assert set(policy) == set(policy_example) and set(policy["properties"]) == set(policy_example["properties"])


def test_reset_forgets_every_vault_and_pending_job(service, asr, vault, sim):
    create(asr, vault, "pol1", polling=False)
    service.reset()
    assert len(service.backend.vaults) == 0
    assert sim.scheduler.pending() == 0
    with pytest.raises(ResourceNotFoundError):
        asr.replication_jobs.list(RG, vault.name).next()
