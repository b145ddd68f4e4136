"""Policies of protection and failover of VMware VMs and physical servers to a secondary site
(``InMage``, vmware_fake/REFERENCE.md §7): the jobs, the protected item's states and what it shows.

No recording of this scenario's jobs exists (it left the vault in 2018, REFERENCE.md "Status"): the
job and task names are the VMM scenario's recorded ones (asr-orchestration.md §A.3–§A.4) where a step
means the same, so a runbook reads alike whichever site it protects; the steps differ where the
configuration server does in one piece of work what two VMM servers do in two.
"""

from __future__ import annotations

from ._jobs import Scenario, TaskTiming
from ._protection import (
    ASSOCIATE_SCENARIO, COMMIT_SCENARIO, DISABLE_SCENARIO, ENABLE_SCENARIO, REVERSE_REPLICATION_SCENARIO, TEST_FAILOVER_CLEANUP_SCENARIO,
    TEST_FAILOVER_SCENARIO, UNPLANNED_FAILOVER_SCENARIO, ProtectionState,
)

#: Fact (SDK 2.0.0): the replication provider of this scenario, the ``instanceType`` of its inputs and
#: of ``InMageReplicationDetails``.
INMAGE_PROVIDER = "InMage"


def _tasks(scenario: Scenario, *names: str) -> tuple[TaskTiming, ...]:
    by_name = {task.name: task for task in scenario.tasks}
    return tuple(by_name[name] for name in names)


#: Policy: ``EnableDr`` / "Enable replication" for an InMage machine is the recorded VMM job's
#: prerequisites check, "Enable replication" (the configuration server's ``EnableProtection`` work:
#: it pushes the Mobility service if needed, creates the replication pair and starts initial
#: replication itself) and the provider-state update: no replica placement or separate IR start.
INMAGE_ENABLE_SCENARIO = Scenario(ENABLE_SCENARIO.name, ENABLE_SCENARIO.friendly_name,
                                  ENABLE_SCENARIO.target_instance_type,
                                  _tasks(ENABLE_SCENARIO, "EnableProtectionPrerequisitesCheck", "EnableProtection",
                                         "UpdateDraState"))

#: Policy: ``DisableDr`` for an InMage machine: the configuration server ends the pair on both sites in
#: one piece of work (the source-location task), the target-location task is its own record of it.
INMAGE_DISABLE_SCENARIO = DISABLE_SCENARIO

#: Policy: the test failover and its cleanup, the unplanned failover, the commit and the reprotect
#: (``ReverseReplication``) keep the recorded VMM jobs' names and tasks. In the unplanned failover the
#: source-side tasks are ``Skipped`` (InMage has no source-side operations: its input carries only a
#: recovery point) and the configuration server's master target creates and powers on the replica in
#: "Start failover"; "Start the replica virtual machine" then only waits for it to boot.
INMAGE_TEST_FAILOVER_SCENARIO = TEST_FAILOVER_SCENARIO
INMAGE_TEST_FAILOVER_CLEANUP_SCENARIO = TEST_FAILOVER_CLEANUP_SCENARIO
INMAGE_UNPLANNED_FAILOVER_SCENARIO = UNPLANNED_FAILOVER_SCENARIO
INMAGE_COMMIT_SCENARIO = COMMIT_SCENARIO
INMAGE_REPROTECT_SCENARIO = REVERSE_REPLICATION_SCENARIO

#: Policy: a failover's VM is made powered off; the job's boot task is the configuration server powering
#: it on (work ``StartRecoveryVm``), done when the server reports it, so a plan's boot groups come up in
#: their order on the vCenter too.
INMAGE_REPLICA_BOOT = "server-powers-on-at-boot-task"

#: Fact (SDK 2.0.0 ``InMageTestFailoverInput`` / ``InMageUnplannedFailoverInput.recoveryPointType``):
#: ``LatestTime``, ``LatestTag``, ``Custom`` (a ``recoveryPointId`` of the item's points). Policy: an
#: input without one fails over to ``LatestTime``.
INMAGE_RECOVERY_POINT_TYPES = ("LatestTime", "LatestTag", "Custom")
INMAGE_DEFAULT_RECOVERY_POINT = "LatestTime"

