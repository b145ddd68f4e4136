"""Enabling and disabling protection of a VM on a VMM server: what its ASR Provider does for ASR's
``EnableDr`` and ``DisableDr`` jobs (hyperv-scvmm.md §5.4–5.5, asr-orchestration.md §A.3, §B.4.1;
policies in ``scvmm_fake.policy``).

The recovery server places the replica (``create_protection_target``) and, later, finds the replica
VM Hyper-V created there (``reconcile_protection``); the primary server enables replication and
starts initial replication with the VM's own host's cmdlets. Inputs and results are plain JSON-able
data relayed by ASR. Each operation converges when run again, as a re-leased work item may be.

The DR inventory reports each VM's replication from its host (``_replication_reports``); this mixin
also extends ``dr_revision`` and ``dr_deadline`` so that what the report holds changes only on events
and at the instants a reading names in advance — never per replication cycle.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hyperv_fake import VM, HyperVError, HyperVHost, HyperVJob, ReplicationMode, ReplicationState

from ._cmdlets_pairing import PairingCmdlets
from ._hostgroups import VMHost
from ._inventory_replication import InventoryReplication
from ._pairing_hosts import site_certificate
from ._pairing_record import AuthenticationType
from ._protection_record import ProtectionSettings, ProtectionTarget, flag, text
from ._replica_placement import place_replica
from ._replication_reports import ReplicationReports
from ._vms import IPv4AddressType, VirtualMachine, VirtualNetworkAdapter
from .errors import (
    DisasterRecoveryNotEnabled,
    InvalidParameter,
    ObjectNotFound,
    PlacementError,
    ProtectionError,
    ReplicationFailed,
)

__all__ = ["ProtectionCmdlets"]

_METHODS = ("OverNetwork", "OfflineReplication")


class ProtectionCmdlets(PairingCmdlets):
    """The protection operations of a VMM server (not cmdlets: the Provider calls them)."""

    _replication_epoch: int = 0  # deadlines of reported readings passed so far (see dr_revision)
    _replication_due: float | None = None  # the earliest next change of a reported reading
    _protection_seen: tuple[int, ...] | None = None  # the revision reconcile_protection last looked at

    def _targets(self) -> dict[str, ProtectionTarget]:
        """VM ID → this server's placement of its replica, in the order placed."""
        state: dict[str, ProtectionTarget] = self.__dict__.setdefault("_protection_targets", {})
        return state

    @property
    def _replication(self) -> ReplicationReports:
        """The replication readings kept between inventories."""
        kept: ReplicationReports = self.__dict__.setdefault("_replication_kept", ReplicationReports())
        return kept

    def _awaiting_replicas(self) -> dict[str, ProtectionTarget]:
        """VM ID → a placement whose replica VM may not be registered yet, in the order placed: what
        ``reconcile_protection`` and the placement load look at, instead of every placement made.
        ``reconcile_protection`` drops the entries that are registered or no longer the VM's
        placement (removed, replaced)."""
        state: dict[str, ProtectionTarget] = self.__dict__.setdefault("_protection_awaiting", {})
        return state

    def _enabling(self) -> dict[str, HyperVJob]:
        """VMM VM id → the ``Enable-VMReplication`` job started for it and not yet answered."""
        state: dict[str, HyperVJob] = self.__dict__.setdefault("_protection_enabling", {})
        return state

    def _vm_with_id(self, vmm_vm_id: str) -> VirtualMachine:
        vm = self._registry("VirtualMachine").get(vmm_vm_id)
        if vm is None:
            raise ObjectNotFound(f"no virtual machine with id {vmm_vm_id!r} on {self.name}")
        assert isinstance(vm, VirtualMachine)
        return vm

    # -- on the recovery server: "Identifying the replication target" ---------------------------

    def create_protection_target(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Place the replica of the payload's VM on a host of the recovery cloud (policy
        ``REPLICA_PLACEMENT``) and remember it; ``{recoveryHost, recoveryHostName}``."""
        target = ProtectionTarget.parse_request(payload)
        cloud = self._registry("Cloud").get(target.recovery_cloud_id)
        if cloud is None:
            raise ObjectNotFound(f"no cloud with id {target.recovery_cloud_id!r} on {self.name}")
        if not cloud.disaster_recovery_supported:
            raise DisasterRecoveryNotEnabled(f"cloud {cloud.name!r} is not enabled for disaster recovery")
        pairings = self.cloud_pairings(cloud.name)
        if not pairings:
            raise ProtectionError(f"cloud {cloud.name!r} is not paired: no host of it is a Replica server")
        placed = self._targets().get(target.vm_id)
        if placed is not None and placed.recovery_cloud_id == cloud.id and placed.host_id in self._registry("VMHost"):
            return placed.result(self._registry("VMHost")[placed.host_id].name)
        networks = []
        for adapter in target.adapters:
            if adapter.recovery_vm_network_id is None:
                continue
            network = self._registry("VMNetwork").get(adapter.recovery_vm_network_id)
            if network is None:
                raise ObjectNotFound(f"no VM network with id {adapter.recovery_vm_network_id!r} on {self.name}")
            if network.logical_network not in cloud.logical_networks:  # policy CLOUD_NETWORKS
                raise PlacementError(f"VM network {network.name!r} is on logical network "
                                     f"{network.logical_network.name!r}, which is not a resource of cloud "
                                     f"{cloud.name!r}")
            networks.append(network)
        pending: dict[str, int] = {}  # policy REPLICA_LOAD: placed, not yet created
        targets = self._targets()
        for other in self._awaiting_replicas().values():
            if other.replica_id is None and other.vm_id != target.vm_id and targets.get(other.vm_id) is other:
                pending[other.host_id] = pending.get(other.host_id, 0) + 1
        host = place_replica(cloud.hosts(), cloud_name=cloud.name, vm_name=target.vm_name, vm_id=target.vm_id,
                             configured={fqdn for record in pairings for fqdn in record.configured_hosts},
                             networks=networks, load=lambda h: h.host.vm_count + pending.get(h.id, 0),
                             capacity=self.policy.replica_host_capacity)
        target.host_id, target.host_fqdn = host.id, host.host.fqdn
        self._targets()[target.vm_id] = target
        self._awaiting_replicas()[target.vm_id] = target
        self._record("vmm.protection.target", {"vm": target.vm_name, "vmId": target.vm_id, "cloud": cloud.name,
                                               "host": host.host.fqdn, "networks": [n.name for n in networks]})
        return target.result(host.name)

    # -- on the primary server: "Enable replication" ---------------------------------------------

    def enable_protection(self, payload: dict[str, Any]) -> dict[str, Any] | None:
        """``Enable-VMReplication`` of the VM to ``recoveryHost`` with the policy's settings (policy
        ``PROTECTION_CERTIFICATE``); ``{replicaVmId}`` once Hyper-V's job succeeded, None while it
        runs (call again: policy ``ENABLE_WAITS_FOR_HYPERV``); ``ReplicationFailed`` if it failed."""
        vm = self._vm_with_id(text(payload, "vmmVmId"))
        recovery_host = text(payload, "recoveryHost")
        settings = ProtectionSettings.parse(payload.get("settings"))
        host = vm.vm_host.host
        job = self._enabling().get(vm.id)
        if job is not None:
            if not job.done:
                return None
            del self._enabling()[vm.id]
            if not job.succeeded:
                raise ReplicationFailed(host.fqdn, "Enable-VMReplication", str(job.error))
        if vm.vm.replication is not None:
            current = host.get_vm_replication(vm.vm.name)
            if current.mode is ReplicationMode.Primary and current.replica_server.lower() == recovery_host.lower():
                return {"replicaVmId": current.vm_id}
            raise ProtectionError(f"virtual machine {vm.name!r} already replicates ({current.mode.value}, "
                                  f"{current.primary_server} to {current.replica_server})")
        self._check_protectable(vm)
        thumbprint = None
        if settings.authentication_type is AuthenticationType.Certificate:
            stored = site_certificate(host, self._ca(), self.sim.clock.utcnow())
            if stored is None:
                raise ProtectionError(f"host {host.fqdn} has no valid certificate from the pairing of its cloud")
            thumbprint = stored.thumbprint
        try:
            job = host.enable_vm_replication(
                vm.vm.name, recovery_host, settings.port, settings.authentication_type.value,
                certificate_thumbprint=thumbprint, replication_frequency_sec=settings.frequency_seconds,
                recovery_history=settings.recovery_points, vss_snapshot_frequency_hour=settings.vss_frequency_hours,
                compression_enabled=settings.compression)
        except HyperVError as error:
            raise ReplicationFailed(host.fqdn, "Enable-VMReplication", str(error)) from error
        self._record("vmm.protection.enable", {"vm": vm.name, "host": host.fqdn, "replicaServer": recovery_host})
        self._enabling()[vm.id] = job
        return self.enable_protection(payload) if job.done else None

    def _check_protectable(self, vm: VirtualMachine) -> None:
        """The VM is in a paired cloud, on a host its pairing configured."""
        if vm.cloud is None or not self.cloud_pairings(vm.cloud.name):
            where = "no cloud" if vm.cloud is None else f"cloud {vm.cloud.name!r}, which is not paired"
            raise ProtectionError(f"virtual machine {vm.name!r} is in {where}")
        fqdn = vm.vm_host.host.fqdn
        if not any(fqdn in record.configured_hosts for record in self.cloud_pairings(vm.cloud.name)):
            raise ProtectionError(f"host {fqdn} of virtual machine {vm.name!r} is not configured by the pairing "
                                  f"of cloud {vm.cloud.name!r}")

    # -- on the primary server: "Starting initial replication" -----------------------------------

    def start_initial_replication(self, payload: dict[str, Any]) -> dict[str, Any]:
        """``Start-VMInitialReplication`` over the network (now or at ``startTime``) or to external
        media at ``exportPath`` (policy ``INITIAL_REPLICATION_START``); returns at once with the
        phase reached, ``{initialReplication}``. A VM whose IR is under way or done is left alone."""
        vm = self._vm_with_id(text(payload, "vmmVmId"))
        method = payload.get("method")
        if method not in _METHODS:
            raise InvalidParameter(f"method: {method!r} is not one of {', '.join(_METHODS)}")
        host = vm.vm_host.host
        reading = host.replication_outlook(vm.vm_id) if vm.vm.replication is not None else None
        if reading is None or reading.replication.mode is not ReplicationMode.Primary:
            raise ProtectionError(f"replication is not enabled for virtual machine {vm.name!r} on {host.fqdn}")
        if reading.replication.state is ReplicationState.ReadyForInitialReplication:
            start, path = _start_time(payload, self.sim.clock.utcnow()), None
            if method == "OfflineReplication":
                path, start = text(payload, "exportPath"), None
            try:
                host.start_vm_initial_replication(vm.vm.name, destination_path=path,
                                                  initial_replication_start_time=start)
            except HyperVError as error:
                raise ReplicationFailed(host.fqdn, "Start-VMInitialReplication", str(error)) from error
            self._record("vmm.protection.initial-replication", {"vm": vm.name, "method": method,
                                                                "start": None if start is None else start.isoformat()})
            reading = host.replication_outlook(vm.vm_id)
            assert reading is not None
        return {"initialReplication": reading.initial_replication.value}

    # -- disabling (§B.4.1) ------------------------------------------------------------------------

    def disable_protection_on_primary(self, payload: dict[str, Any]) -> dict[str, Any]:
        """``Remove-VMReplication`` on the primary VM (nothing if it no longer replicates)."""
        vm = self._vm_with_id(text(payload, "vmmVmId"))
        self._enabling().pop(vm.id, None)
        if vm.vm.replication is not None:
            _remove_replication(vm.vm_host.host, vm.vm.name)
            self._record("vmm.protection.disabled", {"vm": vm.name, "side": "primary"})
        return {}

    def disable_protection_on_secondary(self, payload: dict[str, Any]) -> dict[str, Any]:
        """``Remove-VMReplication`` on the replica VM, then — with ``deleteReplica`` (the policy's
        replica deletion) — ``Remove-SCVirtualMachine`` (policy ``REPLICA_KEPT_AS_VM``)."""
        vm_id, vm_name, delete = text(payload, "vmId"), text(payload, "vmName"), flag(payload, "deleteReplica")
        self.reconcile_protection()
        target = self._targets().get(vm_id)
        record = next((vm for vm in self._all("VirtualMachine") if vm.vm_id == vm_id
                       and vm.vm.replication is not None and vm.vm.replication.mode is ReplicationMode.Replica), None)
        host = record.vm_host.host if record is not None else self._managed_host(target.host_fqdn) if target else None
        replica = None if host is None else host.find_vm_by_id(vm_id)
        if host is None or replica is None:
            self._targets().pop(vm_id, None)
            return {"replicaDeleted": False}
        if replica.replication is not None:
            _remove_replication(host, replica.name)
        if delete:
            if record is not None:
                self.remove_sc_virtual_machine(record)  # type: ignore[attr-defined]
            else:
                try:
                    host.remove_vm(replica.name)
                except HyperVError as error:
                    raise ReplicationFailed(host.fqdn, "Remove-VM", str(error)) from error
                self._touch()
        self._targets().pop(vm_id, None)  # forgotten once the work is done: a failed step can be run again
        self._record("vmm.protection.disabled", {"vm": vm_name, "side": "recovery", "replicaDeleted": delete})
        return {"replicaDeleted": delete}

    # -- the replica VM Hyper-V creates (policy REPLICA_DISCOVERY) ----------------------------------

    def reconcile_protection(self) -> list[str]:
        """Register the replica VMs Hyper-V created on the hosts this server placed them on; their
        names. O(1) when neither the server nor a Hyper-V fabric changed since the last call."""
        seen = self._base_revision()
        if seen == self._protection_seen:
            return []
        found: list[str] = []
        hosts = self._registry("VMHost")
        targets, awaiting = self._targets(), self._awaiting_replicas()
        for target in list(awaiting.values()):
            if target.replica_id is not None or targets.get(target.vm_id) is not target:
                del awaiting[target.vm_id]
                continue
            vm_host = hosts.get(target.host_id)
            if vm_host is None:
                continue
            hv = vm_host.host.find_vm_by_id(target.vm_id)
            if hv is None or hv.replication is None or hv.replication.mode is not ReplicationMode.Replica:
                continue
            target.replica_id = self._register_replica(target, vm_host, hv).id
            del awaiting[target.vm_id]
            found.append(hv.name)
        if found:
            self._record("vmm.protection.replicas", {"found": found})
        self._protection_seen = self._base_revision()
        return found

    def _register_replica(self, target: ProtectionTarget, vm_host: VMHost, hv: VM) -> VirtualMachine:
        cloud = self._registry("Cloud").get(target.recovery_cloud_id)
        known = next((vm for vm in self._all("VirtualMachine") if vm.vm is hv), None)  # Read-SCVMHost found it
        vm = known or VirtualMachine(self._new_id(), hv.name, vm_host, hv)
        vm.cloud = cloud
        if not vm.virtual_network_adapters:  # policy REPLICA_NICS
            for index, adapter in enumerate(target.adapters):
                network = self._registry("VMNetwork").get(adapter.recovery_vm_network_id or "")
                if network is None or not network.vm_subnets or index >= len(hv.adapters):
                    continue
                vm.virtual_network_adapters.append(VirtualNetworkAdapter(
                    self._new_id(), hv.adapters[index].name, network, network.vm_subnets[0], IPv4AddressType.Dynamic))
        if known is None:
            self._add("VirtualMachine", vm)
        else:
            self._touch()
        return vm

    # -- what the inventory reports, and when it changes (policy REPLICATION_REPORTED) ---------------

    def _base_revision(self) -> tuple[int, ...]:
        return (self._revision, *(fabric.revision for fabric in self._fabrics))

    @property
    def dr_revision(self) -> tuple[int, ...]:
        """As the server's (``ServerCore.dr_revision``), plus a count that moves once the earliest
        next change of a reported replication reading is due: O(1), read from the clock."""
        due = self._replication_due
        passed = due is not None and self.sim.clock.now >= due
        return (*super().dr_revision, self._replication_epoch + int(passed))

    def dr_deadline(self) -> float | None:
        """The pairing's deadline (a certificate renewal) or the next change of a reported replication
        reading, whichever is first."""
        found = [at for at in (super().dr_deadline(), self._replication_due) if at is not None]
        return min(found, default=None)

    def _replication_reports(self) -> dict[str, InventoryReplication]:
        """VMM id → the replication of each replicating VM of a DR cloud, as its host reads now (kept
        readings that did not move, ``ReplicationReports``); notes the earliest instant one of those
        readings next changes."""
        due = self._replication_due
        if due is not None and self.sim.clock.now >= due:
            self._replication_epoch += 1
        reports = self._replication.read(
            (vm for vm in self._all("VirtualMachine")
             if vm.cloud is not None and vm.cloud.disaster_recovery_supported and vm.vm.replication is not None),
            self.sim.clock.now)
        self._replication_due = self._replication.due
        return reports


def _remove_replication(host: HyperVHost, vm_name: str) -> None:
    try:
        host.remove_vm_replication(vm_name)
    except HyperVError as error:
        raise ReplicationFailed(host.fqdn, "Remove-VMReplication", str(error)) from error


def _start_time(payload: dict[str, Any], now: datetime) -> datetime | None:
    """``startTime`` (ISO 8601, ``Z`` allowed) if it is later than ``now``; None to start now."""
    value = payload.get("startTime")
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidParameter(f"startTime: {value!r} is not an ISO 8601 time")
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise InvalidParameter(f"startTime: {value!r} is not an ISO 8601 time") from error
    if when.tzinfo is None:
        raise InvalidParameter(f"startTime: {value!r} has no time zone")
    return when if when > now else None
