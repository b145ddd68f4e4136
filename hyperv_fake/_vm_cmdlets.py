"""VM cmdlets: create, power, disks, switches, integration services — and the rules replication adds.

Replication restricts power: a primary prepared for planned failover is "locked from powering up"
(§2.3 state 4, §3.3), and a replica VM "is blocked from starting unless the Failover workflow is
initiated" (§2.1). The first boot after a failover applies Failover TCP/IP where the guest can
take it (§3.7). Emulator controls that are not cmdlets (``set_vm_workload``, ``modify_vhd_offline``,
``crash``) are named as what they simulate.
"""

from __future__ import annotations

from ._cmdlet import cmdlet
from ._enums import IntegrationService, ReplicationMode, ReplicationState, VMState
from ._errors import InvalidParameterError, InvalidStateError, enum_parameter
from ._hostbase import HostBase
from ._ipconfig import GuestNetworkConfiguration
from ._relationship import FAILED_OVER_STATES
from ._vm import VM, HardDiskDrive

__all__ = ["VMCmdlets", "SWITCH_TYPES"]

SWITCH_TYPES = ("External", "Internal", "Private")
_TRACKED = frozenset({ReplicationState.Replicating, ReplicationState.Suspended, ReplicationState.Error})


class VMCmdlets(HostBase):
    """``New-VM``, ``Start-VM``, ``Stop-VM``, ``Add-VMHardDiskDrive``, ``New-VMSwitch``, integration services."""

    @cmdlet("New-VMSwitch")
    def new_vm_switch(self, name: str, *, switch_type: str = "External") -> None:
        if name in self.switches:
            raise InvalidParameterError(f"A virtual switch named '{name}' already exists.")
        if switch_type not in SWITCH_TYPES:
            raise InvalidParameterError(f"The value '{switch_type}' for parameter 'SwitchType' is not valid.")
        self.switches[name] = switch_type

    @cmdlet("New-VM")
    def new_vm(self, name: str, *, generation: int = 2, vm_id: str | None = None) -> VM:
        """A VM that is off; ``vm_id`` as ``Import-VM`` keeps it (needed for ``-AsReplica`` seeding, §2.2)."""
        if generation not in (1, 2):
            raise InvalidParameterError(f"The value {generation!r} for parameter 'Generation' is not valid (1 or 2).")
        if vm_id is not None and self.find_vm_by_id(vm_id) is not None:
            raise InvalidParameterError(f"A virtual machine with ID {vm_id} already exists.", vm_name=name)
        return self.add_vm(name, vm_id=vm_id, generation=generation)

    def get_vm(self, name: str) -> VM:
        """``Get-VM``: the VM, its replication computed up to now (so what it shows is current)."""
        vm = self._vm(name)
        self._settle(vm)
        return vm

    @cmdlet("Remove-VM")
    def remove_vm(self, name: str) -> None:
        vm = self._vm(name)
        if vm.state is not VMState.Off:
            raise InvalidStateError(f"Virtual machine '{name}' must be turned off before it is removed.", vm_name=name)
        if vm.replication is not None:
            raise InvalidStateError(f"Remove replication from virtual machine '{name}' before removing it.",
                                    vm_name=name)
        self.drop_vm(vm)

    @cmdlet("Rename-VM")
    def rename_vm(self, name: str, new_name: str) -> None:
        """``Rename-VM -Name -NewName``: only the name changes (replication follows the VM by its ID)."""
        vm = self._vm(name)
        if not isinstance(new_name, str) or not new_name.strip():
            raise InvalidParameterError(f"The value {new_name!r} for parameter 'NewName' is not valid.", vm_name=name)
        self.rename(vm, new_name)

    @cmdlet("Add-VMHardDiskDrive")
    def add_vm_hard_disk_drive(self, vm_name: str, path: str, *, size_bytes: int) -> None:
        """Attach a new VHDX of ``size_bytes`` (New-VHD and Add-VMHardDiskDrive in one)."""
        vm = self._vm(vm_name)
        if not isinstance(size_bytes, int) or size_bytes <= 0:
            raise InvalidParameterError(f"The value {size_bytes!r} for parameter 'SizeBytes' is not valid.",
                                        vm_name=vm_name)
        if any(disk.path == path for disk in vm.disks):
            raise InvalidParameterError(f"The disk '{path}' is already attached.", vm_name=vm_name)
        if vm.replication is not None:  # ASR secondary-site support: "hot add/remove disk: no" (§5.1)
            raise InvalidStateError(f"Disks cannot be added to '{vm_name}' while it is enabled for replication.",
                                    vm_name=vm_name)
        vm.disks.append(HardDiskDrive(path, size_bytes))
        self.fabric.revision += 1

    @cmdlet("Enable-VMIntegrationService")
    def enable_vm_integration_service(self, vm_name: str, name: IntegrationService | str) -> None:
        self._set_integration_service(vm_name, name, True)

    @cmdlet("Disable-VMIntegrationService")
    def disable_vm_integration_service(self, vm_name: str, name: IntegrationService | str) -> None:
        self._set_integration_service(vm_name, name, False)

    def _set_integration_service(self, vm_name: str, name: IntegrationService | str, enabled: bool) -> None:
        vm = self._vm(vm_name)
        vm.integration_services[enum_parameter(IntegrationService, name, "Name")] = enabled

    # -- power --------------------------------------------------------------------------------------

    @cmdlet("Start-VM")
    def start_vm(self, name: str) -> None:
        vm = self._vm(name)
        if vm.state is VMState.Running:
            return
        rel = vm.replication
        if rel is not None and rel.state is ReplicationState.PreparedForFailover:
            raise InvalidStateError(f"Virtual machine '{name}' is prepared for planned failover and cannot be "
                                    "started. Cancel the failover with Stop-VMFailover first.", vm_name=name)
        if rel is not None and rel.mode is ReplicationMode.Replica and rel.state not in FAILED_OVER_STATES:
            raise InvalidStateError(f"Replica virtual machine '{name}' cannot be started unless failover has been "
                                    "initiated.", vm_name=name)
        self._settle(vm)
        vm.workload.start(self.now)
        vm.state = VMState.Running
        self._workload_changed(vm)
        if vm.failover_boot_pending:
            self._inject_failover_ip(vm)

    @cmdlet("Stop-VM")
    def stop_vm(self, name: str, *, turn_off: bool = False) -> None:
        vm = self._vm(name)
        if vm.state is VMState.Off:
            return
        self._settle(vm)
        vm.workload.stop(self.now)
        vm.state = VMState.Off
        self._workload_changed(vm)
        del turn_off  # a shut-down and a turn-off both leave the disks consistent for the emulator

    def _workload_changed(self, vm: VM) -> None:
        """A replicating VM's writes changed: when its tracking log would force a resync moved."""
        if vm.replication is not None:
            self.fabric.moved(vm.id)

    def _inject_failover_ip(self, vm: VM) -> None:
        """First boot after failover: KVP applies each adapter's failover settings, if it can (§3.7)."""
        vm.failover_boot_pending = False
        for adapter in vm.adapters:
            if adapter.failover.empty:
                continue
            if adapter.is_legacy or not vm.kvp_available():
                why = ("legacy network adapters do not support failover TCP/IP" if adapter.is_legacy
                       else "the Key-Value Pair Exchange integration service is not available in the guest")
                self.record("hyperv.failover-tcpip", "fail", {"vm": vm.name, "adapter": adapter.name, "error": why})
                continue
            injected = adapter.failover.applied_to(vm.guest.network.get(adapter.name, GuestNetworkConfiguration()))
            vm.guest.configure_network(adapter.name, injected)
            self.record("hyperv.failover-tcpip", "ok", {"vm": vm.name, "adapter": adapter.name,
                                                        "addresses": list(injected.ip_addresses)})

    # -- what the emulator can make happen --------------------------------------------------------------

    def set_vm_workload(self, vm_name: str, *, writes_per_second: float, bytes_per_write: int | None = None) -> None:
        """The guest writes ``writes_per_second`` sequence numbers while it runs (data loss becomes measurable)."""
        vm = self._vm(vm_name)
        if writes_per_second < 0 or (bytes_per_write is not None and bytes_per_write <= 0):
            raise InvalidParameterError("A workload needs a rate >= 0 and a positive write size.", vm_name=vm_name)
        self._settle(vm)
        vm.guest.writes_per_second = float(writes_per_second)
        vm.workload.set_rate(self.now, float(writes_per_second))
        if bytes_per_write is not None:
            vm.workload.bytes_per_write = bytes_per_write
        self._workload_changed(vm)
        self.record("hyperv.workload", "info", {"vm": vm_name, "writes_per_second": writes_per_second})

    def modify_vhd_offline(self, vm_name: str) -> None:
        """Mount and edit a disk while the VM is off: a replicating primary needs resynchronisation (§2.6)."""
        vm = self._vm(vm_name)
        if vm.state is not VMState.Off:
            raise InvalidStateError(f"The disks of '{vm_name}' are in use; turn the virtual machine off first.",
                                    vm_name=vm_name)
        self._settle(vm)
        self.record("hyperv.vhd-modified-offline", "info", {"vm": vm_name})
        self._lost_tracking(vm, "a virtual hard disk was modified while the virtual machine was off")

    def crash(self) -> None:
        """The host fails: running VMs stop at once and their tracking logs are not closed (§2.6)."""
        self.record("hyperv.host-crash", "info", {})
        for vm in self.vms:
            if vm.state is VMState.Running:
                self._settle(vm)
                vm.workload.stop(self.now)
                vm.state = VMState.Off
                self._lost_tracking(vm, "the tracking log was not closed gracefully (host crash)")

    def _lost_tracking(self, vm: VM, why: str) -> None:
        rel = vm.replication
        if rel is not None and rel.is_primary and rel.state in _TRACKED:
            rel.set_state(ReplicationState.WaitingForStartResynchronize, why)
            self.resync_required(rel, self.now)
