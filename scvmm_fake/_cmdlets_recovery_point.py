"""Change recovery point on the VMM server where a failed-over VM runs: what ASR's
``ApplyRecoveryPoint`` job asks (asr-orchestration.md §B.5; hyperv-scvmm.md §3.4, §5.6).

Hyper-V changes a failover's point by cancelling the failover and failing over again: ``Stop-VMFailover``
turns the VM off and discards the failover's disk, ``Start-VMFailover -VMRecoverySnapshot`` fails over to
the chosen point (``StartReplicaVm`` then boots it). The NICs' failover TCP/IP and the addresses VMM
granted for the failover stay as they are — the same addresses, none granted or returned — and the
guest takes them again when it boots. Should Hyper-V refuse the chosen point, the VM is failed over
again to the point it was at, so the failover is as it was.
"""

from __future__ import annotations

from typing import Any

from hyperv_fake import HyperVError, HyperVHost, RecoveryPoint, ReplicationState

from ._cmdlets_failover import FailoverCmdlets, _wait
from ._protection_record import text
from .errors import InvalidParameter, ObjectNotFound, ReplicationFailed

__all__ = ["RecoveryPointCmdlets"]

_SAME_INSTANT = 1e-6  # a point's time as ASR was told it (JSON keeps a float exactly; this is slack)


class RecoveryPointCmdlets(FailoverCmdlets):
    """``ApplyRecoveryPoint``: fail a failed-over replica over again, to another of its points."""

    def apply_recovery_point(self, payload: dict[str, Any]) -> dict[str, Any]:
        """``{vmId, pointTime, latest}`` → ``{}``: the replica of ``vmId`` failed over to the point at
        ``pointTime`` (its latest point if ``latest``, else the hourly one), off until started again."""
        record = self._replica_record(text(payload, "vmId"))
        host, hv = record.vm_host.host, record.vm
        rel = hv.replication
        previous = None if rel is None else rel.failed_over_point
        if rel is None or rel.state is not ReplicationState.FailedOverWaitingCompletion or previous is None:
            raise InvalidParameter(f"{hv.name} on {host.fqdn} is not failed over waiting for completion: its "
                                   "recovery point cannot change")
        wanted = _point_at(host, hv.name, payload)
        try:
            _wait(host, "Stop-VMFailover", host.stop_vm_failover(hv.name))
            try:
                _wait(host, "Start-VMFailover", host.start_vm_failover(hv.name, recovery_point=wanted))
            except (HyperVError, ReplicationFailed):
                _wait(host, "Start-VMFailover", host.start_vm_failover(hv.name, recovery_point=previous))
                raise
        except HyperVError as error:
            raise ReplicationFailed(host.fqdn, "Start-VMFailover -VMRecoverySnapshot", str(error)) from error
        self._touch()
        now = self.sim.clock.now
        self._record("vmm.failover", {  # as a failover records it: the RPO of the point now failed over to
            "vm": hv.name, "addresses": [str(a) for nic in record.virtual_network_adapters for a in nic.ipv4_addresses],
            "pointTime": wanted.time, "rpoSeconds": round(now - wanted.time, 6), "changedFrom": previous.time,
            "image": hv.workload.image(now).describe()})  # what the VM holds now (checkers.data_loss)
        return {}


def _point_at(host: HyperVHost, vm_name: str, payload: dict[str, Any]) -> RecoveryPoint:
    """The recovery point of ``vm_name`` that ``payload``'s ``pointTime`` and ``latest`` name."""
    when, latest = payload.get("pointTime"), payload.get("latest")
    if not isinstance(when, (int, float)) or isinstance(when, bool) or not isinstance(latest, bool):
        raise InvalidParameter(f"pointTime {when!r} and latest {latest!r} do not name a recovery point")
    for point in host.get_vm_snapshot(vm_name):
        if point.latest is latest and abs(point.time - float(when)) < _SAME_INSTANT:
            return point
    raise ObjectNotFound(f"{vm_name} on {host.fqdn} has no {'latest ' if latest else ''}recovery point at {when}")
