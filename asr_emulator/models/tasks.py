"""The tasks of a job as a tree: the kinds of step a workflow is written in (DESIGN.md §workflows).

A job's ``tasks`` are its top-level tasks, run one after another by ``engine.JobEngine``. Each is
one of: a ``Step`` that takes virtual time and then acts, a ``WaitForWork`` that sends work items
to Providers and waits for their reports (with a timeout), a ``ManualAction`` that suspends the job
until ``Resume``, a ``Skipped`` task, or a ``Group`` of tasks run in sequence or in parallel with a
join. States and their descriptions are the recorded ones (asr-orchestration.md §A.6): NotStarted,
InProgress, Succeeded/Completed, Failed, Cancelled, Suspended, Other/Skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .jobs import Job, JobError, JobFailure

__all__ = ["Work", "Task", "Step", "WaitForWork", "ManualAction", "Skipped", "Group", "walk", "FINISHED_STATES"]

#: States a task does not leave again in this run (a restart re-runs the others).
FINISHED_STATES = frozenset({"Succeeded", "Other"})


class Work(Protocol):
    """What a ``WaitForWork`` waits on: one work item sent to a Provider (``channel.workitems``)."""

    @property
    def finished(self) -> bool: ...

    def withdraw(self) -> None: ...


@dataclass(eq=False, kw_only=True)
class Task:
    """What every task has: its recorded identity, state, times, errors and ``customDetails``."""

    task_id: str
    name: str
    friendly_name: str
    state: str = "NotStarted"
    state_description: str = "NotStarted"
    start_time: float | None = None
    end_time: float | None = None
    errors: list[JobError] = field(default_factory=list)
    custom_details: dict[str, Any] | None = field(default_factory=lambda: {"instanceType": "TaskDetails"})

    @property
    def task_type(self) -> str:
        """``TaskDetails`` or ``GroupTaskDetails`` (whose children render as ``childTasks``)."""
        return "TaskDetails"

    @property
    def children(self) -> Sequence[Task]:
        return ()

    @property
    def group_task_details(self) -> dict[str, Any] | None:
        """``groupTaskCustomDetails`` without its ``childTasks`` (None: not a group)."""
        return {"instanceType": "GroupTaskDetails"} if self.task_type == "GroupTaskDetails" else None

    @property
    def allowed_actions(self) -> tuple[str, ...]:
        return ()

    def reset(self) -> None:
        """Back to NotStarted (a restart), unless it finished."""
        if self.state not in FINISHED_STATES:
            self.state = self.state_description = "NotStarted"
            self.start_time = self.end_time = None
            self.errors.clear()
        for child in self.children:
            child.reset()


@dataclass(eq=False, kw_only=True)
class Step(Task):
    """Takes ``seconds`` of virtual time, then runs ``action`` (which may raise ``JobFailure``);
    a non-None return value becomes the job's ``output``."""

    seconds: float
    action: Callable[[], Any] | None = None


@dataclass(eq=False, kw_only=True)
class WaitForWork(Task):
    """Sends work when it starts and completes when every item has been reported.

    ``send(job, notify)`` creates the items (calling ``notify`` whenever one of them is reported) and
    returns them; ``collect(items)`` judges the reports (raise ``JobFailure`` for a failed item) and
    may return the job's output; ``timed_out()`` is the failure after ``timeout`` virtual seconds,
    when the items still outstanding are withdrawn (they never run afterwards).
    """

    send: Callable[[Job, Callable[[], None]], Sequence[Work]]
    collect: Callable[[Sequence[Work]], Any]
    timeout: float
    timed_out: Callable[[], JobFailure]
    items: list[Work] = field(default_factory=list)


@dataclass(eq=False, kw_only=True)
class ManualAction(Task):
    """Suspends the job (``Suspended``, ``Resume`` allowed) until a client resumes it; the resume
    comments become the task's ``observation``."""

    waiting_description: str = "WaitingForManualAction"
    instructions: str = ""
    custom_details: dict[str, Any] | None = field(
        default_factory=lambda: {"instanceType": "ManualActionTaskDetails"})

    @property
    def allowed_actions(self) -> tuple[str, ...]:
        return ("Resume",) if self.state == "Suspended" else ()


@dataclass(eq=False, kw_only=True)
class Skipped(Task):
    """Ends at once as ``Other`` / ``Skipped``, its times unset; ``group``: rendered as an empty group
    (the recorded "Attach network (0)", §A.2.3)."""

    group: bool = False

    def __post_init__(self) -> None:
        if self.group:
            self.custom_details = None

    @property
    def task_type(self) -> str:
        return "GroupTaskDetails" if self.group else "TaskDetails"


@dataclass(eq=False, kw_only=True)
class Group(Task):
    """Child tasks in sequence, or all at once joined (``parallel``). A child's failure fails the
    group, unless ``continue_on_error``: then the rest still run and the group fails at the end."""

    tasks: list[Task]
    parallel: bool = False
    continue_on_error: bool = False
    custom_details: dict[str, Any] | None = None

    @property
    def task_type(self) -> str:
        return "GroupTaskDetails"

    @property
    def children(self) -> Sequence[Task]:
        return self.tasks


def walk(tasks: Sequence[Task]) -> Iterator[Task]:
    """Every task of a tree, parents before children, in order."""
    for task in tasks:
        yield task
        yield from walk(task.children)
