"""Policies of the ASR Provider (client side of the channel): choices the reference leaves open.

Each is **policy, not fact** unless its comment cites a section of hyperv-scvmm.md. The wire is
described once, in ``asr_emulator/channel/PROTOCOL.md`` (the Provider may not import the service:
it speaks that protocol over HTTP, as DESIGN.md's import directions require).
"""

from __future__ import annotations

# The channel client's request timeout, default proxy port and paths, shared by every agent.
from channel_client.policy import CHANNEL_PREFIX, DEFAULT_PROXY_PORT, REQUEST_TIMEOUT_SECONDS

__all__ = [
    "PROVIDER_VERSION", "SERVER_VERSION", "POLL_INTERVAL_SECONDS", "REQUEST_TIMEOUT_SECONDS",
    "DEFAULT_PROXY_PORT", "CHANNEL_PREFIX", "PROXY_CREDENTIALS_READ_AT_START", "SYNC_WHEN_CHANGED",
    "WORK_RESULTS_PERSIST", "WORK_ERROR_CODE", "REGISTRATION_ID_STREAM", "PAIRING_WORK_SECONDS",
    "IDLE_POLLS_ELIDED", "EXECUTOR_BUG_REPORTED", "PROTECTION_WORK_SECONDS", "WORK_PENDING_RERUN",
    "PROTECTION_RECONCILED_EACH_POLL", "TEST_FAILOVER_WORK_SECONDS", "FAILOVER_WORK_SECONDS",
    "LEASE_UNTIL_DRAINED", "WORK_ERROR_CODES", "SCRIPT_ERROR_CODES", "RECOVERY_POINT_WORK_SECONDS", "FAILOVER_CANCEL_WORK_SECONDS",
    "REPAIR_WORK_SECONDS", "REPLICA_UPDATE_WORK_SECONDS", "CHANNEL_KEEP_ALIVE", "RENEWALS_BATCHED",
    "REPORTS_BATCHED",
]

#: Fact (§5.1 [D:ASR-SecSupportMatrix]): the latest Provider version is 5.1.19.
PROVIDER_VERSION = "5.1.19"

#: Policy: the VMM server version the Provider reports (``serverVersion``): VMM 2016's build number.
SERVER_VERSION = "4.0.1662.0"

#: Policy: the Provider polls (heartbeat, then work, then inventory if it changed) every minute.
#: §5.2 says only that the Provider "gets notified of the event from the Service"; polling keeps the
#: channel outbound-only.
POLL_INTERVAL_SECONDS = 60.0

IDLE_POLLS_ELIDED = True
"""Policy of the emulator, not of the product: after a poll that found nothing to do (only the
heartbeat was sent, nothing in flight, no fault rule in the plan), the Provider stands its polls
down (``simcore.Standings``) until the VMM server's ``dr_revision`` moves, ASR announces a change
(``Network.changed``), a fault rule is added, or a certificate on the channel or a host falls
due; then it polls again on its phase, as if it had never stopped. ``lastHeartBeat`` and
``last_contact`` read as if the elided polls ran; the history records ``provider.idle`` instead
of each idle poll. So a lab costs what happens in it, not how much virtual time passes.
``AsrProvider(elide_idle_polls=False)`` polls every interval for real."""

CHANNEL_KEEP_ALIVE = "poll"
"""Policy: the Provider keeps its HTTPS connection to ASR open for the requests of one poll (as an
HTTP/1.1 client keeps a connection alive) and closes it when the poll ends; a call made outside a
poll has its own connection. So each poll connects and handshakes once, and a certificate that was
revoked or expired, a proxy or a network change since the last poll is met at the next poll's
handshake, as before. A request that fails (timeout, reset, alert) closes the connection; a request
made while another is waiting for its answer (a nested poll) opens its own. The real Provider's
connection management is not documented (§5.2); a connection per request made the handshake's two
certificate validations most of the cost of a poll with many work items."""

RENEWALS_BATCHED = True
"""Policy: the Provider renews the leases of all its started work in one ``RenewWorkItems`` call
(at the start of a poll and after leasing), then runs and reports, in start order, the items whose
time is up and whose renewal was accepted. A report's answer names the Provider's leased items
withdrawn since (``withdrawn``: the report may have stopped their job), which are abandoned before
they run, so work of a stopped job still never runs afterwards. One renewal per started item per
poll made a drill of 1,000 VMs send tens of thousands of requests."""

