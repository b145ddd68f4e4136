"""The configuration server's replication pairs and what is done to them: enable and disable
protection, test failover and its cleanup, unplanned failover, commit and reprotect (REFERENCE.md §10).

A pair is known by its original machine's id (what the vault's item names it by) for its whole
life: after a failover and reprotect that machine's pair replicates the failed-over VM back, and a
second failover (failback) and reprotect restore the first direction. Each call checks everything
before it changes anything (a ``VmwareError`` otherwise). What moves by itself is a pair's stage:
one timer per pair, at its next stage end, tells the configuration server its report changed.
"""

from __future__ import annotations

import math
import uuid
from typing import TYPE_CHECKING, Any

from simcore import FaultRule, PartitionTimeline, Phase, Timer

from ._machines import Machine, MobilityService, PhysicalServer, VirtualMachine
from ._replication import Failover, PairSettings, RecoveryPoint, ReplicationPair, tags
from ._scout import MasterTarget
from ._vcenter import GIB, VCenter
from .errors import DuplicateName, InvalidParameter, InvalidState, ObjectNotFound
from .policy import LATEST_TAG_TYPE, PAIR_STAGES, POINT_ID_NAMESPACE, SCOUT_VERSION, TEST_VM_NAME

if TYPE_CHECKING:
    from ._configuration_server import ConfigurationServer

__all__ = ["Protection"]

_DIRECTIONS = {"Forward": "Reverse", "Reverse": "Forward"}


