"""Policies: what the ASR emulator does where the real service's behaviour is undocumented.

Every constant here is **policy, not fact**: the reference (``shared/reference/asr-api.md``) does
not say what the real service does, so the emulator picks a behaviour, names it here, and the
suites test it. Facts (codes, states, names quoted from the reference) live next to the code that
uses them, with the section they come from. The Provider channel's policies live with it, in
``asr_emulator.channel.policy``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "VAULT_API_VERSIONS", "DEFAULT_RETRY_AFTER", "PAGE_SIZE", "DEFAULT_BASE_URL",
    "MAX_REQUEST_BODY_BYTES", "MAX_JSON_DEPTH", "JSON_MEDIA_TYPES", "BODY_WITHOUT_CONTENT_TYPE_IS_JSON",
    "MAX_QUERY_PARAMETERS", "MAX_QUERY_VALUE_CHARS", "MAX_SKIPTOKEN_DIGITS", "MAX_TOP", "MAX_ECHOED_CHARS",
    "UNKNOWN_QUERY_PARAMETERS_IGNORED",
    "TaskTiming", "JobTimings", "JOB_SCENARIOS", "Scenario",
    "ALLOWED_ACTIONS", "RESTARTABLE_STATES", "CANCELLED_OPERATION_ERROR",
    "OPERATION_STATUS", "ACTION_STATUS", "OPERATION_STATUS_END_TIME_FRACTION", "LRO_FIXED_API_VERSION",
    "STATUS_RETRY_AFTER_WHILE_RUNNING",
    "VAULT_NOT_EMPTY_CODE",
    "EXPORT_BLOB_BASE", "JOB_EVENT_SEVERITY", "WORK_WAIT_SECONDS", "ASSOCIATE_SCENARIO", "DISSOCIATE_SCENARIO",
    "PURGE_SKIPS_PROVIDERS", "PAIRING_PROVIDERS", "NETWORK_PAIRING_SCENARIO", "NETWORK_UNPAIRING_SCENARIO",
    "ENABLE_SCENARIO", "DISABLE_SCENARIO", "IR_COMPLETION_SCENARIOS", "PROTECTION_STATES", "ProtectionState",
    "TEST_FAILOVER_SCENARIO", "TEST_FAILOVER_CLEANUP_SCENARIO", "TEST_FAILOVER_ACTIVE",
    "PLANNED_FAILOVER_SCENARIO", "COMMIT_SCENARIO", "UNPLANNED_FAILOVER_SCENARIO", "REVERSE_REPLICATION_SCENARIO",
    "CONFLICT_FAILS_AFTER_SECONDS", "UNPLANNED_FAILOVER_RECOVERY_POINT", "APPLY_RECOVERY_POINT_SCENARIO",
    "RECOVERY_POINT_TYPES", "RECOVERY_POINT_NAME", "APPLIED_POINT_SHOWN_UNTIL_PROTECTED", "COMMITTED_POINT_LISTED",
    "CONFLICT_FAILS_AFTER_SECONDS", "REPAIR_REPLICATION_SCENARIO", "REPAIR_REPLICATION_STATES",
    "CANCEL_FAILOVER_SCENARIO", "FAILOVER_ROLLBACK_TASKS", "ROLLED_BACK_NOT_RESTARTABLE", "RECOVERY_VM_NAME_MAX",
    "HEALTHY", "HEALTH_BY_ERROR_LEVEL", "PAIRING_HEALTH_ERROR_SOURCES", "PAIRING_HEALTH_ERROR_TYPE",
    "PAIRING_HEALTH_ERROR_LEVEL", "PAIRING_HEALTH_ERROR_CATEGORY", "PAIRING_HEALTH_RESOLVABILITY",
    "PAIRING_HEALTH_ERROR_ID",
    "MAX_PLAN_BOOT_GROUPS", "MAX_PLAN_ITEMS", "PLAN_DEPLOYMENT_MODEL", "PLAN_OPERATIONS", "PLAN_IDLE_OPERATIONS",
    "PLAN_ACTION_FAILOVER_TYPES", "CREATE_PLAN_SCENARIO", "UPDATE_PLAN_SCENARIO", "DELETE_PLAN_SCENARIO",
    "PLAN_PREREQUISITES", "PLAN_END", "PLAN_SCENARIOS", "PLAN_HOLD_TASKS", "PLAN_HOLD_TIMEOUT_SECONDS",
    "PLAN_PLANNED_STOPS_AFTER_GROUP",
]

#: The api-versions accepted on ``replication*`` paths are a fact: ``asr_emulator.api_versions``
#: (every published version, asr-orchestration.md §B.7.1). Bodies are rendered in the 2025-08-01
#: shapes whatever the version: no per-version field name of an emulated resource is recorded.

#: Policy: the api-versions accepted on vault paths (azure-mgmt-recoveryservices 4.3.0, §10).
VAULT_API_VERSIONS: tuple[str, ...] = ("2026-11-01",)

#: The real service answers ``Retry-After: 30`` (asr-api.md §3.4, [TF21963]); in-process the
#: transport's ``sleep`` turns those 30 s into virtual time, so the faithful value costs nothing.
DEFAULT_RETRY_AFTER = 30

#: Policy: items per page of every list. The real page size is undocumented; a small page makes
#: ``nextLink`` paging happen in ordinary tests. ``AsrService(page_size=...)`` overrides it.
PAGE_SIZE = 10

#: Where ids in ``Location``/``nextLink`` point when a request carries only a path.
DEFAULT_BASE_URL = "https://management.azure.com"

# -- What a client may send (hardening). Every bound here is policy: the real limits are not
# -- published, so each is chosen far above anything the official SDKs send and far below what
# -- would let one request exhaust the emulator.

#: Policy: the largest request body accepted, in bytes; a larger one is answered 413
#: ``RequestEntityTooLarge`` (and, over a socket, not read further). 4 MiB is the bound ARM states
#: for what it relays between client and resource provider (ARM RPC, Common API Details, "Max
#: Response Size"); the largest body the SDKs send to these operations is a few kilobytes.
MAX_REQUEST_BODY_BYTES = 4 * 1024 * 1024

#: Policy: the deepest nesting of arrays and objects accepted in a JSON body; deeper is 400
#: ``InvalidRequestContent``. The SDK models nest under 10 levels; Python's parser gives up
#: (RecursionError) near 1,000, which is what this bound keeps every body far from.
MAX_JSON_DEPTH = 64

#: Policy: the media types a request body may declare (ARM RPC, Common API Details, "Client Request
#: Headers": ``Content-Type`` is ``application/json``; ``text/json`` and any ``…+json`` type are
#: accepted too); a ``charset`` parameter, if present, must be UTF-8 (RFC 8259 §8.1). Anything else
#: is 415 ``UnsupportedMediaType``. A request without a body (or with an empty one, as the SDKs send
#: for some POSTs) is never checked.
JSON_MEDIA_TYPES = ("application/json", "text/json")

#: Policy: a non-empty body without any ``Content-Type`` is read as JSON. Every SDK and PowerShell
#: send the header; direct ``AsrService.handle`` callers (the in-process suites) do not.
BODY_WITHOUT_CONTENT_TYPE_IS_JSON = True

#: Policy: at most this many query parameters per request; more is 400 ``InvalidQueryParameterValue``.
MAX_QUERY_PARAMETERS = 32

#: Policy: the longest value of any query parameter, in characters (``$filter`` included).
MAX_QUERY_VALUE_CHARS = 2048

#: Policy: a ``$skiptoken`` is what this emulator's ``nextLink`` issues, the decimal offset of the
#: next page: 1 to this many ASCII digits. Anything else is 400 naming ``$skiptoken``.
MAX_SKIPTOKEN_DIGITS = 9

#: Policy: ``$top`` (OData: at most N items in all) and the SDK's ``$take`` are whole numbers from 1
#: to this bound on list operations; the list then holds at most that many items, paged as usual.
MAX_TOP = 1000

#: Policy: an error message quotes at most this many characters of what the client sent.
MAX_ECHOED_CHARS = 200

#: Policy: a query parameter no operation of the SDKs takes and that is not an OData system option
#: (``$…``) is ignored, as ARM passes query parameters to the resource provider unchanged (ARM RPC,
#: Common API Details, "Request Query Parameters") and an ASP.NET provider does not bind unknown
#: ones. An unknown ``$…`` option is refused (400 ``UnsupportedQueryParameter``), never ignored.
UNKNOWN_QUERY_PARAMETERS_IGNORED = True


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


#: Policy: how long ASR waits for a Provider's report on a task that sends work (its timeout);
#: the same as the channel's ``WORK_TIMEOUT_SECONDS``.
WORK_WAIT_SECONDS = 1800.0

#: Facts (asr-orchestration.md §A.1.4): the pairing job, its target type and its four tasks with
#: their recorded ids, names and friendly names. Policy: the preflight's 0.3 s is the recorded
#: duration; the other tasks wait for the Providers (whose work takes the recorded durations).
ASSOCIATE_SCENARIO = Scenario(
    "AssociateProtectionProfile", "Associate replication policy", "ProtectionProfile",
    (TaskTiming("CloudPairingPrerequisitesCheck", "Check protection prerequisites", 0.3,
                "CloudPairingWfPreflightChecksTask"),
     TaskTiming("CloudPairingPrepareSite", "Prepare the server", WORK_WAIT_SECONDS, "CloudPairingWfPrepareSiteTask"),
     TaskTiming("CloudPairingPrepareCloud", "Prepare for configuring protection", WORK_WAIT_SECONDS,
                "CloudPairingWfPrepareCloudForPairingTask"),
     TaskTiming("CloudPairingPairClouds", "Configure the protection settings", WORK_WAIT_SECONDS,
                "CloudPairingWfPairCloudsTask")))

#: Facts (§B.4.3): the unpairing job and its tasks. Policy: the durations (the preflight's 0.44 s
#: is recorded; the completion was not).
DISSOCIATE_SCENARIO = Scenario(
    "DissociateProtectionProfile", "Dissociate replication policy", "ProtectionProfile",
    (TaskTiming("CloudUnpairingPrerequisitesCheck", "Prerequisites check for dissociating the replication policy",
                0.44, "CloudUnpairingWfPreflightChecksTask"),
     TaskTiming("CloudUnpairingUnpairClouds", "Remove the protection configuration", WORK_WAIT_SECONDS,
                "CloudUnpairingWfUnpairCloudsTask"),
     TaskTiming("CloudUnpairingCleanupClouds", "Clean up the protection configuration", 1.0,
                "CloudUnpairingWfCleanupCloudsTask"),
     TaskTiming("CloudUnpairingCleanupSite", "Clean up the configuration", 1.0, "CloudUnpairingWfCleanupSiteTask")))

#: Policy: a purge of a pairing (DELETE, the SDK's ``begin_purge``) runs the unpairing job with its
#: "Remove the protection configuration" task skipped: ASR forgets the pairing, the VMM servers keep
#: their hosts' configuration (as a fabric purge leaves the servers alone).
PURGE_SKIPS_PROVIDERS = True

#: Fact (hyperv-scvmm.md §5.3): the replication providers whose policies pair VMM clouds.
PAIRING_PROVIDERS = ("HyperVReplica2012R2", "HyperVReplica2012")

#: Facts (§A.2.3, §B.4.2): the network mapping jobs. Their tasks: "Map network" / "Unmap network",
#: then a group "Attach network (N)" / "Detach network (N)" (N VMs re-attached) that ends Skipped.
#: Policy: the map task waits for the Providers like the pairing tasks.
NETWORK_PAIRING_SCENARIO = Scenario(
    "NetworkPairing", "Map Networks", "Network",
    (TaskTiming("ModifyVMNetworksPairingStatusTask", "Map network", WORK_WAIT_SECONDS),
     TaskTiming("VmNetworksUpdateVMNicsTask", "Attach network ({count})", 0.0)))
NETWORK_UNPAIRING_SCENARIO = Scenario(
    "NetworkUnPairing", "Remove map", "Network",
    (TaskTiming("ModifyVMNetworksUnPairingStatusTask", "Unmap network", WORK_WAIT_SECONDS),
     TaskTiming("VMNetworksUpdateVMNicsTaskDetach", "Detach network ({count})", 0.0)))


#: Facts (asr-orchestration.md §A.3.3): the enable-protection job, its target type, its tasks with
#: their recorded ids, names and friendly names. Policy: the local tasks take their recorded
#: durations; the others wait for the Providers (whose work takes the recorded durations).
ENABLE_SCENARIO = Scenario(
    "EnableDr", "Enable replication", "ProtectionEntity",
    (TaskTiming("EnableProtectionPrerequisitesCheck", "Prerequisites check for enabling protection", 2.2,
                "EnableProtectionPreflightChecksTask"),
     TaskTiming("CreateProtectionTarget", "Identifying the replication target", WORK_WAIT_SECONDS,
                "CreateProtectionTargetTask"),
     TaskTiming("EnableProtection", "Enable replication", WORK_WAIT_SECONDS, "EnableProtectionTask"),
     TaskTiming("VmStartInitialReplication", "Starting initial replication", WORK_WAIT_SECONDS,
                "StartInitialReplicationTask"),
     TaskTiming("UpdateDraState", "Updating the provider states", 7.6, "UpdateDraStateTask")))

#: Facts (§B.4.1): the disable-protection job and its tasks; the last one's 6.6 s is recorded.
DISABLE_SCENARIO = Scenario(
    "DisableDr", "Disable replication", "ProtectionEntity",
    (TaskTiming("DisableProtectionOnPrimary", "Disable replication on the source location", WORK_WAIT_SECONDS,
                "DisableProtectionOnPrimaryTask"),
     TaskTiming("DisableProtectionOnSecondary", "Disable replication on the target location", WORK_WAIT_SECONDS,
                "DisableProtectionOnSecondaryTask"),
     TaskTiming("UpdateDraState", "Updating the provider states", 6.6, "UpdateDraStateTask")))

#: Fact (§A.3.3): after ``EnableDr``, initial replication ends in two jobs named
#: ``PrimaryIrCompletion`` and ``SecondaryIrCompletion`` (what the recorded test script waits for).
#: Policy: their friendly names and single task (their JSON was not recorded, §A NOT FOUND 4);
#: ASR starts both when the primary VMM reports the VM's initial replication finished.
IR_COMPLETION_SCENARIOS = (
    Scenario("PrimaryIrCompletion", "Finalize protection on the primary", "ProtectionEntity",
             (TaskTiming("PrimaryIrCompletion", "Finalize protection on the primary", 1.0,
                         "PrimaryIrCompletionTask"),)),
    Scenario("SecondaryIrCompletion", "Finalize protection on the recovery", "ProtectionEntity",
             (TaskTiming("SecondaryIrCompletion", "Finalize protection on the recovery", 1.0,
                         "SecondaryIrCompletionTask"),)),
)


#: Facts (§A.4.2, §A.4.3): the test failover job and its cleanup, their tasks with the recorded ids,
#: names and friendly names. Policy: the local tasks take the recorded durations of a run with a VM
#: network (the test VM's boot: 5 minutes); creating the test VM waits for the recovery Provider.
TEST_FAILOVER_SCENARIO = Scenario(
    "TestFailover", "Test failover", "ProtectionEntity",
    (TaskTiming("VmTfoPrerequisitesCheck", "Prerequisites check for test failover", 0.5,
                "TestFailoverPreflightChecksTask"),
     TaskTiming("VmTfoInitiateFailover", "Create test virtual machine", WORK_WAIT_SECONDS, "BeginTestFailoverTask"),
     TaskTiming("VmTfoPrepareTestVm", "Preparing the virtual machine", 17.0, "PrepareTestProtectedEntitiesTask"),
     TaskTiming("VmTfoBootTestVm", "Start the virtual machine", 300.0, "BootTestProtectedEntitiesTask")))
TEST_FAILOVER_CLEANUP_SCENARIO = Scenario(
    "TestFailoverCleanup", "Test failover cleanup", "ProtectionEntity",
    (TaskTiming("VmTfoCleanupPreflightsCheck", "Prerequisites check for test failover cleanup", 0.5,
                "TestFailoverCleanupPreflightChecksTask"),
     TaskTiming("VmTfoEndFailover", "Ending test failover", WORK_WAIT_SECONDS, "EndTestFailoverTask"),
     TaskTiming("VmTfoDeleteTestVm", "Clean up the test virtual machine", 0.14, "CleanupTestProtectedEntitiesTask")))

#: Facts (§A.4.2): the planned failover job and its tasks. Policy: the preflight's half second; the
#: other tasks wait for the Providers (whose VMM work takes policy FAILOVER_WORK_SECONDS).
PLANNED_FAILOVER_SCENARIO = Scenario(
    "PlannedFailover", "Planned failover", "ProtectionEntity",
    (TaskTiming("VmPfoPrerequisitesCheck", "Prerequisites check for planned failover", 0.5,
                "PlannedFailoverPreflightChecksTask"),
     TaskTiming("VmShutdownVmOnPrimary", "Shut down the virtual machine", WORK_WAIT_SECONDS, "ShutdownVmOnPrimary"),
     TaskTiming("VmPrepareForFailover", "Preparing for failover", WORK_WAIT_SECONDS, "PrepareForFailoverTask"),
     TaskTiming("VmFailover", "Start failover", WORK_WAIT_SECONDS, "FailoverTask"),
     TaskTiming("VmFoStartVmOnSecondary", "Start the replica virtual machine", WORK_WAIT_SECONDS,
                "StartVmOnSecondary")))

#: Facts (§A.4.2): the unplanned failover job ("Failover") and its tasks; "Synchronizing the latest
#: changes" (and the shutdown) end ``Other``/``Skipped`` when source-side operations are not asked for.
UNPLANNED_FAILOVER_SCENARIO = Scenario(
    "UnplannedFailover", "Failover", "ProtectionEntity",
    (TaskTiming("VmUfoPrerequisitesCheck", "Prerequisites check for failover", 0.5,
                "UnplannedFailoverPreflightChecksTask"),
     TaskTiming("VmShutdownVmOnPrimary", "Shut down the virtual machine", WORK_WAIT_SECONDS,
                "ShutdownVmOnPrimaryForUFO"),
     TaskTiming("VmPrepareForUnPlannedFailover", "Synchronizing the latest changes", WORK_WAIT_SECONDS,
                "PrepareForUnPlannedFailoverTask"),
     TaskTiming("VmFailover", "Start failover", WORK_WAIT_SECONDS, "FailoverTask"),
     TaskTiming("VmFoStartVmOnSecondary", "Start the replica virtual machine", WORK_WAIT_SECONDS,
                "StartVmOnSecondary")))

#: Policy (the SDK's VMM-to-VMM input, ``ProviderSpecificFailoverInput``, carries no recovery point;
#: asr-api.md §7): an unplanned failover goes to the replica's latest point, and an older one is chosen
#: afterwards with ChangePit (``applyRecoveryPoint``), before the commit — as the portal's "Change
#: Recovery Point" does (hyperv-scvmm.md §5.6). ``failoverRecoveryPointId`` stays ``""`` after a plain
#: unplanned failover (fact: §A.4.6, ``""`` in every recorded state).
UNPLANNED_FAILOVER_RECOVERY_POINT = "latest"

#: Policy (§A NOT FOUND 6, §B NOT FOUND 4: no VMM-to-VMM ``applyRecoveryPoint`` job was recorded):
#: ``ApplyRecoveryPoint`` / "Change recovery point": a preflight, the VMM of the site where the item is
#: active cancels the failover and fails over again to the chosen point (``Stop-VMFailover``, then
#: ``Start-VMFailover -VMRecoverySnapshot``, hyperv-scvmm.md §3.4), then starts the VM again (the
#: failover job's recorded start task).
APPLY_RECOVERY_POINT_SCENARIO = Scenario(
    "ApplyRecoveryPoint", "Change recovery point", "ProtectionEntity",
    (TaskTiming("VmChangePitPrerequisitesCheck", "Prerequisites check for changing the recovery point", 0.5,
                "ChangePitPreflightChecksTask"),
     TaskTiming("VmChangePit", "Change the recovery point", WORK_WAIT_SECONDS, "ChangePitTask"),
     TaskTiming("VmFoStartVmOnSecondary", "Start the replica virtual machine", WORK_WAIT_SECONDS,
                "StartVmOnSecondary")))

#: ``recoveryPointType`` per Hyper-V point kind (``ReplicationType``, hyperv-scvmm.md §2.8). Fact
#: (§B.5): H2A points read ``CrashConsistent``. Policy (no VMM-to-VMM list was recorded, §A.4.6): a
#: standard point is ``CrashConsistent``, an application-consistent (VSS) one ``AppConsistent``, and
#: the final point of a planned failover — taken with the VM shut down — ``AppConsistent`` too.
RECOVERY_POINT_TYPES: dict[str, str] = {
    "None": "CrashConsistent", "Regular": "CrashConsistent", "ApplicationConsistent": "AppConsistent",
    "Planned": "AppConsistent"}

#: Policy (recorded names are GUIDs, §B.5; how they are made is unknown): a point's name is a
#: name-based UUID of the VM, the point's time and whether it is the latest (Hyper-V keeps an hourly
#: point and its "Latest Recovery Point" at the same instant apart), so it is stable across reads,
#: syncs and replays.
RECOVERY_POINT_NAME = "uuid5(NAMESPACE_URL, '<Hyper-V VM id>|<point time>|latest or hourly')"

#: Policy (fact, §B.5: after ``applyRecoveryPoint`` ``failoverRecoveryPointId`` holds the applied
#: point's ARM id; how long was not recorded): it holds that id, through the commit, until the item is
#: protected again (reverse replication) or fails over anew; ``""`` otherwise.
APPLIED_POINT_SHOWN_UNTIL_PROTECTED = True

#: Policy: after the commit the item lists exactly one point, the one it failed over to (Hyper-V's
#: ``Complete-VMFailover`` removes all others, hyperv-scvmm.md §3.4; the replica-side VMM reports the
#: committed point), so ``failoverRecoveryPointId`` still names a point that ``get`` answers.
COMMITTED_POINT_LISTED = True

#: Facts (§A.4.2): the reverse replication job and its task names (their ids were GUIDs: drawn).
#: Policy: ``VmCommit`` runs the commit when the failover is not committed yet (else it is skipped);
#: preparing shuts the old primary VM down through its Provider (it must be off to become the
#: replica); the provider-state update takes the recorded enable job's 7.6 s.
REVERSE_REPLICATION_SCENARIO = Scenario(
    "ReverseReplication", "Reverse replication", "ProtectionEntity",
    (TaskTiming("VmReverseReplicationPrerequisitesCheck", "Prerequisites check", 0.5),
     TaskTiming("VmCommit", "Commit", WORK_WAIT_SECONDS),
     TaskTiming("VmPrepareForReverseReplication", "Preparing for reverse replication", WORK_WAIT_SECONDS),
     TaskTiming("VmInitiateReverseReplication", "Start reverse replication", WORK_WAIT_SECONDS),
     TaskTiming("UpdateDraState", "Updating the provider states", 7.6)))

#: Policy (§A NOT FOUND 2: the commit job's JSON was not read): ``CommitFailover`` / "Commit" with
#: the ``VmCommit`` / "Commit" task the reverse-replication job runs (§A.4.2), waiting for the
#: recovery Provider.
COMMIT_SCENARIO = Scenario(
    "CommitFailover", "Commit", "ProtectionEntity",
    (TaskTiming("VmCommit", "Commit", WORK_WAIT_SECONDS, "CommitFailoverTask"),))

#: Policy (§A NOT FOUND 3: the state during a test failover was not recorded): once a test failover
#: succeeded and until its cleanup, ``testFailoverState`` reads ``TestFailoverCompleted`` / "Test
#: failover completed" and the only allowed operation is its cleanup.
TEST_FAILOVER_ACTIVE = ("TestFailoverCompleted", "Test failover completed", ("TestFailoverCleanup",))


#: Policy (no VMM-to-VMM recording of a repair): ``RepairReplication`` / "Repair replication", a
#: preflight, then the resynchronization on the primary side's Provider (``Resume-VMReplication
#: -Resynchronize``), done when Hyper-V's resynchronization ends.
REPAIR_REPLICATION_SCENARIO = Scenario(
    "RepairReplication", "Repair replication", "ProtectionEntity",
    (TaskTiming("VmRepairReplicationPrerequisitesCheck", "Prerequisites check for repairing replication", 0.5,
                "RepairReplicationPreflightChecksTask"),
     TaskTiming("VmResynchronizeReplication", "Resynchronize replication", WORK_WAIT_SECONDS,
                "ResynchronizeReplicationTask")))

#: Policy: the Hyper-V replication states (as the primary side's VMM reports them) in which a
#: ``Protected`` item offers ``RepairReplication``, first in ``allowedOperations`` as in the one
#: recorded list holding it (V2A, §B.8): "Resynchronization required" (hyperv-scvmm.md §2.3, state 9)
#: and "Replication Error" (state 8), both Critical and both left by ``Resume-VMReplication
#: -Resynchronize`` (§2.3). The recorded lists of a healthy item are kept as they are.
REPAIR_REPLICATION_STATES = ("WaitingForStartResynchronize", "Error")

#: Policy (no recorded VMM-to-VMM state allows ``CancelFailover``, so ``failoverCancel`` is always
#: refused with 150205): the scenario of the job that fails with 532 when it is issued while another
#: operation runs on the item, as every item operation does (§A.4.5).
CANCEL_FAILOVER_SCENARIO = Scenario(
    "CancelFailover", "Cancel failover", "ProtectionEntity",
    (TaskTiming("VmCancelFailover", "Cancel failover", WORK_WAIT_SECONDS, "CancelFailoverTask"),))

#: Policy (a cancelled failover was not recorded; hyperv-scvmm.md §5.6 maps ASR's cancel to
#: ``Stop-VMFailover``): cancelling a planned or unplanned failover job under way rolls it back while
#: the job reads ``Cancelling`` (the transitional state of the cancel example, §B.1.4) — the replica's
#: failover stopped and its addresses returned on the recovery site, then (if the job had source-side
#: tasks) the primary's prepare cancelled and the VM started again if the job had shut it down — and
#: the item is as before the failover. The job is ``Cancelled`` once the rollback ended; its tasks
#: are not listed (the job's recorded tasks are).
FAILOVER_ROLLBACK_TASKS = (
    TaskTiming("VmCancelFailoverOnRecovery", "Cancel the failover of the replica virtual machine", WORK_WAIT_SECONDS),
    TaskTiming("VmCancelFailoverOnPrimary", "Cancel the failover preparation of the virtual machine",
               WORK_WAIT_SECONDS))

#: Policy: a cancelled job whose steps were rolled back allows no ``Restart`` (it would re-run from
#: the first step not finished, skipping the steps that were undone): a new operation is started instead.
ROLLED_BACK_NOT_RESTARTABLE = True

#: Policy: the longest recovery VM name an update accepts (VMM's 64-character VM name limit; the
#: reference states none).
RECOVERY_VM_NAME_MAX = 64


#: Fact (§A.4.5): an operation issued while another runs on the same protected item is accepted, and
#: its job fails about 3 min 20 s later (code 532). Policy: exactly 200 s.
CONFLICT_FAILS_AFTER_SECONDS = 200.0


@dataclass(frozen=True)
class ProtectionState:
    """A protected item's ``protectionState``, its description and its ``allowedOperations``."""

    name: str
    description: str
    allowed_operations: tuple[str, ...]


