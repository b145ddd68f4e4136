"""Replication cmdlets: enable, initial replication, settings, removal, and reading it back (§2.1–2.3, §2.7).

``Enable-VMReplication`` talks to the Replica server, which creates the replica VM; the relationship
exists on the primary only once the server said yes (a refused enable leaves the VM Disabled).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from ._cmdlet import cmdlet
from ._enums import ReplicationAuthenticationType, ReplicationMode, ReplicationState, VMState
from ._errors import (
    InvalidParameterError,
    InvalidStateError,
    NotSupportedError,
    ObjectNotFoundError,
    Refusal,
    ReplicationRefusedError,
    enum_parameter,
)
from ._hostbase import HostBase
from ._image import DataImage
from ._jobs import HyperVJob
from ._link import Link
from ._points import retain
from ._relationship import Relationship
from ._settings import ReplicationSettings, check_settings
from ._transfers import INITIAL, SEEDED, Transfer
from ._vm import VM, Guest
from ._wire import CreateReplica, ReplicaSpec
from .policy import EXTENDED_REPLICATION

__all__ = ["ReplicationCmdlets", "ExportedReplica", "MAX_SCHEDULE_AHEAD"]

MAX_SCHEDULE_AHEAD = timedelta(days=7)
"""Initial replication and resynchronisation can be scheduled up to 7 days ahead (§2.2, §2.3, §6)."""


@dataclass(frozen=True)
class ExportedReplica:
    """What ``Start-VMInitialReplication -DestinationPath`` writes: the VM's disks as of the export (§2.2)."""

    vm_id: str
    vm_name: str
    image: DataImage
    guest: Guest


