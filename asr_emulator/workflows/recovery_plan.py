"""Running a recovery plan: test failover and its cleanup, planned and unplanned failover, commit and
reverse replication, as one plan job over the items' own jobs (hyperv-scvmm.md §5.7, asr-orchestration.md
§B.3.3; the tree is policy ``PLAN_SCENARIOS``).

A failover kind runs: the prerequisites; the Shutdown group — every VM's job started, each shutting its
VM down and sending its last changes, held before "Start failover" (planned, and unplanned with
source-side operations; else ``Skipped``); the parallel failover of every VM, each held before it is
started; the Boot groups in order, all VMs of a group started in parallel; the end task. Group k + 1
starts only once every VM of group k booted. Each group's start actions run before it and its end
actions after it, one after another (``plan_actions``: manual actions suspend the plan job until
``Resume``, scripts run on a VMM server, runbooks in an Automation account). A planned failover stops after
the group where a VM or an action failed; an unplanned one runs everything (policy
``PLAN_PLANNED_STOPS_AFTER_GROUP``). Cleanup, commit and reverse replication run the items' jobs in one
parallel group. Every step records an ordering event (``plan_events``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..models.inmage_item import InMageItem
from ..models.jobs import Job
from ..models.mappings import NetworkRef
from ..models.plan_tasks import PlanGroupTask
from ..models.protection import ProtectedItem
from ..models.recovery_plans import PlanAction, RecoveryPlan
from ..models.resources import KINDS
from ..models.tasks import Skipped, Task
from ..models.vault import Vault
from ..policy import (
    INMAGE_DEFAULT_RECOVERY_POINT,
    PLAN_END, PLAN_HOLD_TASKS, PLAN_PREREQUISITES, PLAN_SCENARIOS, PLANNED_FAILOVER_SCENARIO, TEST_FAILOVER_SCENARIO,
    UNPLANNED_FAILOVER_SCENARIO,
)
from ..wire.render import asr_prefix
from . import failover, test_failover
from .inmage import failover as inmage
from .plan_actions import ActionGroup, action_task
from .plan_events import PlanRecorder
from .plan_resource import plan_affected_objects
from .plan_vms import PlanVm, Start

if TYPE_CHECKING:
    from ..channel.service import ChannelService

__all__ = ["PlanRun", "FAILOVER_KINDS", "start_plan_job", "restart_job"]

FAILOVER_KINDS = ("PlannedFailover", "UnplannedFailover", "TestFailover")
_SINGLE_PHASE = {"TestFailoverCleanup": "cleanup", "Commit": "commit", "ReverseReplicate": "reprotect"}


@dataclass(frozen=True)
class PlanRun:
    """What a plan operation asks for."""

    operation: str  # a policy.PLAN_OPERATIONS name
    direction: str
    source_side: bool = True
    network: NetworkRef | None = None
    comments: str = ""
    inmage_point: str = INMAGE_DEFAULT_RECOVERY_POINT  # RecoveryPlanInMageFailoverInput.recoveryPointType

    @property
    def shuts_down(self) -> bool:
        return self.operation == "PlannedFailover" or (self.operation == "UnplannedFailover" and self.source_side)


def _starter(service: ChannelService, vault: Vault, item: ProtectedItem, run: PlanRun) -> Start:
    """How the plan starts ``item``'s own job for ``run`` (holds given by the plan)."""
    if isinstance(item, InMageItem):
        return _inmage_starter(service, vault, item, run)
    if run.operation == "PlannedFailover":
        return lambda holds: failover.start_planned_failover(service, vault, item, holds=holds)
    if run.operation == "UnplannedFailover":
        return lambda holds: failover.start_unplanned_failover(service, vault, item, source_side=run.source_side,
                                                               holds=holds)
    if run.operation == "TestFailover":
        return lambda holds: test_failover.start_test_failover(service, vault, item, run.network, holds=holds)
    if run.operation == "TestFailoverCleanup":
        return lambda _holds: test_failover.start_test_failover_cleanup(service, vault, item, run.comments)
    if run.operation == "Commit":
        return lambda _holds: failover.start_commit(service, vault, item)
    return lambda _holds: failover.start_reverse_replication(service, vault, item)


def _inmage_starter(service: ChannelService, vault: Vault, item: InMageItem, run: PlanRun) -> Start:
    """An InMage item's jobs in a plan (policy ``INMAGE_PLAN_FABRICS``: to the point type the plan input
    names; a plan allows no planned failover of one, ``INMAGE_PROTECTION_STATES``)."""
    latest = (run.inmage_point, None)
    if run.operation == "UnplannedFailover":
        return lambda holds: inmage.start_unplanned_failover(service, vault, item, latest, holds=holds)
    if run.operation == "TestFailover":
        return lambda holds: inmage.start_test_failover(service, vault, item, latest, holds=holds)
    if run.operation == "TestFailoverCleanup":
        return lambda _holds: inmage.start_test_failover_cleanup(service, vault, item, run.comments)
    if run.operation == "Commit":
        return lambda _holds: inmage.start_commit(service, vault, item)
    return lambda _holds: inmage.start_reprotect(service, vault, item)


