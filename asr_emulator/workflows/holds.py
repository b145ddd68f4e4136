"""Holds: where a recovery plan's per-VM job waits for the plan (policy ``PLAN_HOLD_TASKS``).

A per-item workflow started by a plan gets hold tasks inserted before some of its recorded tasks
(``with_holds``); each hold task waits until the plan ``release``s it, and fails the VM's job when the
plan stops first (``abandon``) or after ``PLAN_HOLD_TIMEOUT_SECONDS``. The plan learns that a hold was
reached (the VM's job did everything before it) through ``on_reach``. Notifications cross from one job
to the other on the next scheduler turn, never inside the other job's step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from simcore import Simulation

from ..catalogue import PLAN_HOLD_EXPIRED, PLAN_STOPPED
from ..models.jobs import Job
from ..models.tasks import Task, WaitForWork, Work
from ..policy import PLAN_HOLD_TIMEOUT_SECONDS, TaskTiming

__all__ = ["Hold", "with_holds"]


@dataclass(eq=False)
class Hold:
    """One hold of one VM's job (``models.tasks.Work``: finished once released or given up)."""

    sim: Simulation
    vm: str
    plan_job: str
    timing: TaskTiming
    on_reach: Callable[[], None]
    reached: bool = False
    released: bool = False
    abandoned: bool = False
    _notify: Callable[[], None] | None = field(default=None, repr=False)

    @property
    def finished(self) -> bool:
        return self.released or self.abandoned

    def withdraw(self) -> None:
        """The VM's own job stopped (cancelled, timed out): nothing to wait for any more."""
        self.abandoned = True

    def release(self) -> None:
        """The plan lets the VM's job go on."""
        if not self.finished:
            self.released = True
            self._wake()

    def abandon(self) -> None:
        """The plan stopped before releasing the hold: the VM's job fails at it (``PLAN_STOPPED``)."""
        if not self.finished:
            self.abandoned = True
            self._wake()

    def rearm(self) -> None:
        """The plan job restarts: a hold it did not release holds again (its task runs anew)."""
        if not self.released:
            self.abandoned = self.reached = False

    def _wake(self) -> None:
        notify = self._notify
        if notify is not None:
            self.sim.scheduler.call_later(0.0, notify, label=f"plan hold {self.timing.name} {self.vm}")

    def task(self, task_id: str) -> WaitForWork:
        """The hold as a task of the VM's job."""
        def send(_job: Job, notify: Callable[[], None]) -> Sequence[Work]:
            self._notify, self.reached = notify, True
            self.sim.scheduler.call_later(0.0, self.on_reach, label=f"plan hold reached {self.vm}")
            return [self]

        def judge(_items: Sequence[Work]) -> None:
            if not self.released:
                raise PLAN_STOPPED.failure(vm=self.vm, job=self.plan_job)

        return WaitForWork(task_id=task_id, name=self.timing.name, friendly_name=self.timing.friendly_name, send=send,
                           collect=judge, timeout=PLAN_HOLD_TIMEOUT_SECONDS,
                           timed_out=lambda: PLAN_HOLD_EXPIRED.failure(vm=self.vm, seconds=PLAN_HOLD_TIMEOUT_SECONDS))


def with_holds(tasks: list[Task], holds: Mapping[str, Task] | None) -> list[Task]:
    """``tasks`` with ``holds[name]`` inserted before the task of each ``name`` (unchanged without holds)."""
    if not holds:
        return tasks
    out: list[Task] = []
    for task in tasks:
        if task.name in holds:
            out.append(holds[task.name])
        out.append(task)
    return out
