"""The job engine's task kinds (``models.tasks``): steps, groups in sequence and in parallel with a
join, waits for work with their timeout, manual actions, skipped tasks — and what a stopped job
does to the work it waited on (withdrawn, never run)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from asr_emulator import Group, JobFailure, Skipped, WaitForWork
from asr_emulator.policy import Scenario
from asr_emulator.wire.render import UNSET_TIME, job_json

SCENARIO = Scenario("TreeTest", "Tree test", "RecoveryPlan", ())


@dataclass
class FakeWork:
    finished: bool = False
    withdrawn: bool = False
    notify: Callable[[], None] | None = field(default=None, repr=False)

    def withdraw(self) -> None:
        self.withdrawn = self.finished = True

    def report(self) -> None:
        self.finished = True
        assert self.notify is not None
        self.notify()


def _wait(backend, items: list[FakeWork], *, timeout: float = 100.0, fail: bool = False) -> WaitForWork:
    def send(_job, notify):
        for item in items:
            item.notify = notify
        return items

    def collect(_items):
        if fail:
            raise JobFailure("70001", "the work failed")
        return "collected"

    return WaitForWork(task_id=backend.new_id(), name="WaitTask", friendly_name="Wait", send=send, collect=collect,
                       timeout=timeout, timed_out=lambda: JobFailure("150400", "timed out"))


def _start(service, vault, tasks):
    return service.backend.start_job(vault, SCENARIO, target_object_id="t", target_object_name="t", tasks=tasks)


def test_a_parallel_group_joins_all_its_children_and_steps_chain(service, vault, sim):
    b = service.backend
    group = Group(task_id=b.new_id(), name="Parallel", friendly_name="p", parallel=True,
                  tasks=[b.step("A", "a", seconds=10), b.step("B", "b", seconds=30)])
    after = b.step("After", "after", seconds=5)
    job = _start(service, vault, [group, after])
    sim.advance(29)
    assert [t.state for t in group.tasks] == ["Succeeded", "InProgress"] and after.state == "NotStarted"
    sim.advance(1)
    assert group.state == "Succeeded" and group.end_time == 30 and after.start_time == 30
    sim.advance(5)
    assert job.state == "Succeeded"
    rendered = job_json(vault, job, sim.clock)["properties"]["tasks"][0]
    assert rendered["taskType"] == "GroupTaskDetails" and rendered["customDetails"] is None
    assert [c["name"] for c in rendered["groupTaskCustomDetails"]["childTasks"]] == ["A", "B"]


def test_a_failing_child_fails_its_sequence_unless_it_continues_on_error(service, vault, sim):
    b = service.backend

    def boom():
        raise JobFailure("70002", "boom")

    stop = Group(task_id=b.new_id(), name="Stop", friendly_name="s",
                 tasks=[b.step("F", "f", seconds=1, action=boom), b.step("Never", "n", seconds=1)])
    job = _start(service, vault, [stop])
    sim.advance(5)
    assert job.state == "Failed" and stop.tasks[1].state == "NotStarted" and stop.state == "Failed"
    assert [e.failure.code for e in job.errors] == ["70002"]
    keep = Group(task_id=b.new_id(), name="Keep", friendly_name="k", continue_on_error=True,
                 tasks=[b.step("F", "f", seconds=1, action=boom), b.step("Still", "s", seconds=1)])
    job = _start(service, vault, [keep])
    sim.advance(5)
    assert job.state == "Failed" and keep.tasks[1].state == "Succeeded"


def test_a_wait_completes_when_every_item_reported_and_its_output_is_kept(service, vault, sim):
    items = [FakeWork(), FakeWork()]
    job = _start(service, vault, [_wait(service.backend, items)])
    items[0].report()
    assert job.state == "InProgress"
    items[1].report()
    assert job.state == "Succeeded" and job.output == "collected"


def test_a_timed_out_wait_withdraws_what_is_outstanding(service, vault, sim):
    items = [FakeWork(), FakeWork()]
    job = _start(service, vault, [_wait(service.backend, items, timeout=50)])
    items[0].report()
    sim.advance(50)
    assert job.state == "Failed" and job.errors[0].failure.code == "150400"
    assert [i.withdrawn for i in items] == [False, True]


def test_cancel_withdraws_the_work_and_cancels_the_started_tasks(service, vault, sim):
    items = [FakeWork()]
    wait = _wait(service.backend, items)
    job = _start(service, vault, [wait, service.backend.step("Later", "l", seconds=1)])
    service.backend.engine.cancel(job)
    assert job.state == "Cancelled" and wait.state == "Cancelled" and items[0].withdrawn
    assert service.backend.engine.outstanding(job) == [] and sim.scheduler.pending() == 0


def test_restart_runs_only_what_did_not_finish(service, vault, sim):
    b = service.backend
    runs: list[str] = []
    attempts = iter([True, False])

    def flaky():
        runs.append("flaky")
        if next(attempts):
            raise JobFailure("70003", "first time")

    first = b.step("First", "f", seconds=1, action=lambda: runs.append("first"))
    job = _start(service, vault, [first, b.step("Flaky", "x", seconds=1, action=flaky)])
    sim.advance(5)
    assert job.state == "Failed"
    b.engine.restart(job)
    sim.advance(5)
    assert job.state == "Succeeded" and runs == ["first", "flaky", "flaky"]


def test_a_manual_action_suspends_until_resumed_and_a_skipped_task_reads_as_recorded(service, vault, sim):
    b = service.backend
    manual = b.manual_action("ManualActionTask", "Approve", instructions="Check the DNS records")
    skipped = Skipped(task_id=b.new_id(), name="VmNetworksUpdateVMNicsTask", friendly_name="Attach network (0)",
                      group=True)
    job = _start(service, vault, [manual, skipped])
    sim.advance(3600)
    assert (job.state, job.state_description, job.allowed_actions) == ("Suspended", "WaitingForManualAction",
                                                                     ("Cancel", "Resume"))
    b.engine.resume(job, "done")
    assert job.state == "Succeeded" and manual.custom_details["observation"] == "done"
    rendered = job_json(vault, job, sim.clock)["properties"]["tasks"][1]
    assert (rendered["state"], rendered["stateDescription"], rendered["startTime"], rendered["endTime"]) == (
        "Other", "Skipped", UNSET_TIME, UNSET_TIME)
    assert rendered["groupTaskCustomDetails"] == {"instanceType": "GroupTaskDetails", "childTasks": []}


def test_job_properties_and_tasks_keep_the_recorded_key_order(service, vault, sim):
    job = _start(service, vault, [service.backend.step("A", "a", seconds=1.5)])
    running = job_json(vault, job, sim.clock)["properties"]
    assert "endTime" not in running and running["allowedActions"] == ["Cancel"]
    sim.advance(2)
    done = job_json(vault, job, sim.clock)["properties"]
    assert list(done) == ["activityId", "scenarioName", "friendlyName", "state", "stateDescription", "tasks", "errors",
                          "startTime", "endTime", "allowedActions", "targetObjectId", "targetObjectName",
                          "targetInstanceType", "customDetails"]
    assert list(done["tasks"][0]) == ["taskId", "name", "startTime", "endTime", "allowedActions", "friendlyName",
                                      "state", "stateDescription", "taskType", "customDetails",
                                      "groupTaskCustomDetails", "errors"]
    assert done["endTime"].endswith(":01Z") and done["tasks"][0]["endTime"].endswith(":01.5000000Z")


@pytest.mark.parametrize("bad", ["Cancel", "Resume"])
def test_actions_not_allowed_on_a_finished_job_are_refused(service, vault, sim, bad):
    from asr_emulator import JobActionNotAllowed
    job = _start(service, vault, [service.backend.step("A", "a", seconds=1)])
    sim.advance(2)
    with pytest.raises(JobActionNotAllowed):
        getattr(service.backend.engine, bad.lower())(job, *(["x"] if bad == "Resume" else []))