#: ``Protected`` with its description and allowed operations is a fact (§A.3.4); so are the
#: commit-pending and committed planned-failover states (§B.2.2) and the unplanned commit-pending state
#: (§A.4.4); the unplanned committed state's name and description are policy, after the planned one. The states while protection is
#: being enabled (or after enabling failed) and during initial replication are **policy** (§A NOT
#: FOUND 4): not recorded. While a job runs on an item it allows no operation (§A.4.5).
PROTECTION_STATES: dict[str, ProtectionState] = {state.name: state for state in (
    ProtectionState("UnprotectedStatesBegin", "Enabling protection", ("DisableProtection",)),
    ProtectionState("ProtectedStatesBegin", "Waiting for initial replication to complete", ("DisableProtection",)),
    ProtectionState("Protected", "Protected",
                    ("PlannedFailover", "UnplannedFailover", "DisableProtection", "TestFailover")),
    ProtectionState("DisablingProtection", "Disabling protection", ()),
    ProtectionState("PlannedFailoverCommitRequired", "Planned failover finished",
                    ("CompleteMigration", "ReverseReplicate", "Commit", "DisableProtection", "ChangePit")),
    ProtectionState("PlannedFailoverStatesBegin", "Planned failover committed",
                    ("CompleteMigration", "ReverseReplicate", "DisableProtection")),
    ProtectionState("UnplannedFailoverCommitPendingStatesBegin", "Failover completed",
                    ("CompleteMigration", "ReverseReplicate", "Commit", "DisableProtection", "ChangePit")),
    ProtectionState("UnplannedFailoverStatesBegin", "Failover committed",
                    ("CompleteMigration", "ReverseReplicate", "DisableProtection")),
)}


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