def _holds_before(run: PlanRun) -> list[tuple[str, Any]]:
    """(recorded task name, hold timing) of a VM's job in ``run`` (policy ``PLAN_HOLD_TASKS``)."""
    if run.operation == "TestFailover":
        return [(TEST_FAILOVER_SCENARIO.tasks[3].name, PLAN_HOLD_TASKS["boot"])]
    if run.operation not in ("PlannedFailover", "UnplannedFailover"):
        return []
    scenario = PLANNED_FAILOVER_SCENARIO if run.operation == "PlannedFailover" else UNPLANNED_FAILOVER_SCENARIO
    failover_task, start_task = scenario.tasks[3].name, scenario.tasks[4].name
    boot = [(start_task, PLAN_HOLD_TASKS["boot"])]
    return [(failover_task, PLAN_HOLD_TASKS["failover"]), *boot] if run.shuts_down else boot


@dataclass
class _Builder:
    """Builds one plan job's task tree; ``recorder`` learns what each task stands for."""

    service: ChannelService
    vault: Vault
    plan: RecoveryPlan
    run: PlanRun
    recorder: PlanRecorder
    failovers: dict[str, Task] = field(default_factory=dict)  # item name -> its failover step

    def failover(self, vm: PlanVm, index: int) -> Task:
        task = self.failovers[vm.item.name] = self.recorder.vm(vm.task("failover", index), "Failover")
        return task

    def failed_over(self, item: ProtectedItem) -> bool:
        """Whether ``item``'s failover step in this job succeeded (what a runbook's ``VmMap`` shows)."""
        step = self.failovers.get(item.name)
        return step is not None and step.state == "Succeeded"

    def actions(self, actions: Sequence[PlanAction], label: str, when: str, members: Sequence[PlanVm]) -> list[Task]:
        site = ActionGroup(self.service, self.vault, self.plan, self.run.operation, self.run.direction, label,
                           label.removeprefix("Group "), [vm.item for vm in members], self.failed_over)
        tasks: list[Task] = []
        for action in actions:
            if action.applies(self.run.operation, self.run.direction):
                task = action_task(site, action)
                self.recorder.action(task, label, when, action)
                tasks.append(task)
        return tasks

    def group(self, task_id: str, friendly: str, label: str, group_type: str, rp_group_type: str, phase: str,
              body: list[Task], members: Sequence[PlanVm], start: Sequence[PlanAction] = (),
              end: Sequence[PlanAction] = (), *, shutdown: bool = False) -> PlanGroupTask:
        """A plan group: its VM tasks in parallel — after its start actions and before its end actions,
        in a nested parallel group, when it has any."""
        keep_going = self.run.operation == "UnplannedFailover"
        vms = [vm.item.vm_name for vm in members]
        before, after = self.actions(start, label, "start", members), self.actions(end, label, "end", members)
        tasks: list[Task] = body
        if before or after:
            inner = PlanGroupTask(task_id=f"{task_id}Vms", name="Unknown", friendly_name=f"{friendly}: machines",
                                  tasks=body, parallel=True, rp_group_type=rp_group_type, phase=phase,
                                  group_type=group_type, vms=tuple(vms))
            tasks = [*before, inner, *after]
        group = PlanGroupTask(task_id=task_id, name="Unknown", friendly_name=friendly, tasks=tasks,
                              parallel=not (before or after), continue_on_error=keep_going,
                              rp_group_type=rp_group_type, phase=phase, group_type=group_type, vms=tuple(vms),
                              shutdown=shutdown)
        self.recorder.group(group, label)
        return group


def _failover_tree(build: _Builder, vms: dict[str, PlanVm]) -> list[Task]:
    plan, run, recorder = build.plan, build.run, build.recorder
    by_name = {entry.name: vms[entry.name] for entry in plan.items}
    shutdown, fixed_failover = plan.groups[0], plan.groups[1]
    boot_groups = plan.boot_groups
    tasks: list[Task] = []
    if run.shuts_down:
        per_group: list[Task] = []
        for k, group in enumerate(boot_groups, start=1):
            names = [by_name[e.name].item.vm_name for e in group.items]
            per_group.append(PlanGroupTask(
                task_id=f"Group{k}", name="Unknown", friendly_name=f"Shutdown: Group {k} ({len(names)})",
                tasks=[recorder.vm(by_name[e.name].task("shutdown", 0), "Shutdown") for e in group.items],
                parallel=True, rp_group_type="Shutdown", phase="shutdown", group_type="Shutdown", vms=tuple(names)))
        tasks.append(build.group("ShutdownAllActionGroup", f"All groups shutdown ({len(boot_groups)})", "Shutdown",
                                 "Shutdown", "Shutdown", "shutdown", per_group, list(vms.values()),
                                 shutdown.start_actions, shutdown.end_actions, shutdown=True))
    else:
        tasks.append(Skipped(task_id="ShutdownAllActionGroup", name="Unknown",
                             friendly_name=f"All groups shutdown ({len(boot_groups)})", group=True))
    first = 1 if run.shuts_down else 0
    tasks.append(build.group(
        "FailoverAllActionGroup", "Recovery plan failover", "Failover", "Failover", "RpFailoverTask", "failover",
        [build.failover(vm, first) for vm in vms.values()], list(vms.values()), fixed_failover.start_actions,
        fixed_failover.end_actions))
    for k, group in enumerate(boot_groups, start=1):
        label = f"Group {k}"
        members = [by_name[e.name] for e in group.items]
        tasks.append(build.group(
            f"Group{k}", f"Group {k}: Start ({len(members)})", label, "Boot", "BootGroup", "boot",
            [recorder.vm(vm.task("boot", first + 1), label) for vm in members], members,
            group.start_actions, group.end_actions))
    return tasks


