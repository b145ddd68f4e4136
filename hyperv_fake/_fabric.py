"""The Hyper-V hosts of one simulation (VMM would call this the fabric): where hosts find each other.

One fabric per ``Simulation``: it owns the policy, the certificate judge and its cache, and the
partition timeline that closed-form replication reads. Hosts are nodes on ``sim.network``.
"""

from __future__ import annotations

from simcore import IDENTITY_POINT, FaultRule, Partition, PartitionTimeline, Simulation, Skew

from ._enums import OperatingSystemVersion
from ._errors import ObjectNotFoundError
from ._host import HyperVHost
from ._link import Link
from ._outages import HostOutages
from ._traffic import TrafficFaults
from ._trust import CertificateJudge
from .policy import MOVES_KEPT, HyperVPolicy

__all__ = ["HyperVFabric"]


class HyperVFabric:
    """Creates hosts on the simulation's network and finds them by name, FQDN or address."""

    def __init__(self, sim: Simulation, *, policy: HyperVPolicy | None = None) -> None:
        self.sim = sim
        self.policy = policy if policy is not None else HyperVPolicy()
        self.judge = CertificateJudge(self.policy.trust)
        self.partitions = PartitionTimeline(sim)
        self._hosts: dict[str, HyperVHost] = {}
        self.traffic = TrafficFaults(sim, self.links)
        #: Moves whenever what a management server reads of a host or a VM may have changed: a
        #: VM's disks, a replication state, the future of a replication link (a resume, a new
        #: certificate, a blocked replica, a partition joining or healing the fault plan), the
        #: workload of a replicating VM; a host's certificates, trusted roots, CRLs, Replica server
        #: settings, revocation flag, firewall rules or authorization entries. Never merely because
        #: a replication cycle ran: VMM's Provider compares it instead of re-reading every VM and
        #: host on each poll.
        self.revision = 0
        self._moves: list[tuple[int, str]] = []  # (revision, VM ID) of the moves one VM accounts for
        sim.faults.on_add(self._fault_plan_changed)
        sim.faults.on_heal(self._fault_plan_changed)
        sim.faults.on_add(self._identity_fault_added)
        sim.faults.on_heal(self._skew_healed)

    def links(self) -> list[Link]:
        """Every replication link, by its primary host and VM, in the order they were added."""
        return [vm.replication.link for host in self._hosts.values() for vm in host.vms
                if vm.replication is not None and vm.replication.link is not None
                and vm.replication.link.primary is vm.replication]

    def moved(self, vm_id: str) -> None:
        """What a management server reads of the VM with ID ``vm_id`` changed (on either side: a
        replica keeps its primary's VM ID), and nothing else: the revision moves, noting whose."""
        self.revision += 1
        self._moves.append((self.revision, vm_id))
        if len(self._moves) > 2 * MOVES_KEPT:  # amortised O(1): the oldest half goes at once
            del self._moves[:MOVES_KEPT]

    def moved_since(self, revision: int) -> list[str] | None:
        """The IDs of the VMs whose reading moved after ``revision`` (in order, repeats kept), or None
        when a move since then was not one VM's — or is no longer kept: then read everything."""
        count = self.revision - revision
        if count <= 0:
            return []
        if count > len(self._moves):
            return None
        recent = self._moves[-count:]
        return [vm_id for _, vm_id in recent] if recent[0][0] == revision + 1 else None

    def _fault_plan_changed(self, rule: FaultRule) -> None:
        """A partition joined or left the plan: the closed-form links read it, so their future moved."""
        if isinstance(rule.action, Partition):
            self.revision += 1

    def _identity_fault_added(self, rule: FaultRule) -> None:
        """An identity fault joined the plan, or a host's clock moved (a Skew joined or healed): every
        replicating host authenticates afresh (policy SESSION_PER_OPERATION), so a certificate now
        judged defective is refused at once, and the expiry each session expects follows the clock."""
        if rule.match.point in (IDENTITY_POINT, "pki*") or isinstance(rule.action, Skew):
            for host in self.hosts:
                host._revalidate_links()

    def _skew_healed(self, rule: FaultRule) -> None:
        if isinstance(rule.action, Skew):
            self._identity_fault_added(rule)

    def add_host(
        self,
        name: str,
        *,
        fqdn: str,
        address: str | None = None,
        os_version: OperatingSystemVersion = OperatingSystemVersion.WindowsServer2016,
        domain: str | None = None,
    ) -> HyperVHost:
        """A new Hyper-V host (the role installed, Replica firewall rules present but disabled, §1.1)."""
        self.sim.network.add_node(name, address=address, fqdn=fqdn)
        host = HyperVHost(self, name, fqdn=fqdn, address=address, os_version=os_version, domain=domain)
        self._hosts[name] = host
        HostOutages(host)
        self.sim.history.record(name, "hyperv.host", "info",
                                {"fqdn": fqdn, "os_version": os_version.value, "domain": domain})
        return host

    def host(self, name: str) -> HyperVHost:
        """The host named, or addressed, by ``name`` (its name, FQDN or address)."""
        try:
            node = self.sim.network.node(name)
        except KeyError as exc:
            raise ObjectNotFoundError(f"Hyper-V host '{name}' was not found.") from exc
        host = self._hosts.get(node.name)
        if host is None:
            raise ObjectNotFoundError(f"'{name}' is not a Hyper-V host.")
        return host

    @property
    def hosts(self) -> tuple[HyperVHost, ...]:
        return tuple(self._hosts.values())

    def carry_media(self, source: HyperVHost, path: str, destination: HyperVHost,
                    destination_path: str | None = None) -> None:
        """Ship exported initial-replication media from one host's disks to another's (out of band, §2.2)."""
        if path not in source.files:
            raise ObjectNotFoundError(f"The path '{path}' does not exist on {source.fqdn}.")
        destination.files[destination_path or path] = source.files[path]
