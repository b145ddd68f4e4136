"""What every family of host cmdlets shares: the host's state and the guards cmdlets run first.

Guards raise before anything changes (house rule: a refused operation changes no state):
``_vm`` (ObjectNotFoundError), ``_relationship`` and ``_require`` (InvalidStateError, 32775),
``_require_idle`` (policy ONE_JOB_PER_VM_CODE: 32774).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from simcore import Phase, injected_refusal, record_judgment
from simcore.pki import CertificateAuthority, CrlRevocationSource, Eku, RevocationSource

from ._authorization import ANY_SERVER, DEFAULT_TRUST_GROUP, AuthorizationEntry, AuthorizationTable
from ._certstore import CertificateStore
from ._enums import OperatingSystemVersion, ReplicationAuthenticationType, ReplicationState
from ._errors import (
    CertificateRejectedError,
    InvalidStateError,
    ObjectNotFoundError,
    Refusal,
    RefusalReason,
    error_class,
)
from ._exchange import Exchange
from ._image import EMPTY
from ._jobs import HyperVJob
from ._relationship import Relationship
from ._replica_service import ReplicaService
from ._server import FirewallRule, VMReplicationServer, default_firewall_rules
from ._settings import ReplicationSettings
from ._statistics import closing_boundaries, monitoring_origin
from ._trust import current_crls
from ._vm import VM
from .policy import ONE_JOB_PER_VM_CODE

if TYPE_CHECKING:
    from cryptography import x509

    from ._fabric import HyperVFabric

__all__ = ["HostBase"]

_PHASES = {phase.value: phase for phase in Phase}


class HostBase:
    """A Hyper-V host's state; the cmdlet families are mixins over it."""

    def __init__(
        self,
        fabric: HyperVFabric,
        name: str,
        *,
        fqdn: str,
        address: str | None,
        os_version: OperatingSystemVersion,
        domain: str | None,
    ) -> None:
        self.fabric = fabric
        self.name = name
        self.fqdn = fqdn
        self.address = address
        self.os_version = os_version
        self.domain = domain
        self.certificates = CertificateStore(on_change=self._configuration_changed)
        self.firewall_rules: dict[str, FirewallRule] = default_firewall_rules()
        self._disable_cert_revocation_check = False
        self._replication_server = VMReplicationServer()
        self._monitoring_cache: tuple[VMReplicationServer | None, float, float] = (None, 0.0, 0.0)
        self.authorization = AuthorizationTable(on_change=self._configuration_changed)
        self.replica_service = ReplicaService(self)
        self.files: dict[str, object] = {}
        self.switches: dict[str, str] = {}
        self._vms: dict[str, VM] = {}  # by VM ID, in creation order
        self._by_name: dict[str, list[VM]] = {}  # Hyper-V allows two VMs of one name; cmdlets take the first
        self._listening: tuple[tuple[int, ReplicationAuthenticationType], ...] = ()
        self.crashed = False  # an Outage at hyperv.host holds: nothing answers (``_outages``)

    # -- what a management server reads ---------------------------------------------------------------

    def _configuration_changed(self) -> None:
        """Certificates, trusted roots, CRLs, Replica server settings, the revocation flag, firewall
        rules or authorization entries changed: bump the fabric's revision, so VMM's Provider, which
        compares it instead of re-reading every host on each poll, sees it."""
        self.fabric.revision += 1

    @property
    def replication_server(self) -> VMReplicationServer:
        """The Replica server settings (an immutable value, replaced by ``Set-VMReplicationServer``)."""
        return self._replication_server

    @replication_server.setter
    def replication_server(self, settings: VMReplicationServer) -> None:
        self._replication_server = settings
        self._configuration_changed()

    @property
    def disable_cert_revocation_check(self) -> bool:
        """The registry value ``DisableCertRevocationCheck`` (§1.3), as a bool."""
        return self._disable_cert_revocation_check

    @disable_cert_revocation_check.setter
    def disable_cert_revocation_check(self, disabled: bool) -> None:
        self._disable_cert_revocation_check = bool(disabled)
        self._configuration_changed()

    def record(self, op: str, phase: str, details: dict[str, Any]) -> None:
        self.fabric.sim.history.record(self.name, op, _PHASES[phase], details)

    @property
    def now(self) -> float:
        return self.fabric.sim.clock.now

    # -- virtual machines ----------------------------------------------------------------------------

    @property
    def vms(self) -> tuple[VM, ...]:
        return tuple(self._vms.values())

    @property
    def vm_count(self) -> int:
        """How many VMs the host has, in O(1) (placement asks this for every VM it places)."""
        return len(self._vms)

    def find_vm(self, name: str) -> VM | None:
        """The VM of that name created first (policy VM_NAME_LOOKUP), or None."""
        named = self._by_name.get(name)
        return named[0] if named else None

    def find_vm_by_id(self, vm_id: str) -> VM | None:
        return self._vms.get(vm_id)

    def add_vm(self, name: str, *, vm_id: str | None = None, generation: int = 2) -> VM:
        """Register a new, empty VM (no cmdlet checks: ``new_vm`` and the replica service call this)."""
        vm_id = vm_id or self.fabric.sim.random.uuid("hyperv.vm-ids")
        vm = VM(self, name, vm_id=vm_id, generation=generation, image=EMPTY,
                bytes_per_write=self.fabric.policy.transfer.bytes_per_write)
        self._vms[vm_id] = vm
        self._by_name.setdefault(name, []).append(vm)
        return vm

    def drop_vm(self, vm: VM) -> None:
        del self._vms[vm.id]
        self._unname(vm)

    def _unname(self, vm: VM) -> None:
        named = self._by_name[vm.name]
        named.remove(vm)
        if not named:
            del self._by_name[vm.name]

    def rename(self, vm: VM, new_name: str) -> None:
        """Give ``vm`` another name (no cmdlet checks: ``Rename-VM`` calls this)."""
        self._unname(vm)
        vm.name = new_name
        self._by_name.setdefault(new_name, []).append(vm)
        self.fabric.revision += 1

    def _vm(self, name: str) -> VM:
        vm = self.find_vm(name)
        if vm is None:
            raise ObjectNotFoundError(f"Hyper-V was unable to find a virtual machine with name '{name}'.", vm_name=name)
        return vm

    # -- guards --------------------------------------------------------------------------------------

    @staticmethod
    def _relationship(vm: VM) -> Relationship:
        if vm.replication is None:
            raise InvalidStateError(f"Replication is not enabled for virtual machine '{vm.name}'.", vm_name=vm.name)
        return vm.replication

    @staticmethod
    def _require(rel: Relationship, states: Collection[ReplicationState], what: str) -> None:
        if rel.state not in states:
            raise InvalidStateError(
                f"Cannot {what} for virtual machine '{rel.vm.name}' because its replication state is "
                f"'{rel.state.value}' (replication mode '{rel.mode.value}'). (Virtual machine ID {rel.vm.id})",
                vm_name=rel.vm.name)

    @staticmethod
    def _require_idle(vm: VM) -> None:
        busy = vm.busy
        if busy is not None and not busy.done:
            raise error_class(ONE_JOB_PER_VM_CODE)(
                f"The operation cannot be performed while '{vm.name}' is busy with {busy.name}.", vm_name=vm.name)

    @staticmethod
    def _settle(vm: VM) -> None:
        """Bring the VM's replication up to now before anything changes it."""
        if vm.replication is not None and vm.replication.link is not None:
            vm.replication.link.settle()

    # -- jobs and exchanges ----------------------------------------------------------------------------

    def _job(self, name: str, vm: VM, *, busy: bool = False) -> HyperVJob:
        job = HyperVJob(self, name, vm.name)
        if busy:
            vm.busy = job
        return job

    def _exchange(self, settings: ReplicationSettings, on_failure: Callable[[Refusal], None]) -> Exchange:
        return Exchange(self, server_name=settings.replica_server_name, port=settings.replica_server_port,
                        authentication_type=settings.authentication_type,
                        certificate_thumbprint=settings.certificate_thumbprint, on_failure=on_failure)

    # -- the Replica server's view --------------------------------------------------------------------

    def authorization_for(self, fqdn: str) -> list[AuthorizationEntry]:
        """Entries admitting ``fqdn`` (§1.2); "allow any" acts as one ``*`` entry (§1.2 [INF])."""
        server = self.replication_server
        if server.replication_allowed_from_any_server:
            return [AuthorizationEntry(ANY_SERVER, server.default_storage_location or "", DEFAULT_TRUST_GROUP)]
        return self.authorization.match(fqdn)

    def firewall_allows(self, port: int) -> bool:
        return any(rule.enabled and rule.local_port == port for rule in self.firewall_rules.values())

    # -- monitoring intervals (§1.1, §2.5) ---------------------------------------------------------------

    def _monitoring(self) -> tuple[float, float]:
        """(interval, origin) in virtual seconds; 09:00 local is 09:00 UTC (policy HOST_LOCAL_TIME_IS_UTC)."""
        server = self.replication_server
        if self._monitoring_cache[0] is not server:  # settings are immutable values: a new one means a change
            origin = monitoring_origin(self.fabric.sim.clock.epoch, server.monitoring_start_time)
            self._monitoring_cache = (server, float(server.monitoring_interval), origin)
        return self._monitoring_cache[1], self._monitoring_cache[2]

    def monitoring_window_start(self) -> float:
        interval, origin = self._monitoring()
        return origin + math.floor((self.now - origin) / interval) * interval

    def monitoring_boundaries(self, t0: float, t1: float) -> list[float]:
        interval, origin = self._monitoring()
        return closing_boundaries(t0, t1, interval, origin)

    def close_monitoring_window(self, rel: Relationship, boundary: float, *, log: bool) -> None:
        """Start the next interval, logging the one that closed (VMMS event 29174, §2.5) if ``log``."""
        if log:
            self.record("hyperv.event.29174", "info", {"vm": rel.vm.name, "mode": rel.mode.value,
                                                       **rel.stats.describe(boundary)})
        rel.stats.reset(boundary)

    def resync_required(self, rel: Relationship, at: float) -> None:
        """A link found the VM needs resynchronisation; the replication cmdlets decide what follows."""
        raise NotImplementedError

    def revalidate(self, rel: Relationship) -> None:
        """Authenticate a primary relationship afresh (policy SESSION_PER_OPERATION)."""
        raise NotImplementedError

    def reverse_replication(self, vm: VM, *, port: int | None, auth: ReplicationAuthenticationType | None,
                            thumbprint: str | None) -> HyperVJob:
        """``Set-VMReplication -Reverse`` (the failover cmdlets implement it)."""
        raise NotImplementedError

    def judge_peer(self, chain: tuple[x509.Certificate, ...], expected_name: str,
                   conn: int | None = None) -> tuple[RefusalReason, ...]:
        """Every reason this host refuses a peer's replication certificate chain now (§1.3), an identity
        fault's (``pki.validate``, use "replication") first; the judgment of connection ``conn`` is
        recorded in the history (``pki.judgment``)."""
        sim, at, roots = self.fabric.sim, self.fabric.sim.skews.utcnow(self.name), self.certificates.roots
        check = not self.disable_cert_revocation_check
        reasons = self.fabric.judge.judge(chain, roots=roots, expected_name=expected_name, at=at,
                                          check_revocation=check, crls=self.certificates.crls)
        injected = injected_refusal(sim.faults, chain, node=self.name, use="replication")
        if injected is not None and injected in RefusalReason.__members__:
            reasons = (RefusalReason(injected), *(reason for reason in reasons if reason.value != injected))
        else:
            injected = None
        sources: tuple[RevocationSource, ...] | None = None
        if check:
            sources = (*(root for root in roots if isinstance(root, CertificateAuthority)),
                       CrlRevocationSource(current_crls(self.certificates.crls, at)))
        record_judgment(sim, chain, node=self.name, use="replication", purpose=Eku.SERVER_AND_CLIENT, roots=roots,
                        at=at, expected_name=expected_name, revocation=sources,
                        reasons=[reason.value for reason in reasons], injected=() if injected is None else (injected,),
                        conn=conn)
        return reasons

    def _revalidate_links(self) -> None:
        """This host's trust changed: every active relationship it takes part in authenticates again."""
        for vm in self.vms:
            rel = vm.replication
            link = rel.link if rel is not None else None
            if link is not None and link.primary.ships:
                link.primary.vm.host.revalidate(link.primary)

    def _check_own_certificate(self, thumbprint: str, vm_name: str | None = None) -> None:
        """The host's own certificate for Replica (§1.3), as far as policy TrustPolicy.validate_on_configure says."""
        stored = self.certificates.personal(thumbprint)
        if stored is None:
            raise CertificateRejectedError(f"The certificate with thumbprint {thumbprint} was not found in the "
                                           "LocalMachine\\My store.", (RefusalReason.CERTIFICATE_NOT_FOUND,),
                                           vm_name=vm_name)
        if not stored.has_private_key:
            raise CertificateRejectedError(f"The certificate with thumbprint {thumbprint} does not have an associated "
                                           "private key.", (RefusalReason.NO_PRIVATE_KEY,), vm_name=vm_name)
        if self.fabric.policy.trust.validate_on_configure:
            reasons = self.fabric.judge.judge(stored.chain, roots=self.certificates.roots, expected_name=self.fqdn,
                                              at=self.fabric.sim.skews.utcnow(self.name), check_revocation=False)
            if reasons:
                raise CertificateRejectedError(
                    f"The certificate with thumbprint {thumbprint} is not valid for Hyper-V Replica on {self.fqdn}: "
                    f"{', '.join(r.value for r in reasons)}.", reasons, vm_name=vm_name)