# -- health of a cloud pairing (the mapping's ``health`` / ``healthErrorDetails``) ----------------

#: Fact (§A.1.2): a sound pairing reads ``health "Normal"`` with ``healthErrorDetails: []``.
HEALTHY = "Normal"

#: Policy: an entity's ``health`` is that of its worst error: an ``Error`` makes it ``Critical``, a
#: ``Warning`` ``Warning``. Facts behind it: RPIs read ``replicationHealth "Critical"`` with Error
#: items and the values Normal / Warning / Critical (§A.4, asr-api.md §6); no recording shows a
#: pairing that is not Normal.
HEALTH_BY_ERROR_LEVEL: dict[str, str] = {"Warning": "Warning", "Error": "Critical"}

#: Policy: the health errors of a pairing name the VMM side that reported the host, after the
#: recorded RPI sources ``ReplicationUnitProviderErrorOnPrimary`` / ``…OnReplica`` (§A.4); no
#: pairing health error was recorded.
PAIRING_HEALTH_ERROR_SOURCES: dict[str, str] = {
    "Primary": "CloudPairingProviderErrorOnPrimary", "Recovery": "CloudPairingProviderErrorOnRecovery"}

#: Policy: ``errorType`` of a pairing host defect (recorded types are a number or a validator's
#: name, ``"305"``, ``"TestFailoverValidator"``).
PAIRING_HEALTH_ERROR_TYPE = "CloudPairingHostValidator"

