"""What a Replica server does with each authenticated request, on its own host (§1.2, §2.1–2.2, §2.6, §3.3).

Every handler checks before it changes anything and refuses with a ``RefusalReason`` the primary
records: the replica VM must exist (VM_NOT_FOUND), be in a state that accepts the request
(INVALID_REPLICA_STATE), and belong to a trust group the primary is authorized for
(TRUST_GROUP_MISMATCH: "a server in trust zone 2 cannot send replication for a replica VM created
by a server in trust zone 1", §1.2).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._authorization import AuthorizationEntry
from ._enums import ReplicationMode, ReplicationState, ReplicationType, VMState
from ._errors import RefusalReason
from ._relationship import Relationship
from ._settings import ReplicationSettings
from ._vm import VM, HardDiskDrive, VMNetworkAdapter
from ._wire import CreateReplica, FinalLog, Reconnect, ReplicaSpec, Reverse, TransferComplete, TransferStarted

if TYPE_CHECKING:
    from ._hostbase import HostBase

__all__ = ["ReplicaService", "Refuse", "ACCEPTING_STATES"]

ACCEPTING_STATES = frozenset({
    ReplicationState.WaitingForInitialReplication, ReplicationState.Replicating, ReplicationState.Resynchronizing,
})
"""Replica states in which log is accepted (a paused, failed-over replica refuses it)."""


class Refuse(Exception):
    """Raised by a handler: the request is refused for ``reason``."""

    def __init__(self, reason: RefusalReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class ReplicaService:
    """The Replica-server half of the protocol for one host."""

    def __init__(self, host: HostBase) -> None:
        self.host = host

    def handle(self, request: object, entries: Sequence[AuthorizationEntry]) -> object:
        """Serve one request from an authenticated, authorized primary; raises ``Refuse``."""
        if isinstance(request, CreateReplica):
            return self._create(request.spec, entries)
        if isinstance(request, Reverse):
            return self._reverse(request, entries)
        if not isinstance(request, (Reconnect, TransferStarted, TransferComplete, FinalLog)):
            raise Refuse(RefusalReason.INVALID_REPLICA_STATE, f"unexpected request {type(request).__name__}")
        rel = self._replica(request.vm_id, entries)
        if isinstance(request, Reconnect):
            self._require(rel, ACCEPTING_STATES, "accept replication")
        elif isinstance(request, TransferStarted):
            self._transfer_started(rel, request.kind)
        elif isinstance(request, TransferComplete):
            self._transfer_complete(rel, request)
        elif isinstance(request, FinalLog):
            self._require(rel, {ReplicationState.Replicating}, "accept the final log of a planned failover")
            self._settle(rel)
            rel.applied_log(request.image, request.at, ReplicationType.Planned)
            rel.vm.guest = request.guest.copy()
            rel.planned_ready = True
        return None

    # -- lookups ------------------------------------------------------------------------------------

    def _replica(self, vm_id: str, entries: Sequence[AuthorizationEntry]) -> Relationship:
        vm = self.host.find_vm_by_id(vm_id)
        if vm is None or vm.replication is None or vm.replication.mode is not ReplicationMode.Replica:
            raise Refuse(RefusalReason.VM_NOT_FOUND, f"no replica virtual machine {vm_id} on {self.host.fqdn}")
        rel = vm.replication
        if rel.trust_group not in {entry.trust_group for entry in entries}:
            raise Refuse(RefusalReason.TRUST_GROUP_MISMATCH,
                         f"replica virtual machine '{vm.name}' belongs to trust group '{rel.trust_group}'")
        return rel

    @staticmethod
    def _require(rel: Relationship, states: frozenset[ReplicationState] | set[ReplicationState], what: str) -> None:
        if rel.state not in states:
            raise Refuse(RefusalReason.INVALID_REPLICA_STATE,
                         f"replica virtual machine '{rel.vm.name}' cannot {what} in state {rel.state.value}")

    @staticmethod
    def _settle(rel: Relationship) -> None:
        if rel.link is not None:
            rel.link.settle()

    # -- handlers ----------------------------------------------------------------------------------

    def _create(self, spec: ReplicaSpec, entries: Sequence[AuthorizationEntry]) -> Relationship:
        """Create the replica VM (§2.1: adapters disconnected), or adopt a ``-AsReplica`` VM (§2.2)."""
        existing = self.host.find_vm_by_id(spec.vm_id)
        if existing is not None:
            rel = existing.replication
            adoptable = (rel is not None and rel.mode is ReplicationMode.Replica and rel.link is None
                         and rel.state is ReplicationState.WaitingForInitialReplication)
            if not adoptable:
                raise Refuse(RefusalReason.INVALID_REPLICA_STATE,
                             f"virtual machine {spec.vm_id} already exists on {self.host.fqdn}")
            assert rel is not None
            if rel.trust_group not in {entry.trust_group for entry in entries}:
                raise Refuse(RefusalReason.TRUST_GROUP_MISMATCH,
                             f"virtual machine '{existing.name}' belongs to trust group '{rel.trust_group}'")
            rel.settings = spec.settings
            return rel
        entry = entries[0]
        vm = self.host.add_vm(spec.vm_name, vm_id=spec.vm_id, generation=spec.generation)
        vm.disks = [HardDiskDrive(f"{entry.replica_storage_location}\\{path.rsplit(chr(92), 1)[-1]}", size)
                    for path, size in spec.disks]
        self.host.fabric.revision += 1
        vm.adapters = [VMNetworkAdapter(name, mac, legacy) for name, mac, legacy in spec.adapters]
        rel = self._new_replica(vm, spec.settings, ReplicationState.WaitingForInitialReplication, entry)
        return rel

    def _new_replica(self, vm: VM, settings: ReplicationSettings, state: ReplicationState,
                     entry: AuthorizationEntry) -> Relationship:
        rel = Relationship(vm, ReplicationMode.Replica, ReplicationState.Disabled, settings,
                           stats_start=self.host.monitoring_window_start(),
                           trust_group=entry.trust_group, storage_location=entry.replica_storage_location)
        vm.replication = rel
        rel.set_state(state, "replica relationship created")
        return rel

    def _transfer_started(self, rel: Relationship, kind: str) -> None:
        if kind == "resync":
            self._require(rel, ACCEPTING_STATES, "start resynchronization")
            self._settle(rel)
            rel.set_state(ReplicationState.Resynchronizing, "resynchronization started")
        else:  # a replica that completed an IR whose answer the primary never got takes it again
            self._require(rel, {ReplicationState.WaitingForInitialReplication, ReplicationState.Replicating},
                          "start initial replication")
            self._settle(rel)
            rel.set_state(ReplicationState.WaitingForInitialReplication, "initial replication started")

    def _transfer_complete(self, rel: Relationship, request: TransferComplete) -> None:
        wanted = (ReplicationState.Resynchronizing if request.kind == "resync"
                  else ReplicationState.WaitingForInitialReplication)
        self._require(rel, {wanted}, f"complete {request.kind}")
        self._settle(rel)
        rel.applied_log(request.image, request.at, ReplicationType.Regular)
        rel.vm.guest = request.guest.copy()
        rel.points = []  # resync deletes recovery points (§2.6 step 7); IR starts the first
        rel.points_anchor = request.at
        rel.set_state(ReplicationState.Replicating, f"{request.kind} complete (event 29244)" if request.kind == "resync"
                      else "initial replication complete")

    def _reverse(self, request: Reverse, entries: Sequence[AuthorizationEntry]) -> tuple[Relationship, bool]:
        """The old primary VM becomes the replica (§3.3 step 4); planned iff it was PreparedForFailover."""
        vm = self.host.find_vm_by_id(request.vm_id)
        if vm is None or vm.replication is None or vm.replication.mode is not ReplicationMode.Primary:
            raise Refuse(RefusalReason.VM_NOT_FOUND, f"no primary virtual machine {request.vm_id} on {self.host.fqdn}")
        if vm.state is not VMState.Off:
            raise Refuse(RefusalReason.INVALID_REPLICA_STATE,
                         f"virtual machine '{vm.name}' is {vm.state.value}; it must be off to become the replica")
        old = vm.replication
        planned = old.state is ReplicationState.PreparedForFailover
        if old.link is not None:
            old.link.close()
        vm.replication = None
        policy = self.host.fabric.policy
        state = (ReplicationState.Replicating
                 if planned or not policy.reverse_after_unplanned_needs_initial_replication
                 else ReplicationState.WaitingForInitialReplication)
        rel = self._new_replica(vm, request.settings, state, entries[0])
        if state is ReplicationState.Replicating:
            now = self.host.fabric.sim.clock.now
            rel.applied_log(vm.workload.image(now), now, ReplicationType.Planned)
            rel.points_anchor = now
        return rel, planned
