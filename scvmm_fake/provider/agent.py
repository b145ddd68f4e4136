"""``AsrProvider``: the Azure Site Recovery Provider hosted in a VMM server (§5.1–5.2).

Install it on a ``VMMServer`` (optionally with a custom proxy, whose credentials become the Run
As account ``DRAProxyAccount``), ``register`` it with a registration key file, and it polls ASR on
the lab clock: heartbeat, lease work items and run them, and send the DR inventory when it changed.
Every call is an outbound httpx request over the simulated network (``transport``); ASR never
calls in. The registration, the client certificate and the results of executed work items are
the Provider's persistent store and survive ``restart``; what it last sent does not.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from cryptography import x509

from simcore import Phase
from simcore.pki import CertificateAuthority, IssuedCertificate

from channel_client import PollCadence, ProxySettings, SimulatedNetworkTransport, TransportFactory
from channel_client import Registration, failure_details, registration_from, request

from .. import DRA_PROXY_ACCOUNT_NAME, Credential, Inventory, VMMServer, VmmError
from .errors import AlreadyRegistered, ChannelFailure, NotRegistered, RegistrationRefused
from .executors import EXECUTORS, WorkPending
from .outage import ProviderOutage
from .inventory import InventoryEncoder, inventory_json, unstamped
from .policy import (
    IDLE_POLLS_ELIDED, POLL_INTERVAL_SECONDS, PROVIDER_VERSION, REGISTRATION_ID_STREAM,
    REPORTS_BATCHED, REQUEST_TIMEOUT_SECONDS, SERVER_VERSION, WORK_ERROR_CODE, WORK_ERROR_CODES,
)

__all__ = ["AsrProvider", "ProviderStore", "Registration", "InFlight"]


@dataclass
class ProviderStore:
    """The Provider's persistent state (the registry and VMM database of a real server)."""

    vmm_server_id: str
    bios_id: str
    registration: Registration | None = None
    credential: IssuedCertificate | None = field(default=None, repr=False)
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)  # work item id -> its report
    unacknowledged: list[str] = field(default_factory=list)  # reports ASR has not confirmed yet
    in_flight: dict[str, InFlight] = field(default_factory=dict)  # started work, by item id, in start order
    sequence: int = 0  # of the last inventory sent


@dataclass
class InFlight:
    """A work item the Provider started and whose VMM work ends at ``due`` (kept across restarts)."""

    kind: str
    payload: dict[str, Any]
    due: float