#: Policy: every host defect VMM reports stops replication to or from that host, so it is an
#: ``Error`` (recorded levels: Error, Warning).
PAIRING_HEALTH_ERROR_LEVEL = "Error"

#: Policy: the one recorded ``errorCategory`` (§B.6).
PAIRING_HEALTH_ERROR_CATEGORY = "Replication"

#: Policy: the administrator resolves a host defect (fix the host, or let VMM configure it again).
PAIRING_HEALTH_RESOLVABILITY = "Allowed"

#: Policy: ``errorId`` is a name-based UUID of the pairing, side, host and code, so the same defect
#: keeps its id (and its ``creationTimeUtc``, the instant ASR first learnt of it) across syncs;
#: ``entityId`` is the host's FQDN. (Recorded: ``errorId "3:305"``, an ``entityId``; their scheme
#: is unknown.)
PAIRING_HEALTH_ERROR_ID = "uuid5(NAMESPACE_URL, '<pairing id>|<side>|<host>|<code>')"


# -- recovery plans (hyperv-scvmm.md §5.7, asr-orchestration.md §A.5, §B.3) ------------------------

#: Fact (§5.7, §6 of hyperv-scvmm.md: "You can have up to seven groups"; "up to 100 protected
#: instances"). Policy: the seven are Boot groups (the Shutdown and Failover groups the service adds
#: are not counted), and both limits are refused at the request (400), nothing stored.
MAX_PLAN_BOOT_GROUPS = 7
MAX_PLAN_ITEMS = 100

