"""The configuration server (CS): the Scout management server that coordinates a deployment and is
the one component that talks to the vault (REFERENCE.md §1–3).

It knows its run-as accounts, process servers (a built-in one, policy ``BUILT_IN_PROCESS_SERVER``),
the vCenters its process servers discovered, the physical servers added to it, its master targets,
the Mobility service on each machine and its replication pairs (``protection``). ``dr_revision``
moves with anything the vault's view depends on; ``_inventory`` is what its agent reports.
"""

from __future__ import annotations

from simcore import Simulation, UnknownNode

from ._protection import Protection
from ._machines import Machine, MobilityService, Nic, PhysicalServer, VirtualDisk, VirtualMachine
from ._scout import MasterTarget, ProcessServer, RunAsAccount
from ._vcenter import GIB, VCenter
from ._workload import Workload
from .errors import ComponentNotRegistered, DuplicateName, InvalidParameter, InvalidState, ObjectNotFound
from .policy import (
    CS_ID_STREAM, DISCOVERY_STATUS, MOBILITY_PUSH_NEEDS_ACCOUNT, OBJECT_ID_STREAM, OS_TYPES, SCOUT_VERSION,
    VCENTER_DISCOVERY_SECONDS, VCENTER_PORT,
)

__all__ = ["ConfigurationServer", "DiscoveredVCenter"]


class DiscoveredVCenter:
    """A vCenter added to the CS under ``name``: which process server discovers it, with which account,
    on which port, and when that discovery ends (policy ``VCENTER_DISCOVERY_SECONDS``)."""

    def __init__(self, vcenter: VCenter, *, name: str, friendly_name: str, process_server: ProcessServer,
                 account: RunAsAccount, port: int, discovered_at: float) -> None:
        self.vcenter = vcenter
        self.name = name
        self.friendly_name = friendly_name
        self.process_server = process_server
        self.account = account
        self.port = port
        self.discovered_at = discovered_at
        self.completed = False

    @property
    def status(self) -> str:
        pending, completed = DISCOVERY_STATUS
        return completed if self.completed else pending


