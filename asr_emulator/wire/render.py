"""Model → ARM JSON: ids, names and types as the service writes them (asr-api.md §2).

ASR resources' ids start ``/Subscriptions/`` (capital S, as in every upstream example and the
real ``X-Ms-Request-Id`` header [TF21963]); the vault itself is an ordinary ARM resource with
``/subscriptions/``. Times are UTC with seven fractional digits, as .NET writes them.
"""

from __future__ import annotations

from typing import Any

from simcore import Clock

from ..models.events import Event
from ..models.jobs import Job, JobError
from ..models.policies import Policy, PolicySettings
from ..models.resources import ArmResource, ResourceKind
from ..models.tasks import Task
from ..models.vault import Vault

__all__ = [
    "VAULT_TYPE", "JOB_TYPE", "POLICY_TYPE", "EVENT_TYPE", "vault_id", "asr_prefix", "fmt_time",
    "vault_json", "policy_json", "job_json", "task_json", "fmt_end_time", "UNSET_TIME", "event_json", "resource_json",
]

VAULT_TYPE = "Microsoft.RecoveryServices/vaults"
JOB_TYPE = "Microsoft.RecoveryServices/vaults/replicationJobs"
POLICY_TYPE = "Microsoft.RecoveryServices/vaults/replicationPolicies"
EVENT_TYPE = "Microsoft.RecoveryServices/vaults/replicationEvents"


def vault_id(vault: Vault) -> str:
    return (f"/subscriptions/{vault.subscription_id}/resourceGroups/{vault.resource_group}"
            f"/providers/Microsoft.RecoveryServices/vaults/{vault.name}")


def asr_prefix(vault: Vault) -> str:
    return (f"/Subscriptions/{vault.subscription_id}/resourceGroups/{vault.resource_group}"
            f"/providers/Microsoft.RecoveryServices/vaults/{vault.name}")


def fmt_time(clock: Clock, t: float | None) -> str | None:
    if t is None:
        return None
    return clock.to_datetime(t).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def vault_json(vault: Vault) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": vault_id(vault), "name": vault.name, "type": VAULT_TYPE, "location": vault.location,
        "tags": dict(vault.tags), "properties": {**vault.properties, "provisioningState": "Succeeded"},
    }
    if vault.sku is not None:
        body["sku"] = dict(vault.sku)
    if vault.identity is not None:
        body["identity"] = dict(vault.identity)
    return body


#: Facts (asr-orchestration.md §A.0.8): how a policy's input values read back — ``compression``
#: ``Enable``/``Disable`` as ``Enabled``/``Disabled``, ``replicaDeletion`` ``Required`` as
#: ``replicaDeletionOption`` ``SecondaryVMOnRecoveryCloud``; unset offline paths as ``""``.
#: Policy: ``NotRequired`` reads back as ``None`` (not recorded).
_READ_BACK = {
    "compression": {"Enable": "Enabled", "Disable": "Disabled"},
    "replicaDeletion": {"Required": "SecondaryVMOnRecoveryCloud", "NotRequired": "None"},
}
#: The recorded key order of ``providerSpecificDetails`` (§A.0.8); the start time where it was set.
_POLICY_ORDER = ("replicationFrequencyInSeconds", "recoveryPoints", "applicationConsistentSnapshotFrequencyInHours",
                 "compression", "initialReplicationMethod", "onlineReplicationStartTime", "offlineReplicationImportPath",
                 "offlineReplicationExportPath", "replicationPort", "allowedAuthenticationType", "replicaDeletion")


def policy_json(vault: Vault, policy: Policy) -> dict[str, Any]:
    """A policy resource; an InMage one's ``InMagePolicyDetails`` are its input's four fields."""
    details: dict[str, Any] = {"instanceType": policy.settings.instance_type}
    if isinstance(policy.settings, PolicySettings):
        fields = {"offlineReplicationImportPath": "", "offlineReplicationExportPath": "", **policy.settings.to_fields()}
        for name in _POLICY_ORDER:
            if name in fields:
                value = fields[name]
                details["replicaDeletionOption" if name == "replicaDeletion" else name] = (
                    _READ_BACK.get(name, {}).get(value, value))
    else:
        details.update(policy.settings.to_fields())
    return {
        "id": f"{asr_prefix(vault)}/replicationPolicies/{policy.name}", "name": policy.name, "type": POLICY_TYPE,
        "properties": {"friendlyName": policy.name, "providerSpecificDetails": details},
    }