#: Fact (§B.3.1): a VMM-to-VMM plan reads ``failoverDeploymentModel "NotApplicable"``. Policy: it
#: reads so whatever the input sent (the model only distinguishes failovers to Azure).
PLAN_DEPLOYMENT_MODEL = "NotApplicable"

#: Fact (§B.3.1): an idle plan allows ``["PlannedFailover","UnplannedFailover","TestFailover"]``.
#: Policy: a plan allows, in this order, each plan operation that every one of its items allows
#: (an empty plan: the recorded three); nothing while a plan job runs.
PLAN_OPERATIONS = ("PlannedFailover", "UnplannedFailover", "TestFailover", "TestFailoverCleanup", "Commit",
                   "ReverseReplicate")
PLAN_IDLE_OPERATIONS = ("PlannedFailover", "UnplannedFailover", "TestFailover")

#: Policy: the ``failoverTypes`` an action may name: the plan's failover kinds (the portal offers
#: Test, Failover, Planned failover, §5.7); another ``ReplicationProtectedItemOperation`` is refused.
PLAN_ACTION_FAILOVER_TYPES = ("PlannedFailover", "UnplannedFailover", "TestFailover")

#: Facts (§B.3.2): the update and delete jobs, their task names and recorded durations (0.16 s,
#: 15 ms). Policy: the create job (not recorded), after the update's pattern; task ids are GUIDs.
CREATE_PLAN_SCENARIO = Scenario(
    "CreateRecoveryPlan", "Create a recovery plan", "RecoveryPlan",
    (TaskTiming("CreateRecoveryPlanTask", "Create a recovery plan task", 0.16),))