class AsrProvider:
    """The Provider of ``vmm``. ``trusted_roots``: the CAs a genuine ASR server certificate chains to;
    ``hosts``: a hosts file (name → node) for the channel; ``proxy``/``proxy_credential``: the custom
    proxy of ``DRConfigurator /proxyAddress /proxyport /proxyUsername /proxyPassword``."""

    def __init__(self, vmm: VMMServer, *, trusted_roots: Sequence[CertificateAuthority | x509.Certificate],
                 friendly_name: str | None = None, proxy: ProxySettings | None = None,
                 proxy_credential: Credential | None = None, hosts: dict[str, str] | None = None,
                 poll_interval: float = POLL_INTERVAL_SECONDS, request_timeout: float = REQUEST_TIMEOUT_SECONDS,
                 transport_factory: TransportFactory = SimulatedNetworkTransport,
                 elide_idle_polls: bool = IDLE_POLLS_ELIDED) -> None:
        if proxy_credential is not None and proxy is None:
            raise ValueError("proxy_credential needs a proxy")
        self.vmm = vmm
        self.sim = vmm.sim
        self.friendly_name = friendly_name or vmm.fqdn
        self.trusted_roots = list(trusted_roots)
        self.proxy = proxy
        self.hosts = dict(hosts or {})
        self.poll_interval = poll_interval
        self.request_timeout = request_timeout
        self.transport_factory = transport_factory
        self.elide_idle_polls = elide_idle_polls
        ids = REGISTRATION_ID_STREAM.format(server=vmm.name)
        self.store = ProviderStore(self.sim.random.uuid(ids), self.sim.random.uuid(ids))
        if proxy_credential is not None:
            vmm.new_sc_run_as_account(DRA_PROXY_ACCOUNT_NAME, credential=proxy_credential,
                                      description="Azure Site Recovery Provider proxy")
        self.last_error: ChannelFailure | None = None
        self._contact: float | None = None
        self._cadence = PollCadence(self.sim, vmm.name, poll_interval, self.poll)
        self._idle_poll = False  # set while a poll has sent nothing but its heartbeat
        self._client: httpx.Client | None = None
        self._transport: httpx.BaseTransport | None = None
        self._acknowledged: Inventory | None = None  # the inventory ASR last applied, unstamped
        self._encoder = InventoryEncoder()  # keeps the last body's VM entries
        self._checked: tuple[int, ...] | None = None  # the VMM revision that inventory was built at
        self._sessions = 0  # how many channel sessions are open, nested (policy CHANNEL_KEEP_ALIVE)
        self.outage = ProviderOutage(self)

    # -- lifecycle ------------------------------------------------------------------------------

    @property
    def registration(self) -> Registration | None:
        return self.store.registration

    @property
    def running(self) -> bool:
        return self._cadence.running

    @property
    def busy(self) -> bool:
        """Polling for real: its idle polls are not stood down (policy ``IDLE_POLLS_ELIDED``)."""
        return self._cadence.ticking

    @property
    def last_contact(self) -> float | None:
        """When ASR last answered a heartbeat (as if elided idle polls ran)."""
        return self._cadence.recurring(self._contact)

    def start(self) -> None:
        """Start polling every ``poll_interval`` virtual seconds (reads the proxy account now)."""
        if self.store.registration is None:
            raise NotRegistered(f"the Provider of {self.vmm.name} is not registered to a vault")
        if not self._cadence.running:
            self._client = self._open(self.store.registration.endpoint)
            self._cadence.start()

    def stop(self) -> None:
        self._cadence.stop()
        self._hang_up()
        self._client = self._transport = None

    def restart(self) -> None:
        """Restart the VMM service (§5.2): the persistent store stays, what was in memory is gone."""
        self.sim.history.record(self.vmm.name, "provider.restart", Phase.INFO, {})
        self.stop()
        self._acknowledged = self._checked = None
        self.start()

    def _open(self, endpoint: str, *, present_certificate: bool = True) -> httpx.Client:
        proxy = self.proxy
        if proxy is not None:
            accounts = self.vmm.get_sc_run_as_account(DRA_PROXY_ACCOUNT_NAME)
            if accounts:
                credential = accounts[0].credential
                proxy = ProxySettings(proxy.address, proxy.port, credential.user_name, credential.password)
        transport = self.transport_factory(self.sim, self.vmm.name, trust_roots=self.trusted_roots,
                                           identity=lambda: self.store.credential if present_certificate else None,
                                           proxy=proxy, hosts=self.hosts)
        if present_certificate:
            self._transport = transport
        return httpx.Client(transport=transport, base_url=f"https://{endpoint}", timeout=self.request_timeout,
                            trust_env=False)

    # -- registration -----------------------------------------------------------------------------

    def register(self, key_file: str) -> Registration:
        """``DRConfigurator /r /Friendlyname /Credentials <key file>`` (§5.2): register to the key's vault,
        keep the client certificate, start polling and send the inventory at once."""
        history = self.sim.history
        history.record(self.vmm.name, "provider.register", Phase.INVOKE, {"friendlyName": self.friendly_name})
        try:
            key = json.loads(key_file)
            endpoint, vault_id = str(key["serviceEndpoint"]), str(key["vaultId"])
        except (ValueError, KeyError, TypeError) as error:
            history.record(self.vmm.name, "provider.register", Phase.FAIL, {"error": "RegistrationKeyMalformed"})
            raise RegistrationRefused("RegistrationKeyMalformed", f"the key file cannot be read: {error}") from None
        current = self.store.registration
        if current is not None and current.vault_id.lower() != vault_id.lower():
            history.record(self.vmm.name, "provider.register", Phase.FAIL, {"error": "AlreadyRegistered"})
            raise AlreadyRegistered(f"{self.vmm.name} is registered to vault {current.vault_id}; unregister it first")
        body = {"registrationKey": key, "vmmServerId": self.store.vmm_server_id, "friendlyName": self.friendly_name,
                "machineName": self.vmm.fqdn, "biosId": self.store.bios_id, "providerVersion": PROVIDER_VERSION,
                "serverVersion": SERVER_VERSION}
        client = self._open(endpoint, present_certificate=False)  # the key authenticates a registration
        try:
            registration, credential = registration_from(request(client, "register", "POST", "registrations", body),
                                                         vault_id, endpoint)
        except ChannelFailure as failure:
            history.record(self.vmm.name, "provider.register", Phase.FAIL,
                           {"error": failure.code or str(failure.cause or failure)})
            if failure.code is not None:
                raise RegistrationRefused(failure.code, str(failure)) from None
            raise
        finally:
            client.close()
        self.store.credential, self.store.registration = credential, registration
        history.record(self.vmm.name, "provider.register", Phase.OK,
                       {"fabric": registration.fabric_name, "provider": registration.provider_name})
        self.stop()
        self._acknowledged = self._checked = None
        self.start()
        self.poll()
        return self.store.registration

    # -- the poll -------------------------------------------------------------------------------

    def poll(self) -> bool:
        """One cycle: heartbeat, unacknowledged reports, work, inventory. False (recorded) on failure."""
        history = self.sim.history
        tick = self.sim.clock.now
        history.record(self.vmm.name, "provider.poll", Phase.INVOKE, {})
        try:
            with self._session():
                self._cycle()
        except ChannelFailure as failure:
            self.last_error = failure
            history.record(self.vmm.name, "provider.poll", Phase.FAIL, failure_details(failure))
            return False
        finally:
            idle, self._idle_poll = self._idle_poll, False
        self.last_error = None
        history.record(self.vmm.name, "provider.poll", Phase.OK, {})
        if idle:
            self._stand(tick)
        return True

    def _cycle(self) -> None:
        """The poll's calls, on one connection: heartbeat, reports, work, reconciliations, inventory."""
        beat = self._call("heartbeat", "POST", "heartbeat", {})
        self._contact = self.sim.clock.now
        self._idle_poll = True  # until another call is made
        self._send_reports()  # what an earlier poll could not report, before anything runs
        self._continue()
        pending = beat.get("pendingWorkItems")
        if isinstance(pending, int) and pending > 0:
            self._work(pending)
        if self.vmm.reconcile_pairings():  # hosts that joined a paired cloud (policy PAIRING_RECONCILE)
            self._idle_poll = False
        if self.vmm.reconcile_protection():  # replica VMs Hyper-V created (policy PROTECTION_RECONCILED_EACH_POLL)
            self._idle_poll = False
        self.sync()

    # -- idle polls stood down (policy IDLE_POLLS_ELIDED) ----------------------------------------

    def _stand(self, tick: float) -> None:
        """After an idle poll from the timer at ``tick``, stop polling while nothing it depends on
        can change: the VMM's DR revision, what ASR announces, the (empty) fault plan, time up to
        the first certificate that falls due."""
        server = getattr(self._transport, "server_node", None)
        if (not self.elide_idle_polls or not self._cadence.ticking_at(tick) or server is None
                or self.sim.faults.rules or self.store.in_flight or self.store.unacknowledged):
            return
        sim, vmm = self.sim, self.vmm
        revision, generation = vmm.dr_revision, sim.network.generation(server)
        due = [vmm.dr_deadline(), *(sim.clock.to_seconds(when) for when in self._certificates_valid_until())]

        def unchanged() -> bool:
            return (not sim.faults.rules and sim.network.generation(server) == generation
                    and vmm.dr_revision == revision)

        self._cadence.stand_down(tick, server, unchanged, min((at for at in due if at is not None), default=None))

    def _certificates_valid_until(self) -> list[datetime]:
        credential, transport = self.store.credential, self._transport
        out = [] if credential is None else [credential.certificate.not_valid_after_utc]
        server = getattr(transport, "server_valid_until", None)
        return out if server is None else [*out, server]

    def sync(self, *, force: bool = False) -> bool:
        """Send the DR inventory if it changed since ASR last applied it (or ``force``); True if sent.

        The inventory is only rebuilt when the VMM server's ``dr_revision`` moved since the one ASR
        last applied: a poll in which nothing happened costs O(1), not O(VMs). A change that leaves
        the report as it was (a Run As account, say) is rebuilt once and found equal by its digest.
        """
        revision = self.vmm.dr_revision
        if not force and revision == self._checked:
            return False
        inventory = self.vmm.dr_inventory()
        body = inventory_json(inventory, self._encoder)
        fingerprint = unstamped(inventory)
        if not force and fingerprint == self._acknowledged:
            self._checked = revision
            return False
        history = self.sim.history
        self.store.sequence += 1
        body["sequence"] = self.store.sequence
        details = {"sequence": self.store.sequence, "clouds": len(body["clouds"])}
        history.record(self.vmm.name, "provider.sync", Phase.INVOKE, details)
        try:
            answer = self._call("sync", "PUT", "inventory", body,
                                idempotency_key=f"inventory:{self.store.vmm_server_id}:{self.store.sequence}")
        except ChannelFailure as failure:
            history.record(self.vmm.name, "provider.sync", Phase.FAIL, {**details, **failure_details(failure)})
            raise
        self._acknowledged, self._checked = fingerprint, revision
        history.record(self.vmm.name, "provider.sync", Phase.OK, {**details, "applied": bool(answer.get("applied"))})
        return True

    def _work(self, pending: int) -> None:
        """Lease what the heartbeat said is pending, a batch at a time, until it is all leased or ASR
        has no more (policy LEASE_UNTIL_DRAINED), then go on with it."""
        while pending > 0:
            leased = self._call("lease", "POST", "workItems/lease", {}).get("workItems") or []
            if not leased:
                break
            pending -= len(leased)
            for item in leased:
                item_id = str(item["id"])
                if item_id in self.store.reports:
                    if item_id not in self.store.unacknowledged:  # executed before: its report was lost
                        self.store.unacknowledged.append(item_id)
                elif item_id not in self.store.in_flight:
                    self._start(item_id, item)
        self._continue()

    def _start(self, item_id: str, item: dict[str, Any]) -> None:
        kind = str(item.get("kind"))
        executor = EXECUTORS.get(kind)
        seconds = executor.seconds if executor is not None else 0.0
        found = item.get("payload")
        payload: dict[str, Any] = found if isinstance(found, dict) else {}
        self.store.in_flight[item_id] = InFlight(kind, payload, self.sim.clock.now + seconds)
        self.sim.history.record(self.vmm.name, "provider.work", Phase.INVOKE,
                                {"item": item_id, "kind": kind, "attempt": item.get("attempt")})

    def _continue(self) -> None:
        """Renew the leases of started work in one call (policy RENEWALS_BATCHED) — an item whose job
        stopped is refused, and then its work is abandoned, never run — run, in start order, the work
        whose time is up, then report it all (policy REPORTS_BATCHED)."""
        flights = self.store.in_flight
        if flights:
            answer = self._call("renew", "POST", "workItems/renew", {"items": [
                {"id": item_id, "progress": {"due": flight.due}} for item_id, flight in flights.items()]})
            verdicts = {str(entry.get("id")): entry for entry in answer.get("items") or [] if isinstance(entry, dict)}
            for item_id in list(flights):
                self._run_if_due(item_id, verdicts.get(item_id))
        self._send_reports()

    def _run_if_due(self, item_id: str, verdict: dict[str, Any] | None) -> None:
        """Abandon started work its renewal refused as withdrawn, else run it if its time is up and
        keep its report to send."""
        flight = self.store.in_flight[item_id]
        error = verdict.get("error") if verdict is not None else {"message": "no answer for this item"}
        if isinstance(error, dict):
            code = error.get("code")
            if code != "WorkItemWithdrawn":
                raise ChannelFailure("renew", f"{item_id}: {error.get('message')}",
                                     code=None if code is None else str(code), status=(verdict or {}).get("status"))
            self._abandon(item_id)
            return
        if self.sim.clock.now < flight.due:
            return
        report = self._execute(item_id, flight)
        if report is None:  # policy WORK_PENDING_RERUN
            return
        self.store.reports[item_id] = report
        del self.store.in_flight[item_id]
        self.store.unacknowledged.append(item_id)

    def _abandon(self, item_id: str) -> None:
        """Drop started work whose job stopped: it never runs."""
        flight = self.store.in_flight.pop(item_id)
        self.sim.history.record(self.vmm.name, "provider.work", Phase.INFO,
                                {"item": item_id, "kind": flight.kind, "abandoned": "WorkItemWithdrawn"})
        executor = EXECUTORS.get(flight.kind)
        if executor is not None and executor.abandon is not None:
            executor.abandon(self, flight.payload)

    def _execute(self, item_id: str, flight: InFlight) -> dict[str, Any] | None:
        """The item's report, or None if its work is still under way (``WorkPending``)."""
        details = {"item": item_id, "kind": flight.kind}
        executor = EXECUTORS.get(flight.kind)
        try:
            if executor is None:
                raise VmmError(f"work item kind {flight.kind!r} is not supported by this Provider")
            result = executor.run(self, flight.payload)
        except WorkPending as pending:
            self.sim.history.record(self.vmm.name, "provider.work", Phase.INFO, {**details, "pending": str(pending)})
            return None
        except ChannelFailure:
            self.sim.history.record(self.vmm.name, "provider.work", Phase.FAIL, {**details, "error": "channel"})
            raise
        except VmmError as error:
            self.sim.history.record(self.vmm.name, "provider.work", Phase.FAIL, {**details, "error": str(error)})
            code = next((WORK_ERROR_CODES[kind.__name__] for kind in type(error).__mro__
                         if kind.__name__ in WORK_ERROR_CODES), WORK_ERROR_CODE)
            return {"status": "Failed", "error": {"errorCode": code, "errorMessage": str(error)}}
        except Exception as error:  # noqa: BLE001 - policy EXECUTOR_BUG_REPORTED: an emulator bug fails the item
            bug = f"{type(error).__name__}: {error}"
            self.sim.history.record(self.vmm.name, "provider.work", Phase.FAIL, {**details, "bug": bug})
            return {"status": "Failed", "error": {"errorCode": WORK_ERROR_CODE,
                                                  "errorMessage": f"The Provider failed on {flight.kind}: {bug}"}}
        self.sim.history.record(self.vmm.name, "provider.work", Phase.OK, details)
        return {"status": "Succeeded", "result": result}

    def _send_reports(self) -> None:
        """Send every unacknowledged report, in order, ``REPORTS_BATCHED`` to a call; forget each one
        ASR acknowledged, and abandon the started work an answer says was withdrawn (a report may have
        stopped its job). A report ASR refused stays, to be sent again, and fails the poll."""
        waiting = list(self.store.unacknowledged)
        for start in range(0, len(waiting), REPORTS_BATCHED):
            batch = waiting[start:start + REPORTS_BATCHED]
            answer = self._call("complete", "POST", "workItems/complete", {"items": [
                {"id": item_id, "idempotencyKey": f"workitem:{item_id}", **self.store.reports[item_id]}
                for item_id in batch]})
            entries = {str(entry.get("id")): entry for entry in answer.get("items") or [] if isinstance(entry, dict)}
            acknowledged = {item_id for item_id in batch if (entries.get(item_id) or {}).get("status") == 200}
            self.store.unacknowledged = [item_id for item_id in self.store.unacknowledged
                                         if item_id not in acknowledged]
            for withdrawn in answer.get("withdrawn") or []:
                if str(withdrawn) in self.store.in_flight:
                    self._abandon(str(withdrawn))
            refused = next((item_id for item_id in batch if item_id not in acknowledged), None)
            if refused is not None:
                entry = entries.get(refused) or {}
                found = entry.get("error")
                error: dict[str, Any] = found if isinstance(found, dict) else {}
                code = error.get("code")
                raise ChannelFailure("complete", f"{refused}: {error.get('message', 'no answer for this report')}",
                                     code=None if code is None else str(code), status=entry.get("status"))

    # -- requests -------------------------------------------------------------------------------

    @contextmanager
    def _session(self) -> Iterator[None]:
        """Send the requests inside on one connection, hung up when the outermost session ends
        (policy CHANNEL_KEEP_ALIVE): a poll is one session, and so is a call made outside any."""
        self._sessions += 1
        try:
            yield
        finally:
            self._sessions -= 1
            if not self._sessions:
                self._hang_up()

    def _hang_up(self) -> None:
        hang_up = getattr(self._transport, "hang_up", None)  # a transport that keeps its connection
        if hang_up is not None:
            hang_up()

    def _call(self, operation: str, method: str, path: str, body: dict[str, Any], *,
              idempotency_key: str | None = None) -> dict[str, Any]:
        if self._client is None:
            raise NotRegistered(f"the Provider of {self.vmm.name} is not running")
        if operation != "heartbeat":
            self._idle_poll = False
        with self._session():
            return request(self._client, operation, method, path, body, idempotency_key)

