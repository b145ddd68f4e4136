"""A vCenter server with its ESXi hosts, datastores, port groups and VMs (REFERENCE.md §4), as a node
of the lab's network.

Calls are named after the vSphere operations they stand for, in snake_case; each checks everything
before it changes anything and moves ``revision``, which is how the configuration server's agent
knows its inventory changed without rebuilding it at every poll.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simcore import Simulation

from ._machines import Nic, VirtualDisk, VirtualMachine
from ._workload import Workload
from .errors import DuplicateName, InvalidParameter, InvalidState, ObjectNotFound
from .policy import OBJECT_ID_STREAM, OS_TYPES

__all__ = ["VCenter", "EsxiHost", "Datastore", "PortGroup", "GIB"]

GIB = 1024 ** 3


@dataclass
class Datastore:
    """A datastore of a host (SDK ``DataStore``: symbolic name, uuid, capacity, free space, type)."""

    name: str
    uuid: str
    capacity_bytes: int
    free_bytes: int
    type: str = "VMFS"


@dataclass
class PortGroup:
    """A standard-switch port group: the network a VM's NIC attaches to."""

    name: str
    vlan_id: int = 0


@dataclass(eq=False)
class EsxiHost:
    """An ESXi host managed by the vCenter."""

    name: str
    id: str
    version: str
    datastores: dict[str, Datastore] = field(default_factory=dict)
    port_groups: dict[str, PortGroup] = field(default_factory=dict)


