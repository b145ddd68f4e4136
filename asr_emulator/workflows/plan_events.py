"""The failover-ordering events a recovery-plan job records into the lab's history (DESIGN.md §Invariants,
"Failover ordering"): a fixed vocabulary, read by ``drlab.checkers.ordering``.

Every event is ``node "asr"``, phase ``info``, with details ``plan``, ``job`` and ``operation`` plus:

* ``plan.started`` (``groups``: the labels of the top-level groups it will run; ``actions``: the
  actions it will run, each ``{action, group, when}``; ``restart`` true when a stopped job was restarted,
  which runs again what did not succeed) / ``plan.finished`` (``state``): the plan job began / stopped;
* ``plan.group.started``: a top-level group began — ``group`` ("Shutdown", "Failover", "Group 1", …),
  ``groupType`` (Shutdown, Failover, Boot) and ``vms`` (its VM names);
* ``plan.vm.shutdown``, ``plan.vm.failedOver``, ``plan.vm.booted`` (and, for the other plan operations,
  ``plan.vm.cleanedUp``, ``plan.vm.committed``, ``plan.vm.reprotected``): a VM's step done — ``vm``, ``group``;
* ``plan.vm.failed``: a VM's step failed — ``vm``, ``group``, ``phase``, ``code``;
* ``plan.action.started`` / ``plan.action.finished``: a group action (manual, script or runbook) —
  ``action``, ``kind``, ``group``, ``when`` (start or end), and when finished ``state`` (Succeeded or
  Failed) and, if it failed, ``code``;
* ``plan.manual.waiting`` / ``plan.manual.resumed``: a manual action suspended the job / was resumed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simcore import Simulation

from ..models.backend import AsrBackend
from ..models.jobs import Job
from ..models.plan_tasks import PlanGroupTask, VmTask
from ..models.recovery_plans import PlanAction
from ..models.tasks import Task

__all__ = ["PlanRecorder", "PHASE_EVENTS", "EVENTS", "NODE"]

NODE = "asr"
#: The event of a VM step done, by the step's phase.
PHASE_EVENTS = {"shutdown": "plan.vm.shutdown", "failover": "plan.vm.failedOver", "boot": "plan.vm.booted",
                "cleanup": "plan.vm.cleanedUp", "commit": "plan.vm.committed", "reprotect": "plan.vm.reprotected"}
EVENTS = ("plan.started", "plan.group.started", *PHASE_EVENTS.values(), "plan.vm.failed", "plan.action.started",
          "plan.action.finished", "plan.manual.waiting", "plan.manual.resumed", "plan.finished")
_ENDED = ("Succeeded", "Failed", "Cancelled")


@dataclass
class PlanRecorder:
    """Knows what each task of one plan job stands for and records its moves."""

    sim: Simulation
    plan: str
    operation: str
    _groups: dict[Task, str] = field(default_factory=dict)
    _vms: dict[Task, str] = field(default_factory=dict)
    _actions: dict[Task, tuple[str, str, PlanAction]] = field(default_factory=dict)
    _job: str = ""
    _on_stop: Callable[[], None] | None = None
    _stopped: bool = False

    def group(self, task: PlanGroupTask, label: str) -> None:
        self._groups[task] = label

    def vm(self, task: VmTask, label: str) -> VmTask:
        self._vms[task] = label
        return task

    def action(self, task: Task, label: str, when: str, action: PlanAction) -> None:
        self._actions[task] = (label, when, action)

    def follow(self, backend: AsrBackend, job: Job, *, on_stop: Callable[[], None]) -> None:
        """Record from now on what ``job`` does; ``on_stop()`` once it stopped."""
        self._job, self._on_stop = job.name, on_stop
        self._record("plan.started", groups=list(self._groups.values()), actions=self._announced())
        backend.watch(job, self.moved)

    def restarted(self) -> None:
        """The job is restarted: ``plan.started`` again (``restart`` true), and its next stop is recorded."""
        self._stopped = False
        self._record("plan.started", groups=list(self._groups.values()), actions=self._announced(), restart=True)

    def _announced(self) -> list[dict[str, str]]:
        return [{"action": action.action_name, "group": label, "when": when}
                for label, when, action in self._actions.values()]

    def _record(self, op: str, **details: Any) -> None:
        self.sim.history.record(NODE, op, "info", {"plan": self.plan, "job": self._job, "operation": self.operation,
                                                   **details})

    def moved(self, job: Job, task: Task | None) -> None:
        if task is None or job.state in _ENDED:
            self._ended(job)
        if task is None:
            return
        if task in self._groups and task.state == "InProgress":
            assert isinstance(task, PlanGroupTask)
            self._record("plan.group.started", group=self._groups[task], groupType=task.group_type, vms=list(task.vms))
        elif task in self._vms and task.state in ("Succeeded", "Failed"):
            assert isinstance(task, VmTask)
            where = {"vm": task.vm, "group": self._vms[task]}
            if task.state == "Succeeded":
                self._record(PHASE_EVENTS[task.phase], **where)
            else:
                self._record("plan.vm.failed", **where, phase=task.phase,
                             code=task.errors[-1].failure.code if task.errors else "")
        elif task in self._actions:
            self._action(task)

    def _action(self, task: Task) -> None:
        label, when, action = self._actions[task]
        about = {"action": action.action_name, "kind": action.kind, "group": label, "when": when}
        if task.state == "Suspended":
            self._record("plan.action.started", **about)
            self._record("plan.manual.waiting", **about)
        elif task.state == "InProgress":
            self._record("plan.action.started", **about)
        elif task.state == "Succeeded" and action.kind == "ManualActionDetails":
            self._record("plan.manual.resumed", **about)
            self._record("plan.action.finished", **about, state=task.state)
        elif task.state in ("Succeeded", "Failed"):
            failed = {"code": task.errors[-1].failure.code} if task.state == "Failed" and task.errors else {}
            self._record("plan.action.finished", **about, state=task.state, **failed)

    def _ended(self, job: Job) -> None:
        if job.state in _ENDED and not self._stopped:
            self._stopped = True
            self._record("plan.finished", state=job.state)
            if self._on_stop is not None:
                self._on_stop()