REPORTS_BATCHED = 200
"""Policy: the Provider reports the items it executed in a poll together — one ``CompleteWorkItems``
call per this many reports (the server's ``REPORT_BATCH``), sent once the poll has run everything
due, each report under its own ``idempotencyKey`` (``workitem:{id}``) — and ASR processes them in
order, each as a single ``complete`` would be. The promise "work of a stopped job never runs
afterwards" is about causality, and still holds: a job stopped when ASR processes an earlier
item's report stops *after* a later item of the same batch ran at the Provider, as with a real
Provider running its work in parallel; ASR still answers ``withdrawn`` for everything stopped, so
the Provider never *starts* withdrawn work once it heard of it (renewal refused, or named in an
answer). What it gives up: a job stopped by anything else in the instant between the poll's
renewal and a due item's run (an operator's cancel, say) no longer stops that item — it would
need ASR to answer before the next item runs, which is what one request per report did.
Duplicates and retries are per item, as for single reports: a report stays in the store until its
entry is acknowledged and is re-sent at the next poll, a repeated key is answered from the kept
answer, a second report of an item answers ``duplicate: true``. One request per report was most of
the channel's cost in a drill of 1,000 VMs (7,000 reports)."""

#: Fact (§5.2 [D:ASR-VMMDR]): a custom proxy's credentials are kept in the Run As account
#: ``DRAProxyAccount``; changing them needs a restart of the VMM service. Policy: the Provider
#: therefore reads the account when it starts (``start``/``restart``), not on every request.
PROXY_CREDENTIALS_READ_AT_START = True

#: Policy: the Provider sends its inventory after registration, when a ``RefreshProvider`` work item
#: asks, and whenever a poll finds it different from what ASR last acknowledged (so a change shows
#: up at the next poll). A restart forgets what was acknowledged, so the next poll sends it again.
SYNC_WHEN_CHANGED = True

#: Policy: the result of every executed work item is kept in the Provider's persistent store (as
#: the registration is) until ASR acknowledges it; a re-leased item already executed is reported
#: again, never executed again — even across a restart.
WORK_RESULTS_PERSIST = True

#: Policy: the ``errorCode`` reported when a work item's VMM action fails (``providerErrorDetails``
#: has an integer code, asr-api.md §9; this number is the emulator's).
WORK_ERROR_CODE = 31000

EXECUTOR_BUG_REPORTED = True
"""Policy of the emulator: an executor that raises anything but ``VmmError`` (an emulator bug) does
not escape into ``lab.advance``; the work item fails with ``WORK_ERROR_CODE`` and a message naming
the exception, and the history records it as ``provider.work`` fail with ``bug``, as ASR's own
handlers answer a bug with a 500 rather than crash the client."""

#: Policy: the ``errorCode`` of a work item's failure for the VMM errors a DR operator must tell
#: apart (by class name; anything else is ``WORK_ERROR_CODE``): no static IP address pool on the
#: target network of a failover (hyperv-scvmm.md §5.5: "a static pool is required ... else
#: allocation fails"), the pool exhausted, a chosen address taken, outside the pool or reserved, no
#: host to place a replica on.
WORK_ERROR_CODES: dict[str, int] = {"NoStaticIPAddressPool": 31010, "IPAddressPoolExhausted": 31011,
                                    "IPAddressInUse": 31012, "IPAddressOutOfRange": 31013,
                                    "IPAddressReserved": 31014, "PlacementError": 31020, "ScriptNotFound": 31030}

#: Policy: the ``errorCode`` of a recovery-plan script that ran and failed (an exception, STDERR,
#: ``Write-Host`` or a non-zero exit code) or did not return within 600 s (hyperv-scvmm.md §5.7); a
#: script missing from the library is ``WORK_ERROR_CODES["ScriptNotFound"]``.
SCRIPT_ERROR_CODES: dict[str, int] = {"ScriptFailed": 31031, "ScriptTimedOut": 31032}

#: Policy: the lab stream the Provider draws the VMM server's id and BIOS id from (a real server has
#: them already; the emulated one gets them at first install, stable after).
REGISTRATION_ID_STREAM = "scvmm:{server}:provider"

