"""The machines a VMware site replicates: vSphere VMs and physical servers, with their disks, NICs,
workload and (once installed) the Mobility service (REFERENCE.md §2, §4).

A VM lives on an ESXi host of a vCenter; a physical server is known to the configuration server
alone (``discoveryType`` "Physical", SDK 2.0.0 ``VMwareVirtualMachineDetails``). Both are
``Machine``s: what replication needs is the same — disks, addresses, a workload, an agent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ._workload import Workload

__all__ = ["VirtualDisk", "Nic", "MobilityService", "Machine", "VirtualMachine", "PhysicalServer"]


@dataclass
class VirtualDisk:
    """A disk: a VMDK on a datastore (``datastore`` set) or a physical server's disk (None)."""

    id: str
    name: str
    size_bytes: int
    datastore: str | None = None


@dataclass
class Nic:
    """A network adapter: on a port group (VMs) or a named network (physical servers), with its IPv4
    address (the support matrix: IPv4 only, static addresses supported, §4)."""

    name: str
    network: str
    mac: str
    ip_address: str | None = None


@dataclass(frozen=True)
class MobilityService:
    """The Scout Unified Agent on a machine: its agent-generated id (what ``InMageEnableProtectionInput``
    names the machine by, SDK ``agentGeneratedId``), version, and how it got there."""

    agent_id: str
    version: str
    installed_at: float
    push: bool  # pushed by a process server (with a run-as account), or installed by hand


@dataclass(eq=False)
class Machine:
    """What every replicated machine has."""

    id: str
    name: str
    os_type: str  # policy OS_TYPES
    os_name: str
    disks: list[VirtualDisk]
    nics: list[Nic]
    workload: Workload = field(default_factory=Workload)
    mobility: MobilityService | None = None

    @property
    def discovery_type(self) -> str:
        raise NotImplementedError

    @property
    def powered_on(self) -> bool:
        raise NotImplementedError

    @property
    def ip_address(self) -> str | None:
        """The first NIC's address: what ASR shows as the machine's ``ipAddress``."""
        return next((nic.ip_address for nic in self.nics if nic.ip_address), None)


@dataclass(eq=False)
class VirtualMachine(Machine):
    """A vSphere VM: ``id`` is its instance UUID; it runs on ``host`` of ``vcenter``."""

    vcenter: str = ""
    host: str = ""
    power_state: str = "poweredOff"  # vSphere VirtualMachinePowerState: poweredOn / poweredOff

    @property
    def discovery_type(self) -> str:
        return "vCenter"

    @property
    def powered_on(self) -> bool:
        return self.power_state == "poweredOn"


@dataclass(eq=False)
class PhysicalServer(Machine):
    """A physical Windows or Linux server (``id``: its BIOS id), added to the configuration server by
    name and address."""

    running: bool = True

    @property
    def discovery_type(self) -> str:
        return "Physical"

    @property
    def powered_on(self) -> bool:
        return self.running
