"""Policies of the Provider channel (server side): what the emulator does where the reference is silent.

The real Provider↔ASR protocol is not public (hyperv-scvmm.md §5.2: "the mechanism (polling, long-poll,
relay) is NOT FOUND"; §7 gap 4). Every constant here is **policy, not fact** unless its comment cites a
section; the wire itself is described once, in ``PROTOCOL.md`` beside this file.
"""

from __future__ import annotations

from ..policy import Scenario, TaskTiming

__all__ = [
    "KEY_VALIDITY_SECONDS", "KEY_FORMAT_VERSION", "KEY_SIGNATURE", "CHANNEL_PORT", "CHANNEL_FQDN",
    "CHANNEL_PREFIX", "CLIENT_CERT_DAYS", "SERVER_CERT_DAYS", "HEARTBEAT_TIMEOUT_SECONDS",
    "CONNECTED", "NOT_CONNECTED", "LEASE_SECONDS", "LEASE_BATCH", "WORK_TIMEOUT_SECONDS",
    "IDEMPOTENCY_CACHE", "REPORT_BATCH",
    "FABRIC_NAMING", "CONTAINER_PREFIX", "LOGICAL_NETWORK_USAGE", "NETWORK_TYPE", "SUPPORTED_REPLICATION_PROVIDERS",
    "PROVIDER_VERSION_STATE", "PROVIDER_VERSION_STATUS", "DISCOVERED_KEPT_WHILE_IN_USE", "REFRESH_SCENARIO", "REMOVE_PROVIDER_SCENARIO",
    "VMWARE_FABRIC_TYPE", "VMWARE_MACHINE_TYPE", "VMWARE_CONTAINER_PREFIX", "VMWARE_REPLICATION_PROVIDERS",
    "VCENTER_NAMING", "VMWARE_COMPONENTS_FOLLOW_CS", "VMWARE_FLAG_VALUES", "VMWARE_VERSION_STATUS",
    "DISCOVER_VCENTER_SCENARIO", "UPDATE_VCENTER_SCENARIO", "REMOVE_VCENTER_SCENARIO",
    "REMOVE_FABRIC_SCENARIO", "PURGE_SCENARIO", "REPLICAS_NOT_PROTECTABLE",
]

#: Fact (§5.2, §6 [D:ASR-VMMDR]): a registration key is valid for 5 days. Policy: both ends are
#: inclusive (as X.509 validity is), so a key issued at t is accepted at t + 5 days exactly and
#: refused one second later.
KEY_VALIDITY_SECONDS = 5 * 24 * 3600

#: Policy: the key file is JSON (the real ``.VaultCredentials`` is an undocumented XML document);
#: this names its format so a future change can be told apart.
KEY_FORMAT_VERSION = "asr-harness/registration-key/1"

#: Policy: the key's ``signature`` is HMAC-SHA256, keyed by a per-vault secret drawn from the lab's
#: randomness, over the canonical JSON of every other field (sorted keys, no spaces). Any edit of
#: the file changes that JSON, so tampering is detected; another vault's key has an id this vault
#: never issued ("foreign").
KEY_SIGNATURE = "HMAC-SHA256"

#: Fact (§5.1, §5.2): the Provider talks to Site Recovery over HTTPS on port 443.
CHANNEL_PORT = 443

#: Policy: the FQDN the ASR node is given when the channel adds it to the lab's network. Fact
#: (§5.2): the Provider's outbound endpoints include ``*.hypervrecoverymanager.windowsazure.com``.
CHANNEL_FQDN = "{node}.hypervrecoverymanager.windowsazure.com"

#: Policy: every channel path starts here (the real paths are not public).
CHANNEL_PREFIX = "/providers/Microsoft.RecoveryServices/channel"

#: Policy: the Provider's client certificate, issued by the vault's CA at registration, is valid for
#: two years; the ASR server certificate for ten. The real lifetimes are not documented.
CLIENT_CERT_DAYS = 730
SERVER_CERT_DAYS = 3650

#: Policy: a Provider whose last heartbeat is older than this is ``NotConnected`` (§5.2 names
#: ``lastHeartBeat``/``connectionStatus`` but no timeout). Ten minutes: ten missed polls at the
#: Provider's default interval (scvmm_fake.provider.policy.POLL_INTERVAL_SECONDS).
HEARTBEAT_TIMEOUT_SECONDS = 600.0

#: Fact [PS]: PowerShell's ``ASRServer.Connected`` is ``connectionStatus.ToLower() == "connected"``,
#: so the connected value is ``Connected``. Policy: the other value is ``NotConnected`` (no source
#: shows it).
CONNECTED = "Connected"
NOT_CONNECTED = "NotConnected"