#: Policy: virtual seconds the VMM work of each pairing and mapping work item takes before it is
#: done and reported. The pairing figures are the recorded 2021 VMM-to-VMM job's task durations
#: (asr-orchestration.md §A.1.4: 64 s, 25 s, ~9 s); the mapping job took about 1 s (§A.2.3).
PAIRING_WORK_SECONDS: dict[str, float] = {
    "PrepareSiteForPairing": 64.0,
    "PrepareCloudForPairing": 25.0,
    "PairCloud": 9.0,
    "UnpairCloud": 9.0,
    "MapNetwork": 1.0,
    "UnmapNetwork": 1.0,
}

#: Policy: virtual seconds the VMM work of each protection work item takes before it is run and
#: reported: the recorded real durations of the matching tasks — ``EnableDr`` (asr-orchestration.md
#: §A.3.3: CreateProtectionTarget 17 s, EnableProtection 7 s, VmStartInitialReplication 16 s) and
#: ``DisableDr`` (§B.4.1: DisableProtectionOnPrimary 51 s, DisableProtectionOnSecondary 65 s).
PROTECTION_WORK_SECONDS: dict[str, float] = {
    "CreateProtectionTarget": 17.0,
    "EnableProtection": 7.0,
    "StartInitialReplication": 16.0,
    "DisableProtectionOnPrimary": 51.0,
    "DisableProtectionOnSecondary": 65.0,
}

#: Policy: the VMM work of the test-failover items takes the recorded durations (asr-orchestration.md
#: §A.4.3: "Create test virtual machine" 35 s with a VM network; "Ending test failover" 37 s).
TEST_FAILOVER_WORK_SECONDS: dict[str, float] = {"TestFailover": 35.0, "TestFailoverCleanup": 37.0}

#: Policy: the VMM work of the planned-failover items and the commit. The PFO tasks' real durations
#: were not recorded (§A.4.2 lists the tasks only): each takes 30 s; the commit 10 s.
FAILOVER_WORK_SECONDS: dict[str, float] = {"ShutdownPrimaryVm": 30.0, "PrepareForFailover": 30.0, "Failover": 30.0,
                                           "StartReplicaVm": 30.0, "CommitFailover": 10.0, "ReverseReplication": 30.0}

#: Policy (no ChangePit job was recorded, asr-orchestration.md §B.5): changing a failover's recovery
#: point — cancel, then fail over again — takes what a failover's VMM work takes.
RECOVERY_POINT_WORK_SECONDS: dict[str, float] = {"ApplyRecoveryPoint": FAILOVER_WORK_SECONDS["Failover"]}

#: Policy: the VMM work of rolling a cancelled failover back (no recording of a cancelled failover):
#: each side's ``Stop-VMFailover`` takes 10 s, as the commit.
FAILOVER_CANCEL_WORK_SECONDS: dict[str, float] = {"CancelFailover": 10.0, "CancelFailoverOnPrimary": 10.0}

#: Policy: starting a resynchronization takes 5 s of VMM work; the item then stays in flight until
#: Hyper-V's resynchronization job ends (policy WORK_PENDING_RERUN).
REPAIR_WORK_SECONDS: dict[str, float] = {"ResynchronizeReplication": 5.0}

#: Policy: renaming the replica and reconnecting its adapters takes 5 s of VMM work (no recording).
REPLICA_UPDATE_WORK_SECONDS: dict[str, float] = {"UpdateReplicaVm": 5.0}

LEASE_UNTIL_DRAINED = True
"""Policy: a poll leases, a batch at a time, as many items as the heartbeat said are pending, so a
thousand VMs enabled at once are all under way within a poll rather than ten a minute (a
queue ten a minute long outlasts the jobs' 30-minute wait)."""

WORK_PENDING_RERUN = "next poll"
"""Policy of the emulator: an executor that raises ``WorkPending`` (its VMM work waits on a
Hyper-V job, policy ``ENABLE_WAITS_FOR_HYPERV`` of scvmm_fake) keeps its item in flight — lease
renewed at every poll, so idle polls are not elided meanwhile — and runs again at the next poll;
the history records ``provider.work`` info with ``pending``. Like every due item, it completes at
a poll, so the poll interval is the granularity of a work item's end."""

PROTECTION_RECONCILED_EACH_POLL = True
"""Policy: every poll calls the VMM server's ``reconcile_protection`` (after ``reconcile_pairings``),
which registers replica VMs Hyper-V created since (scvmm_fake policy ``REPLICA_DISCOVERY``); O(1)
when nothing changed, and a registration moves ``dr_revision``, so the inventory follows."""
