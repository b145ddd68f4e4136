"""Every choice the emulator makes where the reference (hyperv-scvmm.md) is silent: policy, not fact.

Each name below says what the emulator does, why, and which gap it fills. Tunables live in
frozen dataclasses gathered by ``HyperVPolicy`` (pass one to ``HyperVFabric(sim, policy=...)``);
fixed choices are module constants. Facts stay in the code that applies them, with their section.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ._enums import ReplicationHealth, ReturnCode

__all__ = [
    "TrustPolicy", "RetryPolicy", "TransferPolicy", "HyperVPolicy",
    "NOT_FOUND_CODE", "ONE_JOB_PER_VM_CODE", "SECOND_TEST_FAILOVER_CODE",
    "REMOTE_WMI_PORT", "HOST_LOCAL_TIME_IS_UTC", "AUTHORIZATION_ENTRY_ORDER",
    "ALLOW_ANY_SERVER_KEEPS_ENTRIES", "KERBEROS_REALM_RULE", "FIREWALL_BLOCK_IS_SILENT",
    "NETWORK_FAILURE_KEEPS_STATE", "REPLICA_PAUSE_BLOCKS_PRIMARY", "IR_FAILURE_STATE_IS_ERROR",
    "RECOVERY_POINT_NEEDS_APPLIED_LOG", "RECOVERY_POINT_ANCHOR", "APP_CONSISTENT_SLOT",
    "APPLY_AT_CYCLE_INSTANT", "SESSION_PER_OPERATION", "IMPORT_COMPLETES_BOTH_SIDES",
    "SCHEDULED_IR_STATE", "RESYNC_TRIGGER_WHEN_NOT_SHIPPING", "MONITORING_WINDOWS_LOGGED",
    "RECOVERY_POINT_NAMES", "EXTENDED_REPLICATION", "RESYNCHRONIZING_HEALTH", "CANCELLED_RESYNC_ON_REPLICA",
    "VM_NAME_LOOKUP", "GUEST_TRAVELS_WITH_DISKS", "SETTINGS_CHANGE_ON_PRIMARY", "REFUSAL_CODES",
    "MOVES_KEPT",
]


@dataclass(frozen=True)
class TrustPolicy:
    """How hosts judge certificates where §1.3 is silent. Policy, not fact."""

    validate_on_configure: bool = True
    """Policy, not fact: ``Set-VMReplicationServer``/``Enable-VMReplication`` check the host's own
    certificate (private key, EKU, validity now, name, chain to the host's own trusted roots) and
    refuse a defective one with 32773. §1.3 lists what the certificate must be, not when it is
    checked; the real UI only offers eligible certificates, so refusing early is closer. With
    ``False`` only presence and private key are checked, and every defect surfaces at the handshake."""

    reject_weak_keys: bool = True
    """Policy, not fact (§7 gap 1): RSA < 2048 (and EC < 256) bits is refused WEAK_KEY, as
    ``simcore.pki`` judges it, so that every emulator in a lab agrees on what a weak key is."""

    revocation_needs_crl: bool = True
    """Policy, not fact: revocation is answered by a trusted root imported as a
    ``CertificateAuthority`` (its CRL), or by a CRL of the certificate's issuer cached in the
    host's store (``import_crl``) and current at the instant. A chain anchored at a bare root
    certificate with no such CRL cannot be checked and, with the check on, is refused
    REVOCATION_OFFLINE — §1.3: "self-signed certificates do not support revocation checks", hence
    ``DisableCertRevocationCheck``."""


@dataclass(frozen=True)
class RetryPolicy:
    """How the replication engine retries. Policy, not fact: §3.6 documents the back-off for
    Hyper-V→Azure; the reference marks its use host-to-host as inference, and so do we."""

    backoff: tuple[float, ...] = (60.0, 120.0, 240.0, 480.0, 600.0)
    """Seconds between retries after a recoverable failure: 1, 2, 4, 8, 10 min (§3.6) ..."""

    steady: float = 1800.0
    """... then every 30 min (§3.6)."""

    reply_timeout: float = 60.0
    """Policy, not fact: an exchange that has had no answer for this long is reset and fails
    CONNECTION_TIMED_OUT (a firewall that drops, a partition that holds). The real WinHTTP
    timeouts are not in the reference."""


@dataclass(frozen=True)
class TransferPolicy:
    """How long data takes to move. Policy, not fact: the reference gives no throughput figures."""

    network_bytes_per_second: float = 125_000_000.0
    """One relationship's share of the link (1 Gbit/s); relationships do not contend."""

    compression_ratio: float = 0.5
    """Bytes on the wire per byte of log when ``CompressionEnabled`` (§2.1 names the switch only)."""

    compare_bytes_per_second: float = 500_000_000.0
    """Resynchronisation and ``-UseBackup`` compare block by block (§2.6 step 4) at this rate."""

    export_bytes_per_second: float = 250_000_000.0
    """Export to external media (§2.2) writes at this rate."""

    bytes_per_write: int = 4096
    """Default size of one workload write, used for log, pending and 50 % resync sizes (§2.6)."""


@dataclass(frozen=True)
class HyperVPolicy:
    """All tunable policies of one fabric."""

    trust: TrustPolicy = field(default_factory=TrustPolicy)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    transfer: TransferPolicy = field(default_factory=TransferPolicy)

    split_brain_guard: bool = True
    """Policy, not fact: §3.4 says an unplanned failover checks over remote WMI whether the
    primary VM runs, not what happens then. The emulator refuses (32775) when the primary host
    is reachable on ``REMOTE_WMI_PORT`` and the primary VM is running."""

    reverse_after_unplanned_needs_initial_replication: bool = True
    """Policy, not fact: after a *planned* failover both copies hold the same writes, so
    ``-Reverse`` replicates at once (§3.3). After an unplanned one the old primary may hold writes
    the new primary lacks, so the reversed relationship starts ReadyForInitialReplication."""


NOT_FOUND_CODE = ReturnCode.InvalidParameter
"""Policy, not fact: a VM, adapter, switch or certificate that does not exist is reported as an
invalid parameter (32773); the PowerShell ObjectNotFound category has no WMI code."""

ONE_JOB_PER_VM_CODE = ReturnCode.SystemInUse
"""Policy, not fact: while a VM's enable, prepare, reverse or resume exchange is in flight, other
replication operations on it are refused with 32774 ("system in use")."""

SECOND_TEST_FAILOVER_CODE = ReturnCode.InvalidState
"""Policy, not fact: §3.2 says one test failover at a time; a second is refused with 32775."""

REMOTE_WMI_PORT = 135
"""Policy, not fact: the split-brain check (§3.4) counts the primary host reachable when a
connection from the replica host to this port (RPC endpoint mapper) would not be partitioned."""

HOST_LOCAL_TIME_IS_UTC = True
"""Policy, not fact: hosts' local time is UTC, so the 09:00 monitoring start (§1.1) and the
18:30–06:00 auto-resync window (§2.6) are read in UTC."""

AUTHORIZATION_ENTRY_ORDER = "exact-then-wildcard, then oldest"
"""Policy, not fact: when several authorization entries match a primary (§1.2), an exact FQDN wins
over a wildcard, and among equals the entry added first. A wildcard covers exactly one label, as in
certificate names (``simcore.pki.hostname_matches``): ``*.contoso.com`` admits ``hv1.contoso.com``,
not ``hv1.eu.contoso.com``."""

ALLOW_ANY_SERVER_KEEPS_ENTRIES = True
"""Policy, not fact: with ``ReplicationAllowedFromAnyServer`` the server behaves as one ``*``
entry with the DEFAULT trust group (§1.2 [INF]); entries added before are kept, hidden, and apply
again once it is turned off."""

KERBEROS_REALM_RULE = "same-domain"
"""Policy, not fact: Kerberos authenticates when both hosts are joined to the same domain; forest
trusts are not modelled. Workgroup hosts need certificates (§5.3: "unless you have a working
Kerberos environment")."""

FIREWALL_BLOCK_IS_SILENT = True
"""Policy, not fact: a listener port without an enabled firewall rule (§1.1) drops traffic, so
the primary's exchange times out (CONNECTION_TIMED_OUT) rather than being refused."""

MOVES_KEPT = 10_000
"""Policy (an emulator's bookkeeping, not Hyper-V's): the fabric keeps at least the last 10,000
one-VM moves of its revision, so a management server that last read it within them re-reads only
the VMs they name; one that fell further behind reads every VM again, as it would without them."""

NETWORK_FAILURE_KEEPS_STATE = True
"""Policy, not fact: during a recoverable failure (§3.6) the primary stays Replicating with
Critical health ("cannot send", §2.5) and retries; a non-recoverable one moves it to Error."""

REPLICA_PAUSE_BLOCKS_PRIMARY = True
"""Policy, not fact: while the replica VM is suspended it accepts no log, so the primary's cycles
fail as a recoverable error (Critical on both sides, §2.5) and catch up on resume."""

IR_FAILURE_STATE_IS_ERROR = True
"""Policy, not fact: an initial replication or resynchronisation whose exchange fails leaves the
primary in Error; ``Resume-VMReplication`` starts it again (§2.3 resumes from Error)."""

RECOVERY_POINT_NEEDS_APPLIED_LOG = True
"""Policy, not fact: an hourly recovery point (§2.8) is taken only if a log was applied during
that hour; an outage leaves a gap rather than copies of the same point."""

RECOVERY_POINT_ANCHOR = "initial-replication-complete"
"""Policy, not fact: hourly points fall on whole hours counted from the moment initial
replication (or the last resynchronisation) completed; retention keeps the newest
``RecoveryHistory`` points (§2.8: up to 24, hourly)."""

APP_CONSISTENT_SLOT = "every-nth-point"
"""Policy, not fact: with ``VSSSnapshotFrequencyHour = n`` the hourly points whose index is a
multiple of n are application-consistent, if the VM's VSS integration service is enabled;
otherwise that point is crash-consistent and ``ApplicationConsistentSnapshotFailureCount`` grows."""

APPLY_AT_CYCLE_INSTANT = True
"""Policy, not fact: in steady replication the replica applies each cycle's log at the cycle's
instant; link latency (a millisecond) is ignored so that cycles can be computed in closed form."""

SESSION_PER_OPERATION = True
"""Policy, not fact: replication traffic is authenticated once per operation (enable, initial
replication, prepare, resume, resync, reverse, or a change to the replica server's trust), not
once per cycle. Certificate expiry (of either side's chain) is honoured in closed form at the
first cycle after it; a revocation, a removed trust or a root's own expiry takes effect at the next
authenticated exchange."""

IMPORT_COMPLETES_BOTH_SIDES = True
"""Policy, not fact: ``Import-VMInitialReplication`` (§2.2) completes initial replication on both
sides at once (the primary would learn it at its next cycle)."""

SCHEDULED_IR_STATE = "WaitingForInitialReplication"
"""Policy, not fact (§7 gap 7): a primary whose initial replication is scheduled for later, or
whose export is done and awaits import, shows WaitingForInitialReplication (WMI 2, the 2012
name); one whose transfer runs shows InitialReplicationInProgress."""

RESYNC_TRIGGER_WHEN_NOT_SHIPPING = True
"""Policy, not fact: the 50 % tracking-log rule (§2.6) is evaluated while the primary cannot ship
(outage, suspended, error); a healthy link is assumed never to accumulate half a disk in a cycle."""

MONITORING_WINDOWS_LOGGED = "last-closed-window"
"""Policy, not fact: when an observation finds monitoring intervals closed (§2.5, §2.7), the last
closed interval's statistics are logged once (event 29174); intervals that closed unobserved
before it are not replayed, so cost does not grow with virtual time."""

RECOVERY_POINT_NAMES = "{vm} - {kind} Replica - ({when:%m/%d/%Y - %I:%M:%S %p})"
"""Policy, not fact: recovery points are named like Hyper-V Manager's list ("Standard" or
"Application-consistent"); the exact format is not in the reference."""

EXTENDED_REPLICATION = "not emulated"
"""Not emulated (issue 3 lets it wait): ``Enable-VMReplication`` on a replica VM raises
NotSupportedError (32770) instead of creating relationship index 1 (§3.5)."""

RESYNCHRONIZING_HEALTH = ReplicationHealth.Warning
"""Policy, not fact: §2.5 makes "Resynchronization Required" Critical but says nothing of a resync
that runs; it is shown as Warning (replication is happening, the replica is not yet current)."""

CANCELLED_RESYNC_ON_REPLICA = "stays Resynchronizing"
"""Policy, not fact: ``Stop-VMReplication`` cancels a resync on the primary (§2.6); the replica learns
nothing until the next resync reaches it, so it shows Resynchronizing until then."""

VM_NAME_LOOKUP = "first created"
"""Policy, not fact: Hyper-V allows two VMs with one name on a host; a cmdlet given a name acts on the
one created first (a replica VM takes its primary's name, which may already be in use)."""

GUEST_TRAVELS_WITH_DISKS = True
"""Policy, not fact: the guest's IP settings, integration components and application write rate
live on its disks, so the replica VM holds the primary's as of the last log applied (§3.7: without
failover settings "the IP address configured in the primary virtual machine ... will be used")."""

SETTINGS_CHANGE_ON_PRIMARY = True
"""Policy, not fact: ``Set-VMReplication`` changes settings on the primary, which passes them to its
replica (§2.1 says only that it "changes the same settings"); on a replica it is refused (32775)
except ``-Reverse``."""

REFUSAL_CODES = {
    **{reason: ReturnCode.AccessDenied for reason in (
        "BROKEN_CHAIN", "UNTRUSTED_ROOT", "REVOKED", "NOT_YET_VALID", "EXPIRED", "WEAK_KEY", "WRONG_EKU",
        "NAME_MISMATCH", "REVOCATION_OFFLINE", "NO_PRIVATE_KEY", "CERTIFICATE_NOT_FOUND", "KERBEROS_FAILED",
        "AUTHENTICATION_TYPE_NOT_ALLOWED", "NOT_AUTHORIZED", "TRUST_GROUP_MISMATCH")},
    "CONNECTION_TIMED_OUT": ReturnCode.Timeout,
}
"""Policy, not fact: the WMI code a failed job carries, by refusal reason (the reference lists the
codes, §1.5, not which failure gives which): authentication and authorization refusals are 32769
"access denied", a timed-out exchange 32772 "timeout", everything else 32768 "failed"."""
