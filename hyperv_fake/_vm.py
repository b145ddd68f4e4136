"""Virtual machines on a host: identity, power, disks, adapters, integration services, guest, workload.

The *guest* is what runs inside: its integration components and its own IP settings per adapter.
The host sees the guest only through integration services (KVP for IP injection, §3.7; VSS for
application-consistent points, §2.8).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ._enums import IntegrationService, ReplicationMode, VMState
from ._image import DataImage
from ._ipconfig import FailoverIPConfiguration, GuestNetworkConfiguration
from ._settings import ReplicationSettings
from ._workload import Workload

if TYPE_CHECKING:
    from ._hostbase import HostBase
    from ._jobs import HyperVJob
    from ._relationship import Relationship

__all__ = ["HardDiskDrive", "VMNetworkAdapter", "Guest", "VM", "DEFAULT_INTEGRATION_SERVICES"]

DEFAULT_INTEGRATION_SERVICES = {
    IntegrationService.KeyValuePairExchange: True,
    IntegrationService.VolumeShadowCopy: True,
    IntegrationService.Heartbeat: True,
    IntegrationService.Shutdown: True,
    IntegrationService.TimeSynchronization: True,
    IntegrationService.GuestServiceInterface: False,
}
"""What ``New-VM`` enables: every integration service but Guest Service Interface."""


@dataclass(frozen=True)
class HardDiskDrive:
    """A virtual hard disk attached to the VM."""

    path: str
    size_bytes: int


@dataclass
class VMNetworkAdapter:
    """A network adapter: synthetic unless ``is_legacy`` (§3.7: injection needs synthetic)."""

    name: str
    mac_address: str
    is_legacy: bool = False
    switch_name: str | None = None
    test_replica_switch_name: str | None = None
    failover: FailoverIPConfiguration = field(default_factory=FailoverIPConfiguration)


@dataclass
class Guest:
    """The operating system inside: integration components, IP settings per adapter, and the
    application's write rate — all of which travel with the VM's disks to its replica."""

    integration_components: bool = True
    network: dict[str, GuestNetworkConfiguration] = field(default_factory=dict)
    writes_per_second: float = 0.0

    def configure_network(self, adapter_name: str, configuration: GuestNetworkConfiguration) -> None:
        """Set an adapter's IP settings from inside the guest (as an administrator would)."""
        self.network[adapter_name] = configuration

    def copy(self) -> Guest:
        return Guest(self.integration_components, dict(self.network), self.writes_per_second)


class VM:
    """One virtual machine; ``replication`` is its relationship, if any."""

    def __init__(
        self,
        host: HostBase,
        name: str,
        *,
        vm_id: str,
        generation: int,
        image: DataImage,
        bytes_per_write: int,
    ) -> None:
        self.host = host
        self.name = name
        self.id = vm_id
        self.generation = generation
        self.state = VMState.Off
        self.disks: list[HardDiskDrive] = []
        self.adapters: list[VMNetworkAdapter] = []
        self.integration_services = dict(DEFAULT_INTEGRATION_SERVICES)
        self.guest = Guest()
        self.replication: Relationship | None = None
        self.mode_override: ReplicationMode | None = None  # TestReplica for a test failover VM
        self.failover_boot_pending = False  # Failover TCP/IP applies at the next boot (§3.7)
        self.busy: HyperVJob | None = None  # the exchange in flight (policy ONE_JOB_PER_VM_CODE)
        self._incarnation = 0
        self.workload = Workload(image, writer=self._writer(), bytes_per_write=bytes_per_write)

    @property
    def replication_mode(self) -> ReplicationMode:
        if self.mode_override is not None:
            return self.mode_override
        return self.replication.mode if self.replication is not None else ReplicationMode.None_

    def adopt(self, image: DataImage, at: float) -> None:
        """The disks now hold ``image`` (a failover, a revert); writes from here on are a new writer's,
        at the rate of the guest's application."""
        self._incarnation += 1
        self.workload.replace(at, image, self._writer())
        self.workload.set_rate(at, self.guest.writes_per_second)

    def _writer(self) -> str:
        return f"{self.id}@{self.host.name}#{self._incarnation}"

    def replicated_bytes(self, settings: ReplicationSettings) -> int:
        return sum(disk.size_bytes for disk in self.disks if disk.path not in settings.excluded_vhd_path)

    def kvp_available(self) -> bool:
        return self.integration_services[IntegrationService.KeyValuePairExchange] and self.guest.integration_components

    def vss_available(self) -> bool:
        return self.integration_services[IntegrationService.VolumeShadowCopy] and self.guest.integration_components

    def __repr__(self) -> str:
        return f"<VM {self.name!r} on {self.host.name} {self.state.value} {self.replication_mode.value}>"
