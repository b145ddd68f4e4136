"""Suspend, resume and resynchronisation (§2.3, §2.6), and re-authentication of a running relationship.

``Resume-VMReplication`` resumes from Suspended, Error, Resynchronization Required (with
``-Resynchronize``) and a paused resync; "all changes made since replication was suspended will be
replicated" — the closed-form link ships the backlog at its next cycle. Resuming authenticates
again (policy SESSION_PER_OPERATION): a refusal that cannot be retried sends the VM to Error.
"""

from __future__ import annotations

from datetime import datetime

from ._cmdlet import cmdlet
from ._enums import ReplicationMode, ReplicationState
from ._errors import InvalidParameterError, InvalidStateError, Refusal, RefusalReason, ReplicationRefusedError
from ._jobs import HyperVJob
from ._relationship import Relationship
from ._replication_cmdlets import ReplicationCmdlets
from ._transfers import INITIAL, RESYNC, Transfer
from ._wire import Reconnect

__all__ = ["PauseCmdlets", "AUTO_RESYNC_WINDOW"]

AUTO_RESYNC_WINDOW = (18 * 3600 + 30 * 60, 6 * 3600)
"""Automatic resynchronisation runs between 18:30 and 06:00 local time by default (§2.6, §1.5)."""

_PAUSED = Refusal(RefusalReason.REPLICATION_PAUSED, "replica", "replication is paused on the replica virtual machine")


