"""Recovery plans as the vault keeps them: ``replicationRecoveryPlans/{name}`` (hyperv-scvmm.md §5.7,
asr-orchestration.md §A.5, §B.3).

A ``RecoveryPlan`` holds its groups as the service normalises them (§A.5.2, fact): the Shutdown
group, the Failover group, then the Boot groups in the order given. Items are kept by their RPI id
and resolved against the vault's store when read, so ``allowedOperations`` follows the items'
states. Actions are kept exactly as the client sent them (``customDetails`` included). The shape is
the recorded VMM-to-VMM one (§B.3.1): no ``location``, no ``systemData``; the ``last*FailoverTime``
keys appear once set (policy: the recorded idle plan has none, the failed-over one has them, §A.5.4).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simcore import Clock

from ..policy import PLAN_DEPLOYMENT_MODEL, PLAN_IDLE_OPERATIONS, PLAN_OPERATIONS
from ..wire.render import fmt_time
from .jobs import Job
from .protection import ProtectedItem
from .resources import KINDS, ResourceStore

__all__ = ["PlanItem", "PlanAction", "PlanGroup", "RecoveryPlan", "GROUP_TYPES", "ACTION_KINDS"]

#: Facts (asr-api.md §8): ``groupType`` values and the action ``customDetails.instanceType`` values.
GROUP_TYPES = ("Shutdown", "Failover", "Boot")
ACTION_KINDS = ("ScriptActionDetails", "AutomationRunbookActionDetails", "ManualActionDetails")


@dataclass(frozen=True)
class PlanItem:
    """One ``replicationProtectedItems`` entry: the RPI's ARM id and where it lives."""

    id: str
    virtual_machine_id: str
    fabric: str
    container: str
    name: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "virtualMachineId": self.virtual_machine_id}


@dataclass(frozen=True)
class PlanAction:
    """A ``RecoveryPlanAction``, stored as given."""

    action_name: str
    failover_types: tuple[str, ...]
    failover_directions: tuple[str, ...]
    custom_details: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.custom_details["instanceType"])

    def applies(self, failover_type: str, direction: str) -> bool:
        """Whether the action runs in a plan job of ``failover_type`` going ``direction``."""
        return failover_type in self.failover_types and direction in self.failover_directions

    def to_json(self) -> dict[str, Any]:
        return {"actionName": self.action_name, "failoverTypes": list(self.failover_types),
                "failoverDirections": list(self.failover_directions), "customDetails": dict(self.custom_details)}


@dataclass(frozen=True)
class PlanGroup:
    """A ``RecoveryPlanGroup``."""

    group_type: str
    items: tuple[PlanItem, ...] = ()
    start_actions: tuple[PlanAction, ...] = ()
    end_actions: tuple[PlanAction, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"groupType": self.group_type, "replicationProtectedItems": [i.to_json() for i in self.items],
                "startGroupActions": [a.to_json() for a in self.start_actions],
                "endGroupActions": [a.to_json() for a in self.end_actions]}


@dataclass(eq=False)
class RecoveryPlan:
    """A plan from ``primary_fabric`` to ``recovery_fabric`` (fabric names; ids and friendly names
    kept for rendering)."""

    name: str
    internal_id: str  # the plan GUID jobs name as their ``targetObjectId`` (§B.3.2)
    primary_fabric_id: str
    primary_fabric_friendly_name: str
    recovery_fabric_id: str
    recovery_fabric_friendly_name: str
    groups: list[PlanGroup]
    replication_providers: list[str]
    resources: ResourceStore = field(repr=False)
    clock: Clock = field(repr=False)
    vault_id: str = ""
    job: Job | None = field(default=None, repr=False)  # the last plan job (``currentScenario``)
    #: what a restart of ``job`` does before the job runs again (``workflows.recovery_plan``)
    on_restart: Callable[[], None] | None = field(default=None, repr=False)
    last_failover: dict[str, float] = field(default_factory=dict)  # operation -> its job's start

    @property
    def primary_fabric(self) -> str:
        return self.primary_fabric_id.rsplit("/", 1)[-1]

    @property
    def recovery_fabric(self) -> str:
        return self.recovery_fabric_id.rsplit("/", 1)[-1]

    @property
    def boot_groups(self) -> list[PlanGroup]:
        return [group for group in self.groups if group.group_type == "Boot"]

    @property
    def items(self) -> list[PlanItem]:
        return [item for group in self.groups for item in group.items]

    def protected_item(self, entry: PlanItem) -> ProtectedItem | None:
        found = self.resources.get(KINDS["protected_item"], (entry.fabric, entry.container), entry.name)
        return found if isinstance(found, ProtectedItem) else None

    @property
    def running(self) -> Job | None:
        job = self.job
        return job if job is not None and job.underway else None

    @property
    def allowed_operations(self) -> list[str]:
        """Policy ``PLAN_OPERATIONS``: what every item allows, nothing while a plan job runs."""
        if self.running is not None:
            return []
        items = [self.protected_item(entry) for entry in self.items]
        if not items:
            return list(PLAN_IDLE_OPERATIONS)
        allowed = [set(item.allowed_operations) if item is not None else set() for item in items]
        return [op for op in PLAN_OPERATIONS if all(op in ops for ops in allowed)]

    def arm_properties(self) -> dict[str, Any]:
        job = self.job
        last = {key: fmt_time(self.clock, self.last_failover[op]) for op, key in (
            ("PlannedFailover", "lastPlannedFailoverTime"), ("UnplannedFailover", "lastUnplannedFailoverTime"),
            ("TestFailover", "lastTestFailoverTime")) if op in self.last_failover}
        return {
            "friendlyName": self.name, "primaryFabricId": self.primary_fabric_id,
            "primaryFabricFriendlyName": self.primary_fabric_friendly_name, "recoveryFabricId": self.recovery_fabric_id,
            "recoveryFabricFriendlyName": self.recovery_fabric_friendly_name,
            "failoverDeploymentModel": PLAN_DEPLOYMENT_MODEL, "replicationProviders": list(self.replication_providers),
            "allowedOperations": self.allowed_operations, **last,
            "currentScenario": None if job is None else {
                "scenarioName": job.scenario_name, "jobId": f"{self.vault_id}/replicationJobs/{job.name}",
                "startTime": fmt_time(self.clock, job.start_time)},
            "currentScenarioStatus": None if job is None else job.state,
            "currentScenarioStatusDescription": None if job is None else job.state_description,
            "groups": [group.to_json() for group in self.groups], "providerSpecificDetails": [],
        }
