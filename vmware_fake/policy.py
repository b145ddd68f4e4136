"""Every choice the VMware site emulator makes where the reference (``REFERENCE.md`` beside this file)
is silent: policy, not fact.

Each name says what the emulator does and which gap it fills; facts stay next to the code that
applies them, with their section of REFERENCE.md.
"""

from __future__ import annotations

__all__ = [
    "SCOUT_VERSION", "CS_ID_STREAM", "OBJECT_ID_STREAM", "RUN_AS_ACCOUNT_IDS", "VCENTER_PORT",
    "BUILT_IN_PROCESS_SERVER", "DISCOVERY_STATUS", "OS_TYPES", "DISK_TYPES", "POLL_INTERVAL_SECONDS", "AGENT_NAMES",
    "MASTER_TARGET_THRESHOLD_PERCENT", "MOBILITY_PUSH_NEEDS_ACCOUNT", "UNSUPPORTED_WORK_ERROR_CODE",
]

#: Fact (REFERENCE.md §1, Update 7 file names ``CX_Windows_8.0.7.0_…``, ``InMage_UA_8.0.7.0_…``): the
#: last Scout release is 8.0.7.0. Policy: every component of the emulated site runs it, so the
#: ``agentVersion`` fields ASR shows all read it.
SCOUT_VERSION = "8.0.7.0"

#: Policy: the configuration server's id (the VMware fabric's name in ASR) and its host id are
#: GUIDs drawn from this stream of the lab's seeded randomness (format: the server's name).
CS_ID_STREAM = "vmware.{server}.ids"

#: Policy: every other object id (ESXi host, datastore, VM instance UUID, disks, Scout components,
#: agent-generated ids) is a GUID drawn from this stream (format: the vCenter's or server's name).
OBJECT_ID_STREAM = "vmware.{owner}.objects"

#: Policy: run-as accounts (the CS accounts of ``cspsconfigtool``) get the ids "1", "2", … in the
#: order they are added: the SDK types ``accountId`` as a string and no example shows one.
RUN_AS_ACCOUNT_IDS = "sequential"

#: Policy: a vCenter is discovered on port 443 when no other is given (``AddVCenterRequest.port``
#: is optional and the docs give no default for this scenario).
VCENTER_PORT = 443

#: Fact (REFERENCE.md §2): in the VMware-to-Azure deployment "the process server is installed by
#: default on the configuration server". Policy: the emulated configuration server has that
#: built-in process server too (named as the server, same address), and more can be added; the
#: secondary-site architecture (§1) puts a process server in the primary site: the lab adds one.
BUILT_IN_PROCESS_SERVER = True

#: Policy: a vCenter's ``discoveryStatus`` is "Completed" once its process server discovered it
#: (discovery is immediate on the lab clock); the docs do not list the values.
DISCOVERY_STATUS = "Completed"

#: Fact (SDK 2.0.0 ``VMwareVirtualMachineDetails.osType``; REFERENCE.md §4): Windows or Linux.
OS_TYPES = ("Windows", "Linux")

#: Fact (SDK 2.0.0 ``InMageDiskDetails.diskType``: "Whether disk is system disk or data disk").
#: Policy: the first disk of a machine is its system disk.
DISK_TYPES = ("System", "Data")

#: Policy: the configuration server's agent polls the vault every 30 virtual seconds, as the VMM
#: Provider does (its policy ``POLL_INTERVAL_SECONDS``).
POLL_INTERVAL_SECONDS = 30.0

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

#: Policy: the ``errorCode`` a work item of a kind the configuration server does not run (yet) fails
#: with: the VMM Provider's generic work-failure number (its policy ``WORK_ERROR_CODE``), so the
#: job behind it reports the failure alike.
UNSUPPORTED_WORK_ERROR_CODE = 31000
