"""The job engine: runs each job's task tree on the lab's scheduler (``models.tasks``).

Time only moves through ``sim.scheduler``: a step that takes ``seconds`` finishes when the lab
clock reaches its end, whoever moves the clock. A job runs its top-level tasks in order; a
``Group`` runs its children in sequence or in parallel with a join. When a job fails, times out
or is cancelled, every timer of its run is cancelled and every work item it still waits on is
withdrawn, so **work of a stopped job never runs afterwards**. Resume, cancel and restart follow
the job's ``allowedActions`` (policy.ALLOWED_ACTIONS). A fault rule at point ``asr.task`` with a
``Fail`` action fails the step or wait it matches with the rule's code and message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from simcore import Fail, Simulation, Timer

from ..errors import JobActionNotAllowed
from .jobs import Job, JobError, JobFailure
from .tasks import FINISHED_STATES, Group, ManualAction, Skipped, Step, Task, WaitForWork, Work, walk

__all__ = ["JobEngine"]

Done = Callable[[bool], None]  # a task's continuation: True when it succeeded


@dataclass(eq=False)
class _Run:
    """One run of a job (a restart starts another): what to undo when it stops."""

    job: Job
    live: bool = True
    timers: list[Timer] = field(default_factory=list)
    waits: list[WaitForWork] = field(default_factory=list)
    suspended: tuple[ManualAction, Done] | None = None


class JobEngine:
    """Starts jobs and moves them through their states; ``on_change(job, task)`` hears every move."""

    def __init__(self, sim: Simulation, on_change: Callable[[Job, Task | None], None]) -> None:
        self._sim = sim
        self._on_change = on_change
        self._runs: dict[str, _Run] = {}

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self, job: Job) -> None:
        """Put ``job`` in progress at the current instant and begin its first task."""
        job.start_time = self._sim.clock.now
        self._go(job)

    def _go(self, job: Job) -> None:
        run = self._runs[job.name] = _Run(job)
        job.end_time = None
        self._set(job, "InProgress", "InProgress")
        self._sequence(run, job.tasks, 0, job.continue_on_error, lambda ok: self._finish_job(run, ok))

    def _finish_job(self, run: _Run, ok: bool) -> None:
        job = run.job
        self._stop(run)
        job.end_time = self._sim.clock.now
        if ok:
            self._set(job, "Succeeded", "Completed")
        else:
            self._set(job, "Failed", "Failed", next((t for t in walk(job.tasks) if t.state == "Failed"), None))

    def _stop(self, run: _Run) -> None:
        """End ``run``: cancel its timers, withdraw the work it waits on, forget it."""
        run.live = False
        for timer in run.timers:
            timer.cancel()
        run.timers.clear()
        for wait in run.waits:
            for item in wait.items:
                if not item.finished:
                    item.withdraw()
        run.waits.clear()
        run.suspended = None
        if self._runs.get(run.job.name) is run:
            del self._runs[run.job.name]

    # -- running tasks ------------------------------------------------------------------------

    def _begin(self, run: _Run, task: Task, done: Done) -> None:
        if task.state in FINISHED_STATES:  # finished before a restart
            done(True)
            return
        now = self._sim.clock.now
        if isinstance(task, Skipped):
            task.state, task.state_description = "Other", "Skipped"
            self._on_change(run.job, task)
            done(True)
            return
        task.start_time, task.end_time = now, None
        if isinstance(task, ManualAction):
            task.state = "Suspended"
            task.state_description = task.waiting_description
            run.suspended = (task, done)
            self._set(run.job, "Suspended", task.waiting_description, task)
            return
        task.state = task.state_description = "InProgress"
        self._on_change(run.job, task)
        if isinstance(task, Group):
            if task.parallel:
                self._parallel(run, task, done)
            else:
                self._sequence(run, task.tasks, 0, task.continue_on_error, self._closer(run, task, done))
        elif isinstance(task, Step):
            self._after(run, task.seconds, lambda: self._act(run, task, task.action, done), task)
        elif isinstance(task, WaitForWork):
            self._wait(run, task, done)
        else:
            raise TypeError(f"unknown task kind {type(task).__name__}")

    def _sequence(self, run: _Run, tasks: list[Task], index: int, keep_going: bool, done: Done, ok: bool = True) -> None:
        if not run.live:
            return
        if index == len(tasks) or (not ok and not keep_going):
            done(ok)
            return

        def next_one(child_ok: bool) -> None:
            self._sequence(run, tasks, index + 1, keep_going, done, ok and child_ok)

        self._begin(run, tasks[index], next_one)

    def _parallel(self, run: _Run, group: Group, done: Done) -> None:
        outcomes: list[bool] = []
        closer = self._closer(run, group, done)
        if not group.tasks:
            closer(True)
            return

        def joined(ok: bool) -> None:
            outcomes.append(ok)
            if run.live and len(outcomes) == len(group.tasks):
                closer(all(outcomes))

        for child in group.tasks:
            if not run.live:
                return
            self._begin(run, child, joined)

    def _closer(self, run: _Run, group: Group, done: Done) -> Done:
        """What ends a group: Succeeded when every child did, else Failed."""
        def close(ok: bool) -> None:
            if ok:
                self._succeed(run, group, done)
            else:
                group.end_time = self._sim.clock.now
                group.state = group.state_description = "Failed"
                self._on_change(run.job, group)
                done(False)
        return close

    def _wait(self, run: _Run, task: WaitForWork, done: Done) -> None:
        def reported() -> None:
            if run.live and task.state == "InProgress" and all(item.finished for item in task.items):
                timer.cancel()
                self._act(run, task, lambda: task.collect(task.items), done)

        def timed_out() -> None:
            for item in task.items:
                if not item.finished:
                    item.withdraw()
            self._fail(run, task, task.timed_out(), done)

        run.waits.append(task)
        timer = self._after(run, task.timeout, timed_out, task)
        task.items = list(task.send(run.job, reported))
        reported()

    def _after(self, run: _Run, seconds: float, then: Callable[[], None], task: Task) -> Timer:
        def fire() -> None:
            if run.live:
                then()
        timer = self._sim.scheduler.call_later(seconds, fire, label=f"asr job {run.job.name} {task.name}")
        run.timers.append(timer)
        return timer

    def _act(self, run: _Run, task: Task, action: Callable[[], object] | None, done: Done) -> None:
        job = run.job
        try:
            injected = self._sim.faults.check("asr.task", {
                "job": job.name, "scenario": job.scenario_name, "task": task.name, "target": job.target_object_name,
            })
            if isinstance(injected, Fail):
                raise JobFailure(injected.code, injected.message, "A fault was injected by the lab.",
                                 "Heal the fault and restart the job.")
            output = action() if action is not None else None
        except JobFailure as failure:
            self._fail(run, task, failure, done)
            return
        if output is not None:
            job.output = output
        self._succeed(run, task, done)

    def _succeed(self, run: _Run, task: Task, done: Done) -> None:
        task.end_time = self._sim.clock.now
        task.state, task.state_description = "Succeeded", "Completed"
        self._on_change(run.job, task)
        done(True)

    def _fail(self, run: _Run, task: Task, failure: JobFailure, done: Done) -> None:
        job = run.job
        now = self._sim.clock.now
        error = JobError(failure, job.activity_id, now, task.task_id)
        task.errors.append(error)
        job.errors.append(error)
        task.end_time = now
        task.state = task.state_description = "Failed"
        self._on_change(job, task)
        done(False)

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

    def cancel(self, job: Job, undo: Callable[[], list[Task]] | None = None) -> None:
        """Stop a running or suspended job at once: its unfinished started tasks become Cancelled and
        the work it waits on is withdrawn. The job is then Cancelled — or, with ``undo``, Cancelling
        while the tasks ``undo()`` builds (once the job's tasks read Cancelled) run, one after
        another whatever each one's outcome (their errors are the job's), and Cancelled after them."""
        self._require(job, "Cancel")
        run = self._runs.get(job.name)
        if run is not None:
            self._stop(run)
        now = self._sim.clock.now
        last: Task | None = None
        for task in walk(job.tasks):
            if task.state in ("InProgress", "Suspended"):
                task.end_time = now
                task.state = task.state_description = "Cancelled"
                last = task
        if undo is None:
            job.end_time = now
            self._set(job, "Cancelled", "Cancelled", last)
            return
        self._set(job, "Cancelling", "Cancelling", last)
        undoing = self._runs[job.name] = _Run(job)

        def undone(_ok: bool) -> None:
            self._stop(undoing)
            job.end_time, job.rolled_back = self._sim.clock.now, True
            self._set(job, "Cancelled", "Cancelled")
        self._sequence(undoing, undo(), 0, True, undone)

    def refuse_later(self, job: Job, seconds: float, failure: JobFailure) -> None:
        """Run ``job`` as the service runs an operation that conflicts with one in progress
        (asr-orchestration.md §A.4.5): in progress with every task ``NotStarted``, then after
        ``seconds`` ``Failed`` with ``failure`` (no task named) and every task ``Other``/``Skipped``."""
        job.start_time = self._sim.clock.now
        run = self._runs[job.name] = _Run(job)
        self._set(job, "InProgress", "InProgress")

        def give_up() -> None:
            if not run.live:
                return
            self._stop(run)
            now = self._sim.clock.now
            for task in walk(job.tasks):
                task.state, task.state_description = "Other", "Skipped"
            job.errors.append(JobError(failure, job.activity_id, now, ""))
            job.end_time = now
            self._set(job, "Failed", "Failed")
        run.timers.append(self._sim.scheduler.call_later(seconds, give_up, label=f"asr job {job.name} conflict"))

    def restart(self, job: Job) -> None:
        """Run a failed or cancelled job again from its first unfinished task (same job name)."""
        self._require(job, "Restart")
        for task in job.tasks:
            task.reset()
        job.errors.clear()
        self._go(job)

    def resume(self, job: Job, comments: str | None) -> None:
        """Let a suspended job go on: the waiting manual action completes (``comments`` kept as its
        observation)."""
        self._require(job, "Resume")
        run = self._runs[job.name]
        assert run.suspended is not None
        task, done = run.suspended
        run.suspended = None
        if comments is not None:
            task.custom_details = {**(task.custom_details or {}), "observation": comments}
        job.state = job.state_description = "InProgress"
        self._succeed(run, task, done)

    def forget(self, job: Job) -> None:
        """Drop a job's pending timers and withdraw its work (its vault is being deleted)."""
        run = self._runs.get(job.name)
        if run is not None:
            self._stop(run)

    def outstanding(self, job: Job) -> list[Work]:
        """The work items ``job`` still waits on (empty once it stopped)."""
        run = self._runs.get(job.name)
        if run is None:
            return []
        return [item for wait in run.waits for item in wait.items if not item.finished]
