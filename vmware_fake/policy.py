"""Every choice the VMware site emulator makes where the reference (``REFERENCE.md`` beside this file)
is silent: policy, not fact.

Each name says what the emulator does and which gap it fills; facts stay next to the code that
applies them, with their section of REFERENCE.md.
"""

from __future__ import annotations

__all__ = [
    "SCOUT_VERSION", "CS_ID_STREAM", "OBJECT_ID_STREAM", "RUN_AS_ACCOUNT_IDS", "VCENTER_PORT",
    "BUILT_IN_PROCESS_SERVER", "DISCOVERY_STATUS", "VCENTER_DISCOVERY_SECONDS", "PROCESS_SERVER_ORDER", "OS_TYPES", "DISK_TYPES", "POLL_INTERVAL_SECONDS", "IDLE_POLLS_ELIDED", "AGENT_NAMES",
    "MASTER_TARGET_THRESHOLD_PERCENT", "MOBILITY_PUSH_NEEDS_ACCOUNT", "WORK_ERROR_CODE",
    "PAIR_STAGES", "INITIAL_REPLICATION_SECONDS_PER_GIB", "RESYNC_STEP_II_SECONDS", "DIFFERENTIAL_SYNC_LAG_SECONDS",
    "BACKLOG_DRAINS_AT_HEAL", "REPLICATION_PORT", "CRASH_CONSISTENT_SECONDS", "LATEST_TAG_TYPE", "POINT_ID_NAMESPACE",
    "POINTS_AS_OF_INVENTORY", "TEST_VM_NAME", "FAILBACK_TARGET", "RECOVERY_VM_NETWORK", "REPROTECT_COPIES",
    "COMMIT_DISCARDS_POINTS",
]

#: Fact (REFERENCE.md §1, Update 7 file names ``CX_Windows_8.0.7.0_…``, ``InMage_UA_8.0.7.0_…``): the
#: last Scout release is 8.0.7.0. Policy: every component of the emulated site runs it, so the
#: ``agentVersion`` fields ASR shows all read it.
SCOUT_VERSION = "8.0.7.0"

#: Fact (REFERENCE.md §5, recorded ``Get-AzRecoveryServicesAsrFabric``): a configuration server's
#: fabric is named by 64 hex digits (``2c33d710…460d``) and has a GUID ``SiteIdentifier``. Policy:
#: the emulated server's id (its fabric's name) is 256 bits and its host id a GUID, both drawn
#: from this stream of the lab's seeded randomness (format: the server's name).
CS_ID_STREAM = "vmware.{server}.ids"

#: Policy: every other object id (ESXi host, datastore, VM instance UUID, disks, Scout components,
#: agent-generated ids) is a GUID drawn from this stream (format: the vCenter's or server's name).
OBJECT_ID_STREAM = "vmware.{owner}.objects"

#: Fact (REFERENCE.md §5, recorded ``RunAsAccounts``: 1 vCenter_account, 2 WindowsAccount, 3
#: LinuxAccount): the CS accounts of ``cspsconfigtool`` are numbered from "1". Policy: in the order
#: they are added.
RUN_AS_ACCOUNT_IDS = "sequential"

#: Policy: a vCenter is discovered on port 443 when no other is given (``AddVCenterRequest.port``
#: is optional and the docs give no default for this scenario).
VCENTER_PORT = 443

#: Fact (REFERENCE.md §2): in the VMware-to-Azure deployment "the process server is installed by
#: default on the configuration server". Policy: the emulated configuration server has that
#: built-in process server too (named as the server, same address), and more can be added; the
#: secondary-site architecture (§1) puts a process server in the primary site: the lab adds one.
BUILT_IN_PROCESS_SERVER = True

#: Fact (REFERENCE.md §5): a vCenter just added reads ``DiscoveryStatus: Pending``, and "it takes
#: about 15-20 minutes for virtual machines to be discovered from the vCenter server". Policy: the
#: process server's discovery ends ``VCENTER_DISCOVERY_SECONDS`` after the vCenter is added; until
#: then the vCenter is "Pending" and none of its VMs is reported, then "Completed" (the docs list
#: no other value) and every VM it manages is, as it changes.
DISCOVERY_STATUS = ("Pending", "Completed")
VCENTER_DISCOVERY_SECONDS = 900.0

#: Fact (REFERENCE.md §5, recorded ``FabricSpecificDetails.ProcessServers``: 0 ScaleOut-ProcessServer,
#: 1 ConfigurationServer): the scale-out process servers are listed before the configuration
#: server's own. Policy: scale-out ones in the order they were registered, then the built-in one.
PROCESS_SERVER_ORDER = "scale-out-first"

#: Fact (SDK 2.0.0 ``VMwareVirtualMachineDetails.osType``; REFERENCE.md §4): Windows or Linux.
OS_TYPES = ("Windows", "Linux")

#: Fact (SDK 2.0.0 ``InMageDiskDetails.diskType``: "Whether disk is system disk or data disk").
#: Policy: the first disk of a machine is its system disk.
DISK_TYPES = ("System", "Data")

#: Policy: the configuration server's agent polls the vault every 30 virtual seconds, as the VMM
#: Provider does (its policy ``POLL_INTERVAL_SECONDS``).
POLL_INTERVAL_SECONDS = 30.0

#: Policy of the emulator, not of the product: after a poll that only sent its heartbeat, the agent
#: stands its polls down (``simcore.Standings``, as the VMM Provider's policy ``IDLE_POLLS_ELIDED``)
#: until the configuration server's ``dr_revision`` moves, ASR announces a change, a fault rule is
#: added or a channel certificate falls due; ``lastHeartbeat`` reads as if the polls had run.
IDLE_POLLS_ELIDED = True

