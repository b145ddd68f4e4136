"""Policies of the job engine and long-running operations: job scenarios and task timings, allowed
actions, restart, operation status and LRO headers."""

from __future__ import annotations

from dataclasses import dataclass, field

@dataclass(frozen=True)
class TaskTiming:
    """Policy: virtual seconds one task of a job takes (the real durations are undocumented;
    the PowerShell transcript of a policy creation shows about one second, start to end)."""

    name: str
    friendly_name: str
    seconds: float
    task_id: str = ""  # the recorded symbolic ``taskId``, where there is one (else a GUID is drawn)


@dataclass(frozen=True)
class Scenario:
    """A job scenario as the service names it: ``scenarioName``, ``friendlyName``, the
    ``targetInstanceType`` of its target, and the tasks it runs in order."""

    name: str
    friendly_name: str
    target_instance_type: str
    tasks: tuple[TaskTiming, ...]


#: Job scenarios of this issue. ``AddProtectionProfile`` / "Create replication policy" with tasks
#: ``AddProtectionProfilePreflightsCheckTask`` and ``AddProtectionProfileTask`` and target type
#: ``ProtectionProfile`` are facts (Get-AzMigrateJob / Get-AzRecoveryServicesAsrJob transcripts in
#: the public PowerShell docs). The update/delete/export names and friendly names follow the same
#: pattern and are **policy**: no transcript of them was found.
def _protection_profile(action: str, verb: str) -> Scenario:
    """A policy job: a preflight task, then the task that commits (half a second each)."""
    doing = verb.lower()[:-1] + "ing"
    return Scenario(
        f"{action}ProtectionProfile", f"{verb} replication policy", "ProtectionProfile",
        (TaskTiming(f"{action}ProtectionProfilePreflightsCheckTask", f"Prerequisites check for {doing} the replication policy", 0.5),
         TaskTiming(f"{action}ProtectionProfileTask", f"{verb} replication policy", 0.5)),
    )


JOB_SCENARIOS: dict[str, Scenario] = {
    "AddProtectionProfile": _protection_profile("Add", "Create"),
    "UpdateProtectionProfile": _protection_profile("Update", "Update"),
    "DeleteProtectionProfile": _protection_profile("Delete", "Delete"),
    # Policy: a pairing update (nothing to change for VMM-to-VMM, see handlers.mappings).
    "UpdateProtectionContainerMapping": Scenario(
        "UpdateProtectionContainerMapping", "Update replication policy association", "ProtectionProfile",
        (TaskTiming("UpdateProtectionContainerMappingTask", "Update the protection configuration", 0.5),),
    ),
    # Policy: the update of a protected item's recovery settings (no recording of it was found); its
    # task waits for the recovery Provider (WORK_WAIT_SECONDS), the conflict job's takes 1 s.
    "UpdateVmProperties": Scenario(
        "UpdateVmProperties", "Update the virtual machine", "ProtectionEntity",
        (TaskTiming("UpdateVmPropertiesTask", "Update the virtual machine properties", 1.0),),
    ),
    "ExportJobs": Scenario(
        "ExportJobs", "Export jobs", "Vault",
        (TaskTiming("ExportJobsTask", "Export jobs", 1.0),),
    ),
}



@dataclass(frozen=True)
class JobTimings:
    """Policy: per-task durations, overridable per task name (``JobTimings({"AddProtectionProfileTask": 60})``)
    so a test can hold a job in progress across polls."""

    overrides: dict[str, float] = field(default_factory=dict)

    def seconds(self, task: TaskTiming) -> float:
        return self.overrides.get(task.name, task.seconds)


#: ``allowedActions`` per job state. ``Suspended`` → ``["Cancel", "Resume"]`` is a fact
#: ([EX:ReplicationJobs_Resume]), so is ``Cancelling`` → ``[]`` ([SPEC-CANCEL], §B.1.4); the others
#: are policy: a running job may be cancelled, a failed
#: or cancelled one restarted (the Restart-AzRecoveryServicesAsrJob cmdlet exists for them), a
#: succeeded one allows nothing (fact: [EX:ReplicationJobs_Get] shows ``[]``).
ALLOWED_ACTIONS: dict[str, tuple[str, ...]] = {
    "NotStarted": ("Cancel",),
    "InProgress": ("Cancel",),
    "Suspended": ("Cancel", "Resume"),
    "Cancelling": (),
    "Failed": ("Restart",),
    "Cancelled": ("Restart",),
    "Succeeded": (),
}