class ConfigurationServer:
    """A configuration server (name, FQDN, address) on ``sim``'s network, with its built-in process server."""

    def __init__(self, sim: Simulation, name: str, *, fqdn: str | None = None, address: str | None = None) -> None:
        self.sim = sim
        self.name = name
        self.fqdn = fqdn or name
        self.node = sim.network.add_node(name, address=address, fqdn=fqdn)
        ids = CS_ID_STREAM.format(server=name)
        self.id = f"{sim.random.stream(ids).getrandbits(256):064x}"
        self.host_id = sim.random.uuid(ids)
        self.version = SCOUT_VERSION
        self._ids = OBJECT_ID_STREAM.format(owner=name)
        self.accounts: dict[str, RunAsAccount] = {}  # by name (lower)
        self.process_servers: dict[str, ProcessServer] = {}  # by name (lower)
        self.vcenters: dict[str, DiscoveredVCenter] = {}  # by vCenter name (lower)
        self.physical_servers: dict[str, PhysicalServer] = {}  # by name (lower)
        self.master_targets: dict[str, MasterTarget] = {}  # by name (lower)
        self.machine_process_server: dict[str, ProcessServer] = {}  # machine id -> the PS its agent reports to
        self.reachable: dict[str, VCenter] = {}  # by node name: the vCenters on this CS's network (``can_reach``)
        self.revision = 0
        self.built_in = ProcessServer(self.host_id, name, self.node)
        self.process_servers[name.lower()] = self.built_in
        self.protection = Protection(self)

    def __repr__(self) -> str:
        return f"ConfigurationServer({self.name!r}, vcenters={len(self.vcenters)})"

    @property
    def dr_revision(self) -> tuple[int, ...]:
        """Moves whenever the inventory could differ: the CS's own changes and its vCenters'."""
        return (self.revision, *(found.vcenter.revision for found in self.vcenters.values()))

    def _changed(self) -> None:
        self.revision += 1

    def _new_id(self) -> str:
        return self.sim.random.uuid(self._ids)

    # -- accounts and components ---------------------------------------------------------------

    def add_run_as_account(self, name: str, *, user_name: str, password: str) -> RunAsAccount:
        """``cspsconfigtool`` → Manage Accounts → Add Account (policy ``RUN_AS_ACCOUNT_IDS``)."""
        if name.lower() in self.accounts:
            raise DuplicateName(f"an account named {name} already exists on {self.name}")
        account = RunAsAccount(str(len(self.accounts) + 1), name, user_name, password)
        self.accounts[name.lower()] = account
        self._changed()
        return account

    def account(self, name_or_id: str) -> RunAsAccount:
        found = self.accounts.get(name_or_id.lower()) or next(
            (a for a in self.accounts.values() if a.account_id == name_or_id), None)
        if found is None:
            raise ObjectNotFound(f"no run-as account {name_or_id} on {self.name}")
        return found

    def add_process_server(self, name: str, *, fqdn: str | None = None, address: str | None = None) -> ProcessServer:
        """A scale-out process server registered to this CS (in the primary site, §1)."""
        if name.lower() in self.process_servers:
            raise DuplicateName(f"a process server named {name} is already registered to {self.name}")
        server = ProcessServer(self._new_id(), name, self.sim.network.add_node(name, address=address, fqdn=fqdn))
        self.process_servers[name.lower()] = server
        self._changed()
        return server

    def process_server(self, name_or_id: str) -> ProcessServer:
        found = self.process_servers.get(name_or_id.lower()) or next(
            (ps for ps in self.process_servers.values() if ps.id == name_or_id), None)
        if found is None:
            raise ComponentNotRegistered(f"no process server {name_or_id} is registered to {self.name}")
        return found

    def add_master_target(self, name: str, *, vcenter: str, fqdn: str | None = None, address: str | None = None,
                          os_type: str = "Windows", retention: tuple[tuple[str, int], ...] = (("E:", 500 * GIB),),
                          ) -> MasterTarget:
        """A master target on the secondary site (a VM of ``vcenter``, which this CS must have
        discovered), registered to this CS."""
        if name.lower() in self.master_targets:
            raise DuplicateName(f"a master target named {name} is already registered to {self.name}")
        if vcenter.lower() not in self.vcenters:
            raise ComponentNotRegistered(f"vCenter {vcenter} is not discovered by {self.name}")
        target = MasterTarget(self.sim, name, id=self._new_id(), vcenter=self.vcenters[vcenter.lower()].vcenter.name,
                              fqdn=fqdn, address=address, os_type=os_type, retention=retention)
        self.master_targets[name.lower()] = target
        self._changed()
        return target

    def master_target(self, name_or_id: str) -> MasterTarget:
        found = self.master_targets.get(name_or_id.lower()) or next(
            (mt for mt in self.master_targets.values() if mt.id == name_or_id), None)
        if found is None:
            raise ComponentNotRegistered(f"no master target {name_or_id} is registered to {self.name}")
        return found

    # -- discovery --------------------------------------------------------------------------------

    def can_reach(self, vcenter: VCenter) -> None:
        """Make ``vcenter`` one this CS can be asked to discover by address (``find_vcenter``)."""
        self.reachable[vcenter.node.name] = vcenter

    def find_vcenter(self, address: str) -> VCenter:
        """The reachable vCenter at ``address`` (an IP address, FQDN or name on the lab's network)."""
        try:
            node = self.sim.network.node(address).name
        except UnknownNode:
            raise ObjectNotFound(f"{self.name} cannot resolve {address}") from None
        found = self.reachable.get(node)
        if found is None:
            raise ObjectNotFound(f"no vCenter server answers at {address} for {self.name}")
        return found

    def add_vcenter(self, vcenter: VCenter, *, account: str, process_server: str | None = None,
                    friendly_name: str | None = None, port: int = VCENTER_PORT,
                    name: str | None = None) -> DiscoveredVCenter:
        """Add a vCenter for discovery by ``process_server`` (default: the built-in one) with the run-as
        ``account`` (SDK ``AddVCenterRequestProperties``; the PS "performs automatic discovery", §2),
        known to the vault as ``name`` (default: the vCenter's own)."""
        name = name or vcenter.name
        if vcenter.name.lower() in self.vcenters or any(f.name.lower() == name.lower() for f in self.vcenters.values()):
            raise DuplicateName(f"vCenter {name} is already discovered by {self.name}")
        if not 0 < port < 65536:
            raise InvalidParameter(f"port {port} is not 1..65535")
        found = DiscoveredVCenter(vcenter, name=name, friendly_name=friendly_name or name,
                                  process_server=self.process_server(process_server or self.name),
                                  account=self.account(account), port=port,
                                  discovered_at=self.sim.clock.now + VCENTER_DISCOVERY_SECONDS)
        self.vcenters[vcenter.name.lower()] = found
        self.can_reach(vcenter)
        self.sim.scheduler.call_at(found.discovered_at, self._discovered, found, label=f"discover {vcenter.name}")
        self._changed()
        return found

    def _discovered(self, found: DiscoveredVCenter) -> None:
        found.completed = True
        self._changed()

    def discovered_vcenter(self, name: str) -> DiscoveredVCenter:
        """The vCenter added under ``name`` (the name the vault knows it by)."""
        found = next((f for f in self.vcenters.values() if f.name.lower() == name.lower()), None)
        if found is None:
            raise ComponentNotRegistered(f"vCenter {name} is not discovered by {self.name}")
        return found

    def update_vcenter(self, name: str, *, friendly_name: str | None = None, address: str | None = None,
                       port: int | None = None, process_server: str | None = None,
                       account: str | None = None) -> DiscoveredVCenter:
        """Change how the vCenter ``name`` is discovered (SDK ``UpdateVCenterRequestProperties``); what is
        ``None`` stays. ``address`` must reach the same vCenter (it names the vCenter, which keeps its
        own address); everything is checked before anything changes."""
        found = self.discovered_vcenter(name)
        server = None if process_server is None else self.process_server(process_server)
        run_as = None if account is None else self.account(account)
        if address is not None and self.find_vcenter(address) is not found.vcenter:
            raise InvalidParameter(f"{address} is not the address of vCenter {found.name}")
        if port is not None and not 0 < port < 65536:
            raise InvalidParameter(f"port {port} is not 1..65535")
        found.friendly_name = friendly_name or found.friendly_name
        found.port = found.port if port is None else port
        found.process_server = server or found.process_server
        found.account = run_as or found.account
        self._changed()
        return found

    def remove_vcenter(self, name: str) -> None:
        """Stop discovering the vCenter ``name``; refused while a replication pair's machine (the
        protected one or the VM it failed over to) or a master target is a VM of it."""
        found = self.discovered_vcenter(name)
        vcenter = found.vcenter.name.lower()
        pairs = [pair.origin.name for pair in self.protection.pairs.values() if any(
            isinstance(machine, VirtualMachine) and machine.vcenter.lower() == vcenter
            for machine in (pair.origin, pair.machine))]
        targets = [target.name for target in self.master_targets.values() if target.vcenter.lower() == vcenter]
        if pairs or targets:
            raise InvalidState(f"vCenter {found.name} is in use by {', '.join([*pairs, *targets])} on {self.name}")
        del self.vcenters[vcenter]
        self.reachable.pop(found.vcenter.node.name, None)
        self._changed()

    def add_physical_server(self, name: str, *, ip_address: str, os_type: str = "Windows",
                            os_name: str = "Windows Server 2012 R2", disks_gb: tuple[int, ...] = (100,),
                            write_rate: float = 0.0) -> PhysicalServer:
        """A physical server added by name and address (it is not discovered: its agent registers it)."""
        if name.lower() in self.physical_servers:
            raise DuplicateName(f"a physical server named {name} is already added to {self.name}")
        if os_type not in OS_TYPES:
            raise InvalidParameter(f"os_type must be one of {OS_TYPES}, not {os_type!r}")
        if not disks_gb or any(size <= 0 for size in disks_gb):
            raise InvalidParameter(f"a server needs one or more disks of > 0 GiB, not {disks_gb!r}")
        workload = Workload(write_rate)
        server = PhysicalServer(self._new_id(), name, os_type, os_name,
                                [VirtualDisk(self._new_id(), f"Disk{i}", size * GIB) for i, size in enumerate(disks_gb)],
                                [Nic("Ethernet0", "physical", self._mac(), ip_address)], workload)
        workload.start(self.sim.clock.now)
        self.physical_servers[name.lower()] = server
        self._changed()
        return server

    def _mac(self) -> str:
        """A locally administered MAC (02:…): a physical server's NIC is no vendor's the emulator knows."""
        bits = self.sim.random.stream(self._ids).getrandbits(24)
        return f"02:00:00:{bits >> 16 & 0xFF:02x}:{bits >> 8 & 0xFF:02x}:{bits & 0xFF:02x}"

    def machines(self) -> list[Machine]:
        """Every machine this CS can protect: the VMs of the vCenters whose discovery completed, then
        the physical servers."""
        out: list[Machine] = [vm for found in self.vcenters.values() if found.completed
                              for vm in found.vcenter.vms.values()]
        return [*out, *self.physical_servers.values()]

    def machine(self, name: str) -> Machine:
        found = next((m for m in self.machines() if m.name.lower() == name.lower()), None)
        if found is None:
            raise ObjectNotFound(f"no VM or physical server {name} known to {self.name}")
        return found

    # -- the Mobility service ---------------------------------------------------------------------

    def install_mobility_service(self, machine: str, *, account: str | None = None, process_server: str | None = None,
                                 push: bool = True) -> MobilityService:
        """Install the Mobility service on ``machine``: pushed by ``process_server`` with the run-as
        ``account`` (policy ``MOBILITY_PUSH_NEEDS_ACCOUNT``), or by hand (``push=False``)."""
        target = self.machine(machine)
        server = self.process_server(process_server or self.name)
        if push and MOBILITY_PUSH_NEEDS_ACCOUNT:
            if account is None:
                raise InvalidParameter(f"a push install on {machine} needs a run-as account of {self.name}")
            self.account(account)
        if target.mobility is not None:
            raise DuplicateName(f"the Mobility service is already installed on {machine}")
        target.mobility = MobilityService(self._new_id(), SCOUT_VERSION, self.sim.clock.now, push)
        self.machine_process_server[target.id] = server
        self._changed()
        return target.mobility
