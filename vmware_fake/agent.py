"""``VaultAgent``: the configuration server's link to the vault — registration, heartbeat, work items
and inventory, on the same channel as the VMM Provider (PROTOCOL.md), through ``channel_client``.

Like the Provider it is outbound only and mutually authenticated: it registers with a key file
(the key authenticates that call), keeps the client certificate the vault issues, and then every
poll is a connection it opens (heartbeat, work, inventory when ``dr_revision`` moved), its idle
polls stood down as the Provider's are. ASR never calls in. The work it runs: inventory refresh,
adding, updating and removing a vCenter, and the protection and failover of a machine (``_execute``);
any other kind is reported failed, never silently done.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import httpx
from cryptography import x509

from channel_client import (
    Registration,
    AlreadyRegistered, ChannelFailure, NotRegistered, PollCadence, RegistrationRefused, SimulatedNetworkTransport,
    TransportFactory, failure_details, registration_from, request,
)
from channel_client.policy import REQUEST_TIMEOUT_SECONDS
from simcore import Phase
from simcore.pki import CertificateAuthority, IssuedCertificate

from ._configuration_server import ConfigurationServer
from ._inventory import take_inventory
from .errors import NotEmulated, VmwareError
from .policy import AGENT_NAMES, IDLE_POLLS_ELIDED, POLL_INTERVAL_SECONDS, VCENTER_PORT, WORK_ERROR_CODE

__all__ = ["VaultAgent", "Registration", "FABRIC_TYPE"]

#: Fact (SDK 2.0.0 ``VMwareDetails``): a VMware fabric's ``customDetails.instanceType``; sent at
#: registration so the vault makes that fabric (PROTOCOL.md §5).
FABRIC_TYPE = "VMware"


class VaultAgent:
    """The agent of ``cs``. ``trusted_roots``: the CAs a genuine ASR server certificate chains to;
    ``hosts``: a hosts file (name → node) for the channel."""

    def __init__(self, cs: ConfigurationServer, *, trusted_roots: Sequence[CertificateAuthority | x509.Certificate],
                 hosts: dict[str, str] | None = None, poll_interval: float = POLL_INTERVAL_SECONDS,
                 request_timeout: float = REQUEST_TIMEOUT_SECONDS,
                 transport_factory: TransportFactory = SimulatedNetworkTransport,
                 elide_idle_polls: bool = IDLE_POLLS_ELIDED) -> None:
        self.cs = cs
        self.sim = cs.sim
        self.trusted_roots = list(trusted_roots)
        self.hosts = dict(hosts or {})
        self.request_timeout = request_timeout
        self.transport_factory = transport_factory
        self.elide_idle_polls = elide_idle_polls
        self.registration: Registration | None = None
        self.credential: IssuedCertificate | None = None
        self.sequence = 0
        self.last_error: ChannelFailure | None = None
        self._cadence = PollCadence(self.sim, cs.name, poll_interval, self.poll)
        self._client: httpx.Client | None = None
        self._transport: httpx.BaseTransport | None = None
        self._synced: tuple[int, ...] | None = None  # the dr_revision ASR last applied

    @property
    def running(self) -> bool:
        return self._cadence.running

    def _open(self, endpoint: str, *, present_certificate: bool = True) -> httpx.Client:
        transport = self.transport_factory(
            self.sim, self.cs.name, trust_roots=self.trusted_roots,
            identity=lambda: self.credential if present_certificate else None, proxy=None, hosts=self.hosts)
        if present_certificate:
            self._transport = transport
        return httpx.Client(transport=transport, base_url=f"https://{endpoint}", timeout=self.request_timeout,
                            trust_env=False)

    def start(self) -> None:
        if self.registration is None:
            raise NotRegistered(f"the configuration server {self.cs.name} is not registered to a vault")
        if not self._cadence.running:
            self._client = self._open(self.registration.endpoint)
            self._cadence.start()

    def stop(self) -> None:
        self._cadence.stop()
        if self._client is not None:
            self._client.close()
        self._client = self._transport = None

    # -- registration -----------------------------------------------------------------------------

    def register(self, key_file: str) -> Registration:
        """Register the configuration server to the key's vault with the vault registration key (§3),
        keep the client certificate, start polling and send the inventory at once."""
        history, node = self.sim.history, self.cs.name
        history.record(node, "cs.register", Phase.INVOKE, {"configurationServer": self.cs.id})
        try:
            key = json.loads(key_file)
            endpoint, vault_id = str(key["serviceEndpoint"]), str(key["vaultId"])
        except (ValueError, KeyError, TypeError) as error:
            history.record(node, "cs.register", Phase.FAIL, {"error": "RegistrationKeyMalformed"})
            raise RegistrationRefused("RegistrationKeyMalformed", f"the key file cannot be read: {error}") from None
        if self.registration is not None and self.registration.vault_id.lower() != vault_id.lower():
            history.record(node, "cs.register", Phase.FAIL, {"error": "AlreadyRegistered"})
            raise AlreadyRegistered(f"{self.cs.name} is registered to vault {self.registration.vault_id}")
        body = {"registrationKey": key, "fabricType": FABRIC_TYPE, "configurationServerId": self.cs.id,
                "friendlyName": self.cs.name, "machineName": self.cs.fqdn, "biosId": self.cs.host_id, **AGENT_NAMES}
        client = self._open(endpoint, present_certificate=False)
        try:
            registration, credential = registration_from(request(client, "register", "POST", "registrations", body),
                                                         vault_id, endpoint)
        except ChannelFailure as failure:
            history.record(node, "cs.register", Phase.FAIL, {"error": failure.code or str(failure.cause or failure)})
            if failure.code is not None:
                raise RegistrationRefused(failure.code, str(failure)) from None
            raise
        finally:
            client.close()
        self.credential, self.registration = credential, registration
        history.record(node, "cs.register", Phase.OK, {"fabric": registration.fabric_name,
                                                       "provider": registration.provider_name})
        self.stop()
        self._synced = None
        self.start()
        self.poll()
        return self.registration

    # -- the poll -------------------------------------------------------------------------------

    def poll(self) -> bool:
        """One cycle: heartbeat, work, inventory if it changed. False (recorded) on failure. A poll
        from the timer that only sent its heartbeat stands the polls down (policy ``IDLE_POLLS_ELIDED``)."""
        history, node = self.sim.history, self.cs.name
        tick = self.sim.clock.now
        history.record(node, "cs.poll", Phase.INVOKE, {})
        try:
            beat = self._call("heartbeat", "POST", "heartbeat", {})
            pending = beat.get("pendingWorkItems")
            worked = isinstance(pending, int) and pending > 0
            if worked:
                self._work()
            synced = self.sync()
        except ChannelFailure as failure:
            self.last_error = failure
            history.record(node, "cs.poll", Phase.FAIL, failure_details(failure))
            return False
        finally:
            hang_up = getattr(self._transport, "hang_up", None)  # one connection per poll (CHANNEL_KEEP_ALIVE)
            if hang_up is not None:
                hang_up()
        self.last_error = None
        history.record(node, "cs.poll", Phase.OK, {})
        if not worked and not synced:
            self._stand(tick)
        return True

    def _stand(self, tick: float) -> None:
        """After an idle poll from the timer at ``tick``, stop polling while nothing it depends on can
        change: the configuration server's ``dr_revision``, what ASR announces, the (empty) fault
        plan, time up to the first certificate of the channel that falls due."""
        server = getattr(self._transport, "server_node", None)
        if (not self.elide_idle_polls or not self._cadence.ticking_at(tick) or server is None
                or self.sim.faults.rules):
            return
        sim, cs = self.sim, self.cs
        revision, generation = cs.dr_revision, sim.network.generation(server)
        due = [] if self.credential is None else [self.credential.certificate.not_valid_after_utc]
        server_until = getattr(self._transport, "server_valid_until", None)
        if server_until is not None:
            due.append(server_until)

        def unchanged() -> bool:
            return not sim.faults.rules and sim.network.generation(server) == generation and cs.dr_revision == revision

        self._cadence.stand_down(tick, server, unchanged, min((sim.clock.to_seconds(at) for at in due), default=None))

    def sync(self, *, force: bool = False) -> bool:
        """Send the inventory if the CS changed since ASR last applied it (or ``force``); True if sent."""
        revision = self.cs.dr_revision
        if not force and revision == self._synced:
            return False
        self.sequence += 1
        body = {**take_inventory(self.cs), "sequence": self.sequence}
        details = {"sequence": self.sequence, "vCenters": len(body["vCenters"]),
                   "physicalServers": len(body["physicalServers"])}
        self.sim.history.record(self.cs.name, "cs.sync", Phase.INVOKE, details)
        try:
            answer = self._call("sync", "PUT", "inventory", body,
                                idempotency_key=f"inventory:{self.cs.id}:{self.sequence}")
        except ChannelFailure as failure:
            self.sim.history.record(self.cs.name, "cs.sync", Phase.FAIL, {**details, **failure_details(failure)})
            raise
        self._synced = revision
        self.sim.history.record(self.cs.name, "cs.sync", Phase.OK, {**details, "applied": bool(answer.get("applied"))})
        return True

    def _work(self) -> None:
        """Lease what is pending and run it at once, then report it all in one call (the inventory goes
        first, so what a job waits for is in the vault when it hears of it)."""
        leased = self._call("lease", "POST", "workItems/lease", {}).get("workItems") or []
        reports: list[dict[str, Any]] = []
        for item in leased:
            kind = str(item.get("kind"))
            found = item.get("payload")
            report = self._execute(kind, found if isinstance(found, dict) else {})
            self.sim.history.record(self.cs.name, "cs.work", Phase.OK if report["status"] == "Succeeded" else Phase.FAIL,
                                    {"item": item.get("id"), "kind": kind})
            reports.append({"id": str(item["id"]), "idempotencyKey": f"workitem:{item['id']}", **report})
        if reports:
            self._call("complete", "POST", "workItems/complete", {"items": reports})

    def _execute(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Run one work item, then send the inventory if it changed (so the vault has what the job
        waits for when it hears of it). ``RefreshProvider`` sends it in any case; ``AddVCenter`` adds
        the vCenter at ``ipAddress`` for discovery, ``UpdateVCenter`` changes the given fields of the
        vCenter ``name`` and ``RemoveVCenter`` removes it; the protection kinds act on the pair of
        ``machineId`` (``Protection``), a failover answering with its VM and point (the VM is started
        by a ``StartRecoveryVm`` of its own). Anything refused or of another kind fails with
        ``WORK_ERROR_CODE`` (policy)."""
        protection = self.cs.protection
        machine = str(payload.get("machineId"))
        result: dict[str, Any] = {}
        try:
            if kind == "RefreshProvider":
                self.sync(force=True)
            elif kind == "AddVCenter":
                self.cs.add_vcenter(self.cs.find_vcenter(str(payload.get("ipAddress"))),
                                    account=str(payload.get("runAsAccountId")),
                                    process_server=str(payload.get("processServerId")),
                                    friendly_name=str(payload.get("friendlyName")), port=int(payload.get("port") or VCENTER_PORT),
                                    name=str(payload.get("name")))
            elif kind == "UpdateVCenter":
                port = payload.get("port")
                self.cs.update_vcenter(str(payload.get("name")), friendly_name=_optional(payload.get("friendlyName")),
                                       address=_optional(payload.get("ipAddress")),
                                       port=None if port is None else int(port),
                                       process_server=_optional(payload.get("processServerId")),
                                       account=_optional(payload.get("runAsAccountId")))
            elif kind == "RemoveVCenter":
                self.cs.remove_vcenter(str(payload.get("name")))
            elif kind == "EnableProtection":
                protection.enable(machine, payload)
            elif kind == "DisableProtection":
                protection.disable(machine, delete_replica=payload.get("replicaVmDeletionStatus") == "Delete")
            elif kind in ("TestFailover", "UnplannedFailover"):
                run = protection.test_failover if kind == "TestFailover" else protection.unplanned_failover
                failover = run(machine, str(payload.get("recoveryPointType")), _optional(payload.get("recoveryPointId")))
                result = {"recoveryVmId": failover.vm.id, "recoveryVmName": failover.vm.name,
                          "recoveryPoint": {k: v for k, v in failover.point.describe().items() if k != "multiVm"}}
            elif kind == "StartRecoveryVm":
                protection.start_recovery_vm(machine, str(payload.get("kind")))
            elif kind == "TestFailoverCleanup":
                protection.test_failover_cleanup(machine)
            elif kind == "CommitFailover":
                protection.commit(machine)
            elif kind == "Reprotect":
                protection.reprotect(machine, payload)
            else:
                raise NotEmulated(f"{kind} is not supported by the configuration server {self.cs.name}")
        except VmwareError as error:
            return {"status": "Failed", "error": {"errorCode": WORK_ERROR_CODE, "errorMessage": str(error)}}
        self.sync()
        return {"status": "Succeeded", "result": result}

    def _call(self, operation: str, method: str, path: str, body: dict[str, Any], *,
              idempotency_key: str | None = None) -> dict[str, Any]:
        if self._client is None:
            raise NotRegistered(f"the agent of {self.cs.name} is not running")
        return request(self._client, operation, method, path, body, idempotency_key)


def _optional(value: object) -> str | None:
    """A work item's optional field as a string (absent: None)."""
    return None if value is None else str(value)
