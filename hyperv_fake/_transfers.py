"""Full transfers in flight: initial replication over the network or from a backup (§2.2), resync (§2.6).

A transfer authenticates, tells the replica it begins, lets its transfer time pass (what the disks
hold divided by a policy rate, ``TransferPolicy``), then sends the disks' content as of that instant.
A pause keeps what remains ("Resume continues from where it left off", §2.6); a cancel forgets it.
A failed exchange leaves the primary in Error with the refusal recorded (policy IR_FAILURE_STATE_IS_ERROR).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simcore import Timer

from ._enums import ReplicationState, ReplicationType
from ._errors import OperationFailedError, Refusal, ReplicationRefusedError
from ._exchange import Exchange
from ._jobs import HyperVJob
from ._wire import TransferComplete, TransferStarted

if TYPE_CHECKING:
    from ._hostbase import HostBase
    from ._relationship import Relationship

__all__ = ["Transfer", "INITIAL", "SEEDED", "RESYNC"]

INITIAL, SEEDED, RESYNC = "initial", "seeded", "resync"


class Transfer:
    """One full transfer of a primary VM's replicated disks to its replica."""

    def __init__(self, host: HostBase, rel: Relationship, *, kind: str, job: HyperVJob | None) -> None:
        self.host = host
        self.rel = rel
        self.kind = kind
        self.job = job
        transfer = host.fabric.policy.transfer
        size = rel.vm.replicated_bytes(rel.settings)
        if kind == INITIAL:
            ratio = transfer.compression_ratio if rel.settings.compression_enabled else 1.0
            self.remaining = size * ratio / transfer.network_bytes_per_second
        else:  # seeded and resync compare block by block and send what differs (§2.2, §2.6)
            self.remaining = size / transfer.compare_bytes_per_second
        self._exchange: Exchange | None = None
        self._timer: Timer | None = None
        self._started_at: float | None = None

    def start(self) -> None:
        """Authenticate, announce, and let the transfer time run."""
        self.rel.transfer = self
        exchange = self._exchange = self.host._exchange(self.rel.settings, self._failed)
        wire_kind = RESYNC if self.kind == RESYNC else INITIAL
        exchange.request(TransferStarted(self.rel.vm.id, wire_kind), self._announced)

    def pause(self) -> None:
        """Stop now, remembering how much transfer time is left."""
        if self._started_at is not None:
            self.remaining = max(0.0, self.remaining - (self.host.now - self._started_at))
        self._stop(detach=False)

    def cancel(self, reason: str) -> None:
        self._stop()
        if self.job is not None:
            self.job.fail(OperationFailedError(f"The operation was cancelled: {reason}.", vm_name=self.rel.vm.name))

    def _stop(self, *, detach: bool = True) -> None:
        self._started_at = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._exchange is not None:
            self._exchange.close()
        if detach and self.rel.transfer is self:
            self.rel.transfer = None

    def _announced(self, _: object) -> None:
        self._started_at = self.host.now
        self._timer = self.host.fabric.sim.scheduler.call_later(self.remaining, self._send, label=f"hyperv.{self.kind}")

    def _send(self) -> None:
        self._timer = None
        exchange = self._exchange
        assert exchange is not None
        vm = self.rel.vm
        now = self.host.now
        wire_kind = RESYNC if self.kind == RESYNC else INITIAL
        message = TransferComplete(vm.id, wire_kind, vm.workload.image(now), now, vm.guest.copy())
        exchange.request(message, lambda _: self._completed(message, exchange))

    def _completed(self, message: TransferComplete, exchange: Exchange) -> None:
        rel = self.rel
        self._stop()
        link = rel.link
        rel.applied_log(message.image, message.at, ReplicationType.Regular)  # first: cycles start from it
        if link is not None:
            link.restart(fresh=True)
            link.authenticated(exchange.expires_at, exchange.expiry_refusal)
        rel.initial_replication_done = True
        rel.last_error = None
        rel.set_state(ReplicationState.Replicating,
                      "resynchronization complete (event 29244)" if self.kind == RESYNC
                      else "initial replication complete")
        if self.job is not None:
            self.job.complete()

    def _failed(self, refusal: Refusal) -> None:
        rel = self.rel
        self._stop()
        rel.last_error = refusal
        rel.set_state(ReplicationState.Error, f"{self.kind} failed: {refusal.reason.value}")
        if self.job is not None:
            operation = "resynchronize" if self.kind == RESYNC else "complete initial replication"
            self.job.fail(ReplicationRefusedError.of(refusal, rel.vm.name, operation))