class ReplicationCmdlets(HostBase):
    """``Enable-``, ``Set-``, ``Remove-``, ``Measure-``, ``Get-VMReplication`` and initial replication."""

    def _schedule(self, when: datetime | None, parameter: str) -> float | None:
        """A start time as virtual seconds (None: now), refused beyond 7 days or in the past."""
        if when is None:
            return None
        clock = self.fabric.sim.clock
        if when.tzinfo is None or not clock.utcnow() <= when <= clock.utcnow() + MAX_SCHEDULE_AHEAD:
            raise InvalidParameterError(f"'{parameter}' must be an aware time between now and 7 days from now.")
        return clock.to_seconds(when)

    # -- Enable-VMReplication (§2.1) -----------------------------------------------------------------

    @cmdlet("Enable-VMReplication")
    def enable_vm_replication(
        self,
        vm_name: str,
        replica_server_name: str | None = None,
        replica_server_port: int | None = None,
        authentication_type: ReplicationAuthenticationType | str | None = None,
        *,
        certificate_thumbprint: str | None = None,
        replication_frequency_sec: int = 300,
        recovery_history: int = 0,
        vss_snapshot_frequency_hour: int = 0,
        compression_enabled: bool = True,
        excluded_vhd_path: Sequence[str] = (),
        auto_resynchronize_enabled: bool = False,
        as_replica: bool = False,
        allowed_primary_server: str | None = None,
    ) -> HyperVJob:
        vm = self._vm(vm_name)
        if as_replica:
            return self._enable_as_replica(vm, allowed_primary_server)
        if vm.replication is not None and vm.replication.mode is ReplicationMode.Replica:
            raise NotSupportedError(f"Extended replication is {EXTENDED_REPLICATION}.", vm_name=vm_name)
        if vm.replication is not None or vm.mode_override is not None:
            raise InvalidStateError(f"Replication is already enabled for virtual machine '{vm_name}'.", vm_name=vm_name)
        self._require_idle(vm)
        if replica_server_name is None or replica_server_port is None or authentication_type is None:
            raise InvalidParameterError("'ReplicaServerName', 'ReplicaServerPort' and 'AuthenticationType' are "
                                        "required.",
                                        vm_name=vm_name)
        settings = ReplicationSettings(
            replica_server_name=replica_server_name, replica_server_port=replica_server_port,
            authentication_type=enum_parameter(ReplicationAuthenticationType, authentication_type,
                                               "AuthenticationType"),
            primary_server_name=self.fqdn,
            certificate_thumbprint=certificate_thumbprint.upper() if certificate_thumbprint else None,
            replication_frequency_sec=replication_frequency_sec, recovery_history=recovery_history,
            vss_snapshot_frequency_hour=vss_snapshot_frequency_hour, compression_enabled=compression_enabled,
            excluded_vhd_path=tuple(excluded_vhd_path), auto_resynchronize_enabled=auto_resynchronize_enabled,
        )
        check_settings(settings, cmdlet="Enable-VMReplication", vm_name=vm_name,
                       disk_paths=tuple(disk.path for disk in vm.disks))
        if settings.authentication_type is ReplicationAuthenticationType.Certificate:
            self._check_own_certificate(settings.certificate_thumbprint or "", vm_name)
        spec = ReplicaSpec(
            vm.id, vm.name, vm.generation,
            tuple((d.path, d.size_bytes) for d in vm.disks if d.path not in settings.excluded_vhd_path),
            tuple((a.name, a.mac_address, a.is_legacy) for a in vm.adapters), settings)
        job = self._job("Enable-VMReplication", vm, busy=True)

        def refused(refusal: Refusal) -> None:
            job.fail(ReplicationRefusedError.of(refusal, vm_name, "enable replication"))

        exchange = self._exchange(settings, refused)

        def created(replica: object) -> None:
            exchange.close()
            assert isinstance(replica, Relationship)
            rel = Relationship(vm, ReplicationMode.Primary, ReplicationState.Disabled, settings,
                               stats_start=self.monitoring_window_start())
            vm.replication = rel
            Link(self.fabric, rel, replica, port=settings.replica_server_port).authenticated(
                exchange.expires_at, exchange.expiry_refusal)
            rel.set_state(ReplicationState.ReadyForInitialReplication, "replication enabled")
            job.complete(rel)

        exchange.request(CreateReplica(spec), created)
        return job

    def _enable_as_replica(self, vm: VM, allowed_primary_server: str | None) -> HyperVJob:
        """Mark an existing VM (same VM ID as the primary's) as the replica, for ``-UseBackup`` (§2.2)."""
        if vm.replication is not None:
            raise InvalidStateError(f"Replication is already enabled for virtual machine '{vm.name}'.", vm_name=vm.name)
        if vm.state is not VMState.Off:
            raise InvalidStateError(f"Virtual machine '{vm.name}' must be off to become a replica.", vm_name=vm.name)
        server = self.replication_server
        if not server.replication_enabled:
            raise InvalidStateError(f"{self.fqdn} is not enabled as a Replica server.", vm_name=vm.name)
        entries = self.authorization_for(allowed_primary_server or "")
        if allowed_primary_server is None or not entries:
            raise InvalidParameterError(f"'AllowedPrimaryServer' must name a server authorized on {self.fqdn}.",
                                        vm_name=vm.name)
        port, kind = server.listeners()[-1]
        settings = ReplicationSettings(replica_server_name=self.fqdn, replica_server_port=port,
                                       authentication_type=kind,
                                       primary_server_name=allowed_primary_server)
        rel = Relationship(vm, ReplicationMode.Replica, ReplicationState.Disabled, settings,
                           stats_start=self.monitoring_window_start(), trust_group=entries[0].trust_group,
                           storage_location=entries[0].replica_storage_location)
        vm.replication = rel
        rel.set_state(ReplicationState.WaitingForInitialReplication, "marked as replica (-AsReplica)")
        return self._job("Enable-VMReplication", vm).complete(rel)

    # -- initial replication (§2.2) -----------------------------------------------------------------

    @cmdlet("Start-VMInitialReplication")
    def start_vm_initial_replication(
        self,
        vm_name: str,
        *,
        destination_path: str | None = None,
        use_backup: bool = False,
        initial_replication_start_time: datetime | None = None,
    ) -> HyperVJob:
        vm = self._vm(vm_name)
        rel = self._primary(vm, "start initial replication")
        self._require(rel, {ReplicationState.ReadyForInitialReplication}, "start initial replication")
        self._require_idle(vm)
        if destination_path is not None and (use_backup or initial_replication_start_time is not None):
            raise InvalidParameterError("'DestinationPath' cannot be combined with 'UseBackup' or "
                                        "'InitialReplicationStartTime'.", vm_name=vm_name)
        start = self._schedule(initial_replication_start_time, "InitialReplicationStartTime")
        job = self._job("Start-VMInitialReplication", vm)
        if destination_path is not None:
            self._export(rel, destination_path, job)
        elif start is not None and start > self.now:
            rel.set_state(ReplicationState.WaitingForInitialReplication, "initial replication scheduled")
            rel.ir_timer = self.fabric.sim.scheduler.call_at(
                start, self._begin_transfer, rel, SEEDED if use_backup else INITIAL, job, label="hyperv.scheduled-ir")
        else:
            self._begin_transfer(rel, SEEDED if use_backup else INITIAL, job)
        return job

    def _begin_transfer(self, rel: Relationship, kind: str, job: HyperVJob | None) -> None:
        rel.ir_timer = None
        rel.set_state(ReplicationState.InitialReplicationInProgress, "initial replication started" if kind == INITIAL
                      else "initial replication from an existing copy started (-UseBackup)")
        Transfer(self, rel, kind=kind, job=job).start()

    def _export(self, rel: Relationship, path: str, job: HyperVJob) -> None:
        """Export to external media; later changes ship to the placeholder until the import (§2.2)."""
        rel.set_state(ReplicationState.InitialReplicationInProgress, "export for initial replication started")
        transfer = self.fabric.policy.transfer
        seconds = rel.vm.replicated_bytes(rel.settings) / transfer.export_bytes_per_second

        def exported() -> None:
            rel.ir_timer = None
            vm = rel.vm
            self.files[path] = ExportedReplica(vm.id, vm.name, vm.workload.image(self.now), vm.guest.copy())
            rel.export_done = True
            rel.set_state(ReplicationState.WaitingForInitialReplication, f"exported to {path}; waiting for import")
            if rel.link is not None:
                rel.link.restart(fresh=True)
            job.complete(path)
            self.revalidate(rel)

        rel.ir_timer = self.fabric.sim.scheduler.call_later(seconds, exported, label="hyperv.export")

    @cmdlet("Stop-VMInitialReplication")
    def stop_vm_initial_replication(self, vm_name: str) -> HyperVJob:
        """Stop network or backup IR, or an export still running; the VM returns to pending (§2.2)."""
        vm = self._vm(vm_name)
        rel = self._primary(vm, "stop initial replication")
        self._require(rel, {ReplicationState.InitialReplicationInProgress,
                            ReplicationState.WaitingForInitialReplication},
                      "stop initial replication")
        if rel.export_done:
            raise InvalidStateError(f"Initial replication of '{vm_name}' cannot be stopped after the export finished.",
                                    vm_name=vm_name)
        if rel.transfer is not None:
            rel.transfer.cancel("initial replication was stopped")
        if rel.ir_timer is not None:
            rel.ir_timer.cancel()
            rel.ir_timer = None
        rel.set_state(ReplicationState.ReadyForInitialReplication, "initial replication stopped")
        return self._job("Stop-VMInitialReplication", vm).complete()

    @cmdlet("Import-VMInitialReplication")
    def import_vm_initial_replication(self, vm_name: str, path: str) -> HyperVJob:
        """Complete an exported IR on the replica: imported disks merged with the changes since (§2.2)."""
        vm = self._vm(vm_name)
        rel = self._relationship(vm)
        if rel.mode is not ReplicationMode.Replica:
            raise InvalidStateError(f"Import-VMInitialReplication runs on the replica; '{vm_name}' is "
                                    f"{rel.mode.value}.", vm_name=vm_name)
        self._require(rel, {ReplicationState.WaitingForInitialReplication}, "import initial replication")
        media = self.files.get(path)
        if not isinstance(media, ExportedReplica):
            raise ObjectNotFoundError(f"No initial replication files were found at '{path}'.", vm_name=vm_name)
        if media.vm_id != vm.id:
            raise InvalidParameterError(f"The files at '{path}' belong to virtual machine {media.vm_id}, not "
                                        f"'{vm_name}'.", vm_name=vm_name)
        link = rel.link
        if link is None or not link.primary.export_done:
            raise InvalidStateError(f"The primary of '{vm_name}' has not exported its initial replica.",
                                    vm_name=vm_name)
        link.settle()
        image = rel.applied if rel.applied.last >= media.image.last else media.image
        rel.applied_log(image, self.now, rel.last_replication_type)
        rel.points, rel.points_anchor = [], self.now
        rel.set_state(ReplicationState.Replicating, "initial replication imported")
        primary = link.primary  # policy IMPORT_COMPLETES_BOTH_SIDES
        primary.export_done, primary.initial_replication_done = False, True
        primary.set_state(ReplicationState.Replicating, "initial replication imported on the replica")
        link.restart(fresh=True)
        return self._job("Import-VMInitialReplication", vm).complete()

    # -- Set-VMReplication (§2.1) ------------------------------------------------------------------

    @cmdlet("Set-VMReplication")
    def set_vm_replication(
        self,
        vm_name: str,
        *,
        reverse: bool = False,
        replica_server_port: int | None = None,
        authentication_type: ReplicationAuthenticationType | str | None = None,
        certificate_thumbprint: str | None = None,
        replication_frequency_sec: int | None = None,
        recovery_history: int | None = None,
        vss_snapshot_frequency_hour: int | None = None,
        compression_enabled: bool | None = None,
        auto_resynchronize_enabled: bool | None = None,
    ) -> HyperVJob:
        """Change settings on the primary, or with ``reverse`` turn a failed-over replica into the primary (§3.3)."""
        vm = self._vm(vm_name)
        auth = (None if authentication_type is None
                else enum_parameter(ReplicationAuthenticationType, authentication_type, "AuthenticationType"))
        thumbprint = certificate_thumbprint.upper() if certificate_thumbprint else None
        if reverse:
            return self.reverse_replication(vm, port=replica_server_port, auth=auth, thumbprint=thumbprint)
        rel = self._primary(vm, "change replication settings")  # policy SETTINGS_CHANGE_ON_PRIMARY
        self._require_idle(vm)
        given: dict[str, Any] = {"replica_server_port": replica_server_port, "authentication_type": auth,
                 "certificate_thumbprint": thumbprint, "replication_frequency_sec": replication_frequency_sec,
                 "recovery_history": recovery_history, "vss_snapshot_frequency_hour": vss_snapshot_frequency_hour,
                 "compression_enabled": compression_enabled, "auto_resynchronize_enabled": auto_resynchronize_enabled}
        changes = {k: v for k, v in given.items() if v is not None}
        settings = replace(rel.settings, **changes)
        check_settings(settings, cmdlet="Set-VMReplication", vm_name=vm_name,
                       disk_paths=tuple(d.path for d in vm.disks))
        if settings.authentication_type is ReplicationAuthenticationType.Certificate:
            self._check_own_certificate(settings.certificate_thumbprint or "", vm_name)
        self._settle(vm)
        sides = [rel] + ([rel.link.replica] if rel.link is not None and rel.link.replica is not None else [])
        for side in sides:
            side.settings = settings
            side.points = retain(side.points, settings.recovery_history)
        if rel.link is not None and "replication_frequency_sec" in changes:
            rel.link.restart()
        if {"replica_server_port", "authentication_type", "certificate_thumbprint"} & changes.keys():
            self.revalidate(rel)
        return self._job("Set-VMReplication", vm).complete(settings)

    # -- Remove-VMReplication (§2.1) -----------------------------------------------------------------

    @cmdlet("Remove-VMReplication")
    def remove_vm_replication(self, vm_name: str) -> HyperVJob:
        """Remove this side only; on the replica the VM itself stays (§2.1)."""
        vm = self._vm(vm_name)
        rel = self._relationship(vm)
        self._require_idle(vm)
        self._settle(vm)
        if rel.transfer is not None:
            rel.transfer.cancel("replication was removed")
        if rel.ir_timer is not None:
            rel.ir_timer.cancel()
        if rel.test_vm is not None:
            self.drop_vm(rel.test_vm)
        if rel.link is not None:
            if rel.is_primary:
                rel.link.close()
            else:
                rel.link.detach_replica()
        rel.set_state(ReplicationState.Disabled, "replication removed")
        vm.replication = None
        return self._job("Remove-VMReplication", vm).complete()

    # -- helpers --------------------------------------------------------------------------------------

    def _primary(self, vm: VM, what: str) -> Relationship:
        rel = self._relationship(vm)
        if not rel.is_primary:
            raise InvalidStateError(f"Cannot {what} for virtual machine '{vm.name}': it is a {rel.mode.value} "
                                    "virtual machine; run the command on the primary server.", vm_name=vm.name)
        return rel