#: Policy: a leased work item belongs to its Provider for this long; unfinished by then, it is
#: offered again (with a new lease token) at the next lease call.
LEASE_SECONDS = 300.0

#: Policy: at most this many work items are handed out per lease call.
LEASE_BATCH = 10

#: Policy (§5.2 [INF]: "a task stays InProgress ... then Failed with a provider-unreachable error
#: after a configurable timeout"): a job waiting for its Provider's report fails after this long.
WORK_TIMEOUT_SECONDS = 1800.0

#: Policy: answers to requests with an ``Idempotency-Key`` are kept (per Provider, newest last) so
#: that a retry after a lost answer gets the same answer; the oldest are forgotten past this count.
IDEMPOTENCY_CACHE = 256

#: Policy: a ``CompleteWorkItems`` call carries 1 to this many reports (each entry's answer is kept
#: under its ``idempotencyKey``; a batch well below ``IDEMPOTENCY_CACHE`` finds all its entries'
#: kept answers when it is sent again after a lost answer).
REPORT_BATCH = 200



#: Policy: a VMM fabric is named by the VMM server's id (a GUID the Provider reports at
#: registration, stable across re-registration), and its Provider by a GUID the service draws
#: (``draIdentifier``). Two Providers reporting the same server id (a VMM cluster, §5.2) share
#: one fabric.
FABRIC_NAMING = "vmm-server-id"

#: Fact (asr-orchestration.md §A.0.7, recorded VMM-to-VMM vaults): a VMM cloud's container is named
#: by a plain GUID (``cloud_<guid>`` is the Hyper-V-site form of asr-api.md §4); policy: that GUID is
#: the VMM cloud's id.
CONTAINER_PREFIX = ""

#: Policy: ``logicalNetworkUsage`` of a discovered logical network (the SDK documents no values;
#: a VMM logical network reported for DR is not a private test network).
LOGICAL_NETWORK_USAGE = "NotSet"

#: Policy: ``networkType`` of a discovered VM network (the SDK documents no values).
NETWORK_TYPE = "VmNetwork"

#: Policy: ``supportedReplicationProviders`` of a discovered VM: the two VMM-to-VMM providers.
SUPPORTED_REPLICATION_PROVIDERS = ("HyperVReplica2012R2", "HyperVReplica2012")

#: Policy: every registered Provider version is current (``providerVersionState``).
PROVIDER_VERSION_STATE = "Latest"

#: Policy: a container, network or protectable item that a sync no longer reports is removed,
#: unless something refers to it (a container mapping or protected item under it), in which case
#: it stays until that is removed (unflagging a paired cloud is refused by VMM anyway, §4).
DISCOVERED_KEPT_WHILE_IN_USE = True


def _one_task(name: str, friendly: str, task: str, task_friendly: str, seconds: float = 0.0) -> Scenario:
    return Scenario(name, friendly, "Fabric", (TaskTiming(task, task_friendly, seconds),))


#: Policy: ``refreshProvider`` runs as this job; its one task waits for the Provider's report (up to
#: ``WORK_TIMEOUT_SECONDS``). The portal's "Refresh server" wording; the task name is the emulator's.
REFRESH_SCENARIO = _one_task("RefreshServer", "Refresh server", "RefreshProviderTask",
                             "Refresh the server's metadata", WORK_TIMEOUT_SECONDS)

#: Policy: Provider and fabric removal/purge jobs (names are the emulator's).
REMOVE_PROVIDER_SCENARIO = _one_task("UnregisterServer", "Unregister server", "UnregisterServerTask",
                                     "Unregister the server", 1.0)
REMOVE_FABRIC_SCENARIO = _one_task("RemoveFabric", "Remove fabric", "RemoveFabricTask", "Remove the fabric", 1.0)
PURGE_SCENARIO = _one_task("PurgeFabric", "Purge fabric", "PurgeFabricTask", "Purge the fabric's records", 0.5)

#: Policy: what ``providerVersionState`` pairs with in ``providerVersionDetails.status``.
PROVIDER_VERSION_STATUS = "Supported"

#: Policy: a VM the VMM server reports as a Hyper-V replica (``replication.mode`` "Replica") is not
#: listed as a protectable item of its cloud: it exists because another VM is protected, and
#: protecting it would be extended replication, which the emulators do not support. Nor is a VM a
#: protected item already stands for in another cloud (the failed-over VM after reverse replication).
REPLICAS_NOT_PROTECTABLE = True

# -- VMware fabrics (a configuration server's registration; vmware_fake/REFERENCE.md) -----------------