def _details(plan: RecoveryPlan, run: PlanRun) -> dict[str, Any]:
    affected = plan_affected_objects(plan)["affectedObjectDetails"]
    if run.operation == "TestFailover":
        network = run.network
        return {"instanceType": "TestFailoverJobDetails", "testFailoverStatus": "Active", "comments": None,
                "networkName": "" if network is None else network.network,
                "networkFriendlyName": "" if network is None else network.friendly_name,
                "networkType": "NoNetworkAttachAsInput" if network is None else "VmNetworkAsInput",
                "protectedItemDetails": [], "affectedObjectDetails": affected}
    if run.operation in ("PlannedFailover", "UnplannedFailover"):
        return {"instanceType": "FailoverJobDetails", "protectedItemDetails": [], "affectedObjectDetails": affected}
    return {"instanceType": "AsrJobDetails", "affectedObjectDetails": affected}


def start_plan_job(service: ChannelService, vault: Vault, plan: RecoveryPlan, items: Sequence[ProtectedItem],
                   run: PlanRun, *, client_request_id: str | None = None) -> Job:
    """Start ``run`` on ``plan`` (the caller checked it is allowed and ``items`` are its items)."""
    backend = service.backend
    recorder = PlanRecorder(service.sim, plan.name, run.operation)
    vms = {item.name: PlanVm(backend, asr_prefix(vault), item, "", _starter(service, vault, item, run),
                             _holds_before(run)) for item in items}
    build = _Builder(service, vault, plan, run, recorder)
    if run.operation in FAILOVER_KINDS:
        body = _failover_tree(build, vms)
    else:
        phase = _SINGLE_PHASE[run.operation]
        body = [build.group("FailoverAllActionGroup", f"Recovery plan {PLAN_SCENARIOS[run.operation].friendly_name.lower()}",
                            "Failover", "Failover", "RpFailoverTask", phase,
                            [recorder.vm(vm.task(phase, 0), "Failover") for vm in vms.values()],
                            list(vms.values()))]
    details = _details(plan, run)

    def finalize() -> RecoveryPlan:
        assert plan.job is not None and plan.job.start_time is not None
        if run.operation in FAILOVER_KINDS:
            plan.last_failover[run.operation] = plan.job.start_time
        if "protectedItemDetails" in details:
            details["protectedItemDetails"] = [{"name": vm.item.name, "friendlyName": vm.item.vm_name,
                                                "recoveryPointId": None, "recoveryPointTime": None}
                                               for vm in vms.values()]
        return plan

    tasks: list[Task] = [
        backend.step(PLAN_PREREQUISITES.name, PLAN_PREREQUISITES.friendly_name,
                     seconds=backend.timings.seconds(PLAN_PREREQUISITES)),
        *body,
        backend.step(PLAN_END.name, PLAN_END.friendly_name, seconds=backend.timings.seconds(PLAN_END), action=finalize),
    ]
    job = backend.start_job(vault, PLAN_SCENARIOS[run.operation], target_object_id=plan.internal_id,
                            target_object_name=plan.name, tasks=tasks, custom_details=details,
                            client_request_id=client_request_id,
                            continue_on_error=run.operation == "UnplannedFailover")
    plan.job = job
    for vm in vms.values():
        vm.named(job.name)

    def stopped() -> None:
        for vm in vms.values():
            vm.abandon()

    def restarted() -> None:
        recorder.restarted()
        for vm in vms.values():
            vm.resume()

    recorder.follow(backend, job, on_stop=stopped)
    plan.on_restart = restarted
    return job


def restart_job(service: ChannelService, vault: Vault, job: Job) -> None:
    """Restart ``job`` (refused unless its ``allowedActions`` hold Restart); a plan's job first rearms its
    VMs' holds and restarts their stopped jobs, then runs again from its first unfinished task — the
    "fix and rerun" of a planned failover that stopped at an error (policy ``PLAN_RESTART``)."""
    plan = next((found for _, found in vault.resources.everywhere(KINDS["recovery_plan"])
                 if isinstance(found, RecoveryPlan) and found.job is job), None)
    if plan is not None and plan.on_restart is not None and "Restart" in job.allowed_actions:
        plan.on_restart()
    service.backend.engine.restart(job)