class PauseCmdlets(ReplicationCmdlets):
    """``Suspend-``, ``Resume-``, ``Stop-VMReplication`` and what the links ask for (resync, re-authentication)."""

    @cmdlet("Suspend-VMReplication")
    def suspend_vm_replication(self, vm_name: str) -> HyperVJob:
        vm = self._vm(vm_name)
        rel = self._relationship(vm)
        self._require_idle(vm)
        if rel.is_primary:
            self._require(rel, {ReplicationState.Replicating, ReplicationState.Resynchronizing}, "suspend replication")
        else:
            self._require(rel, {ReplicationState.Replicating}, "suspend replication")
        self._settle(vm)
        if rel.state is ReplicationState.Resynchronizing:
            assert rel.transfer is not None
            rel.transfer.pause()  # "Pause stops it; Resume continues from where it left off" (§2.6)
            rel.set_state(ReplicationState.ResynchronizeSuspended, "resynchronization suspended")
        else:
            rel.set_state(ReplicationState.Suspended, "replication suspended")
            if not rel.is_primary and rel.link is not None:
                rel.link.block_replica(_PAUSED)
        return self._job("Suspend-VMReplication", vm).complete()

    @cmdlet("Resume-VMReplication")
    def resume_vm_replication(
        self,
        vm_name: str,
        *,
        resynchronize: bool = False,
        resynchronize_start_time: datetime | None = None,
        continue_: bool = False,
    ) -> HyperVJob:
        vm = self._vm(vm_name)
        rel = self._relationship(vm)
        self._require_idle(vm)
        if resynchronize and continue_:
            raise InvalidParameterError("'Resynchronize' and 'Continue' cannot be used together.", vm_name=vm_name)
        if resynchronize_start_time is not None and not resynchronize:
            raise InvalidParameterError("'ResynchronizeStartTime' requires 'Resynchronize'.", vm_name=vm_name)
        if rel.mode is ReplicationMode.Replica:
            if resynchronize or continue_:
                raise InvalidStateError("Resynchronization is started on the primary virtual machine.", vm_name=vm_name)
            self._require(rel, {ReplicationState.Suspended}, "resume replication")
            self._settle(vm)
            rel.set_state(ReplicationState.Replicating, "replication resumed")
            if rel.link is not None:
                rel.link.block_replica(None)
            return self._job("Resume-VMReplication", vm).complete()
        if resynchronize:
            self._require(rel, {ReplicationState.Suspended, ReplicationState.Error,
                                ReplicationState.WaitingForStartResynchronize, ReplicationState.ResynchronizeSuspended},
                          "resynchronize")
            if not rel.initial_replication_done:
                raise InvalidStateError(f"Initial replication of '{vm_name}' has not completed.", vm_name=vm_name)
            start = self._schedule(resynchronize_start_time, "ResynchronizeStartTime")
            return self._start_resync(rel, start)
        if continue_:
            self._require(rel, {ReplicationState.ResynchronizeSuspended}, "continue resynchronization")
        else:
            self._require(rel, {ReplicationState.Suspended, ReplicationState.Error,
                                ReplicationState.ResynchronizeSuspended}, "resume replication")
        self._settle(vm)
        job = self._job("Resume-VMReplication", vm)
        if rel.state is ReplicationState.ResynchronizeSuspended:
            assert rel.transfer is not None
            rel.transfer.job = job
            rel.set_state(ReplicationState.Resynchronizing, "resynchronization resumed")
            rel.transfer.start()
        elif not rel.initial_replication_done:
            rel.set_state(ReplicationState.InitialReplicationInProgress, "initial replication restarted")
            Transfer(self, rel, kind=INITIAL, job=job).start()
        else:
            rel.last_error = None
            rel.set_state(ReplicationState.Replicating, "replication resumed")
            if rel.link is not None:
                rel.link.restart()
            vm.busy = job
            self._reconnect(rel, job)
        return job

    @cmdlet("Stop-VMReplication")
    def stop_vm_replication(self, vm_name: str) -> HyperVJob:
        """Cancel a resynchronisation: the VM stays Resynchronization Required; the next one starts over (§2.6).
        The replica is not told (policy CANCELLED_RESYNC_ON_REPLICA)."""
        vm = self._vm(vm_name)
        rel = self._primary(vm, "cancel resynchronization")
        self._require(rel, {ReplicationState.Resynchronizing, ReplicationState.ResynchronizeSuspended},
                      "cancel resynchronization")
        self._settle(vm)
        if rel.transfer is not None:
            rel.transfer.cancel("resynchronization was cancelled")
        rel.set_state(ReplicationState.WaitingForStartResynchronize, "resynchronization cancelled")
        return self._job("Stop-VMReplication", vm).complete()

    # -- resynchronisation --------------------------------------------------------------------------

    def _start_resync(self, rel: Relationship, start: float | None, job: HyperVJob | None = None) -> HyperVJob:
        job = job or self._job("Resume-VMReplication", rel.vm)
        self._settle(rel.vm)
        if rel.transfer is not None:
            rel.transfer.cancel("resynchronization restarted")
        if rel.ir_timer is not None:
            rel.ir_timer.cancel()
        if start is not None and start > self.now:
            rel.set_state(ReplicationState.WaitingForStartResynchronize, "resynchronization scheduled")
            rel.ir_timer = self.fabric.sim.scheduler.call_at(start, self._resync_now, rel, job, label="hyperv.resync")
        else:
            self._resync_now(rel, job)
        return job

    def _resync_now(self, rel: Relationship, job: HyperVJob | None) -> None:
        rel.ir_timer = None
        if rel.vm.replication is not rel or not rel.is_primary:
            return
        rel.last_error = None
        rel.set_state(ReplicationState.Resynchronizing, "resynchronization started")
        Transfer(self, rel, kind=RESYNC, job=job).start()

    def resync_required(self, rel: Relationship, at: float) -> None:
        """With ``AutoResynchronizeEnabled``, start the resync in the next 18:30–06:00 window (§2.6),
        read in UTC (policy HOST_LOCAL_TIME_IS_UTC)."""
        if not rel.settings.auto_resynchronize_enabled or rel.ir_timer is not None:
            return
        start_of_day = self.fabric.sim.clock.to_seconds(
            self.fabric.sim.clock.to_datetime(at).replace(hour=0, minute=0, second=0, microsecond=0))
        opens, closes = AUTO_RESYNC_WINDOW
        offset = at - start_of_day
        in_window = offset >= opens or offset < closes
        begin = max(self.now, at if in_window else start_of_day + opens)
        rel.ir_timer = self.fabric.sim.scheduler.call_at(begin, self._auto_resync, rel, label="hyperv.auto-resync")

    def _auto_resync(self, rel: Relationship) -> None:
        rel.ir_timer = None
        if rel.vm.replication is rel and rel.state is ReplicationState.WaitingForStartResynchronize:
            self.record("hyperv.auto-resynchronize", "info", {"vm": rel.vm.name})
            self._resync_now(rel, None)

    # -- authentication afresh -------------------------------------------------------------------------

    def revalidate(self, rel: Relationship) -> None:
        """Authenticate again now (a trust or authorization change, policy SESSION_PER_OPERATION)."""
        if rel.vm.busy is None or rel.vm.busy.done:
            self._reconnect(rel, None)

    def _reconnect(self, rel: Relationship, job: HyperVJob | None) -> None:
        vm = rel.vm

        def refused(refusal: Refusal) -> None:
            if job is not None:
                job.fail(ReplicationRefusedError.of(refusal, vm.name, "resume replication"))
            link = rel.link
            if vm.replication is not rel or not rel.ships or link is None:
                return
            if refusal.recoverable and self._partitioned(rel):
                return  # the partition timeline already accounts for it
            link.unreachable(refusal if refusal.recoverable else None)
            if not refusal.recoverable:
                link.settle()
                rel.last_error = refusal
                rel.stats.failure_count += 1
                rel.set_state(ReplicationState.Error, f"replication refused: {refusal.reason.value}")

        exchange = self._exchange(rel.settings, refused)

        def accepted(_: object) -> None:
            exchange.close()
            if rel.link is not None:
                rel.link.unreachable(None)
                rel.link.authenticated(exchange.expires_at, exchange.expiry_refusal)
            if job is not None:
                job.complete()

        exchange.request(Reconnect(vm.id), accepted)

    def _partitioned(self, rel: Relationship) -> bool:
        link = rel.link
        if link is None:
            return False
        faults = self.fabric.sim.faults
        return any(faults.blocks(point, {"src": a, "dst": b, "port": link.port}) is not None
                   for point in ("net.connect", "net.send") for a, b in ((link.src, link.dst), (link.dst, link.src)))
