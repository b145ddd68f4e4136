"""``ChannelService``: the server side of the Provider channel — registration keys, registration,
heartbeats, work items and inventory — as rules over the vault's state (PROTOCOL.md).

It joins the lab's network as the ASR node (adding it, with ``CHANNEL_FQDN``, if the lab did not)
and listens on 443 behind ``ChannelListener``; ASR never opens a connection of its own. Every
rule raises a typed ``ArmError`` before changing anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cryptography import x509

from simcore import Fail, Standing, UnknownNode, judged
from simcore.pki import CertificateAuthority, Eku, IssuedCertificate, Validation, thumbprint

from ..errors import ArmError, InvalidParameter
from ..http import HttpRequest, HttpResponse
from ..models.jobs import Job
from ..models.resources import KINDS
from ..models.vault import Vault
from ..wire.call import Call
from ..wire.render import asr_prefix, fmt_time, vault_id
from . import keys, reports
from .discovery import apply_inventory, parse_inventory
from .errors import (
    ClientCertificateRequired, ProviderNotRegistered, RegistrationKeyForeign, WorkItemWithdrawn,
)
from .listener import ChannelListener, judge_client_chain, pem_chain
from .pairing_health import refresh_fabric
from .policy import (
    CHANNEL_FQDN, CHANNEL_PORT, CLIENT_CERT_DAYS, HEARTBEAT_TIMEOUT_SECONDS, LEASE_BATCH, LEASE_SECONDS,
    REFRESH_SCENARIO, SERVER_CERT_DAYS, VMWARE_FABRIC_TYPE,
)
from .records import VMM_FABRIC_TYPE, FabricRecord, ProviderRecord
from .removal import start_removal
from .reregistration import RegistrationGuard
from .state import VaultChannel
from .vmware_discovery import apply_vmware_inventory
from .vmware_fabric import VMwareFabricRecord, parse_vmware_inventory
from .wire import handle_channel_request
from ..workflows import protection
from ..workflows.inmage import protection as inmage
from .work import Send, wait_for_work
from .workitems import WorkItem

if TYPE_CHECKING:
    from ..service import AsrService

KEY_POINT = "asr.registration"
"""The fault point of a registration (context ``vault``, ``key``): a ``Fail`` there refuses the key as
expired (RegistrationKeyExpired), whatever its validity says."""

__all__ = ["ChannelService", "KEY_POINT"]

_REGISTRATION_FIELDS = ("friendlyName", "machineName", "biosId", "providerVersion", "serverVersion")
#: The field naming the registering server, per ``fabricType`` (PROTOCOL.md §5; policy ``VMWARE_FABRIC_TYPE``).
_SERVER_ID_FIELD = {VMM_FABRIC_TYPE: "vmmServerId", VMWARE_FABRIC_TYPE: "configurationServerId"}


class ChannelService:
    """The Provider channel of one ``AsrService`` (``service.channel``)."""

    def __init__(self, service: AsrService) -> None:
        self.service = service
        self.sim = service.sim
        self.backend = service.backend
        network = self.sim.network
        try:
            node = network.node(service.node)
        except UnknownNode:
            node = network.add_node(service.node, fqdn=CHANNEL_FQDN.format(node=service.node))
        self.node = node.name
        self.endpoint = node.fqdn or node.name
        #: The root of every vault CA: what the listener trusts for client certificates.
        self.root = CertificateAuthority.root(f"{self.node} Site Recovery channel")
        #: The public CA that issued the server certificate; Providers must trust it.
        self.public_root = CertificateAuthority.root("asr-harness public root")
        now = self.sim.clock.utcnow()
        self.server_credential: IssuedCertificate = self.public_root.issue(
            self.endpoint, sans=(self.endpoint,), eku=Eku.SERVER_AUTH, not_before=now - timedelta(days=1),
            not_after=now + timedelta(days=SERVER_CERT_DAYS), key_type="ecdsa")
        self.listener = ChannelListener(self.sim, self.node, CHANNEL_PORT, credential=self.server_credential,
                                        handler=self.handle, judge=self.judge_client_certificate)
        self._by_thumbprint: dict[str, tuple[Vault, str]] = {}
        #: Which key registered which server, and which keys a server's registration outlived
        #: (``reregistration``: a key cannot take over a registered server).
        self.registrations = RegistrationGuard()

    # -- the wire -----------------------------------------------------------------------------

    def handle(self, request: HttpRequest, peer: x509.Certificate | None) -> HttpResponse:
        """Answer one channel request; ``peer`` is the client certificate its TLS session presented."""
        with self.service.lock:
            return handle_channel_request(self, request, peer)

    def judge_client_certificate(self, chain: Sequence[x509.Certificate]) -> Validation:
        """Judge a Provider's client certificate chain (leaf first) — the one rule of every transport
        (PROTOCOL.md §2 step 6): client auth, chaining to the channel root, valid at virtual now (read
        under the lab's lock), revocation checked."""
        with self.service.lock:
            roots, at = [self.root], self.sim.skews.utcnow(self.node)
            return judged(self.sim, judge_client_chain(chain, roots, at), chain, node=self.node, use="channel",
                          purpose=Eku.CLIENT_AUTH, roots=roots, at=at)

    # -- per-vault state ----------------------------------------------------------------------

    def vault_channel(self, vault: Vault) -> VaultChannel:
        if vault.channel is None:
            secret = self.sim.random.stream(f"{self.node}.channel.secrets").getrandbits(256).to_bytes(32, "big")
            vault.channel = VaultChannel(secret, self.root.create_intermediate(f"vault {vault.name}"))
        channel: VaultChannel = vault.channel
        return channel

    def vault_ca(self, vault: Vault) -> CertificateAuthority:
        """The CA that issues ``vault``'s Provider certificates (tests forge defective ones with it)."""
        return self.vault_channel(vault).ca

    def provider_id(self, vault: Vault, record: ProviderRecord) -> str:
        return (f"{asr_prefix(vault)}/replicationFabrics/{record.fabric.name}"
                f"/replicationRecoveryServicesProviders/{record.name}")

    # -- registration -------------------------------------------------------------------------

    def registration_key(self, vault: Vault) -> keys.RegistrationKey:
        """What the portal's "Download registration key" hands out: valid 5 days from now (§5.2)."""
        with self.service.lock:
            channel = self.vault_channel(vault)
            key = keys.issue(
                channel.secret, key_id=self.backend.new_id(), now=self.sim.clock.now,
                subscriptionId=vault.subscription_id, resourceGroup=vault.resource_group, vaultName=vault.name,
                vaultId=vault_id(vault), location=vault.location, serviceEndpoint=self.endpoint)
            channel.keys[key.keyId] = key
            self.sim.history.record(self.node, "channel.key", "info", {"vault": vault.name, "keyId": key.keyId})
            return key

    def register(self, body: dict[str, Any], peer: x509.Certificate | None = None) -> dict[str, Any]:
        """Check the key and the server's identity, then make (or renew) its fabric and Provider and
        issue the Provider's client certificate. The old certificate of a re-registering Provider is
        revoked. A key registers once, and a registered server registers again only with its current
        certificate as ``peer`` or a key issued after its registration (``reregistration``)."""
        key = keys.parse(body.get("registrationKey"))
        vault = self.backend.vaults.find(key.subscriptionId, key.resourceGroup, key.vaultName)
        if vault is None or vault.channel is None:
            raise RegistrationKeyForeign(f"The registration key names vault '{key.vaultName}', which this service does "
                                         "not hold.", target="vaultName")
        channel = vault.channel
        now = self.sim.skews.now(self.node)
        if isinstance(self.sim.faults.check(KEY_POINT, {"vault": key.vaultName, "key": key.keyId}), Fail):
            now = max(now, key.validTo + 1.0)  # an identity fault: this key is judged past its validity
        keys.verify(key, channel.keys, channel.secret, now)
        fabric_type = Call.field(body, "fabricType", str, "") or VMM_FABRIC_TYPE
        if fabric_type not in _SERVER_ID_FIELD:
            raise InvalidParameter(f"The value '{fabric_type}' of 'fabricType' is invalid: one of "
                                   f"{', '.join(_SERVER_ID_FIELD)}.", target="fabricType")
        info = {name: Call.field(body, name, str, "", required=True)
                for name in (_SERVER_ID_FIELD[fabric_type], *_REGISTRATION_FIELDS)}
        server_id = info[_SERVER_ID_FIELD[fabric_type]]
        fabric = channel.fabric(server_id)
        if fabric is not None and fabric.fabric_type != fabric_type:
            raise InvalidParameter(f"The server '{server_id}' is registered as a {fabric.fabric_type} fabric, not "
                                   f"{fabric_type}.", target="fabricType")
        self.registrations.check(key, server_id, fabric, channel.providers_of(fabric) if fabric else (), peer)
        if fabric is None:
            fabric = self._new_fabric(channel, fabric_type, server_id, info["friendlyName"])
            vault.resources.put(KINDS["fabric"], (), fabric)
        record = next((p for p in channel.providers_of(fabric) if p.machine_name.lower() == info["machineName"].lower()),
                      None)
        credential = self._issue_client_certificate(channel, info["machineName"])
        if record is not None:
            channel.ca.revoke(record.certificate)
            self._by_thumbprint.pop(record.thumbprint, None)
            record.certificate, record.thumbprint = credential.certificate, credential.thumbprint
            record.friendly_name, record.provider_version = info["friendlyName"], info["providerVersion"]
        else:
            record = ProviderRecord(
                self.backend.new_id(), fabric, info["friendlyName"], info["machineName"], info["biosId"],
                info["providerVersion"], info["serverVersion"], credential.thumbprint, credential.certificate,
                self.sim.clock)
            channel.providers[record.name.lower()] = record
            vault.resources.put(KINDS["provider"], (fabric.name,), record)
        record.last_heartbeat = self.sim.clock.now
        record.standing = self._poll_standing(info["machineName"])
        self._by_thumbprint[record.thumbprint] = (vault, record.name)
        self.registrations.record(key, server_id, fabric, channel.keys)
        return {
            "vaultId": vault_id(vault), "fabricName": fabric.name, "providerName": record.name,
            "providerId": self.provider_id(vault, record),
            "certificateChain": pem_chain(credential), "privateKey": credential.key_pem().decode(),
            "heartbeatTimeoutSeconds": HEARTBEAT_TIMEOUT_SECONDS, "leaseSeconds": LEASE_SECONDS,
        }

    def _new_fabric(self, channel: VaultChannel, fabric_type: str, server_id: str, friendly_name: str) -> FabricRecord:
        """A VMM server's fabric, or a configuration server's (``VMwareFabricRecord``, whose details
        follow its agent's heartbeat)."""
        fabric: FabricRecord
        if fabric_type == VMWARE_FABRIC_TYPE:
            def last_heartbeat() -> float | None:
                beats = [p.last_heartbeat for p in channel.providers_of(fabric) if p.last_heartbeat is not None]
                return max(beats, default=None)
            fabric = VMwareFabricRecord(server_id, friendly_name, self.backend.new_id(), clock=self.sim.clock,
                                        last_heartbeat=last_heartbeat)
        else:
            fabric = FabricRecord(server_id, friendly_name, self.backend.new_id())
        channel.fabrics[fabric.name.lower()] = fabric
        return fabric

    def _poll_standing(self, machine_name: str) -> Callable[[], Standing | None]:
        """How a Provider record finds the Provider's poll exchange with this service while its idle
        polls are elided (simcore standings), so ``lastHeartBeat`` reads as if they ran."""
        try:
            node = self.sim.network.node(machine_name).name
        except UnknownNode:
            return lambda: None  # a Provider outside the simulated network never stands down
        standings, service = self.sim.scheduler.standings, self.node
        return lambda: standings.latest(node, service)

    def _issue_client_certificate(self, channel: VaultChannel, machine_name: str) -> IssuedCertificate:
        now = self.sim.clock.utcnow()
        return channel.ca.issue(machine_name, eku=Eku.CLIENT_AUTH, not_before=now,
                                not_after=now + timedelta(days=CLIENT_CERT_DAYS), key_type="ecdsa")

    def authenticate(self, peer: x509.Certificate | None) -> tuple[Vault, VaultChannel, ProviderRecord]:
        """The registered Provider holding ``peer`` (the listener already validated the chain)."""
        if peer is None:
            raise ClientCertificateRequired("This channel operation requires the Provider's client certificate.")
        found = self._by_thumbprint.get(thumbprint(peer))
        if found is not None:
            vault, name = found
            record = vault.channel.provider(name) if vault.channel is not None else None
            if record is not None and self.backend.vaults.find(*vault.key) is vault:
                return vault, vault.channel, record
        raise ProviderNotRegistered("No registered Provider holds this client certificate: the server was removed "
                                    "from the vault. Register it again with a new registration key.")

    # -- the Provider's calls -----------------------------------------------------------------

    def heartbeat(self, channel: VaultChannel, record: ProviderRecord) -> dict[str, Any]:
        record.last_heartbeat = self.sim.clock.now
        pending = channel.work.pending_for(record.name, self.sim.clock.now)
        return {"serverTime": fmt_time(self.sim.clock, self.sim.clock.now), "pendingWorkItems": len(pending)}

    def lease(self, channel: VaultChannel, record: ProviderRecord, body: dict[str, Any]) -> dict[str, Any]:
        limit = Call.field(body, "max", int, "")
        limit = LEASE_BATCH if limit is None else limit
        if not 1 <= limit <= LEASE_BATCH:
            raise InvalidParameter(f"The value {limit} of 'max' is invalid: 1 to {LEASE_BATCH}.", target="max")
        items = channel.work.lease(record.name, self.sim.clock.now, seconds=LEASE_SECONDS, limit=limit,
                                   token=lambda: self.sim.random.uuid(f"{self.node}.channel.leases"))
        for item in items:
            self.sim.history.record(self.node, "channel.workitem", "info",
                                    {"item": item.id, "kind": item.kind, "state": "Leased", "attempt": item.attempt})
        return {"workItems": [item.to_json() for item in items]}

    def complete(self, channel: VaultChannel, record: ProviderRecord, item_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """One item's report (``reports``), with what was withdrawn since the last renewal or report."""
        reports.find_item(channel, record, item_id)  # an unknown item is 404 whatever the body says
        answer = reports.complete(self, channel, record, item_id, reports.parse_report(body))
        return {**answer, "withdrawn": channel.unheard.pop(record.name, [])}

    def complete_batch(self, channel: VaultChannel, record: ProviderRecord,
                       body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """A batch of reports, in order (``reports.complete_batch``)."""
        return reports.complete_batch(self, channel, record, body)

    def sync(self, vault: Vault, channel: VaultChannel, record: ProviderRecord, body: dict[str, Any]) -> dict[str, Any]:
        """Apply an inventory report: a VMM server's (§5.2) or a configuration server's (§5.3)."""
        fabric = record.fabric
        inventory = parse_vmware_inventory(body) if isinstance(fabric, VMwareFabricRecord) else parse_inventory(body)
        last = channel.sequences.get(record.name, -1)
        if inventory["sequence"] <= last:
            return {"applied": False, "sequence": last}
        provider_id = self.provider_id(vault, record)
        if isinstance(fabric, VMwareFabricRecord):  # the fabric keeps its report (``VMwareDetails``)
            counts = apply_vmware_inventory(vault, fabric, provider_id, inventory)
            inmage.observe_pairs(self, vault, fabric.name, inventory)
        else:
            counts = apply_inventory(vault, fabric, provider_id, inventory)
            channel.inventories[fabric.name.lower()] = inventory
            protection.observe_inventory(self, vault, fabric.name, inventory)
            refresh_fabric(vault, fabric.name, self.sim.clock)  # the pairings' health follows the report
        channel.sequences[record.name] = inventory["sequence"]
        return {"applied": True, "sequence": inventory["sequence"], **counts}

    # -- what the ARM API asks of a Provider --------------------------------------------------

    def renew(self, channel: VaultChannel, record: ProviderRecord, body: dict[str, Any]) -> dict[str, Any]:
        """Extend the leases of the items named (long work, PROTOCOL.md §5.1), keeping each one's
        progress, in one call: each item is answered on its own — renewed, or refused when it was
        withdrawn (its job stopped: the Provider must not go on) or is not this Provider's."""
        entries = Call.field(body, "items", list, "", required=True)
        orders: list[tuple[str, dict[str, Any]]] = []
        for index, entry in enumerate(entries):  # all checked before anything changes
            where = f"items[{index}]"
            if not isinstance(entry, dict):
                raise InvalidParameter(f"The value of '{where}' is invalid: an object with the item's id.", target=where)
            orders.append((Call.field(entry, "id", str, where, required=True),
                           Call.field(entry, "progress", dict, where) or {}))
        channel.unheard.pop(record.name, None)  # each item's answer says whether it was withdrawn
        return {"items": [self._renew_one(channel, record, item_id, progress) for item_id, progress in orders]}

    def _renew_one(self, channel: VaultChannel, record: ProviderRecord, item_id: str,
                   progress: dict[str, Any]) -> dict[str, Any]:
        try:
            item = reports.find_item(channel, record, item_id)
            if item.state == "Withdrawn":
                raise WorkItemWithdrawn(f"The work item '{item.id}' was withdrawn: the job that sent it stopped.",
                                        target="workItemId")
        except ArmError as error:
            return {"id": item_id, "status": error.status, **error.to_json()}
        renewed = channel.work.renew(item, self.sim.clock.now, LEASE_SECONDS, progress)
        self.sim.history.record(self.node, "channel.workitem", "info",
                                {"item": item.id, "kind": item.kind, "state": item.state, "renewed": renewed})
        return {"id": item.id, "status": 200, "state": item.state, "leaseExpiresAt": item.lease_expires}

    def record_withdrawal(self, channel: VaultChannel, item: WorkItem) -> None:
        """Record ``item``'s withdrawal and, if its Provider may hold it (it was leased), keep it to
        tell that Provider in its next report's answer (``withdrawn``)."""
        self.sim.history.record(self.node, "channel.workitem", "info",
                                {"item": item.id, "kind": item.kind, "state": "Withdrawn"})
        if item.attempt > 0:
            channel.unheard.setdefault(item.provider, []).append(item.id)

    # -- what the ARM API asks of a Provider --------------------------------------------------

    def refresh(self, vault: Vault, record: ProviderRecord, client_request_id: str | None = None) -> Job:
        """``refreshProvider``: a job whose task waits for the Provider to run a ``RefreshProvider`` work
        item (it syncs its inventory), failing after ``WORK_TIMEOUT_SECONDS`` (policy)."""
        (timing,) = REFRESH_SCENARIO.tasks
        wait = wait_for_work(
            self, vault, task_id=self.backend.new_id(), name=timing.name, friendly_name=timing.friendly_name,
            sends=lambda: [Send(record, "RefreshProvider", {})],
            collect=lambda _items: record, timeout=self.backend.timings.seconds(timing))
        job = self.backend.start_job(
            vault, REFRESH_SCENARIO, target_object_id=self.provider_id(vault, record),
            target_object_name=record.friendly_name, tasks=[wait],
            fabric_id=f"{asr_prefix(vault)}/replicationFabrics/{record.fabric.name}", client_request_id=client_request_id)
        return job

    def remove(self, vault: Vault, fabric: FabricRecord, record: ProviderRecord | None, *, purge: bool,
               client_request_id: str | None = None) -> Job:
        """Start removing ``record`` (or the whole fabric when None); see ``removal``."""
        return start_removal(self, vault, fabric, record, purge=purge, client_request_id=client_request_id)

    def forget_certificate(self, record: ProviderRecord) -> None:
        self._by_thumbprint.pop(record.thumbprint, None)
