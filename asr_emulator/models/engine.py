"""The job engine: runs each job's tasks one after another on the lab's scheduler.

Time only moves through ``sim.scheduler``: a task that takes ``seconds`` finishes when the lab
clock reaches its end, whoever moves the clock (the in-process transport's ``sleep``, a test's
``sim.advance``, serve mode's ``advance_on_poll``). Resume, cancel and restart follow the job's
``allowedActions`` (policy.ALLOWED_ACTIONS). A fault rule at point ``asr.task`` with a ``Fail``
action fails the task it matches with the rule's code and message.
"""

from __future__ import annotations

from collections.abc import Callable

from simcore import Fail, Simulation, Timer

from ..errors import JobActionNotAllowed
from .jobs import Job, JobError, JobFailure, Task

__all__ = ["JobEngine"]


class JobEngine:
    """Starts jobs and moves them through their states; ``on_change(job, task)`` hears every move."""

    def __init__(self, sim: Simulation, on_change: Callable[[Job, Task | None], None]) -> None:
        self._sim = sim
        self._on_change = on_change
        self._timers: dict[str, Timer] = {}

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self, job: Job) -> None:
        """Put ``job`` in progress at the current instant and begin its first task."""
        job.start_time = self._sim.clock.now
        self._set(job, "InProgress", "InProgress")
        self._begin_next(job)

    def _begin_next(self, job: Job) -> None:
        task = job.current_task
        if task is None:
            job.end_time = self._sim.clock.now
            self._set(job, "Succeeded", "Completed")
            return
        task.start_time = self._sim.clock.now
        task.end_time = None
        if task.suspend is not None:
            task.state, task.state_description = "Suspended", task.suspend
            self._set(job, "Suspended", task.suspend, task)
            return
        task.state, task.state_description = "InProgress", "InProgress"
        self._on_change(job, task)
        self._timers[job.name] = self._sim.scheduler.call_later(
            task.seconds, self._finish_task, job, task, label=f"asr job {job.name} {task.name}")

    def _finish_task(self, job: Job, task: Task) -> None:
        self._timers.pop(job.name, None)
        try:
            injected = self._sim.faults.check("asr.task", {
                "job": job.name, "scenario": job.scenario_name, "task": task.name, "target": job.target_object_name,
            })
            if isinstance(injected, Fail):
                raise JobFailure(injected.code, injected.message, "A fault was injected by the lab.", "Heal the fault and restart the job.")
            output = task.action() if task.action is not None else None
        except JobFailure as failure:
            self._fail(job, task, failure)
            return
        if task.action is not None:
            job.output = output
        task.end_time = self._sim.clock.now
        task.state, task.state_description = "Succeeded", "Completed"
        self._on_change(job, task)
        self._begin_next(job)

    def _fail(self, job: Job, task: Task, failure: JobFailure) -> None:
        now = self._sim.clock.now
        error = JobError(failure, job.activity_id, now, task.task_id)
        task.errors.append(error)
        task.end_time = now
        task.state, task.state_description = "Failed", "Failed"
        job.errors.append(error)
        job.end_time = now
        self._set(job, "Failed", "Failed", task)

    def _set(self, job: Job, state: str, description: str, task: Task | None = None) -> None:
        job.state, job.state_description = state, description
        self._on_change(job, task)

    # -- actions a client may ask for ---------------------------------------------------------

    def _require(self, job: Job, action: str) -> None:
        if action not in job.allowed_actions:
            allowed = ", ".join(job.allowed_actions) or "none"
            raise JobActionNotAllowed(
                f"The job '{job.name}' is {job.state}: '{action}' is not allowed (allowed actions: {allowed}).",
                target="jobName")

    def cancel(self, job: Job) -> None:
        """Stop a running or suspended job at once: its current task and the job become Cancelled."""
        self._require(job, "Cancel")
        timer = self._timers.pop(job.name, None)
        if timer is not None:
            timer.cancel()
        task = job.current_task
        if task is not None:
            task.end_time = self._sim.clock.now
            task.state, task.state_description = "Cancelled", "Cancelled"
        job.end_time = self._sim.clock.now
        self._set(job, "Cancelled", "Cancelled", task)

    def restart(self, job: Job) -> None:
        """Run a failed or cancelled job again from its first unfinished task (same job name)."""
        self._require(job, "Restart")
        for task in job.tasks:
            if task.state != "Succeeded":
                task.state, task.state_description = "NotStarted", "NotStarted"
                task.start_time = task.end_time = None
                task.errors.clear()
        job.errors.clear()
        job.end_time = None
        self._set(job, "InProgress", "InProgress")
        self._begin_next(job)

    def resume(self, job: Job, comments: str | None) -> None:
        """Let a suspended job go on: the waiting task completes (``comments`` kept as its observation)."""
        self._require(job, "Resume")
        task = job.current_task
        assert task is not None and task.state == "Suspended"
        if comments is not None:
            task.custom_details = {**task.custom_details, "observation": comments}
        task.end_time = self._sim.clock.now
        task.state, task.state_description = "Succeeded", "Completed"
        self._set(job, "InProgress", "InProgress", task)
        self._begin_next(job)

    def finish_now(self, job: Job) -> None:
        """End the running task's wait at once (an outside event, e.g. a Provider's report, ended it);
        nothing happens if the job is not waiting on a timer (cancelled, suspended, done)."""
        timer = self._timers.pop(job.name, None)
        if timer is None:
            return
        timer.cancel()
        task = job.current_task
        assert task is not None
        self._finish_task(job, task)

    def forget(self, job: Job) -> None:
        """Drop a job's pending timer (its vault is being deleted)."""
        timer = self._timers.pop(job.name, None)
        if timer is not None:
            timer.cancel()
