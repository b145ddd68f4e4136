"""Cloud pairing and network mapping on a VMM server: what its ASR Provider does for ASR's
``AssociateProtectionProfile`` / ``DissociateProtectionProfile`` and ``NetworkPairing`` /
``NetworkUnPairing`` jobs (hyperv-scvmm.md §5.3, §5.5; policies in ``scvmm_fake.policy``).

Inputs and results are plain JSON-able data, because the two VMM servers share nothing but what
ASR relays. Every host of a cloud is configured through its own Hyper-V cmdlets
(``_pairing_hosts``); each step is idempotent, so a re-run converges. ``reconcile_pairings``,
called at every Provider poll, configures hosts that joined a paired cloud since (and unconfigures
those that left): O(1) when nothing changed on the server.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import timedelta
from typing import Any

from hyperv_fake import HyperVHost
from simcore.pki import CertificateAuthority

from ._core import ServerCore
from ._inventory import InventoryPairing
from ._pairing_health import cloud_pairings, host_deadlines
from ._pairing_hosts import pair_host, prepare_host, site_certificate, unpair_host
from ._pairing_record import AuthenticationType, CloudPairing, PairingSettings
from .errors import DisasterRecoveryNotEnabled, NetworkAlreadyMapped, ObjectNotFound
from .policy import HOST_CERTIFICATE_RENEWAL_DAYS, SITE_CA_VALIDITY_DAYS

__all__ = ["PairingCmdlets"]


class PairingCmdlets(ServerCore):
    """The pairing and mapping operations of a VMM server (not cmdlets: the Provider calls them)."""

    _site_ca: CertificateAuthority | None = None
    _reconciled: int = -1
    _renew_at: float | None = None  # virtual time a configured host's certificate falls due for renewal
    _deadlines: tuple[tuple[int, ...], tuple[float, ...]] | None = None  # (configuration revision, instants)

    def _pairing_state(self) -> dict[str, list[CloudPairing]]:
        """Cloud id → the pairings that configure it, in the order made."""
        state: dict[str, list[CloudPairing]] = self.__dict__.setdefault("_pairings_by_cloud", {})
        return state

    def _mapping_state(self) -> dict[str, dict[str, Any]]:
        """VM network id → the network mapping recorded for it."""
        state: dict[str, dict[str, Any]] = self.__dict__.setdefault("_network_mappings", {})
        return state

    def _record(self, op: str, details: dict[str, Any]) -> None:
        self.sim.history.record(self.name, op, "info", details)

    def _cloud_named(self, name: str) -> Any:
        found = [cloud for cloud in self._registry("Cloud").values() if cloud.name == name]
        if not found:
            raise ObjectNotFound(f"no cloud named {name!r} on {self.name}")
        return found[0]

    # -- "Prepare the server" -----------------------------------------------------------------

    def prepare_site_for_pairing(self) -> dict[str, Any]:
        """The server's site replication CA (policy ``SITE_CA``), made at the first call, kept."""
        if self._site_ca is None:
            now = self.sim.clock.utcnow().replace(microsecond=0)
            self._site_ca = CertificateAuthority.root(f"{self.fqdn} Site Recovery Replica CA", key_type="ecdsa",
                                                      not_before=now,
                                                      not_after=now + timedelta(days=SITE_CA_VALIDITY_DAYS))
            self._record("vmm.pairing.site", {"created": True, "notAfter": self._site_ca.certificate
                                              .not_valid_after_utc.isoformat()})
        return {"vmmServer": self.fqdn, "rootCertificate": self._site_ca.cert_pem().decode("ascii")}

    def _ca(self) -> CertificateAuthority:
        self.prepare_site_for_pairing()
        assert self._site_ca is not None
        return self._site_ca

    # -- "Prepare for configuring protection" -------------------------------------------------

    def prepare_cloud_for_pairing(self, cloud_name: str, settings: dict[str, Any]) -> dict[str, Any]:
        """Make every host of the cloud a Replica server with the policy's authentication and port
        (certificate, firewall rule, storage); answer the hosts' FQDNs for the peer to authorize."""
        cloud = self._cloud_named(cloud_name)
        parsed = PairingSettings.parse(settings)
        if not cloud.disaster_recovery_supported:
            raise DisasterRecoveryNotEnabled(f"cloud {cloud_name!r} is not enabled for disaster recovery")
        at = self.sim.clock.utcnow()
        hosts = [vm_host.host for vm_host in cloud.hosts()]
        for host in hosts:
            changed = prepare_host(host, self._ca(), parsed, at)
            self._record("vmm.pairing.prepare", {"cloud": cloud_name, "host": host.fqdn, "changed": changed})
        return {"hosts": [host.fqdn for host in hosts]}

    # -- "Configure the protection settings" --------------------------------------------------

    def pair_cloud(self, cloud_name: str, pairing: dict[str, Any]) -> dict[str, Any]:
        """Trust the peer site, authorize the peer cloud's hosts on every host, record the pairing and
        lock the cloud's DR flag. Pairing again with the same id converges."""
        cloud = self._cloud_named(cloud_name)
        record = CloudPairing.parse_request(pairing, cloud_id=cloud.id, cloud_name=cloud.name,
                                            site_root_certificate=self._ca().cert_pem().decode("ascii"))
        records = self._pairing_state().setdefault(cloud.id, [])
        kept = next((r for r in records if r.pairing_id == record.pairing_id), None)
        if kept is not None:
            records.remove(kept)
            record.revocation_check_disabled_on = kept.revocation_check_disabled_on
        self._configure(cloud, record)
        records.append(record)
        self._touch()  # the inventory reports the cloud's pairings
        if not cloud.paired:
            self.set_cloud_paired(cloud, True)  # type: ignore[attr-defined]
        self._record("vmm.pairing.paired", {"cloud": cloud_name, "pairing": record.pairing_id,
                                            "role": record.role.value, "hosts": list(record.configured_hosts)})
        return {"hosts": list(record.configured_hosts)}

    def _configure(self, cloud: Any, record: CloudPairing) -> None:
        """``pair_host`` on every host of the cloud, noting each in the record (each host's other
        pairings are looked up per host, across clouds)."""
        for vm_host in cloud.hosts():
            self._pair_host(vm_host.host, record)

    def _pairings_of_host(self, fqdn: str, *, besides: CloudPairing) -> list[CloudPairing]:
        """The pairings other than ``besides`` that have configured the host, across clouds."""
        return [r for records in self._pairing_state().values() for r in records
                if r is not besides and fqdn in r.configured_hosts]

    def _pair_host(self, host: HyperVHost, record: CloudPairing) -> None:
        """``pair_host``, noting the host in the record and when its certificate falls due."""
        at = self.sim.clock.utcnow()
        pair_host(host, record, self._ca(), at, self._pairings_of_host(host.fqdn, besides=record))
        if host.fqdn not in record.configured_hosts:
            record.configured_hosts.append(host.fqdn)
        if record.settings.authentication_type is AuthenticationType.Certificate:
            stored = site_certificate(host, self._ca(), at)
            if stored is not None:
                due = (stored.issued.not_after - timedelta(days=HOST_CERTIFICATE_RENEWAL_DAYS)
                       - self.sim.clock.epoch).total_seconds()
                self._renew_at = due if self._renew_at is None else min(self._renew_at, due)

    def _managed_host(self, fqdn: str) -> HyperVHost | None:
        found = [vm_host.host for vm_host in self._registry("VMHost").values() if vm_host.host.fqdn == fqdn]
        return found[0] if found else None

    def unpair_cloud(self, cloud_name: str, pairing_id: str) -> None:
        """Undo ``pair_cloud`` on every host it configured (policy ``UNPAIR_UNDOES``); idempotent."""
        cloud = self._cloud_named(cloud_name)
        records = self._pairing_state().get(cloud.id, [])
        record = next((r for r in records if r.pairing_id == pairing_id), None)
        if record is None:
            return
        records.remove(record)
        self._touch()
        for fqdn in record.configured_hosts:
            host = self._managed_host(fqdn)
            if host is not None:
                unpair_host(host, record, self._pairings_of_host(fqdn, besides=record))
        if not records and cloud.paired:
            self.set_cloud_paired(cloud, False)  # type: ignore[attr-defined]
        self._record("vmm.pairing.unpaired", {"cloud": cloud_name, "pairing": pairing_id})

    def cloud_pairings(self, cloud_name: str) -> list[CloudPairing]:
        """The pairings that configure the cloud (what a checker reads)."""
        return list(self._pairing_state().get(self._cloud_named(cloud_name).id, []))

    # -- hosts that join or leave a paired cloud -----------------------------------------------

    def reconcile_pairings(self) -> list[str]:
        """Configure hosts that joined a paired cloud, unconfigure those that left, renew host
        certificates that fall due (policies ``PAIRING_RECONCILE``, ``LEAVING_HOST_UNCONFIGURED``,
        ``HOST_CERTIFICATE_RENEWAL_DAYS``); the FQDNs changed. O(1) when the server's change
        counter has not moved since the last call and no certificate is due."""
        due = self._renew_at is not None and self.sim.clock.now >= self._renew_at
        if (self._reconciled == self._revision and not due) or not self._pairing_state():
            self._reconciled = self._revision
            return []
        changed: list[str] = []
        clouds = self._registry("Cloud")
        if due:
            self._renew_at = None
        for cloud_id, records in self._pairing_state().items():
            cloud = clouds.get(cloud_id)
            present = {} if cloud is None else {vm_host.host.fqdn: vm_host.host for vm_host in cloud.hosts()}
            for record in records:
                left = [fqdn for fqdn in record.configured_hosts if fqdn not in present]
                for fqdn in left:
                    record.configured_hosts.remove(fqdn)
                    host = self._managed_host(fqdn)
                    if host is not None:
                        unpair_host(host, record, self._pairings_of_host(fqdn, besides=record))
                joined = [fqdn for fqdn in present if fqdn not in record.configured_hosts]
                for fqdn in present if due else joined:
                    self._pair_host(present[fqdn], record)
                changed.extend(left + joined)
        if changed or due:
            self._record("vmm.pairing.reconciled", {"hosts": changed, "renewed": due})
        self._reconciled = self._revision
        return changed

    # -- what the DR inventory reports of paired hosts -----------------------------------------

    def _dr_pairings(self) -> dict[str, tuple[InventoryPairing, ...]]:
        """Cloud id → its pairings with the defects of its hosts (``pairing_defects``, judged with
        this server's site CA). O(paired hosts); only the inventory rebuild calls it."""
        clouds = self._registry("Cloud")
        found: dict[str, tuple[InventoryPairing, ...]] = {}
        for cloud_id, records in self._pairing_state().items():
            cloud = clouds.get(cloud_id)
            if cloud is not None and records:
                found[cloud_id] = cloud_pairings(records, [vm_host.host for vm_host in cloud.hosts()], self._site_ca)
        return found

    def _dr_deadlines(self) -> tuple[float, ...]:
        """Every instant (sorted, past ones included) at which a paired host's defects can change by
        the clock alone (``host_deadlines``). Worked out again, in O(paired hosts), only when the
        server or a fabric changed; O(1) otherwise."""
        key = self._configuration_revision()
        if self._deadlines is None or self._deadlines[0] != key:
            clouds = self._registry("Cloud")
            instants: list[float] = []
            for cloud_id, records in self._pairing_state().items():
                cloud = clouds.get(cloud_id)
                if cloud is None:
                    continue
                for vm_host in cloud.hosts():
                    for record in records:
                        instants += host_deadlines(vm_host.host, record, self.sim.clock)
            self._deadlines = (key, tuple(sorted(set(instants))))
        return self._deadlines[1]

    def _clock_revision(self) -> int:
        """How many paired-host deadlines the clock has reached (see ``dr_revision``)."""
        return bisect_right(self._dr_deadlines(), self.sim.clock.now)

    def dr_deadline(self) -> float | None:
        """The earliest virtual instant at which what the Provider acts on or reports changes with no
        call at all, or None: a paired host's certificate falling due for renewal (the poll's
        ``reconcile_pairings`` renews it), or, after now, a paired host's defects changing by the
        clock — its certificate (or its chain, or the site root) expiring or becoming valid, a
        cached CRL going stale; ``dr_revision`` moves once the clock reaches one of those. A
        Provider whose idle polls stand down (policy ``IDLE_POLLS_ELIDED``) polls again then.
        O(1) while nothing changed, O(paired hosts) after a change; never O(VMs)."""
        deadlines = self._dr_deadlines()
        index = bisect_right(deadlines, self.sim.clock.now)
        found = [at for at in (self._renew_at, deadlines[index] if index < len(deadlines) else None) if at is not None]
        return min(found, default=None)

    # -- network mapping (§5.5) ---------------------------------------------------------------

    def map_vm_network(self, vm_network_id: str, mapping: dict[str, Any]) -> dict[str, Any]:
        """Record ``vm_network_id`` mapped to the peer's network (policy ``NETWORK_MAPPING_CARDINALITY``);
        the same mapping again replaces it (ASR's update)."""
        if vm_network_id not in self._registry("VMNetwork"):
            raise ObjectNotFound(f"no VM network with id {vm_network_id!r} on {self.name}")
        state = self._mapping_state()
        current = state.get(vm_network_id)
        name = str(mapping.get("mappingName", ""))
        if current is not None and current["mappingName"] != name and current["direction"] == mapping.get("direction"):
            raise NetworkAlreadyMapped(f"VM network {vm_network_id} is already mapped by {current['mappingName']!r}")
        state[vm_network_id] = {"mappingName": name, "peerVmNetworkId": str(mapping.get("peerVmNetworkId", "")),
                                "direction": str(mapping.get("direction", "Forward"))}
        self._touch()
        self._record("vmm.network.mapped", {"vmNetwork": vm_network_id, **state[vm_network_id]})
        return {"vmNetworkId": vm_network_id, "mapped": True}

    def unmap_vm_network(self, vm_network_id: str, mapping_name: str) -> None:
        state = self._mapping_state()
        current = state.get(vm_network_id)
        if current is not None and current["mappingName"] == mapping_name:
            del state[vm_network_id]
            self._touch()
            self._record("vmm.network.unmapped", {"vmNetwork": vm_network_id, "mappingName": mapping_name})

    def network_mapping(self, vm_network_id: str) -> dict[str, Any] | None:
        """What this server recorded for the VM network (placement and IP injection read it)."""
        found = self._mapping_state().get(vm_network_id)
        return dict(found) if found is not None else None
