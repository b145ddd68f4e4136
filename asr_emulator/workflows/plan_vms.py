"""The VMs of a running recovery-plan job: each runs its own per-item job (``workflows.failover``,
``workflows.test_failover``, ...), started by the plan and held at the plan's ordering points
(``holds``), and each plan group's VM task waits for that job to reach its next point.

A ``PlanVm`` with holds h1 … hn has n + 1 phases: phase 0 starts the VM's job and ends when it
reached h1; phase k releases hk and ends when it reached hk+1; the last phase releases hn and ends
with the job. A VM job that fails (or is cancelled) fails the phase waiting on it with
``catalogue.PLAN_VM_FAILED``, its own error named; a plan job that stops gives up every hold not
released, so no VM of a stopped plan goes on past where the plan was; a restarted plan job rearms them
and restarts the VMs' jobs (``resume``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..catalogue import PLAN_VM_FAILED
from ..models.backend import AsrBackend
from ..models.jobs import Job
from ..models.plan_tasks import VmTask, job_task_details
from ..models.protection import ProtectedItem
from ..models.tasks import Task, Work
from ..policy import PLAN_HOLD_TIMEOUT_SECONDS, TaskTiming
from .holds import Hold

__all__ = ["PlanVm"]

Start = Callable[[Mapping[str, Task]], Job]  # starts the VM's job with these hold tasks


@dataclass(eq=False)
class _Milestone:
    """What a VM task waits on (``models.tasks.Work``): the VM's job reaching hold ``index`` (or ending)."""

    vm: PlanVm
    index: int

    @property
    def finished(self) -> bool:
        job = self.vm.job
        holds = self.vm.holds
        return (self.index < len(holds) and holds[self.index].reached) or (job is not None and not job.running)

    def withdraw(self) -> None:
        self.vm.abandon()


@dataclass(eq=False)
class PlanVm:
    """One VM of a plan job. ``holds_before``: (recorded task name, hold task timing), in job order."""

    backend: AsrBackend
    vault_id: str
    item: ProtectedItem
    plan_job: str
    start: Start
    holds_before: Sequence[tuple[str, TaskTiming]]
    job: Job | None = None
    holds: list[Hold] = field(default_factory=list)
    _listeners: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.holds = [Hold(self.backend.sim, self.item.vm_name, self.plan_job, timing, self._changed)
                      for _, timing in self.holds_before]

    def named(self, plan_job: str) -> None:
        """The plan job now exists: its name is what the holds' errors name."""
        self.plan_job = plan_job
        for hold in self.holds:
            hold.plan_job = plan_job

    def _changed(self) -> None:
        for notify in list(self._listeners):
            notify()

    def _job_moved(self, _job: Job, _task: Task | None) -> None:
        self.backend.sim.scheduler.call_later(0.0, self._changed, label=f"plan vm {self.item.vm_name}")

    def abandon(self) -> None:
        """The plan stopped: every hold not released fails the VM's job there."""
        for hold in self.holds:
            hold.abandon()

    def resume(self) -> None:
        """The stopped plan job is restarted: every hold not released holds again, and the VM's job, if
        it failed or was cancelled, is restarted from where it stopped (policy ``PLAN_RESTART``)."""
        for hold in self.holds:
            hold.rearm()
        job = self.job
        if job is not None and "Restart" in job.allowed_actions:
            self.backend.engine.restart(job)

    def task(self, phase: str, index: int) -> VmTask:
        """The VM's task of phase ``index`` (named ``phase`` for the plan's ordering events)."""
        def send(_plan_job: Job, notify: Callable[[], None]) -> Sequence[Work]:
            self._listeners.append(notify)
            if index == 0:
                holds = {name: hold.task(self.backend.new_id()) for (name, _), hold in zip(self.holds_before, self.holds)}
                self.job = self.start(holds)
                self.backend.watch(self.job, self._job_moved)
            else:
                self.holds[index - 1].release()
            vm_task.custom_details = job_task_details(self.vault_id, self.job)
            return [_Milestone(self, index)]

        def judge(_items: Sequence[Work]) -> None:
            job = self.job
            assert job is not None
            if index < len(self.holds) and self.holds[index].reached and job.running:
                return
            if job.state != "Succeeded" or index < len(self.holds):
                cause = job.errors[-1].failure.message if job.errors else f"it ended {job.state}"
                raise PLAN_VM_FAILED.failure(vm=self.item.vm_name, job=job.name, cause=cause)

        vm_task = VmTask(task_id=self.backend.new_id(), name="Unknown", friendly_name=self.item.vm_name, send=send,
                         collect=judge, timeout=PLAN_HOLD_TIMEOUT_SECONDS, vm=self.item.vm_name, phase=phase,
                         timed_out=lambda: PLAN_VM_FAILED.failure(vm=self.item.vm_name, job="", cause="no end in time"),
                         custom_details=job_task_details(self.vault_id, None))
        return vm_task
