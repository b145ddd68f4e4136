"""Every choice the VMM emulator makes where the reference (hyperv-scvmm.md §4, §5.5, §6–7) is
silent: policy, not fact.

Each name says what the emulator does, why, and which gap it fills. Tunables live in the frozen
``VmmPolicy`` (pass one to ``VMMServer(sim, ..., policy=...)``); fixed choices are module
constants, documented where they are defined and named in the docstrings of the code that applies
them. Facts stay next to the code that applies them, with their section.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "VmmPolicy",
    "JOB_STATUSES", "JOB_NAMES", "JOB_DURATION", "REFUSED_CALLS_LEAVE_NO_JOB",
    "NAMES_CASE_INSENSITIVE", "UNIQUE_NAMES",
    "LIBRARY_PATHS", "LIBRARY_REFRESH", "SCRIPT_RUNS", "SCRIPT_CONTEXT",
    "SITE_INHERITANCE", "NO_ISOLATION_SUBNET", "ISOLATION_RULES", "POOL_ATTACHMENT",
    "DEFAULT_RANGE", "POOL_SETS_IN_SUBNET", "GATEWAYS_NEVER_GRANTED", "NEXT_FREE_ADDRESS",
    "OVERLAP_SCOPE", "SAME_SUBNET_POOLS", "VM_SUBNET_POOLS_MAY_OVERLAP",
    "ASSIGNED_MEANS_GRANTED_TO_OBJECT", "REVOKE_WITHOUT_RETURN_WITHHOLDS",
    "CLOUD_KEEPS_A_HOST_GROUP", "PAIRING_NEEDS_DR_FLAG", "PAIRED_CLOUD_NOT_REMOVABLE",
    "PLACEMENT", "CLOUD_NETWORKS", "STATIC_NIC_ADDRESSES", "ONE_VMM_PER_HOST",
    "VM_DISK_PATH", "DEFAULT_DISK_SIZE_BYTES", "VM_ADAPTER_NAMES", "HOST_REFRESH", "INVENTORY_ORDER",
]


@dataclass(frozen=True)
class VmmPolicy:
    """The tunable policies of one VMM server."""

    auto_create_logical_networks: bool = True
    """Fact (§4, [D:VMM-about-Networking]): by default VMM creates a logical network when it adds a
    Hyper-V host, named after the first label of the host's DNS suffix. Policy, not fact: the
    network is created without a network site (the real one derives a site from the host's
    adapters, which the emulator does not model), and not at all for a host name without a
    suffix. ``False`` turns the default off, as the VMM setting does."""

    replica_host_capacity: int | None = None
    """Policy, not fact (§5.4–5.5 say only that replicas go to hosts that reach the mapped
    networks): the most VMs — replicas placed there but not yet created included — a host of a
    recovery cloud may hold for VMM to place one more replica on it; ``None`` sets no bound.
    See ``REPLICA_PLACEMENT``."""

    default_library_share: str = "MSSCVMMLibrary"
    """Policy, not fact: the share VMM setup creates on the VMM server, ``\\\\<fqdn>\\<name>``,
    where ``find_library_script`` looks when no share is named. The reference only says script
    paths are relative to "the library share root" (§5.7)."""


JOB_STATUSES = ("Running", "Completed", "Failed")
"""Policy, not fact: the ``Job.Status`` values the emulator reaches are ``Running``, ``Completed``
and ``Failed``. The reference names ``Running`` (``-Running``), ``Failed`` and ``Canceled``
(examples) but not the full enum (§4); ``Completed`` is the success value VMM scripts test.
Jobs are never canceled here, since they run in zero virtual time."""

JOB_NAMES = "cmdlet name"
"""Policy, not fact: a job's ``Name`` is its cmdlet's name (``New-SCCloud``). VMM's own job names
("Create new private cloud", ...) are not in the reference."""

JOB_DURATION = 0.0
"""Policy, not fact: a job runs Running → Completed (or Failed) in zero virtual time; the
reference gives no durations, and instant jobs keep cmdlets synchronous and tests fast.
``-RunAsynchronously`` is therefore not offered."""

REFUSED_CALLS_LEAVE_NO_JOB = True
"""Policy, not fact: a cmdlet refused by validation (or by a ``vmm.cmdlet`` fault) leaves no job
and no change; only a failure inside the job (a ``vmm.job`` fault) leaves a ``Failed`` job,
which ``Restart-SCJob`` reruns after validating again ("from the last known good checkpoint",
§4: with one step per job, that is the start)."""

NAMES_CASE_INSENSITIVE = True
"""Policy, not fact: names are compared case-insensitively (VMM runs on Windows; the reference
does not say)."""

UNIQUE_NAMES = {
    "LogicalNetwork": "server", "Cloud": "server", "VMNetwork": "server", "RunAsAccount": "server",
    "HostGroup": "parent host group", "LogicalNetworkDefinition": "logical network",
    "VMSubnet": "VM network", "StaticIPAddressPool": "site or VM subnet", "LibraryShare": "path",
    "VirtualMachine": "host",
}
"""Names that must be unique. Fact: logical networks, in the whole VMM installation
[D:VMM-NewSCLogicalNetwork]. Policy, not fact: clouds, VM networks and Run As accounts per
server; host groups among their siblings; network sites within their logical network; VM
subnets within their VM network; pools within their site or VM subnet; library shares by path;
VMs per host (Hyper-V's cmdlets name a VM by its name; a replica may share its primary's name on
another host of the same VMM server, §5.1 allows one VMM with two clouds)."""

LIBRARY_PATHS = "case-insensitive, either separator"
"""Policy, not fact: library paths are case-insensitive, ``/`` and ``\\`` both separate, and the
leading backslash of ``\\RPScripts\\RPScript.PS1`` (§5.7) is optional. ``..`` is refused."""

LIBRARY_REFRESH = 0.0
"""Policy, not fact: a script written onto a share is visible at once (no library refresh cycle)."""

SCRIPT_RUNS = "effects at start, result after its duration (at most 600 s), a non-zero exit code fails"
"""Policy, not fact (§5.7 gives the failure rules, not how a run unfolds): a recovery-plan script's
effects happen when it starts (a callable runs then), its result is known once its declared duration has
passed on the lab clock, capped at the documented 600 s timeout (``_scripts.SCRIPT_TIMEOUT_SECONDS``); a
non-zero exit code fails it; a text-only script (no PowerShell runs here) fails if its text calls
``Write-Host``, else succeeds at once with no output."""

SCRIPT_CONTEXT = "the VMM server and the script's path, no plan parameters"
"""Policy, not fact: the docs name no parameters a recovery-plan script is called with (§5.7: it runs as
the VMM service account, may import the VMM module); the emulated script is given its VMM server (the
cmdlets) and its library path, and no plan context (runbooks get that)."""

SITE_INHERITANCE = "descendants"
"""Policy, not fact: a network site associated with a host group is available to hosts of that
group and of its child groups (§4 states the overlap rule over "a host group or child host
groups", implying inheritance; the inheritance itself is not stated)."""

NO_ISOLATION_SUBNET = "one subnet, named after the VM network"
"""Policy, not fact: ``New-SCVMNetwork`` with ``NoIsolation`` creates one VM subnet named after the
VM network whose SubnetVLans are those of every site of the logical network, as they are when
read. ASR's subnet selection (§5.5: same-named subnet, else the first) needs a subnet to name."""

ISOLATION_RULES = {
    "WindowsNetworkVirtualization": "network_virtualization_enabled",
    "VLANNetwork": "logical_network_definition_isolation",
    "NoIsolation": "not logical_network_definition_isolation",
}
"""Policy, not fact, except where marked: which ``IsolationType`` a logical network accepts.
``WindowsNetworkVirtualization`` needs ``EnableNetworkVirtualization`` (fact, §4
[D:VMM-NewSCVMSubnet]); ``VLANNetwork`` needs ``LogicalNetworkDefinitionIsolation``;
``NoIsolation`` needs a logical network without it. With no ``-IsolationType`` the type follows
the logical network ("depends on the specified logical network", [D:VMM-NewSCVMNetwork]):
virtualization, else VLAN isolation, else none. ``External`` is refused ``NotEmulated``."""

POOL_ATTACHMENT = {"NoIsolation": "site", "VLANNetwork": "site", "WindowsNetworkVirtualization": "VM subnet"}
"""Policy, not fact: pools for ``NoIsolation`` and ``VLANNetwork`` VM networks live on network
sites (``-LogicalNetworkDefinition``); ``-VMSubnet`` pools are for network virtualization only
(customer-address pools). A site pool's subnet must be one of the site's SubnetVLans (fact:
"a logical network definition that contains the subnet", [D:VMM-NewSCStaticIPAddressPool]) and
its ``-Vlan``, when given, that subnet's VLAN (policy)."""

DEFAULT_RANGE = "all host addresses"
"""Policy, not fact: without ``-IPAddressRangeStart/-End`` the range is every host address of the
subnet (IPv4: without the network and broadcast addresses, except for /31 and /32)."""

POOL_SETS_IN_SUBNET = True
"""Policy, not fact: the range, ``IPAddressReservedSet``, ``VIPAddressSet`` and default gateways
must lie in the pool's subnet, the VIP set within the range; reserved and VIP sets may not
share an address."""

GATEWAYS_NEVER_GRANTED = True
"""Policy, not fact: a default gateway's address is never granted, even inside the range; granting
it would give a VM the router's address."""

NEXT_FREE_ADDRESS = "lowest"
"""Policy, not fact: when no ``-IPAddress`` is given, VMM grants the lowest free address of the
range (outside the reserved and VIP sets; from the VIP set for ``-GrantToObjectType VIP``).
The reference says only "VMM chooses the IP address from the address pool" (§4)."""

OVERLAP_SCOPE = "related host groups"
"""Fact (§4): "An IP subnet cannot overlap with any other subnet in a host group or child host
groups." Policy, not fact, the reading: two site pools conflict when their sites share a host
group or one site's group is an ancestor of the other's, and their subnets overlap without
being the same subnet of the same site."""

SAME_SUBNET_POOLS = "disjoint ranges"
"""Policy, not fact: several pools may serve the same subnet of the same site if their ranges do
not overlap (so no address can be granted by two pools)."""

VM_SUBNET_POOLS_MAY_OVERLAP = True
"""Policy, not fact: ``-VMSubnet`` pools are exempt from the overlap rule: network virtualization
exists so that tenants' customer address spaces may overlap."""

ASSIGNED_MEANS_GRANTED_TO_OBJECT = True
"""Policy, not fact: an allocated address is *assigned* exactly when it has a ``GrantToObjectID``
(given to ``Grant-SCIPAddress`` or later to ``Set-SCIPAddress``, which "assigns an allocated IP
address to an object", [D:VMM-SetSCIPAddress]); without one it is allocated but unassigned."""

REVOKE_WITHOUT_RETURN_WITHHOLDS = True
"""Policy, not fact: ``Revoke-SCIPAddress -ReturnToPool $false`` ends the allocation but keeps the
address out of use (listed in ``StaticIPAddressPool.withheld``); the reference names the switch
only (§4)."""

CLOUD_KEEPS_A_HOST_GROUP = True
"""Policy, not fact: ``Set-SCCloud -RemoveVMHostGroup`` may not remove a cloud's last host group
(``New-SCCloud`` requires one, and ASR requires one, §4)."""

PAIRING_NEEDS_DR_FLAG = True
"""Policy, not fact: only a cloud with ``DisasterRecoverySupported`` can be marked paired (ASR
knows only clouds whose configuration is sent, §4)."""

PAIRED_CLOUD_NOT_REMOVABLE = True
"""Policy, not fact: a paired cloud cannot be removed (the same protection as its DR flag)."""

PLACEMENT = "fewest VMs, then name"
"""Fact (§5.5): VMs are placed on hosts that can reach their VM networks. Policy, not fact: the
eligible hosts are those of the cloud's host groups (and children) served by a site of every
NIC's logical network; among them VMM picks the one with the fewest VMs, then by name."""

CLOUD_NETWORKS = "logical networks added as cloud resources"
"""Policy, not fact: a cloud's VM networks are those on logical networks added to the cloud as
cloud resources (``Set-SCCloud -AddCloudResource``, §4; ASR shows "which protecting clouds can
reach each target network (logical network associated with the cloud)", §5.5). A VM in a cloud
may only connect to such networks."""

STATIC_NIC_ADDRESSES = "granted at creation, reclaimed at removal"
"""Policy, not fact: a NIC created with a static pool gets the pool's next free address, granted
to the NIC (``VirtualNetworkAdapter``, so assigned); removing the VM revokes it to the pool
("when the virtual machine is deleted, SCVMM reclaims the IP address into its pool",
§4 [3P:Savill-MWS2016])."""

ONE_VMM_PER_HOST = "per server"
"""Policy, not fact: a Hyper-V host can be added once to a given VMM server; whether another VMM
server may also manage it is not checked (the servers do not share state)."""

VM_DISK_PATH = "C:\\VMs\\{vm}\\{vm}-disk{index}.vhdx"
"""Policy, not fact: where VMM puts a new VM's disks on its host (``index`` from 0); VMM's real
default paths come from the host's ``VMPaths``, which the reference does not give."""

DEFAULT_DISK_SIZE_BYTES = 40 * 2**30
"""Policy, not fact: ``new_sc_virtual_machine`` gives a VM one 40 GiB disk unless told otherwise."""

VM_ADAPTER_NAMES = ("Network Adapter", "Network Adapter {n}")
"""Policy, not fact: VMM names a VM's Hyper-V adapters "Network Adapter", "Network Adapter 2", ..."""

HOST_REFRESH = "explicit"
"""Policy, not fact: VMM learns of VMs created on a host behind its back (replicas that Hyper-V
Replica creates, §2) only at ``read_sc_vm_host`` (``Read-SCVMHost``), never on a timer; VMs gone
from the host are then forgotten and their addresses return to their pools (as at removal)."""

INVENTORY_ORDER = "(name, id)"
"""Policy, not fact: the inventory orders clouds, VM networks, subnets and VMs by (name, id) and a
cloud's host groups by path, so the same seed and calls give the same snapshot."""


# -- cloud pairing and network mapping (§5.3, §5.5; §7 gaps 2 and 3) -----------------------------------

__all__ += [
    "SITE_CA", "SITE_CA_VALIDITY_DAYS", "HOST_CERTIFICATE", "HOST_CERTIFICATE_VALIDITY_DAYS",
    "HOST_CERTIFICATE_RENEWAL_DAYS", "PAIRING_TRUST_GROUP", "PAIRING_AUTHORIZATION_SCOPE",
    "PAIRING_STORAGE_LOCATION", "PAIRING_REVOCATION_CHECK", "PAIRING_BOTH_DIRECTIONS", "UNPAIR_UNDOES",
    "PAIRING_HOST_CONFLICT", "LEAVING_HOST_UNCONFIGURED", "PAIRING_RECONCILE", "NETWORK_MAPPING_CARDINALITY",
]

SITE_CA = "one root CA per VMM server, O='<VMM FQDN> Site Recovery Replica CA', ECDSA P-256"
"""Policy, not fact (§5.3 NOT FOUND: issuer, type and subject of the certificates ASR installs;
§7 gap 2): each VMM server makes one root CA with ``simcore.pki`` at its first "Prepare the
server", valid from that virtual instant, and keeps it for every later pairing. Its name and
validity follow from the lab's clock, so they are the same for the same seed; its key material
is not (``cryptography`` draws keys from the OS), so history records never carry thumbprints or
PEM text."""

SITE_CA_VALIDITY_DAYS = 20 * 365
"""Policy, not fact: the site CA is valid for 20 years from its creation."""

HOST_CERTIFICATE = "CN=<host FQDN>, SAN DNS=<host FQDN>, EKU server+client auth, ECDSA P-256"
"""Policy, not fact, shaped by the facts of §1.3 (both EKUs, private key, name = host FQDN, chain
to a root the peer trusts): one certificate per host issued by its VMM server's site CA,
imported into ``LocalMachine\\My`` with its key. ECDSA rather than the RSA of the makecert
recipe, because key generation dominates a lab's set-up time and §1.3 requires no algorithm."""

HOST_CERTIFICATE_VALIDITY_DAYS = 365
"""Policy, not fact: a host certificate is valid for one year from its issue."""

HOST_CERTIFICATE_RENEWAL_DAYS = 30
"""Policy, not fact: a host certificate with fewer than 30 days left is replaced (at the next
preparation, pairing or ``reconcile_pairings`` after that instant); a valid one with more left
is reused, so preparing twice issues nothing new."""

PAIRING_TRUST_GROUP = "ASR-{pairing_id}"
"""Policy, not fact (§7 gap 2: trust-group names ASR writes are not documented): every
authorization entry a pairing writes carries the trust group ``ASR-<pairingId>``. One group per
pairing lets a replica VM accept its primary from any host of the peer cloud (§1.2: "or from any
other entry with the same trust group"), and lets unpairing remove exactly its entries with
``Remove-VMReplicationAuthorizationEntry -TrustGroup``."""

PAIRING_AUTHORIZATION_SCOPE = "one '*.<domain>' entry per DNS domain of the peer cloud's hosts"
"""Policy, not fact (§7 gaps 2 and 3): a host authorizes the peer cloud's hosts by one wildcard
entry per DNS domain of their FQDNs (wildcards are allowed in the first label, §1.2), not one
entry per host. Why: a host added later to the *peer* cloud is then accepted at once, although
this VMM server cannot learn of it until ASR carries the news (the servers share nothing); a
host added later to *this* cloud gets the same entries from ``reconcile_pairings``. Who may
replicate is still narrowed by authentication: with certificates, only a chain to the peer
site's CA is trusted. A peer FQDN whose domain has fewer than two labels (no legal wildcard)
gets an exact entry. An entry for the same pattern that already exists (another pairing's, or
an administrator's) is left as it is."""

PAIRING_STORAGE_LOCATION = "C:\\Hyper-V\\Replica"
"""Policy, not fact: where a pairing stores replicas on a host that has no
``DefaultStorageLocation`` yet (§5.3 says only "the default location that's indicated for the
target Hyper-V host"); a host that has one keeps it, and ``settings.replicaStorageLocation``
overrides both."""

PAIRING_REVOCATION_CHECK = "disabled on paired hosts (certificate authentication)"
"""Policy, not fact: the peer site's root reaches a host as PEM text, a certificate without a
reachable CRL, so a mandatory revocation check could never succeed (§1.3). Pairing therefore sets
the documented workaround ``DisableCertRevocationCheck = 1`` on every host of both clouds, and
unpairing clears it where pairing set it and no other pairing needs it."""

PAIRING_BOTH_DIRECTIONS = True
"""Policy, not fact, after §5.3 ("all clusters and host servers ... in the source and target clouds
are configured for replication"): pairing configures the hosts of both clouds alike — each a
Replica server that trusts and authorizes the other cloud's hosts — so that reverse replication
after failover needs no further step."""

UNPAIR_UNDOES = "entries, peer root, revocation flag; Replica server and firewall where no pairing remains"
"""Policy, not fact: unpairing removes the pairing's authorization entries (by trust group) and
the peer root (unless another pairing of the host trusts the same root), and — only on hosts that
no other pairing still configures — disables the Replica server and its firewall rule and clears
``DisableCertRevocationCheck`` if pairing set it. The host certificate and the site root stay
(they belong to "Prepare", and a later pairing reuses them). The cloud's
``DisasterRecoverySupported`` lock is released."""

PAIRING_HOST_CONFLICT = "refused"
"""Policy, not fact: a host in two paired clouds whose pairings ask for different authentication
types or ports is refused (``PairingConflict``): one Replica server cannot serve both."""

LEAVING_HOST_UNCONFIGURED = True
"""Policy, not fact (§7 gap 3): a host that leaves a paired cloud (its host group removed from the
cloud) is unconfigured for that pairing at the next ``reconcile_pairings``, as unpairing would."""

PAIRING_RECONCILE = "dirty marker"
"""Policy, not fact (§7 gap 3; §5.3 [INF]: a host joining a paired cloud runs the same "configure
host" routine): ``Add-SCVMHost`` and ``Set-SCCloud -Add/RemoveVMHostGroup`` mark the server's
pairings dirty; ``reconcile_pairings``, which the Provider calls at every poll, returns at once
when nothing is dirty and no host certificate is due for renewal."""

NETWORK_MAPPING_CARDINALITY = "one target per source VM network; a target may serve several sources"
"""Policy, not fact (§5.5 maps "a source VMM VM network → target VMM VM network"): a source VM
network has at most one mapping (another is refused ``NetworkAlreadyMapped``; ASR's "modify" is
unmap then map), while one target network may receive several sources. Both servers record the
mapping: the source's for IP injection, the target's for placement (§5.5)."""


# -- enabling and disabling protection (§5.4, §5.5; asr-orchestration.md §A.3, §B.4.1) -------------------

__all__ += [
    "REPLICA_PLACEMENT", "REPLICA_LOAD", "REPLICA_DISCOVERY", "REPLICA_NICS", "REPLICATION_REPORTED",
    "REPLICATION_HEALTH_REPORTED", "INITIAL_REPLICATION_START", "ENABLE_WAITS_FOR_HYPERV",
    "PROTECTION_CERTIFICATE", "REPLICA_KEPT_AS_VM",
]

REPLICA_PLACEMENT = "eligible hosts by (load, name, id); refused with every host's reason"
"""Fact (§5.5): replica VMs "are placed on hosts that can access the mapped VM network". Policy,
not fact, for the rest: ``CreateProtectionTarget`` considers the hosts of the recovery cloud; a host
is eligible when (1) a pairing of the cloud configured it and it is an enabled Replica server,
(2) it reaches every mapped recovery VM network (a site of the network's logical network serves
its host group, policy ``SITE_INHERITANCE``), (3) it holds no VM of the replica's name or VM ID
(Hyper-V names VMs by name; the replica keeps its primary's VM ID, §2.1), and (4) its load
(``REPLICA_LOAD``) is below ``VmmPolicy.replica_host_capacity``. Among eligible hosts the least
loaded wins, then by name and id, as ``PLACEMENT`` places new VMs. No eligible host →
``PlacementError`` naming each host of the cloud and why it was not chosen. The same VM placed
again in the same cloud gets the host placed before (a retried work item converges)."""

REPLICA_LOAD = "VMs on the host + replicas placed on it not yet created"
"""Policy, not fact: the load placement compares counts the host's Hyper-V VMs and the replicas
VMM placed on it whose VM Hyper-V has not created yet, so that VMs enabled together spread over
the hosts instead of all landing on the one that was emptiest before the first enable ran."""

REPLICA_DISCOVERY = "found at reconcile_protection: a Replica VM with the placed VM ID on the placed host"
"""Policy, not fact (§7: how VMM learns of the replica VM Hyper-V creates is not documented; the
existing policy ``HOST_REFRESH`` makes VMM learn of VMs made behind its back only when told): the
recovery VMM remembers each placement (``CreateProtectionTarget``) and, at
``reconcile_protection`` — which the Provider calls at every poll, O(1) unless the server or a
Hyper-V fabric revision moved — registers the VM with the placed VM ID that the placed host now
holds as a Replica VM: a VMM VM of the recovery cloud (the one ``Read-SCVMHost`` may already have
found is adopted), with ``REPLICA_NICS``. The inventory then reports it with its replication."""

REPLICA_NICS = "mapped NICs connected to the recovery VM network's first subnet, Dynamic; unmapped NICs not listed"
"""Fact (§5.5): the replica VM is connected to the mapped target network; no mapping → no network.
Policy, not fact: VMM connects each replica NIC whose primary NIC's network is mapped
(``recoveryVmNetworkId``) to the first VM subnet of the recovery network (the payload carries no
subnet name to match, §5.5's same-name rule), ``IPv4AddressType`` Dynamic with no address (ASR
reserves one in VMM before failover, §5.5); a NIC on an unmapped network has no VM network, and
VMM's adapter record always has one, so it is not listed."""

REPLICATION_REPORTED = "from the host's Get-VMReplication, at events and at the next instant it changes"
"""Policy, not fact (§4: VMM sends "the relevant properties for each object"): each VM of a DR
cloud that takes part in replication (primary, or a replica ``REPLICA_DISCOVERY`` found) carries
``replication``: its host's own ``Get-VMReplication`` (mode, state, health, primary and replica
server, frequency) with the phase of its initial replication and the closed form of its last
replication time (``cycleAnchor``: while cycles succeed, ``cycleAnchor + k*frequency`` for the
largest ``k >= 1`` not after now, ``lastReplicationTime`` before the first; otherwise
``lastReplicationTime``, fixed). A replication cycle changes none of it, so the report is rebuilt
only when ``dr_revision`` moves (an operation, a state change, a fault) or at ``dr_deadline`` —
the earliest instant any reported VM's reading next changes with no call (``hyperv_fake``'s
``replication_outlook``). An idle lab of healthy replicating VMs costs O(1) per poll and nothing
per virtual hour."""

REPLICATION_HEALTH_REPORTED = "the host's health, time-driven changes included, via dr_deadline"
"""Policy, not fact: ``health`` is Hyper-V's own (§2.5), including its time-driven rules (more than
an hour behind, more than 20 % of cycles missed, the primary failing to send); each such change
has an instant known in advance, which ``dr_deadline`` names, so the Provider reports it at its
first poll after that instant — never sooner than the poll, as with every other change."""

INITIAL_REPLICATION_START = "a startTime not later than now starts now"
"""Policy, not fact: ``StartInitialReplication`` with ``OverNetwork`` and a ``startTime`` not after
the current virtual instant starts initial replication at once (Hyper-V refuses a start time in
the past, §2.2); a later one schedules it (``-InitialReplicationStartTime``, at most 7 days ahead:
Hyper-V's refusal otherwise). ``OfflineReplication`` exports to ``exportPath``
(``-DestinationPath``); carrying the media and ``Import-VMInitialReplication`` on the replica host
are left to the caller (§5.3 names the paths only)."""

ENABLE_WAITS_FOR_HYPERV = "the work item stays in flight until Hyper-V's Enable-VMReplication job ends"
"""Policy, not fact: ``EnableProtection`` starts ``Enable-VMReplication`` (whose job ends when the
replica server answered over the network) and answers only once the job ended: until then its
executor raises ``WorkPending`` and the Provider runs it again at its next poll, which finds the
job's outcome (idempotent: a VM already replicating to that replica server is done). A failed job
fails the work item with Hyper-V's error (``ReplicationFailed``, §5.4)."""

PROTECTION_CERTIFICATE = "the host's current site certificate from its VMM server's pairing CA"
"""Policy, not fact: with certificate authentication ``Enable-VMReplication`` presents the primary
host's certificate issued by its VMM server's site CA at pairing (policy ``HOST_CERTIFICATE``),
the newest one valid now; a host without one is refused ``ProtectionError``."""

REPLICA_KEPT_AS_VM = "without deleteReplica the replica stays a VM of the recovery cloud, not replicating"
"""Fact (§2.1): ``Remove-VMReplication`` runs on each side and does not delete the replica VM; the
policy's "Delete replica VM" deletes it (§5.3). Policy, not fact: ``DisableProtectionOnSecondary``
with ``deleteReplica`` removes replication then the VM (``Remove-SCVirtualMachine``); without, the
VM stays in VMM and in the recovery cloud as an ordinary VM (so the inventory reports it without
``replication``)."""