#: Facts (SDK 2.0.0): the InMage inputs exist for test failover, unplanned failover, reprotect and
#: disable — none for a planned failover, a recovery-point change or a migration. Policy: the item's
#: states are the VMM scenario's (the same state machine), with the operations those inputs allow:
#: no ``PlannedFailover``, ``ChangePit`` or ``CompleteMigration``. After a reprotect the item waits for
#: the reversed pair's resynchronization (``ProtectedStatesBegin``) before it is ``Protected`` again.
INMAGE_PROTECTION_STATES: dict[str, ProtectionState] = {state.name: state for state in (
    ProtectionState("UnprotectedStatesBegin", "Enabling protection", ("DisableProtection",)),
    ProtectionState("ProtectedStatesBegin", "Waiting for initial replication to complete", ("DisableProtection",)),
    ProtectionState("Protected", "Protected", ("UnplannedFailover", "DisableProtection", "TestFailover")),
    ProtectionState("DisablingProtection", "Disabling protection", ()),
    ProtectionState("UnplannedFailoverCommitPendingStatesBegin", "Failover completed",
                    ("ReverseReplicate", "Commit", "DisableProtection")),
    ProtectionState("UnplannedFailoverStatesBegin", "Failover committed", ("ReverseReplicate", "DisableProtection")),
)}

#: Policy: ``protectedItemType`` of an InMage item is its machine's ``customDetails.instanceType``
#: (``VMwareVirtualMachine``, for VMs and physical servers alike), as ``HyperVVirtualMachine`` is a
#: Hyper-V VM's.
INMAGE_PROTECTED_ITEM_TYPE = "VMwareVirtualMachine"

#: Fact (SDK 2.0.0 ``InMageReplicationDetails.activeSiteType``: "If the VM is being protected between two
#: data-centers, this field will be OnPrem always").
INMAGE_ACTIVE_SITE_TYPE = "OnPrem"

#: Policy: a reprotect without an ``InMageReprotectInput`` (a recovery plan's ``ReverseReplicate``, whose
#: input has no InMage details) keeps the item's process server and run-as account and replicates
#: through the configuration server's first master target other than the one the item replicated to
#: (the one on the other site), on that master target's first retention volume.
INMAGE_PLAN_REPROTECT = "other-master-target"

#: Fact (SDK 2.0.0 ``InMageDisableProtectionProviderSpecificInput.replicaVmDeletionStatus``): ``Delete`` or
#: ``Retain``. Policy: a disable without it keeps the replica (``Retain``), as a VMM policy's
#: ``replicaDeletion`` defaults to ``NotRequired``.
INMAGE_REPLICA_DELETION_DEFAULT = "Retain"

#: Policy: a recovery plan of VMware VMs and physical servers names its configuration server's fabric as
#: both its primary and its recovery fabric (the server manages both sites, vmware_fake/REFERENCE.md §1).
#: Fact (SDK 2.0.0 ``RecoveryPlanInMageFailoverInput``: a required ``recoveryPointType``, no point id;
#: vmware_fake/REFERENCE.md §10.2). Policy: its failovers go to each machine's point of that type,
#: ``LatestTime`` without one; ``Custom`` is refused (400: a plan input names no point).
INMAGE_PLAN_FABRICS = "the configuration server's, twice"
INMAGE_PLAN_RECOVERY_POINT_TYPES = ("LatestTime", "LatestTag")

#: Policy (vmware_fake/REFERENCE.md §6: the SDK requires only ``multiVmSyncStatus``; the defaults of the
#: secondary-site scenario are NOT FOUND): an InMage policy without the other fields gets the VMware-to-
#: Azure tutorial's defaults — RPO threshold 60 minutes, retention 24 hours, app-consistent points every
#: 60 minutes.
INMAGE_POLICY_DEFAULTS = {"recoveryPointThresholdInMinutes": 60, "recoveryPointHistory": 1440,
                          "appConsistentFrequencyInMinutes": 60}

#: Policy (domains NOT FOUND): each field's bounds in minutes — an RPO threshold of 1 minute to a day,
#: retention of 0 (latest point only) to 72 hours, app-consistent points off (0) or up to 12 hours apart,
#: and never sparser than the retention window.
INMAGE_POLICY_LIMITS = {"recoveryPointThresholdInMinutes": (1, 1440), "recoveryPointHistory": (0, 4320),
                        "appConsistentFrequencyInMinutes": (0, 720)}

#: Policy (vmware_fake/REFERENCE.md §1: one configuration server manages both sites): a VMware container is
#: paired with itself — ``targetProtectionContainerId`` is the same container, with an InMage policy; the
#: job is the recorded ``AssociateProtectionProfile`` with a prerequisites check and the task that
#: commits (no VMM server to prepare), and the container reads ``pairingStatus`` Paired, role Primary.
INMAGE_ASSOCIATE_SCENARIO = Scenario(ASSOCIATE_SCENARIO.name, ASSOCIATE_SCENARIO.friendly_name,
                                     ASSOCIATE_SCENARIO.target_instance_type,
                                     _tasks(ASSOCIATE_SCENARIO, "CloudPairingPrerequisitesCheck", "CloudPairingPairClouds"))

#: Policy: the InMage pairing's commit task takes a second (nothing is waited for).
INMAGE_ASSOCIATE_SECONDS = 1.0
