"""The tasks of a recovery plan's group actions (hyperv-scvmm.md §5.7; names policy
``PLAN_ACTION_TASK_NAMES``), each judged like a VM step: a failed action fails its group, so a planned
failover stops there and an unplanned one goes on (policy ``PLAN_PLANNED_STOPS_AFTER_GROUP``).

* A **manual action** suspends the plan job until ``Resume`` (``ManualActionTaskDetails {name,
  instructions, observation}``).
* A **script** (``ScriptActionDetails``) is work for the Provider of the VMM server on the fabric its
  ``fabricLocation`` names (policy ``PLAN_ACTION_LOCATION``): ``RunRecoveryPlanScript`` runs the script
  of the library path there, on the lab clock, by the documented rules; the report's output becomes the
  task's ``ScriptActionTaskDetails {name, path, output, isPrimarySideScript}``, and a failed script (or
  none at that path) fails the task with the Provider's error.
* A **runbook** (``AutomationRunbookActionDetails``) runs as its own job in the emulated Azure Automation
  account its ``runbookId`` names (``asr_emulator.automation``), given the recovery plan context
  (``plan_context``); the task's ``AutomationRunbookTaskDetails`` name the account, runbook, job and its
  output. Refused by a ``strict`` service (policy ``PLAN_RUNBOOKS_RUN``).

Cancelling the plan job withdraws a script's work (the Provider stops the script) and stops a runbook's job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..automation import AutomationJob
from ..catalogue import PLAN_RUNBOOK_FAILED, PLAN_RUNBOOK_NOT_FOUND, PLAN_RUNBOOK_NOT_SUPPORTED, PLAN_RUNBOOK_TIMED_OUT
from ..channel.work import Send, reported_failure, wait_for_work
from ..channel.workitems import WorkItem
from ..models.jobs import Job, JobFailure
from ..models.protection import ProtectedItem
from ..models.recovery_plans import PlanAction, RecoveryPlan
from ..models.tasks import ManualAction, Task, WaitForWork, Work
from ..models.vault import Vault
from ..policy import (
    PLAN_ACTION_TASK_NAMES, PLAN_RUNBOOK_TIMEOUT_SECONDS, PLAN_SCRIPT_WAIT_SECONDS, RUNBOOK_DIRECTIONS,
    RUNBOOK_FAILOVER_TYPES,
)
from . import sites

if TYPE_CHECKING:
    from ..channel.service import ChannelService

__all__ = ["ActionGroup", "action_task", "plan_context", "refuse_runbooks"]

RUNBOOK = "AutomationRunbookActionDetails"


@dataclass(frozen=True)
class ActionGroup:
    """Where an action runs: its plan job's operation and direction, its group's label and ``GroupId``,
    the group's items, and ``failed_over(item)``: whether that item's failover step succeeded yet."""

    service: ChannelService
    vault: Vault
    plan: RecoveryPlan
    operation: str
    direction: str
    label: str
    group_id: str
    items: Sequence[ProtectedItem]
    failed_over: Callable[[ProtectedItem], bool]


def refuse_runbooks(actions: Iterable[tuple[str, PlanAction]]) -> None:
    """What a ``strict`` service answers a plan holding a runbook action: 400, nothing stored."""
    for where, action in actions:
        if action.kind == RUNBOOK:
            raise PLAN_RUNBOOK_NOT_SUPPORTED.refusal(action=action.action_name, where=where, target=where)


def action_task(group: ActionGroup, action: PlanAction) -> Task:
    """The task that runs ``action`` in ``group``."""
    if action.kind == "ScriptActionDetails":
        return _script(group, action)
    if action.kind == RUNBOOK:
        return _runbook(group, action)
    backend = group.service.backend
    task = backend.manual_action(PLAN_ACTION_TASK_NAMES[action.kind], action.action_name,
                                 instructions=str(action.custom_details.get("description") or ""))
    task.custom_details = {"instanceType": "ManualActionTaskDetails", "name": action.action_name,
                           "instructions": task.instructions, "observation": None}
    return task


def _primary_side(action: PlanAction) -> bool:
    return action.custom_details.get("fabricLocation") == "Primary"


def _script(group: ActionGroup, action: PlanAction) -> WaitForWork:
    service, plan = group.service, group.plan
    fabric = plan.primary_fabric if _primary_side(action) else plan.recovery_fabric
    provider = sites.provider_for(service, group.vault, sites.fabric(service, group.vault, fabric))
    path = str(action.custom_details["path"])
    details: dict[str, Any] = {"instanceType": "ScriptActionTaskDetails", "name": action.action_name, "path": path,
                               "output": None, "isPrimarySideScript": _primary_side(action)}

    def sends() -> list[Send]:  # a fresh run id per run of the task (a restarted job runs the script anew)
        return [Send(provider, "RunRecoveryPlanScript", {"runId": service.backend.new_id(), "path": path})]

    def collect(items: Sequence[WorkItem]) -> None:
        result = items[0].result
        details["output"] = result.get("output")
        if result.get("error"):
            raise reported_failure(result["error"])

    task = wait_for_work(service, group.vault, task_id=service.backend.new_id(),
                         name=PLAN_ACTION_TASK_NAMES[action.kind], friendly_name=action.action_name, sends=sends,
                         collect=collect, timeout=PLAN_SCRIPT_WAIT_SECONDS)
    task.custom_details = details
    return task


def plan_context(group: ActionGroup) -> dict[str, Any]:
    """The recovery plan context a runbook receives (policy ``RUNBOOK_FAILOVER_TYPES``, which says how
    VMM-to-VMM fills it)."""
    vm_map: dict[str, Any] = {}
    for item in group.items:
        done = group.failed_over(item)
        target = item.recovery if group.direction == "PrimaryToRecovery" else item.primary
        vm_map[item.vmm_vm_id] = {"SubscriptionId": group.vault.subscription_id, "ResourceGroupName": "",
                                  "CloudServiceName": target.friendly_name if done else "",
                                  "RoleName": item.vm_name if done else "", "RecoveryPointId": ""}
    return {"RecoveryPlanName": group.plan.name, "FailoverType": RUNBOOK_FAILOVER_TYPES[group.operation],
            "FailoverDirection": RUNBOOK_DIRECTIONS[group.direction], "GroupId": group.group_id, "VmMap": vm_map}


@dataclass(eq=False)
class _RunbookRun:
    """What a runbook task waits on (``models.tasks.Work``): its automation job (None: no such runbook)."""

    job: AutomationJob | None

    @property
    def finished(self) -> bool:
        return self.job is None or self.job.ended

    def withdraw(self) -> None:
        """Its plan job stopped or timed out: stop the automation job, without a report."""
        if self.job is not None:
            self.job.on_end = None
            self.job.account.stop(self.job)


def _runbook(group: ActionGroup, action: PlanAction) -> WaitForWork:
    service, vault = group.service, group.vault
    runbook_id = str(action.custom_details.get("runbookId") or "")
    parts = [part for part in runbook_id.split("/") if part]
    details: dict[str, Any] = {
        "instanceType": "AutomationRunbookTaskDetails", "name": action.action_name, "cloudServiceName": None,
        "subscriptionId": parts[1] if len(parts) > 1 else None, "accountName": parts[7] if len(parts) > 7 else None,
        "runbookId": runbook_id, "runbookName": parts[-1] if parts else None, "jobId": None, "jobOutput": None,
        "isPrimarySideScript": _primary_side(action)}
    names = {"action": action.action_name, "runbook": details["runbookName"] or runbook_id}
    runs: list[_RunbookRun] = []

    def send(_job: Job, notify: Callable[[], None]) -> Sequence[Work]:
        automation = service.service.automation
        found = automation.resolve(runbook_id)
        if found is None or found[0].subscription_id.lower() != vault.subscription_id.lower():
            run = _RunbookRun(None)
        else:
            account, name = found
            run = _RunbookRun(account.start(name, plan_context(group), lambda _ended: notify()))
            details.update(jobId=run.job.id if run.job else None, accountName=account.name, runbookName=name)
        runs[:] = [run]
        return [run]

    def collect(_items: Sequence[Work]) -> None:
        job = runs[0].job
        if job is None:
            raise PLAN_RUNBOOK_NOT_FOUND.failure(**names)
        details["jobOutput"] = job.output
        if job.status != "Completed":
            raise PLAN_RUNBOOK_FAILED.failure(**names, job=job.id, status=job.status, cause=job.exception or "")

    def timed_out() -> JobFailure:
        job = runs[0].job if runs else None
        details["jobOutput"] = job.output if job else None
        return PLAN_RUNBOOK_TIMED_OUT.failure(**names, job=job.id if job else "", seconds=PLAN_RUNBOOK_TIMEOUT_SECONDS)

    return WaitForWork(task_id=service.backend.new_id(), name=PLAN_ACTION_TASK_NAMES[action.kind],
                       friendly_name=action.action_name, send=send, collect=collect,
                       timeout=PLAN_RUNBOOK_TIMEOUT_SECONDS, timed_out=timed_out, custom_details=details)
