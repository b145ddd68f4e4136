"""VMM jobs: every change a cmdlet makes runs as a job, recorded with its status changes.

Facts (§4, [D:VMM-GetSCJob] [D:VMM-RestartSCJob]): "every VMM change is a job"; ``Get-SCJob
[-Running|-All|-Newest <hours>|-ID]``; jobs are filtered on ``Status -eq "Failed"`` and
``"Canceled"``; ``Restart-SCJob`` restarts a failed or canceled job. The reference does not list
the full ``Status`` enum; the emulator uses ``Running``, ``Completed`` and ``Failed`` (policy
``JOB_STATUSES``), runs each job in zero virtual time (policy ``JOB_DURATION``) and names a job
after its cmdlet (policy ``JOB_NAMES``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from simcore import Fail, Phase, Simulation

from .errors import JobFailed, JobStateError, ObjectNotFound

__all__ = ["JobStatus", "Job", "JobRunner"]

T = TypeVar("T")

#: A plan validates a cmdlet's parameters against the current state and returns the commit that
#: applies it; the commit cannot fail. Re-running a plan re-validates (``Restart-SCJob``).
Plan = Callable[[], Callable[[], T]]


class JobStatus(str, Enum):
    """``Job.Status`` values the emulator reaches ("Running" and "Failed" from [D:VMM-GetSCJob])."""

    Running = "Running"
    Completed = "Completed"
    Failed = "Failed"


@dataclass(eq=False)
class Job:
    """``Microsoft.SystemCenter.VirtualMachineManager.Task`` as ``Get-SCJob`` returns it."""

    id: str
    name: str
    cmdlet_name: str
    status: JobStatus
    start_time: datetime
    end_time: datetime | None = None
    error_info: str = ""
    result_name: str = ""
    _plan: Plan[Any] | None = field(default=None, repr=False)

    @property
    def is_restartable(self) -> bool:
        return self.status is JobStatus.Failed


class JobRunner:
    """Creates, runs and restarts a server's jobs, with a fault point at ``vmm.job``."""

    def __init__(self, sim: Simulation, node: str, new_id: Callable[[], str]) -> None:
        self._sim = sim
        self._node = node
        self._new_id = new_id
        self.jobs: list[Job] = []

    def run(self, cmdlet: str, plan: Plan[T], commit: Callable[[], T]) -> T:
        """Start a job for ``commit`` (already validated by ``plan``) and run it to its end."""
        job = Job(self._new_id(), cmdlet, cmdlet, JobStatus.Running, self._sim.clock.utcnow(), _plan=plan)
        self.jobs.append(job)
        return self._execute(job, commit)

    def restart(self, job: Job) -> Any:
        """``Restart-SCJob``: validate the job's cmdlet again and run it once more, as the same job."""
        if not any(known is job for known in self.jobs):
            raise ObjectNotFound(f"job {getattr(job, 'id', job)!r} is not a job of VMM server {self._node!r}")
        if not job.is_restartable or job._plan is None:
            raise JobStateError(f"job {job.id} ({job.name}) is {job.status.value}; only a failed job restarts")
        commit = job._plan()
        job.status, job.end_time, job.error_info = JobStatus.Running, None, ""
        return self._execute(job, commit)

    def _execute(self, job: Job, commit: Callable[[], T]) -> T:
        self._record(job)
        action = self._sim.faults.check("vmm.job", {"node": self._node, "cmdlet": job.cmdlet_name, "job": job.id})
        if isinstance(action, Fail):
            self._finish(job, JobStatus.Failed, f"{action.code}: {action.message}")
            raise JobFailed(job, f"job {job.id} ({job.name}) failed: {job.error_info}")
        result = commit()
        job.result_name = str(getattr(result, "name", "") or "")
        self._finish(job, JobStatus.Completed)
        return result

    def _finish(self, job: Job, status: JobStatus, error_info: str = "") -> None:
        job.status, job.end_time, job.error_info = status, self._sim.clock.utcnow(), error_info
        self._record(job)

    def _record(self, job: Job) -> None:
        details: dict[str, Any] = {"job": job.id, "name": job.name, "status": job.status.value}
        if job.error_info:
            details["error"] = job.error_info
        self._sim.history.record(self._node, "vmm.job", Phase.INFO, details)
