"""Policies of the workflows up to failover: pairing, network mapping, protection, the failover family,
recovery points, repair and cancel — their job scenarios and the protected item's states."""

from __future__ import annotations

from dataclasses import dataclass

from ._jobs import Scenario, TaskTiming

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
