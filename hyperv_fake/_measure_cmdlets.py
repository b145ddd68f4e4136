"""Reading replication back: ``Get-VMReplication``, ``Measure-VMReplication``, recovery points (§2.3–2.8).

Every read first computes replication up to now (the closed-form link), so what it shows is current.
"""

from __future__ import annotations

from ._cmdlet import cmdlet
from ._enums import ReplicationMode, ReplicationState, SnapshotType
from ._health import evaluate_health
from ._hostbase import HostBase
from ._outlook import ReplicationOutlook, outlook
from ._points import RecoveryPoint
from ._relationship import Relationship, VMReplication
from ._statistics import ReplicationStatistics
from ._vm import VM

__all__ = ["MeasureCmdlets"]


class MeasureCmdlets(HostBase):
    """``Get-VMReplication``, ``Measure-VMReplication``, ``Reset-VMReplicationStatistics``, ``Get-VMSnapshot``."""

    def get_vm_replication(self, vm_name: str) -> VMReplication:
        """``Get-VMReplication``: the relationship as of now (computed up to now first)."""
        vm = self._vm(vm_name)
        rel = self._relationship(vm)
        self._settle(vm)
        return self._replication_of(vm, rel)

    def replication_outlook(self, vm_id: str) -> ReplicationOutlook | None:
        """Not a cmdlet: ``Get-VMReplication`` of the VM with that ID (None if it does not replicate
        or is not here), with how long the reading holds (``_outlook``) — what a management server
        needs to report replication without reading it again every cycle."""
        vm = self.find_vm_by_id(vm_id)
        if vm is None or vm.replication is None:
            return None
        self._settle(vm)
        rel = vm.replication
        return outlook(self, rel, self._replication_of(vm, rel))

    def _replication_of(self, vm: VM, rel: Relationship) -> VMReplication:
        health, _ = evaluate_health(rel, self.now)
        s = rel.settings
        return VMReplication(
            vm.name, vm.id, rel.mode, rel.state, health, rel.relationship_type, s.primary_server_name,
            s.replica_server_name, s.replica_server_port, s.authentication_type, s.certificate_thumbprint,
            s.replication_frequency_sec, s.recovery_history, s.vss_snapshot_frequency_hour, s.compression_enabled,
            s.excluded_vhd_path, s.auto_resynchronize_enabled, rel.trust_group, rel.storage_location, rel.last_error)

    @cmdlet("Measure-VMReplication")
    def measure_vm_replication(self, vm_name: str) -> ReplicationStatistics:
        """``Measure-VMReplication`` (§2.7): statistics of the monitoring interval in progress, and health."""
        vm = self._vm(vm_name)
        rel = self._relationship(vm)
        self._settle(vm)
        clock = self.fabric.sim.clock
        health, details = evaluate_health(rel, self.now)
        stats = rel.stats
        pending = 0
        if rel.is_primary:
            pending = (vm.workload.written(self.now) - rel.applied.last) * vm.workload.bytes_per_write
        last = rel.last_replication_time
        return ReplicationStatistics(
            vm_name=vm.name, mode=rel.mode, state=rel.state, health=health, replication_health_details=details,
            primary_server_name=rel.settings.primary_server_name, replica_server_name=rel.settings.replica_server_name,
            last_replication_time=None if last is None else clock.to_datetime(last),
            last_replication_type=rel.last_replication_type, pending_replication_size=pending,
            start_statistic_time=clock.to_datetime(stats.start),
            end_statistic_time=self.fabric.sim.skews.utcnow(self.name),  # as this host's clock reads
            replication_success_count=stats.success_count, replication_miss_count=stats.miss_count,
            network_failure_count=stats.network_failure_count, replication_failure_count=stats.failure_count,
            replication_size=stats.size, max_replication_size=stats.max_size,
            average_replication_size=stats.size // stats.success_count if stats.success_count else 0,
            average_replication_latency=0.0,  # policy APPLY_AT_CYCLE_INSTANT
            application_consistent_snapshot_failure_count=stats.app_consistent_failure_count,
            last_test_failover_time=None if rel.last_test_failover_time is None
            else clock.to_datetime(rel.last_test_failover_time),
        )

    def reset_vm_replication_statistics(self, vm_name: str) -> None:
        """``Reset-VMReplicationStatistics`` zeroes the interval's counters (§2.7)."""
        vm = self._vm(vm_name)
        rel = self._relationship(vm)
        self._settle(vm)
        rel.stats.reset(self.now)

    def get_vm_snapshot(self, vm_name: str, *,
                        snapshot_type: SnapshotType = SnapshotType.Replica) -> list[RecoveryPoint]:
        """``Get-VMSnapshot -SnapshotType Replica``: a replica's recovery points, oldest first, latest last (§2.8)."""
        vm = self._vm(vm_name)
        rel = vm.replication
        if rel is None or rel.mode is not ReplicationMode.Replica or rel.state is ReplicationState.FailedOver:
            return []  # Complete-VMFailover removes every recovery point (§3.4)
        self._settle(vm)
        points = rel.recovery_points()
        if snapshot_type is SnapshotType.AppConsistentReplica:
            return [p for p in points if p.snapshot_type is SnapshotType.AppConsistentReplica]
        return points