UPDATE_PLAN_SCENARIO = Scenario(
    "UpdateRecoveryPlan", "Save a recovery plan", "RecoveryPlan",
    (TaskTiming("SaveRecoveryPlanTask", "Save a recovery plan task", 0.16),))
DELETE_PLAN_SCENARIO = Scenario(
    "DeleteRecoveryPlan", "Delete a recovery plan", "RecoveryPlan",
    (TaskTiming("DeleteRecoveryPlanTask", "Delete a recovery plan task", 0.015),))

#: Facts (§B.3.3, an **A2A** plan failover; no VMM-to-VMM plan job was recorded, §B NOT FOUND 3):
#: the plan job's scenario is the item operation's (``UnplannedFailover`` / "Failover") with target
#: type ``RecoveryPlan``; its tasks are the prerequisites check (3.3 s), the shutdown group
#: ("All groups shutdown (N)"), the failover group ("Recovery plan failover"), one group per Boot
#: group ("Group k: Start (N)") and "Finalizing the recovery plan" (0.1 s). Policy: the same tree for
#: every plan failover kind of VMM-to-VMM, its shutdown group ``Skipped`` for a test failover and an
#: unplanned one without source-side operations; the plan jobs of cleanup, commit and reverse
#: replication run the prerequisites, one parallel group of the items' jobs, and the end task.
PLAN_PREREQUISITES = TaskTiming("RpSrsPrerequisitesCheck", "Prerequisites check for the recovery plan", 3.3)
PLAN_END = TaskTiming("EndRecoveryPlanTask", "Finalizing the recovery plan", 0.1)
PLAN_SCENARIOS: dict[str, Scenario] = {op: Scenario(name, friendly, "RecoveryPlan", ()) for op, name, friendly in (
    ("PlannedFailover", "PlannedFailover", "Planned failover"),
    ("UnplannedFailover", "UnplannedFailover", "Failover"),
    ("TestFailover", "TestFailover", "Test failover"),
    ("TestFailoverCleanup", "TestFailoverCleanup", "Test failover cleanup"),
    ("Commit", "CommitFailover", "Commit"),
    ("ReverseReplicate", "ReverseReplication", "Reverse replication"),
)}

