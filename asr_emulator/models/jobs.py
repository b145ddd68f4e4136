"""ASR jobs: the states, descriptions, allowed actions and errors the service writes.

A job's tasks are a tree (``tasks``) run on the lab clock by ``engine.JobEngine``. States are
the real enum (asr-api.md §9): NotStarted, InProgress, Succeeded, Failed, Cancelled, Suspended,
Other. Errors have the real ``JobErrorDetails`` shape: ``serviceErrorDetails`` and, when the
Provider reported one, ``providerErrorDetails`` with an integer ``errorCode``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..policy import ALLOWED_ACTIONS, ROLLED_BACK_NOT_RESTARTABLE

if TYPE_CHECKING:
    from .tasks import Task

__all__ = [
    "JOB_STATES", "RUNNING_STATES", "ProviderError", "JobFailure", "JobError", "Job",
]

JOB_STATES = ("NotStarted", "InProgress", "Succeeded", "Failed", "Cancelled", "Suspended", "Other")
#: States in which an operation's poll still answers 202 (``Cancelling``: a cancelled job rolling back).
RUNNING_STATES = frozenset({"NotStarted", "InProgress", "Cancelling"})


@dataclass(frozen=True)
class ProviderError:
    """``providerErrorDetails``: what the ASR Provider on a VMM server reported (integer code)."""

    error_code: int
    error_message: str
    error_id: str = ""
    possible_causes: str = ""
    recommended_action: str = ""


class JobFailure(Exception):
    """Raised by a task's action: the task and its job fail with this service error."""

    def __init__(
        self,
        code: str,
        message: str,
        possible_causes: str = "",
        recommended_action: str = "",
        provider_error: ProviderError | None = None,
    ) -> None:
        super().__init__(f"({code}) {message}")
        self.code = code
        self.message = message
        self.possible_causes = possible_causes
        self.recommended_action = recommended_action
        self.provider_error = provider_error


@dataclass(frozen=True)
class JobError:
    """One ``JobErrorDetails`` entry, kept on the job and on the task that failed."""

    failure: JobFailure
    activity_id: str
    creation_time: float
    task_id: str
    error_level: str = "Error"


@dataclass(eq=False)
class Job:
    """A ``replicationJobs/{name}`` resource; mutated only by ``JobEngine``."""

    name: str
    scenario_name: str
    friendly_name: str
    target_instance_type: str
    target_object_id: str
    target_object_name: str
    activity_id: str
    tasks: list[Task]
    custom_details: dict[str, Any] = field(default_factory=lambda: {"instanceType": "AsrJobDetails", "affectedObjectDetails": {}})
    fabric_id: str | None = None
    state: str = "NotStarted"
    state_description: str = "NotStarted"
    start_time: float | None = None
    end_time: float | None = None
    errors: list[JobError] = field(default_factory=list)
    output: Any = None
    sequence: int = 0  # creation order within the vault: the list order's tie-breaker
    rolled_back: bool = False  # cancelled, and what its steps did was undone (``JobEngine.cancel``)
    #: run every top-level task whatever the earlier ones' outcome, failing at the end (an unplanned
    #: recovery-plan failover runs to completion, hyperv-scvmm.md §5.6)
    continue_on_error: bool = False

    @property
    def allowed_actions(self) -> tuple[str, ...]:
        allowed = ALLOWED_ACTIONS.get(self.state, ())
        if self.rolled_back and ROLLED_BACK_NOT_RESTARTABLE:
            return tuple(action for action in allowed if action != "Restart")
        return allowed

    @property
    def running(self) -> bool:
        return self.state in RUNNING_STATES

    @property
    def underway(self) -> bool:
        """Not ended: running or suspended (what keeps its item or plan busy)."""
        return self.state in RUNNING_STATES or self.state == "Suspended"
