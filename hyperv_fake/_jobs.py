"""Jobs: what a WMI method returns with 4096 ("job started") and PowerShell waits on (§1.5).

Replication operations that need the peer (enable, initial replication, prepare, resume, reverse)
finish when the network has carried their exchange: run the simulation until ``job.done``.
Operations that are purely local return a job that is already complete, so every replication
cmdlet returns the same shape. ``job.error`` is the ``HyperVError`` a failed job carries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._enums import JobState
from ._errors import HyperVError

if TYPE_CHECKING:
    from ._hostbase import HostBase

__all__ = ["HyperVJob"]


class HyperVJob:
    """One operation's job; ``done``/``succeeded``, ``result`` on success, ``error`` on failure."""

    def __init__(self, host: HostBase, name: str, vm_name: str | None) -> None:
        self.host = host
        self.id = host.fabric.sim.random.uuid("hyperv.jobs")
        self.name = name
        self.vm_name = vm_name
        self.job_state = JobState.Running
        self.result: object = None
        self.error: HyperVError | None = None

    @property
    def done(self) -> bool:
        return self.job_state in (JobState.Completed, JobState.Exception)

    @property
    def succeeded(self) -> bool:
        return self.job_state is JobState.Completed

    def complete(self, result: object = None) -> HyperVJob:
        if not self.done:
            self.result = result
            self.job_state = JobState.Completed
            self.host.record(f"hyperv.{self.name}", "ok", {"job": self.id, "vm": self.vm_name})
        return self

    def fail(self, error: HyperVError) -> HyperVJob:
        if not self.done:
            self.error = error
            self.job_state = JobState.Exception
            self.host.record(f"hyperv.{self.name}", "fail", {"job": self.id, "vm": self.vm_name, **error.describe()})
        return self

    def wait(self, within: float | None = None) -> HyperVJob:
        """Run the simulation until this job is done (test code only, never from a scheduled callback)."""
        self.host.fabric.sim.run_until(lambda: self.done, within=within)
        return self

    def __repr__(self) -> str:
        return f"<HyperVJob {self.name} {self.vm_name!r} {self.job_state.name}>"