#: Policy: the job states ``restart`` accepts (see ``ALLOWED_ACTIONS``).
RESTARTABLE_STATES = frozenset({"Failed", "Cancelled"})

#: Policy: how an ``operationresults`` (``Location``) poll answers once its job failed or was
#: cancelled; no recording shows it (asr-orchestration.md §B.1.5, NOT FOUND §B.1). A failed job's
#: poll is a 400 ARM error carrying the job's last numeric-string code (as Terraform surfaced
#: ``Code="150261"``, §B.1.3); a cancelled job's poll is a 400 with this code. A 4xx, never a 5xx
#: (azure-core would retry it) and never with ``Retry-After``: a Location-following client
#: (PowerShell) stops at the first answer that is not 202 and sees the failure.
CANCELLED_OPERATION_ERROR = ("OperationCancelled", "The operation was cancelled: job '{job}' was cancelled.")

#: Policy: the ``status`` of ``replicationOperationStatus/{id}`` per job state. ``InProgress`` /
#: ``Succeeded`` (§A.0.2), ``NotStarted`` (§B.1.2) and ``Failed`` (§A.0.4, 2017 overlay) are
#: recorded. A cancelled job's status is spelled **``Canceled``** although the job state is
#: ``Cancelled`` (§B.1.4): the 2021+ spelling was never recorded (§B NOT FOUND 1), and azure-core
#: (like ARM's async-operation contract) ends a poll only on succeeded / failed / canceled, so
#: ``Cancelled`` would poll the official SDKs forever. A ``Suspended`` (or ``Other``) job's
#: operation has ended, as its ``operationresults`` poll says (200 + the result): ``Succeeded``. A
#: ``Cancelling`` job (rolling back, ``FAILOVER_ROLLBACK_TASKS``) is still ``InProgress``.
OPERATION_STATUS: dict[str, str] = {
    "NotStarted": "NotStarted", "InProgress": "InProgress", "Succeeded": "Succeeded", "Suspended": "Succeeded",
    "Failed": "Failed", "Cancelled": "Canceled", "Other": "Succeeded", "Cancelling": "InProgress",
}

#: Policy: the status of a job *action* (cancel / restart / resume) reads ``Succeeded`` once the
#: job stops running, whatever the job's outcome: the action did what it was asked; the job's
#: outcome is in the job its final GET returns (as its ``operationresults`` answer always did).
#: Its status id is not the job name but a name-based UUID of the action, so the status of the
#: operation that created the job still reads that job's outcome (a status id other than the job
#: name is recorded for a recovery-plan POST, §A.0.2).
ACTION_STATUS = "Succeeded"

#: Policy: the operation status ``endTime`` is truncated to whole seconds with seven zero digits,
#: as the newest recording writes it (2023: ``"2023-08-03T08:25:39.0000000Z"``, §B.1.6; 2021 wrote
#: ``"…:36Z"``). The truncation is faithful: it can read earlier than ``startTime``.
OPERATION_STATUS_END_TIME_FRACTION = ".0000000"

#: Policy: ``None`` = ``Location`` / ``Azure-AsyncOperation`` carry the api-version the client
#: sent. (Fact: the real service wrote ``2021-06-01`` there whatever the request used, §A.0.1,
#: §B.7.1; echoing keeps a client that pins a version on the version it knows. Set it to
#: ``"2021-06-01"`` to write what the recordings show.)
LRO_FIXED_API_VERSION: str | None = None

#: Policy: a ``replicationOperationStatus`` answer for a running job carries the service's integer
#: ``Retry-After`` (as every 202 does, §A.0.1); a finished one carries none. The SDK's poller then
#: waits what a Location poller waits, and ``serve`` (``Retry-After: 0``) never waits in wall time.
STATUS_RETRY_AFTER_WHILE_RUNNING = True



#: Policy: deleting a vault that still holds replication resources is refused (400) with this
#: code, as the portal refuses it; the exact wire code was not captured.
VAULT_NOT_EMPTY_CODE = "ServiceResourceNotEmpty"

#: Policy: where an export job says it wrote its file (``ExportJobDetails.blobUri``); nothing is
#: written anywhere: the exported rows are kept on the job model.
EXPORT_BLOB_BASE = "https://asrharness.blob.core.windows.net/jobexports"

#: Policy: a job that ends ``Failed`` raises an event of type ``JobStatus`` (the event-specific
#: details type the SDK defines) with this severity.
JOB_EVENT_SEVERITY = "Warning"