#: Policy: how the vault sees the configuration server's agent: its ``providerVersion`` is the
#: Scout version and its ``serverVersion`` the configuration server's.
AGENT_NAMES = {"providerVersion": SCOUT_VERSION, "serverVersion": SCOUT_VERSION}

#: Policy: a master target's retention volume warns at 80 % use (``RetentionVolume.thresholdPercentage``;
#: the value is not documented).
MASTER_TARGET_THRESHOLD_PERCENT = 80

#: Fact (REFERENCE.md §2: the process server "handles push installation of the Mobility service",
#: and ``InMageEnableProtectionInput.runAsAccountId`` is "the CS account Id"). Policy: a push
#: install needs a run-as account of the configuration server; a manual install does not.
MOBILITY_PUSH_NEEDS_ACCOUNT = True

#: Policy: the ``errorCode`` a work item fails with when the configuration server refuses it (a
#: ``VmwareError``) or does not run its kind (yet): the VMM Provider's generic work-failure number
#: (its policy ``WORK_ERROR_CODE``), so the job behind it reports the failure alike.
WORK_ERROR_CODE = 31000

#: Fact (InMage Scout SDK header ``InmsdkUtil.h``, ``PAIR_*`` constants, stored public source, index id
#: 12092109494; REFERENCE.md §10): a replication pair reads "Resyncing (Step I)" (the initial copy),
#: "Resyncing (Step II)" (the changes made during the copy), "Differential Sync" (continuous). Policy:
#: those three, in that order, are the stages an emulated pair goes through ("Paused" and the
#: pending stages are not emulated).
PAIR_STAGES = ("Resyncing (Step I)", "Resyncing (Step II)", "Differential Sync")

#: Policy: the initial copy (Step I) takes this long per GiB of the protected disks (about 170 MiB/s)
#: while the process server reaches the master target; time partitioned away does not count.
INITIAL_REPLICATION_SECONDS_PER_GIB = 6.0

#: Policy: Step II (the changes written during the copy) takes this long of connected time.
RESYNC_STEP_II_SECONDS = 120.0

#: Policy: in Differential Sync the master target holds everything written up to this long ago while
#: the process server reaches it (the RPO a healthy pair shows).
DIFFERENTIAL_SYNC_LAG_SECONDS = 30.0

#: Policy: when a partition between process server and master target heals, the backlog it held back
#: arrives at once (the master target is again ``DIFFERENTIAL_SYNC_LAG_SECONDS`` behind); while it
#: holds, the master target's data stays where it was when the partition began.
BACKLOG_DRAINS_AT_HEAL = True

#: Policy (REFERENCE.md §9: the port the process server sends to the master target on is not
#: documented; 9443 is the machines' port to the process server, §2): the partitions that stall a pair
#: are those between its process server and master target on 9443 (the machines themselves are not
#: nodes of the lab's network).
REPLICATION_PORT = 9443

#: Policy (the Azure scenarios create crash-consistent points every five minutes, REFERENCE.md §6):
#: crash-consistent tags every 300 s on a grid of the lab clock; app-consistent ones every
#: ``appConsistentFrequencyInMinutes`` (0: none) on the same grid. A tag exists once the master
#: target holds the data up to it, for ``recoveryPointHistory`` minutes; a multi-VM group's tags are
#: shared (REFERENCE.md §6) and exist once every member's master target holds them.
CRASH_CONSISTENT_SECONDS = 300.0

#: Policy: ``LatestTag`` fails over to the newest application-consistent tag (refused if there is
#: none); ``LatestTime`` to the newest instant the master target holds (crash-consistent).
LATEST_TAG_TYPE = "AppConsistent"

#: Policy: a tag's id is a name-based UUID (RFC 4122 v5 in this namespace) of its pair or multi-VM
#: group, type and time, so the same run names the same points and a group's members share them.
POINT_ID_NAMESPACE = "6f1d3c3e-9a53-4a43-8c1b-6d3f6a0e7a11"

#: Policy: ASR sees a pair's points, RPO and retention window as of the configuration server's last
#: inventory; the inventory is sent when a pair changes stage, a partition of its process server and
#: master target begins or heals, its RPO reaches the policy's threshold (the alert, REFERENCE.md §6), or
#: it fails over — not as each tag is made (so lab time alone costs nothing); a failover picks its point
#: on the server, at that moment.
POINTS_AS_OF_INVENTORY = True

#: Policy: a test failover's VM is named after the machine with this suffix (the real name is not
#: documented); the failover's VM has the machine's own name.
TEST_VM_NAME = "{name}-test"

#: Policy: a failover onto the site where the machine's VM still exists (a failback to the original VM)
#: recovers onto that VM, its disks replaced by the point's; otherwise (a first failover, a physical
#: server failing back: physical servers fail back to VMware VMs) a VM is created by the master target
#: on its vCenter, on the datastore chosen at protection (else the host's first).
FAILBACK_TARGET = "original-vm"

#: Policy: a recovered VM keeps the machine's NICs and static addresses, each on the port group of the
#: same name on the target host (the first port group where there is none of that name).
RECOVERY_VM_NETWORK = "same-name-and-address"

#: Fact (REFERENCE.md §10.4, the Azure scenario's original location recovery: to the original VM "only
#: the changes are replicated back"; otherwise a full copy). Policy: a reprotect onto the VM the machine
#: ran as on the other site skips Step I's copy (its disks hold the older data; Step II sends the
#: changes); onto no VM (a physical server's first reprotect) it copies everything.
REPROTECT_COPIES = "changes-only-onto-the-original"

#: Fact (REFERENCE.md §10.3, the Azure scenario: commit "deletes all the available recovery points").
#: Policy: once a failover is committed its pair lists no points and no retention window.
COMMIT_DISCARDS_POINTS = True
