"""The ASR backend: vaults, policies and jobs, and the rules that change them (moto's ``Backend``).

Everything here is plain synchronous state plus rules raising typed errors; the wire calls it.
Every mutation that the real service performs as a job is a job here: the request validates and
creates the job, the job's tasks commit the change on the lab clock (so a policy exists once its
``AddProtectionProfileTask`` finished, not when the PUT was answered).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simcore import Simulation

from ..catalogue import POLICY_EXISTS, POLICY_NOT_FOUND
from ..errors import InvalidParameter
from ..policy import CONFLICT_FAILS_AFTER_SECONDS, JOB_EVENT_SEVERITY, JOB_SCENARIOS, JobTimings, Scenario
from .engine import JobEngine
from .events import Event
from .jobs import Job, JobFailure
from .tasks import ManualAction, Step, Task
from .policies import Policy, ProviderSettings, settings_from_fields
from .vault import Vault, VaultRegistry

__all__ = ["AsrBackend"]


class AsrBackend:
    """State and rules of every vault of one emulated service."""

    def __init__(self, sim: Simulation, *, timings: JobTimings | None = None, node: str = "asr") -> None:
        self.sim = sim
        self.node = node
        self.timings = timings or JobTimings()
        self.vaults = VaultRegistry()
        self.engine = JobEngine(sim, self._job_changed)
        self._ids = sim.random
        self._vault_of_job: dict[str, Vault] = {}
        self._watchers: dict[str, list[Callable[[Job, Task | None], None]]] = {}

    def new_id(self) -> str:
        """A GUID drawn from the lab's ``asr`` stream: ids replay with the seed."""
        return self._ids.uuid("asr")

    def reset(self) -> None:
        """Forget every vault (moto's reset); pending job timers are cancelled."""
        for vault in self.vaults:
            for job in vault.jobs.values():
                self.engine.forget(job)
        self.vaults.reset()
        self._vault_of_job.clear()
        self._watchers.clear()

    # -- vaults -------------------------------------------------------------------------------

    def put_vault(self, subscription_id: str, resource_group: str, name: str, **fields: Any) -> tuple[Vault, bool]:
        """Create or replace a vault's ARM fields (its replication state is kept); True if created."""
        vault = self.vaults.find(subscription_id, resource_group, name)
        created = vault is None
        if vault is None:
            vault = self.vaults.add(Vault(subscription_id, resource_group, name, fields.pop("location")))
        for attribute, value in fields.items():
            setattr(vault, attribute, value)
        self.sim.history.record(self.node, "vault.put", "info", {"vault": name, "created": created})
        return vault, created

    def delete_vault(self, vault: Vault) -> None:
        for job in vault.jobs.values():
            self.engine.forget(job)
            self._vault_of_job.pop(job.name, None)
            self._watchers.pop(job.name, None)
        self.vaults.remove(vault)
        self.sim.history.record(self.node, "vault.delete", "info", {"vault": vault.name})

    # -- jobs ---------------------------------------------------------------------------------

    def start_job(
        self,
        vault: Vault,
        scenario: str | Scenario,
        *,
        target_object_id: str,
        target_object_name: str,
        actions: dict[str, Callable[[], Any]] | None = None,
        tasks: list[Task] | None = None,
        custom_details: dict[str, Any] | None = None,
        fabric_id: str | None = None,
        client_request_id: str | None = None,
        conflict: JobFailure | None = None,
        continue_on_error: bool = False,
    ) -> Job:
        """Create ``scenario``'s job in ``vault`` and start it now.

        With ``conflict``, the job does not run its tasks: it fails with ``conflict`` after policy
        ``CONFLICT_FAILS_AFTER_SECONDS``, as the service fails an operation issued while another
        runs on the same item. ``scenario`` is a name in policy.JOB_SCENARIOS or a ``policy.Scenario``. Its job runs
        ``tasks`` when given (a workflow's task tree, ``models.tasks``), else one ``Step`` per task
        of the scenario, ``actions`` mapping task names to what the step does when its time is up.
        ``continue_on_error``: see ``Job.continue_on_error``.
        """
        spec = JOB_SCENARIOS[scenario] if isinstance(scenario, str) else scenario
        if tasks is None:
            actions = actions or {}
            tasks = [self.step(timing.name, timing.friendly_name, seconds=self.timings.seconds(timing),
                               action=actions.get(timing.name)) for timing in spec.tasks]
        activity = f"{client_request_id or self.new_id()} ActivityId: {self.new_id()}"
        job = Job(
            name=self.new_id(), scenario_name=spec.name, friendly_name=spec.friendly_name,
            target_instance_type=spec.target_instance_type, target_object_id=target_object_id,
            target_object_name=target_object_name, activity_id=activity, tasks=tasks, fabric_id=fabric_id,
            sequence=len(vault.jobs), continue_on_error=continue_on_error,
        )
        if custom_details is not None:
            job.custom_details = custom_details
        vault.jobs[job.name] = job
        self._vault_of_job[job.name] = vault
        if conflict is None:
            self.engine.start(job)
        else:  # another operation runs on the target: this one fails later (§A.4.5)
            self.engine.refuse_later(job, CONFLICT_FAILS_AFTER_SECONDS, conflict)
        return job

    def step(self, name: str, friendly_name: str, *, seconds: float = 0.0, action: Callable[[], Any] | None = None,
             task_id: str | None = None) -> Step:
        """A ``Step`` with a lab-drawn task id (or the recorded symbolic ``task_id``)."""
        return Step(task_id=task_id or self.new_id(), name=name, friendly_name=friendly_name, seconds=seconds,
                    action=action)

    def manual_action(self, name: str, friendly_name: str, *, instructions: str = "",
                      waiting_description: str = "WaitingForManualAction") -> ManualAction:
        """A ``ManualAction`` with a lab-drawn task id."""
        return ManualAction(task_id=self.new_id(), name=name, friendly_name=friendly_name, instructions=instructions,
                            waiting_description=waiting_description)

    def job(self, vault: Vault, name: str) -> Job:
        job = vault.jobs.get(name)
        if job is None:
            for candidate in vault.jobs.values():
                if candidate.name.lower() == name.lower():
                    return candidate
            raise vault.missing(f"replicationJobs/{name}", target="jobName")
        return job

    def watch(self, job: Job, watcher: Callable[[Job, Task | None], None]) -> None:
        """Call ``watcher(job, task)`` at every later move of ``job`` (a recovery plan follows the jobs
        of its VMs and records its own ordering events so)."""
        self._watchers.setdefault(job.name, []).append(watcher)

    def _job_changed(self, job: Job, task: Task | None) -> None:
        for watcher in self._watchers.get(job.name, ()):
            watcher(job, task)
        vault = self._vault_of_job.get(job.name)
        details = {"job": job.name, "scenario": job.scenario_name, "state": job.state,
                   "stateDescription": job.state_description}
        if task is not None:
            details.update(task=task.name, taskState=task.state)
        self.sim.history.record(self.node, "job", "info", details)
        if vault is not None and job.state == "Failed" and (task is None or task.state == "Failed"):
            self._raise_job_event(vault, job)

    def _raise_job_event(self, vault: Vault, job: Job) -> None:
        event = Event(
            name=self.new_id(), event_code="JobStatus", description=f"The job '{job.friendly_name}' failed.",
            event_type="JobStatus", severity=JOB_EVENT_SEVERITY, time=self.sim.clock.now,
            affected_object_friendly_name=job.target_object_name, affected_object_correlation_id=job.target_object_id,
            fabric_id=job.fabric_id,
            event_specific_details={"instanceType": "JobStatus", "jobId": job.name, "jobFriendlyName": job.friendly_name,
                                    "jobStatus": job.state, "affectedObjectType": job.target_instance_type},
        )
        vault.events[event.name] = event

    # -- policies -----------------------------------------------------------------------------

    def policy(self, vault: Vault, name: str) -> Policy:
        policy = vault.policies.get(name.lower())
        if policy is None:
            raise vault.missing(f"replicationPolicies/{name}", target="policyName")
        return policy

    def create_policy(self, vault: Vault, name: str, settings: ProviderSettings, *, client_request_id: str | None = None) -> Job:
        """Start an ``AddProtectionProfile`` job; its last task adds the policy."""
        internal_id = self.new_id()

        def preflight() -> None:
            if name.lower() in vault.policies:
                raise POLICY_EXISTS.failure(name=name)

        def add() -> Policy:
            preflight()
            policy = Policy(name, internal_id, settings)
            vault.policies[name.lower()] = policy
            return policy

        return self.start_job(
            vault, "AddProtectionProfile", target_object_id=internal_id, target_object_name=name,
            actions={"AddProtectionProfilePreflightsCheckTask": preflight, "AddProtectionProfileTask": add},
            client_request_id=client_request_id)

    def update_policy(self, vault: Vault, name: str, changes: dict[str, Any], instance_type: str, *, path: str,
                      client_request_id: str | None = None) -> Job:
        """Validate a PATCH against the current policy now (400 on any bad field, nothing started),
        then start an ``UpdateProtectionProfile`` job that applies it."""
        current = self.policy(vault, name)
        if instance_type != current.settings.instance_type:
            raise InvalidParameter(
                f"The value '{instance_type}' of '{path}.instanceType' is invalid: the policy '{name}' is a "
                f"'{current.settings.instance_type}' policy and its provider cannot change.", target=f"{path}.instanceType")
        merged = {**current.settings.to_fields(), **changes}
        settings = settings_from_fields(instance_type, {k: v for k, v in merged.items() if v is not None}, path=path)

        def find() -> Policy:
            policy = vault.policies.get(name.lower())
            if policy is None:
                raise POLICY_NOT_FOUND.failure(name=name)
            return policy

        def apply() -> Policy:
            policy = find().updated(settings)
            vault.policies[name.lower()] = policy
            return policy

        return self.start_job(
            vault, "UpdateProtectionProfile", target_object_id=current.internal_id, target_object_name=current.name,
            actions={"UpdateProtectionProfilePreflightsCheckTask": find, "UpdateProtectionProfileTask": apply},
            client_request_id=client_request_id)

    def delete_policy(self, vault: Vault, name: str, *, client_request_id: str | None = None) -> Job:
        """Start a ``DeleteProtectionProfile`` job (404 now if there is no such policy)."""
        current = self.policy(vault, name)

        def find() -> None:
            if name.lower() not in vault.policies:
                raise POLICY_NOT_FOUND.failure(name=name)

        def remove() -> None:
            find()
            del vault.policies[name.lower()]

        return self.start_job(
            vault, "DeleteProtectionProfile", target_object_id=current.internal_id, target_object_name=current.name,
            actions={"DeleteProtectionProfilePreflightsCheckTask": find, "DeleteProtectionProfileTask": remove},
            client_request_id=client_request_id)
