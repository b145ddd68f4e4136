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