class VCenter:
    """A vCenter (name, FQDN, address) on ``sim``'s network. ``version``: one of the supported 5.5,
    6.0, 6.5 (support matrix, §4)."""

    def __init__(self, sim: Simulation, name: str, *, fqdn: str | None = None, address: str | None = None,
                 version: str = "6.5") -> None:
        if version not in ("5.5", "6.0", "6.5"):
            raise InvalidParameter(f"vCenter {version} is not supported for this scenario (5.5, 6.0, 6.5)")
        self.sim = sim
        self.name = name
        self.fqdn = fqdn or name
        self.node = sim.network.add_node(name, address=address, fqdn=fqdn)
        self.address = address
        self.version = version
        self.hosts: dict[str, EsxiHost] = {}
        self.vms: dict[str, VirtualMachine] = {}  # by name (lower)
        self.revision = 0
        self._ids = OBJECT_ID_STREAM.format(owner=name)

    def __repr__(self) -> str:
        return f"VCenter({self.name!r}, hosts={len(self.hosts)}, vms={len(self.vms)})"

    def new_id(self) -> str:
        return self.sim.random.uuid(self._ids)

    def _changed(self) -> None:
        self.revision += 1

    # -- hosts, datastores, port groups --------------------------------------------------------

    def add_host(self, name: str, *, version: str = "6.5") -> EsxiHost:
        if name.lower() in self.hosts:
            raise DuplicateName(f"host {name} is already managed by {self.name}")
        host = EsxiHost(name, self.new_id(), version)
        self.hosts[name.lower()] = host
        self._changed()
        return host

    def host(self, name: str) -> EsxiHost:
        found = self.hosts.get(name.lower())
        if found is None:
            raise ObjectNotFound(f"no host {name} in {self.name}")
        return found

    def add_datastore(self, host: str, name: str, *, capacity_bytes: int, type: str = "VMFS") -> Datastore:
        target = self.host(host)
        if capacity_bytes <= 0:
            raise InvalidParameter(f"datastore {name}: capacity must be > 0, not {capacity_bytes}")
        if any(name.lower() in h.datastores for h in self.hosts.values()):
            raise DuplicateName(f"datastore {name} already exists in {self.name}")
        store = Datastore(name, self.new_id(), capacity_bytes, capacity_bytes, type)
        target.datastores[name.lower()] = store
        self._changed()
        return store

    def add_port_group(self, host: str, name: str, *, vlan_id: int = 0) -> PortGroup:
        target = self.host(host)
        if not 0 <= vlan_id <= 4095:
            raise InvalidParameter(f"port group {name}: VLAN {vlan_id} is not 0..4095")
        if name.lower() in target.port_groups:
            raise DuplicateName(f"port group {name} already exists on {host}")
        group = PortGroup(name, vlan_id)
        target.port_groups[name.lower()] = group
        self._changed()
        return group

    # -- VMs --------------------------------------------------------------------------------

    def create_vm(self, name: str, *, host: str, datastore: str, os_type: str = "Windows",
                  os_name: str = "Windows Server 2016", disks_gb: tuple[int, ...] = (40,),
                  nics: tuple[tuple[str, str | None], ...] = (), write_rate: float = 0.0,
                  power_on: bool = True, written: int = 0) -> VirtualMachine:
        """``CreateVM_Task``: a VM on ``host`` with its VMDKs on ``datastore`` (thin: the datastore's
        free space is not taken) and a NIC per ``(port group, IPv4 address)``; its disks hold the
        writes up to sequence number ``written`` (a recovery VM's: its point's)."""
        target = self.host(host)
        if name.lower() in self.vms:
            raise DuplicateName(f"a VM named {name} already exists in {self.name}")
        store = target.datastores.get(datastore.lower())
        if store is None:
            raise ObjectNotFound(f"no datastore {datastore} on {host}")
        if os_type not in OS_TYPES:
            raise InvalidParameter(f"os_type must be one of {OS_TYPES}, not {os_type!r}")
        if not disks_gb or any(size <= 0 for size in disks_gb):
            raise InvalidParameter(f"a VM needs one or more disks of > 0 GiB, not {disks_gb!r}")
        for group, _ in nics:
            if group.lower() not in target.port_groups:
                raise ObjectNotFound(f"no port group {group} on {host}")
        workload = Workload(write_rate, base=written)
        disks = [VirtualDisk(self.new_id(), f"[{store.name}] {name}/{name}{'' if i == 0 else f'_{i}'}.vmdk",
                             size * GIB, store.name) for i, size in enumerate(disks_gb)]
        adapters = [Nic(f"Network adapter {i + 1}", target.port_groups[group.lower()].name, self._mac(), address)
                    for i, (group, address) in enumerate(nics)]
        vm = VirtualMachine(self.new_id(), name, os_type, os_name, disks, adapters, workload,
                            vcenter=self.name, host=target.name)
        self.vms[name.lower()] = vm
        if power_on:
            self.power_on_vm(name)
        self._changed()
        return vm

    def vm(self, name: str) -> VirtualMachine:
        found = self.vms.get(name.lower())
        if found is None:
            raise ObjectNotFound(f"no VM {name} in {self.name}")
        return found

    def destroy_vm(self, name: str) -> None:
        """``Destroy_Task``: the VM and its disks are gone (a running VM is powered off first)."""
        vm = self.vm(name)
        if vm.power_state == "poweredOn":
            self.power_off_vm(name)
        del self.vms[name.lower()]
        self._changed()

    def power_on_vm(self, name: str) -> None:
        """``PowerOnVM_Task``: the VM runs and its workload writes."""
        vm = self.vm(name)
        if vm.power_state == "poweredOn":
            raise InvalidState(f"VM {name} is already powered on")
        vm.power_state = "poweredOn"
        vm.workload.start(self.sim.clock.now)
        self._changed()

    def power_off_vm(self, name: str) -> None:
        """``PowerOffVM_Task``: the VM stops, and so do its writes."""
        vm = self.vm(name)
        if vm.power_state != "poweredOn":
            raise InvalidState(f"VM {name} is not powered on")
        vm.power_state = "poweredOff"
        vm.workload.stop(self.sim.clock.now)
        self._changed()

    def _mac(self) -> str:
        """A MAC in VMware's own OUI 00:50:56 (the range vCenter assigns from)."""
        bits = self.sim.random.stream(self._ids).getrandbits(22)
        return f"00:50:56:{bits >> 16 & 0x3F:02x}:{bits >> 8 & 0xFF:02x}:{bits & 0xFF:02x}"