#: Fact (SDK 2.0.0 ``VMwareDetails``, ``VMwareVirtualMachineDetails``): the ``instanceType`` of a
#: VMware fabric's ``customDetails`` and of its machines' protectable items. Policy: a registration
#: names its site kind in ``fabricType`` ("VMM" when absent), and a configuration server is named
#: by ``configurationServerId`` (its fabric's name, as a VMM fabric is named by the VMM server id).
VMWARE_FABRIC_TYPE = "VMware"
VMWARE_MACHINE_TYPE = "VMwareVirtualMachine"

#: Policy: a VMware fabric has one protection container, ``cloud_<configuration server id>`` (the
#: ``cloud_<guid>`` form asr-api.md §4 gives for non-VMM sites), holding every machine its
#: configuration server can protect.
VMWARE_CONTAINER_PREFIX = "cloud_"

#: Policy: ``supportedReplicationProviders`` of a VMware VM or physical server: the secondary-site
#: provider ``InMage`` (the SDK's ``InMage*`` inputs) — replication to Azure is not emulated.
VMWARE_REPLICATION_PROVIDERS = ("InMage",)

#: Fact (vmware_fake/REFERENCE.md §5: ``Name : inmtest81`` = ``FriendlyName``): a vCenter's resource is
#: named as it was added. Policy: ``replicationvCenters/{name}`` is the name the configuration server
#: reports (the create request's ``{vcenterName}``, or the vCenter's own name for one added at the
#: server), its ``internalId`` / ``infrastructureId`` are that name too; a machine's protectable item
#: is named by the machine's id (a VM's instance UUID, a physical server's id).
VCENTER_NAMING = "reported-name"

#: Policy: the configuration server's components are as alive as the configuration server: their
#: ``lastHeartbeat`` is its agent's last heartbeat (a vCenter's: when the configuration server last
#: reported it, the inventory's ``takenAt``); ``csServiceStatus`` and
#: ``psServiceStatus`` read "Running" and ``health`` "Normal" while it is Connected. Component
#: faults are a later slice.
VMWARE_COMPONENTS_FOLLOW_CS = ("Running", "Normal")

#: Policy: values of the string-typed flags of ``VMwareVirtualMachineDetails`` (the SDK types them
#: as strings and documents no values): ``agentInstalled`` "Yes"/"No", ``poweredOn`` "ON"/"OFF";
#: ``InMageDiskDetails.diskConfiguration`` is "Basic".
VMWARE_FLAG_VALUES = {"agentInstalled": ("Yes", "No"), "poweredOn": ("ON", "OFF"), "diskConfiguration": "Basic"}

#: Fact (vmware_fake/REFERENCE.md §5, recorded ``New-AzRecoveryServicesAsrvCenter``): adding a vCenter
#: runs the job ``DiscoverVCenter`` / "Add vCenter server" (``TargetObjectType`` VCenter, the target
#: id the vCenter's address) with the one task "Adding vCenter server". Policy: the task's name, and
#: that it waits (up to ``WORK_TIMEOUT_SECONDS``) for the configuration server's ``AddVCenter`` report.
DISCOVER_VCENTER_SCENARIO = Scenario("DiscoverVCenter", "Add vCenter server", "VCenter", (
    TaskTiming("AddVCenterServerTask", "Adding vCenter server", WORK_TIMEOUT_SECONDS),))

#: Policy: updating a vCenter (``replicationvCenters`` PATCH) runs the job ``UpdateVCenter`` / "Update
#: vCenter server" with the one task "Updating vCenter server", and removing one (DELETE) the job
#: ``RemoveVCenter`` / "Remove vCenter server" with the one task "Removing vCenter server" (no such job
#: was recorded; the names follow ``DISCOVER_VCENTER_SCENARIO``); each task waits (up to
#: ``WORK_TIMEOUT_SECONDS``) for the configuration server's ``UpdateVCenter`` / ``RemoveVCenter`` report.
UPDATE_VCENTER_SCENARIO = Scenario("UpdateVCenter", "Update vCenter server", "VCenter", (
    TaskTiming("UpdateVCenterServerTask", "Updating vCenter server", WORK_TIMEOUT_SECONDS),))
REMOVE_VCENTER_SCENARIO = Scenario("RemoveVCenter", "Remove vCenter server", "VCenter", (
    TaskTiming("RemoveVCenterServerTask", "Removing vCenter server", WORK_TIMEOUT_SECONDS),))

#: Policy: a component version counts as supported (``agentVersionDetails.status``), as
#: ``PROVIDER_VERSION_STATUS`` does for the Provider.
VMWARE_VERSION_STATUS = "Supported"