#: Policy: a plan's per-VM failover job holds before "Start failover" (planned, and unplanned with
#: source-side operations: until every VM of the plan shut down) and before starting the VM (until
#: the VM's boot group starts), each hold a task of that job named so (the VM's job reads the plan's
#: ordering). A hold not released within the hold timeout fails its job (two weeks: the longest a
#: test failover stays up before the service completes it, hyperv-scvmm.md §5.6); a plan job that
#: stops (fails, is cancelled) fails the jobs it holds. The boot group's VM task points at that same
#: per-VM job (the A2A record shows another child job per group; its scenario was not recorded).
PLAN_HOLD_TASKS = {
    "failover": TaskTiming("VmWaitForRecoveryPlanFailover", "Waiting for the recovery plan's failover", 0.0),
    "boot": TaskTiming("VmWaitForRecoveryPlanBootGroup", "Waiting for the recovery plan's boot group", 0.0),
}
PLAN_HOLD_TIMEOUT_SECONDS = 14 * 24 * 3600.0

#: Policy (hyperv-scvmm.md §5.7: "Whether other VMs in the same group keep running after one VM fails
#: in a planned failover is NOT FOUND"): the VMs of a group run to their end, then a planned failover
#: stops (its job ``Failed``, later groups ``NotStarted``); an unplanned one runs every group and
#: action and ends ``Failed`` with every error recorded (fact: it "runs to completion", §5.6).
PLAN_PLANNED_STOPS_AFTER_GROUP = True
