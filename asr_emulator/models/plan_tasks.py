"""The task kinds of a recovery-plan job, in the recorded shape (asr-orchestration.md §B.3.3, an A2A
record; policy for VMM-to-VMM, ``policy.PLAN_SCENARIOS``).

* ``PlanGroupTask``: a group whose ``taskType`` is ``RecoveryPlanGroupTaskDetails`` (or
  ``RecoveryPlanShutdownGroupTaskDetails``), name ``Unknown``, and whose ``groupTaskCustomDetails`` carry
  ``name`` / ``groupId`` and ``rpGroupType`` (``Shutdown``, ``RpFailoverTask``, ``BootGroup``).
* ``VmTask``: a ``VirtualMachineTaskDetails`` task named ``Unknown`` with the VM's name as friendly name,
  whose ``customDetails.jobTask`` points at the VM's own job (``"{V}/replicationJobs/"`` and ``Unknown``
  names until that job exists).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .jobs import Job
from .tasks import Group, WaitForWork

__all__ = ["PlanGroupTask", "VmTask", "job_task_details"]


@dataclass(eq=False, kw_only=True)
class PlanGroupTask(Group):
    """A plan group; ``phase`` is what its VM tasks do (shutdown, failover, boot, ...)."""

    rp_group_type: str
    phase: str
    group_type: str  # the plan's groupType it stands for: Shutdown, Failover or Boot
    vms: tuple[str, ...] = ()
    shutdown: bool = False  # the top shutdown group: ``RecoveryPlanShutdownGroupTaskDetails``

    @property
    def task_type(self) -> str:
        return "RecoveryPlanShutdownGroupTaskDetails" if self.shutdown else "RecoveryPlanGroupTaskDetails"

    @property
    def group_task_details(self) -> dict[str, Any] | None:
        return {"instanceType": self.task_type, "name": self.task_id, "groupId": self.task_id,
                "rpGroupType": self.rp_group_type}


def job_task_details(vault_id: str, job: Job | None) -> dict[str, Any]:
    """``VirtualMachineTaskDetails`` naming ``job`` (or no job yet, as recorded before it starts)."""
    task: dict[str, Any] = {"jobId": f"{vault_id}/replicationJobs/", "jobFriendlyName": "Unknown",
                            "targetObjectId": "Unknown", "targetObjectName": "Unknown", "targetInstanceType": "Vm",
                            "jobScenarioName": "Unknown"}
    if job is not None:
        task.update(jobId=f"{vault_id}/replicationJobs/{job.name}", jobFriendlyName=job.friendly_name,
                    targetObjectId=job.target_object_id, targetObjectName=job.target_object_name,
                    jobScenarioName=job.scenario_name)
    return {"skippedReason": "None", "skippedReasonString": None, "jobTask": task,
            "instanceType": "VirtualMachineTaskDetails"}


@dataclass(eq=False, kw_only=True)
class VmTask(WaitForWork):
    """One VM's step of a plan group: it waits on the VM's own job (``workflows.plan_vms``)."""

    vm: str
    phase: str

    @property
    def task_type(self) -> str:
        return "VirtualMachineTaskDetails"