def _error_json(clock: Clock, error: JobError) -> dict[str, Any]:
    failure = error.failure
    body: dict[str, Any] = {
        "serviceErrorDetails": {
            "code": failure.code, "message": failure.message, "possibleCauses": failure.possible_causes,
            "recommendedAction": failure.recommended_action, "activityId": error.activity_id,
        },
        "errorLevel": error.error_level, "creationTime": fmt_time(clock, error.creation_time), "taskId": error.task_id or None,
    }
    provider = failure.provider_error
    if provider is not None:
        body["providerErrorDetails"] = {
            "errorCode": provider.error_code, "errorMessage": provider.error_message, "errorId": provider.error_id,
            "possibleCauses": provider.possible_causes, "recommendedAction": provider.recommended_action,
        }
    return body


#: How the service writes a time it has not set (asr-orchestration.md §A.6): .NET's
#: ``DateTime.MinValue``, without a ``Z``.
UNSET_TIME = "0001-01-01T00:00:00"


def fmt_end_time(clock: Clock, t: float) -> str:
    """A job's ``endTime``: whole seconds, truncated (§A.6, §B.1.6: it can read earlier than a task's end)."""
    return clock.to_datetime(t).strftime("%Y-%m-%dT%H:%M:%SZ")


def task_json(clock: Clock, task: Task) -> dict[str, Any]:
    """One ``ASRTask`` in the recorded key order (§A.6); a group's children go in
    ``groupTaskCustomDetails.childTasks``."""
    details = task.group_task_details
    group = None if details is None else {**details, "childTasks": [task_json(clock, c) for c in task.children]}
    return {
        "taskId": task.task_id, "name": task.name,
        "startTime": fmt_time(clock, task.start_time) or UNSET_TIME,
        "endTime": fmt_time(clock, task.end_time) or UNSET_TIME,
        "allowedActions": list(task.allowed_actions), "friendlyName": task.friendly_name,
        "state": task.state, "stateDescription": task.state_description, "taskType": task.task_type,
        "customDetails": dict(task.custom_details) if task.custom_details is not None else None,
        "groupTaskCustomDetails": group, "errors": [_error_json(clock, e) for e in task.errors],
    }


def job_json(vault: Vault, job: Job, clock: Clock) -> dict[str, Any]:
    """A job in the recorded envelope and key order (§A.6); ``endTime`` only once it finished."""
    properties: dict[str, Any] = {
        "activityId": job.activity_id, "scenarioName": job.scenario_name, "friendlyName": job.friendly_name,
        "state": job.state, "stateDescription": job.state_description,
        "tasks": [task_json(clock, task) for task in job.tasks],
        "errors": [_error_json(clock, e) for e in job.errors],
        "startTime": fmt_time(clock, job.start_time),
    }
    if job.end_time is not None:
        properties["endTime"] = fmt_end_time(clock, job.end_time)
    properties.update({
        "allowedActions": list(job.allowed_actions), "targetObjectId": job.target_object_id,
        "targetObjectName": job.target_object_name, "targetInstanceType": job.target_instance_type,
        "customDetails": job.custom_details,
    })
    return {
        "id": f"{asr_prefix(vault)}/replicationJobs/{job.name}", "name": job.name, "type": JOB_TYPE,
        "properties": properties,
    }


def event_json(vault: Vault, event: Event, clock: Clock) -> dict[str, Any]:
    properties = {
        "eventCode": event.event_code, "description": event.description, "eventType": event.event_type,
        "affectedObjectFriendlyName": event.affected_object_friendly_name,
        "affectedObjectCorrelationId": event.affected_object_correlation_id, "severity": event.severity,
        "timeOfOccurrence": fmt_time(clock, event.time), "fabricId": event.fabric_id,
        "providerSpecificDetails": event.provider_specific_details,
        "eventSpecificDetails": event.event_specific_details, "healthErrors": list(event.health_errors),
    }
    return {
        "id": f"{asr_prefix(vault)}/replicationEvents/{event.name}", "name": event.name, "type": EVENT_TYPE,
        "properties": {key: value for key, value in properties.items() if value is not None},
    }


def resource_json(vault: Vault, kind: ResourceKind, parents: tuple[str, ...], resource: ArmResource) -> dict[str, Any]:
    path = "".join(f"/{collection}/{name}" for collection, name in zip(kind.collections, (*parents, resource.name)))
    body: dict[str, Any] = {"type": kind.type} if kind.type_first else {}
    body.update({"id": asr_prefix(vault) + path, "name": resource.name, "type": kind.type,
                 "properties": resource.arm_properties()})
    location = getattr(resource, "location", None)
    if location is not None:
        body["location"] = location
    return body