class Protection:
    """The replication pairs of ``cs``, by original machine id (lower), in the order they were enabled."""

    def __init__(self, cs: ConfigurationServer) -> None:
        self.cs = cs
        self.sim = cs.sim
        self.pairs: dict[str, ReplicationPair] = {}
        self.partitions = PartitionTimeline(cs.sim)
        self._stages: dict[str, tuple[str, bool]] = {}  # pair id -> (stage, RPO over threshold) last reported
        self._timers: dict[str, Timer] = {}  # pair id -> its next stage end
        cs.sim.faults.on_add(self._fault_plan_changed)
        cs.sim.faults.on_heal(self._fault_plan_changed)

    def pair(self, machine_id: str) -> ReplicationPair:
        found = self.pairs.get(machine_id.lower())
        if found is None:
            raise ObjectNotFound(f"no replication pair of machine {machine_id} on {self.cs.name}")
        return found

    def group(self, pair: ReplicationPair) -> list[ReplicationPair]:
        """The pairs replicating consistently with ``pair``: its multi-VM group's in the same direction
        under a multi-VM policy, else ``pair`` alone."""
        if not pair.settings.multi_vm:
            return [pair]
        return [p for p in self.pairs.values()
                if p.settings.multi_vm and p.group_id == pair.group_id and p.direction == pair.direction]

    # -- enable, disable --------------------------------------------------------------------------

    def enable(self, machine_id: str, fields: dict[str, Any]) -> ReplicationPair:
        """Start replicating the machine (``InMageEnableProtectionInput`` as the vault sends it, with its
        ``policy``), pushing the Mobility service first if it is missing."""
        machine = next((m for m in self.cs.machines() if m.id.lower() == machine_id.lower()), None)
        if machine is None:
            raise ObjectNotFound(f"no VM or physical server {machine_id} known to {self.cs.name}")
        if machine_id.lower() in self.pairs:
            raise DuplicateName(f"{machine.name} is already protected by {self.cs.name}")
        target = self.cs.master_target(_text(fields, "masterTargetId"))
        if isinstance(machine, VirtualMachine) and machine.vcenter.lower() == target.vcenter.lower():
            raise InvalidParameter(f"master target {target.name} is on {machine.name}'s own vCenter {target.vcenter}: "
                                   "it must be on the secondary site")
        wanted = fields.get("disksToInclude")
        disks = [d for d in machine.disks if wanted is None or d.id in wanted]
        if not disks or (wanted is not None and len(disks) != len(wanted)):
            raise InvalidParameter(f"disksToInclude {wanted!r} must name disks of {machine.name}")
        pair = self._new_pair(machine, machine, "Forward", target, fields, disks,
                              group=(_text(fields, "multiVmGroupId"), _text(fields, "multiVmGroupName")))
        if machine.mobility is None:
            self.cs.install_mobility_service(machine.name, account=_optional(fields, "runAsAccountId"),
                                             process_server=pair.process_server.name)
        return self._begin(pair)

    def _new_pair(self, origin: Machine, machine: Machine, direction: str, target: MasterTarget,
                  fields: dict[str, Any], disks: list[Any], *, group: tuple[str, str]) -> ReplicationPair:
        """A pair as ``fields`` asks for it, checked against this server's components (nothing kept yet)."""
        server = self.cs.process_server(_text(fields, "processServerId"))
        drive = _text(fields, "retentionDrive")
        if drive.lower() not in target.retention_volumes:
            raise InvalidParameter(f"{drive} is not a retention volume of master target {target.name}")
        datastore = _optional(fields, "datastoreName")
        if datastore is not None and not any(datastore.lower() in h.datastores for h in self._site(target).hosts.values()):
            raise InvalidParameter(f"no datastore {datastore} on {target.vcenter}, the vCenter of {target.name}")
        account = _optional(fields, "runAsAccountId")
        if account is not None:
            self.cs.account(account)
        settings = PairSettings.of(fields.get("policy"))
        members = [p for p in self.pairs.values() if settings.multi_vm and p.settings.multi_vm
                   and p.group_id == group[0] and p.direction == direction and p.origin is not origin]
        if any(p.master_target is not target for p in members):
            raise InvalidParameter(f"the multi-VM group {group[1]} replicates to {members[0].master_target.name}: "
                                   "every machine of a group uses the same master target")
        return ReplicationPair("", origin, machine, direction, server, target,
                               target.retention_volumes[drive.lower()].volume_name, datastore, disks, *group,
                               settings, self.sim.clock.now, self.partitions)

    def _begin(self, pair: ReplicationPair) -> ReplicationPair:
        pair.id = self.cs._new_id()  # drawn once nothing can be refused: a refusal draws nothing
        self.pairs[pair.origin.id.lower()] = pair
        self.sim.history.record(self.cs.name, "cs.pair.created", Phase.OK, {
            "pair": pair.id, "machine": pair.origin.id, "name": pair.origin.name, "source": pair.machine.id,
            "direction": pair.direction, "masterTarget": pair.master_target.name})
        self._arm(pair)
        return pair

    def disable(self, machine_id: str, *, delete_replica: bool) -> None:
        """End the pair: a live test failover's VM goes; ``delete_replica`` also drops what the master
        target holds (there is no replica VM besides a failover's, which is then the machine's own)."""
        pair = self.pair(machine_id)
        if pair.test is not None:
            self._destroy(pair.test.vm)
        self._disarm(pair)
        self._stages.pop(pair.id, None)
        del self.pairs[machine_id.lower()]
        self.sim.history.record(self.cs.name, "cs.pair.removed", Phase.OK, {
            "pair": pair.id, "machine": pair.origin.id, "replicaVmDeletionStatus": "Delete" if delete_replica else "Retain"})
        self.cs._changed()

    # -- stages ---------------------------------------------------------------------------------

    def _arm(self, pair: ReplicationPair) -> None:
        """Report the pair's stage and whether its RPO exceeds the policy's threshold if either moved,
        and wake at the next instant one can (a stage end; while a partition holds the master target's
        data back, the instant its RPO reaches the threshold); no timer while a partition with no end
        holds a stage back: the heal re-arms it."""
        now = self.sim.clock.now
        held = pair.held(now) if pair.stopped is None else None
        state = (pair.stage(now), held is not None and now - held >= pair.settings.rpo_threshold)
        if self._stages.get(pair.id) != state:
            self._stages[pair.id] = state
            self.cs._changed()
        self._disarm(pair)
        upcoming = [end for end in pair.stage_ends() if end > now]
        if held is not None and not state[1] and pair.held_back(now):
            upcoming.append(held + pair.settings.rpo_threshold)
        soonest = min(upcoming, default=math.inf)
        if math.isfinite(soonest) and pair.stopped is None:
            self._timers[pair.id] = self.sim.scheduler.call_at(soonest, self._arm, pair,
                                                               label=f"pair {pair.origin.name} stage")

    def _disarm(self, pair: ReplicationPair) -> None:
        timer = self._timers.pop(pair.id, None)
        if timer is not None:
            timer.cancel()

    def _fault_plan_changed(self, rule: FaultRule) -> None:
        """A partition of a pair's process server and master target moves its stage ends and freezes
        (or thaws) what its master target holds: re-arm every pair and report again."""
        touched = [p for p in self.pairs.values() if p.stopped is None and any(
            rule.match.matches("net.send", context) for context in p._contexts())]
        for pair in touched:
            self._arm(pair)
        if touched:
            self.cs._changed()
            if rule.end is not None and rule.end > self.sim.clock.now:
                self.sim.scheduler.call_at(rule.end, self._thawed, touched, label="partition ends")

    def _thawed(self, pairs: list[ReplicationPair]) -> None:
        for pair in pairs:
            if self.pairs.get(pair.origin.id.lower()) is pair:
                self._arm(pair)
        self.cs._changed()

    # -- points ---------------------------------------------------------------------------------

    def window(self, pair: ReplicationPair, t: float) -> tuple[float, float] | None:
        """``(oldest, newest)`` instants a failover of ``pair``'s group can go to at ``t`` (None before
        every member is in Differential Sync)."""
        if pair.failover is not None and pair.failover.committed:  # policy COMMIT_DISCARDS_POINTS
            return None
        members = self.group(pair)
        held = [p.held(t) for p in members]
        if any(h is None for h in held):
            return None
        newest = min(h for h in held if h is not None)
        oldest = max(max(p.synced_from() for p in members), t - pair.settings.history)
        return min(oldest, newest), newest

    def points(self, pair: ReplicationPair, t: float) -> list[RecoveryPoint]:
        """The tags a failover of ``pair`` can choose at ``t``, oldest first (shared by a multi-VM group)."""
        window = self.window(pair, t)
        if window is None:
            return []
        return tags(f"{_scope(pair)}:{pair.direction}", *window, pair.settings)

    def _point(self, pair: ReplicationPair, kind: str, point_id: str | None) -> RecoveryPoint:
        now = self.sim.clock.now
        window = self.window(pair, now)
        if pair.stage(now) != PAIR_STAGES[-1] or window is None:
            raise InvalidState(f"{pair.origin.name} has no recovery point yet: its pair is {pair.stage(now)}")
        if kind == "LatestTime":
            name = f"{_scope(pair)}:LatestTime:{window[1]!r}"
            return RecoveryPoint(str(uuid.uuid5(uuid.UUID(POINT_ID_NAMESPACE), name)), window[1], "CrashConsistent",
                                 pair.settings.multi_vm)
        points = self.points(pair, now)
        if kind == "LatestTag":
            found = [p for p in points if p.type == LATEST_TAG_TYPE]
            if not found:
                raise InvalidState(f"{pair.origin.name} has no {LATEST_TAG_TYPE} recovery point")
            return found[-1]
        if kind == "Custom":
            chosen = next((p for p in points if point_id is not None and p.id.lower() == point_id.lower()), None)
            if chosen is None:
                raise ObjectNotFound(f"{point_id} is not a recovery point {pair.origin.name} still has")
            return chosen
        raise InvalidParameter(f"recoveryPointType must be LatestTime, LatestTag or Custom, not {kind!r}")

    # -- failovers ------------------------------------------------------------------------------

    def test_failover(self, machine_id: str, kind: str, point_id: str | None) -> Failover:
        """A test VM from the point on the master target's site; replication goes on."""
        pair = self._live(machine_id)
        if pair.test is not None:
            raise InvalidState(f"{pair.origin.name} already has a test failover VM {pair.test.vm.name}")
        point = self._point(pair, kind, point_id)
        name = TEST_VM_NAME.format(name=pair.machine.name)
        pair.test = Failover("Test", self._recover(pair, point, name, onto=None), point)
        self._failed_over(pair, pair.test)
        return pair.test

    def test_failover_cleanup(self, machine_id: str) -> None:
        pair = self.pair(machine_id)
        if pair.test is None:
            raise InvalidState(f"{pair.origin.name} has no test failover to clean up")
        self._destroy(pair.test.vm)
        self.sim.history.record(self.cs.name, "cs.failover.cleanup", Phase.OK,
                                {"machine": pair.origin.id, "recoveryVm": pair.test.vm.id})
        pair.test = None
        self.cs._changed()

    def unplanned_failover(self, machine_id: str, kind: str, point_id: str | None) -> Failover:
        """The machine recovered from the point on the master target's site (onto its VM there, if it
        has one: policy ``FAILBACK_TARGET``); the pair stops replicating."""
        pair = self._live(machine_id)
        if pair.test is not None:
            raise InvalidState(f"{pair.origin.name} has a test failover VM: clean it up first")
        point = self._point(pair, kind, point_id)
        pair.failover = Failover("Unplanned", self._recover(pair, point, pair.machine.name, onto=pair.target), point)
        pair.stopped = self.sim.clock.now
        self._disarm(pair)
        self._failed_over(pair, pair.failover)
        return pair.failover

    def start_recovery_vm(self, machine_id: str, kind: str) -> VirtualMachine:
        """Power on the VM the pair's last ``kind`` ("Test" or "Unplanned") failover made."""
        pair = self.pair(machine_id)
        failover = pair.test if kind == "Test" else pair.failover if kind == "Unplanned" else None
        if failover is None:
            raise InvalidState(f"{pair.origin.name} has no {kind} failover VM to start")
        vm = failover.vm
        if not vm.powered_on:
            self.cs.vcenters[vm.vcenter.lower()].vcenter.power_on_vm(vm.name)
        return vm

    def commit(self, machine_id: str) -> None:
        pair = self.pair(machine_id)
        if pair.failover is None or pair.failover.committed:
            raise InvalidState(f"{pair.origin.name} has no failover to commit")
        pair.failover.committed = True
        self.sim.history.record(self.cs.name, "cs.failover.commit", Phase.OK, {"machine": pair.origin.id})
        self.cs._changed()

    def reprotect(self, machine_id: str, fields: dict[str, Any]) -> ReplicationPair:
        """Replicate the failed-over VM back through ``fields``' master target, on the other site: the
        machine it failed over from is shut down, its VM (if any) the new pair's target."""
        pair = self.pair(machine_id)
        if pair.failover is None:
            raise InvalidState(f"{pair.origin.name} has not failed over: there is nothing to reprotect")
        recovered = pair.failover.vm
        target = self.cs.master_target(_text(fields, "masterTargetId"))
        if target.vcenter.lower() == recovered.vcenter.lower():
            raise InvalidParameter(f"master target {target.name} is on {recovered.vcenter}, where {recovered.name} "
                                   "runs: a reprotect replicates to the other site")
        reverse = self._new_pair(pair.origin, recovered, _DIRECTIONS[pair.direction], target, fields,
                                 list(recovered.disks), group=(pair.group_id, pair.group_name))
        old = pair.machine
        reverse.target = old if isinstance(old, VirtualMachine) and old.vcenter.lower() == target.vcenter.lower() else None
        reverse.changes_only = reverse.target is not None  # policy REPROTECT_COPIES
        self._shut_down(old)
        if recovered.mobility is None:
            recovered.mobility = MobilityService(self.cs._new_id(), SCOUT_VERSION, self.sim.clock.now, True)
            self.cs.machine_process_server[recovered.id] = reverse.process_server
        self._disarm(pair)
        self._stages.pop(pair.id, None)
        return self._begin(reverse)

    def _live(self, machine_id: str) -> ReplicationPair:
        pair = self.pair(machine_id)
        if pair.stopped is not None:
            raise InvalidState(f"{pair.origin.name} has failed over: its pair no longer replicates")
        return pair

    def _site(self, target: MasterTarget) -> VCenter:
        return self.cs.vcenters[target.vcenter.lower()].vcenter

    def _recover(self, pair: ReplicationPair, point: RecoveryPoint, name: str, *, onto: VirtualMachine | None
                 ) -> VirtualMachine:
        """The VM holding ``pair.machine``'s writes up to the point, powered off until ``start_recovery_vm``
        (policies ``FAILBACK_TARGET``, ``RECOVERY_VM_NETWORK``)."""
        source, now = pair.machine, self.sim.clock.now
        written = source.workload.written(point.time)
        if onto is not None:
            if onto.powered_on:
                raise InvalidState(f"{onto.name} on {onto.vcenter} is running: it cannot be recovered onto")
            onto.workload.set_rate(source.workload.rate, now)
            onto.workload.rebase(written, now)
            return onto
        site = self._site(pair.master_target)
        hosts = list(site.hosts.values())
        host = next((h for h in hosts if pair.datastore is not None and pair.datastore.lower() in h.datastores),
                    hosts[0] if hosts else None)
        if host is None or not host.datastores or not host.port_groups:
            raise InvalidState(f"{site.name} has no host with a datastore and a port group to recover {name} onto")
        if name.lower() in site.vms:
            raise DuplicateName(f"a VM named {name} already exists in {site.name}")
        store = host.datastores[pair.datastore.lower()] if pair.datastore else next(iter(host.datastores.values()))
        first = next(iter(host.port_groups.values())).name
        nics = tuple((host.port_groups[n.network.lower()].name if n.network.lower() in host.port_groups else first,
                      n.ip_address) for n in source.nics)
        return site.create_vm(name, host=host.name, datastore=store.name, os_type=source.os_type,
                              os_name=source.os_name, disks_gb=tuple(max(1, d.size_bytes // GIB) for d in pair.disks),
                              nics=nics, write_rate=source.workload.rate, power_on=False, written=written)

    def _failed_over(self, pair: ReplicationPair, failover: Failover) -> None:
        """Record the failover: its point, what the VM holds, and the RPO the pair's replication had
        reached (``rpoSeconds``: since the newest instant its master target held; a multi-VM group's
        point may be older, the price of its consistency)."""
        vm, point, now = failover.vm, failover.point, self.sim.clock.now
        held = pair.held(now)
        newest = point.time if held is None else held
        self.sim.history.record(self.cs.name, "cs.failover", Phase.OK, {
            "machine": pair.origin.id, "name": pair.origin.name, "kind": failover.kind, "source": pair.machine.id,
            "direction": pair.direction, "processServer": pair.process_server.node.name,
            "masterTarget": pair.master_target.node.name, "pointId": point.id, "pointTime": point.time, "pointType": point.type,
            "lastWrite": vm.workload.written(now), "replicatedUntil": newest, "rpoSeconds": now - newest,
            "pointAgeSeconds": now - point.time,
            "rpoThreshold": pair.settings.rpo_threshold, "recoveryVm": vm.id, "recoveryVmName": vm.name,
            "vCenter": vm.vcenter, "addresses": [nic.ip_address for nic in vm.nics]})
        self.cs._changed()

    def _destroy(self, vm: VirtualMachine) -> None:
        self.cs.vcenters[vm.vcenter.lower()].vcenter.destroy_vm(vm.name)

    def _shut_down(self, machine: Machine) -> None:
        """The machine a reprotect replicates onto stops: its disks are the new pair's target."""
        now = self.sim.clock.now
        if isinstance(machine, VirtualMachine) and machine.powered_on:
            self.cs.vcenters[machine.vcenter.lower()].vcenter.power_off_vm(machine.name)
        elif isinstance(machine, PhysicalServer) and machine.running:
            machine.running = False
            machine.workload.stop(now)


def _scope(pair: ReplicationPair) -> str:
    """What a pair's point ids are named after: its multi-VM group under multi-VM sync, else the pair."""
    return pair.group_id if pair.settings.multi_vm else pair.id


def _text(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidParameter(f"{name} must be a non-empty string, not {value!r}")
    return value


def _optional(fields: dict[str, Any], name: str) -> str | None:
    return None if fields.get(name) is None else _text(fields, name)
