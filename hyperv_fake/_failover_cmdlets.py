"""Failover cmdlets: test, planned and unplanned failover, completion, cancel, reverse (§3.1–3.4).

* Test (§3.2): on the replica, ``-AsTest`` creates "<name> - Test" (mode TestReplica) from a point;
  one at a time; not during resync; replication goes on; ``Stop-VMFailover`` deletes it.
* Planned (§3.3): primary off → ``-Prepare`` sends the last log (zero loss) → PreparedForFailover
  → replica ``Start-VMFailover`` → ``Set-VMReplication -Reverse`` → ``Start-VM``.
* Unplanned (§3.4): replica ``Start-VMFailover`` to a chosen point → FailedOverWaitingCompletion;
  ``Complete-VMFailover`` commits and drops the other points; ``Stop-VMFailover`` cancels.
"""

from __future__ import annotations

from typing import cast

from ._cmdlet import cmdlet
from ._enums import ReplicationAuthenticationType, ReplicationMode, ReplicationState, ReplicationType, VMState
from ._errors import (
    InvalidParameterError,
    InvalidStateError,
    Refusal,
    RefusalReason,
    ReplicationRefusedError,
    error_class,
)
from ._jobs import HyperVJob
from ._link import Link
from ._points import RecoveryPoint
from ._relationship import FAILED_OVER_STATES, RESYNC_STATES, Relationship
from ._replication_cmdlets import ReplicationCmdlets
from ._settings import ReplicationSettings, check_settings
from ._vm import VM, VMNetworkAdapter
from ._wire import FinalLog, Reverse
from .policy import REMOTE_WMI_PORT, SECOND_TEST_FAILOVER_CODE

__all__ = ["FailoverCmdlets", "TEST_SUFFIX"]

TEST_SUFFIX = " - Test"
"""The test failover VM is named "<replica VM name> - Test" (§3.2)."""

_FAILED_OVER = Refusal(RefusalReason.INVALID_REPLICA_STATE, "replica", "the replica virtual machine has failed over")


class FailoverCmdlets(ReplicationCmdlets):
    """``Start-VMFailover`` (``prepare=``, ``as_test=``, ``recovery_point=``), ``Complete-``/``Stop-VMFailover``,
    and ``Set-VMReplication -Reverse``."""

    @cmdlet("Start-VMFailover")
    def start_vm_failover(self, vm_name: str, *, prepare: bool = False, as_test: bool = False,
                          recovery_point: RecoveryPoint | None = None) -> HyperVJob:
        vm = self._vm(vm_name)
        if prepare and (as_test or recovery_point is not None):
            raise InvalidParameterError("'Prepare' cannot be combined with 'AsTest' or a recovery point.",
                                        vm_name=vm_name)
        if prepare:
            return self._prepare(vm)
        rel = self._relationship(vm)
        if rel.mode is not ReplicationMode.Replica:
            raise InvalidStateError(f"Start-VMFailover without -Prepare runs on the replica; '{vm_name}' is "
                                    f"{rel.mode.value}.", vm_name=vm_name)
        if rel.state in RESYNC_STATES and as_test:
            raise InvalidStateError(f"Test failover of '{vm_name}' is not possible during resynchronization.",
                                    vm_name=vm_name)
        if as_test:  # §3.2; "not possible during resync" (§2.6)
            self._require(rel, {ReplicationState.Replicating}, "start a test failover")
        else:  # §8: "requires 3"; §2.6: "unplanned failover is allowed [during resync] and cancels the resync"
            self._require(rel, {ReplicationState.Replicating, ReplicationState.Resynchronizing}, "fail over")
        self._require_idle(vm)
        self._settle(vm)
        point = self._point(rel, recovery_point)
        return self._test_failover(rel, point) if as_test else self._failover(rel, point)

    def _point(self, rel: Relationship, wanted: RecoveryPoint | None) -> RecoveryPoint:
        """The recovery point asked for (the latest by default), or 32775/32773 if there is none such."""
        latest = rel.latest_point()
        if latest is None:
            raise InvalidStateError(f"Virtual machine '{rel.vm.name}' has no recovery point yet.", vm_name=rel.vm.name)
        if wanted is None:
            return latest
        if wanted not in rel.recovery_points():
            raise InvalidParameterError(f"'{wanted.name}' is not a recovery point of '{rel.vm.name}'.",
                                        vm_name=rel.vm.name)
        return wanted

    # -- planned: prepare on the primary (§3.3 step 2) --------------------------------------------------

    def _prepare(self, vm: VM) -> HyperVJob:
        rel = self._primary(vm, "prepare for planned failover")
        if rel.state in RESYNC_STATES:
            raise InvalidStateError(f"Planned failover of '{vm.name}' is not possible during resynchronization.",
                                    vm_name=vm.name)
        self._require(rel, {ReplicationState.Replicating}, "prepare for planned failover")
        if vm.state is not VMState.Off:
            raise InvalidStateError(f"Virtual machine '{vm.name}' must be turned off before planned failover "
                                    f"(it is {vm.state.value}).", vm_name=vm.name)
        self._require_idle(vm)
        self._settle(vm)
        job = self._job("Start-VMFailover", vm, busy=True)
        message = FinalLog(vm.id, vm.workload.image(self.now), self.now, vm.guest.copy())

        def refused(refusal: Refusal) -> None:
            rel.last_error = refusal
            job.fail(ReplicationRefusedError.of(refusal, vm.name, "prepare for planned failover"))

        exchange = self._exchange(rel.settings, refused)

        def sent(_: object) -> None:
            exchange.close()
            if rel.link is not None:
                rel.link.authenticated(exchange.expires_at, exchange.expiry_refusal)
            rel.applied_log(message.image, message.at, ReplicationType.Planned)
            rel.set_state(ReplicationState.PreparedForFailover, "pending changes replicated; locked from starting")
            job.complete()

        exchange.request(message, sent)
        return job

    # -- on the replica ------------------------------------------------------------------------------

    def _test_failover(self, rel: Relationship, point: RecoveryPoint) -> HyperVJob:
        vm = rel.vm
        if rel.test_vm is not None:
            raise error_class(SECOND_TEST_FAILOVER_CODE)(
                f"A test failover is already running for '{vm.name}' ('{rel.test_vm.name}'); stop it first.",
                vm_name=vm.name)
        test = self.add_vm(vm.name + TEST_SUFFIX, generation=vm.generation)
        test.mode_override = ReplicationMode.TestReplica
        test.disks = list(vm.disks)
        self.fabric.revision += 1
        test.adapters = [VMNetworkAdapter(a.name, a.mac_address, a.is_legacy, a.test_replica_switch_name,
                                          failover=a.failover) for a in vm.adapters]
        test.integration_services = dict(vm.integration_services)
        test.guest = vm.guest.copy()
        test.adopt(point.image, self.now)
        test.failover_boot_pending = True
        rel.test_vm = test
        rel.last_test_failover_time = self.now
        self.record("hyperv.test-failover", "info", {"vm": vm.name, "test_vm": test.name, **point.describe()})
        return self._job("Start-VMFailover", vm).complete(test)

    def _failover(self, rel: Relationship, point: RecoveryPoint) -> HyperVJob:
        vm = rel.vm
        link = rel.link
        planned = rel.planned_ready and point.latest
        policy = self.fabric.policy
        if not planned and policy.split_brain_guard and link is not None and self._primary_running(link):
            raise InvalidStateError(f"The primary virtual machine of '{vm.name}' is running on "
                                    f"{link.primary.vm.host.fqdn}; shut it down or fail over when it is unreachable.",
                                    vm_name=vm.name)
        if link is not None:
            link.block_replica(_FAILED_OVER)
        vm.adopt(point.image, self.now)
        vm.failover_boot_pending = True
        rel.failed_over_point = point
        rel.set_state(ReplicationState.FailedOverWaitingCompletion, "planned failover" if planned else
                      "unplanned failover", extra={"planned": planned, "point": point.describe()})
        return self._job("Start-VMFailover", vm).complete()

    def _primary_running(self, link: Link) -> bool:
        """The split-brain check over remote WMI (§3.4): is the primary reachable and its VM running?"""
        context = {"src": self.name, "dst": link.src, "port": REMOTE_WMI_PORT}
        reachable = self.fabric.sim.faults.blocks("net.connect", context) is None
        return reachable and link.primary.vm.state is VMState.Running

    @cmdlet("Complete-VMFailover")
    def complete_vm_failover(self, vm_name: str) -> HyperVJob:
        """Commit: the chosen point stays, every other point goes; no cancelling after this (§3.4)."""
        vm = self._vm(vm_name)
        rel = self._relationship(vm)
        self._require(rel, {ReplicationState.FailedOverWaitingCompletion}, "complete failover")
        self._require_idle(vm)
        rel.points = []
        rel.set_state(ReplicationState.FailedOver, "failover completed; recovery points removed")
        return self._job("Complete-VMFailover", vm).complete()

    @cmdlet("Stop-VMFailover")
    def stop_vm_failover(self, vm_name: str) -> HyperVJob:
        """Stop a test failover (delete the test VM), cancel a failover, or cancel a prepare (§3.2–3.4)."""
        vm = self._vm(vm_name)
        rel = self._relationship(vm)
        self._require_idle(vm)
        if rel.mode is ReplicationMode.Replica and rel.test_vm is not None:
            test = rel.test_vm
            test.workload.stop(self.now)
            self.drop_vm(test)
            rel.test_vm = None
        elif rel.mode is ReplicationMode.Replica and rel.state is ReplicationState.FailedOverWaitingCompletion:
            self._revert(rel)
        elif rel.is_primary and rel.state is ReplicationState.PreparedForFailover:
            self._settle(vm)
            rel.set_state(ReplicationState.Replicating, "planned failover cancelled")
            if rel.link is not None:
                rel.link.restart()
        else:
            self._require(rel, (), "stop failover")
        return self._job("Stop-VMFailover", vm).complete()

    def _revert(self, rel: Relationship) -> None:
        """``RevertFailover``: turn the VM off and discard the failover disk (§3.4 step 2)."""
        vm = rel.vm
        self._settle(vm)
        vm.workload.stop(self.now)
        vm.state = VMState.Off
        vm.adopt(rel.applied, self.now)
        vm.failover_boot_pending = False
        rel.failed_over_point = None
        rel.set_state(ReplicationState.Replicating, "failover cancelled")
        if rel.link is not None:
            rel.link.block_replica(None)

    # -- reverse replication (§3.3 step 4, §3.4 step 4) --------------------------------------------------

    def reverse_replication(self, vm: VM, *, port: int | None, auth: ReplicationAuthenticationType | None,
                            thumbprint: str | None) -> HyperVJob:
        rel = self._relationship(vm)
        if rel.mode is not ReplicationMode.Replica:
            raise InvalidStateError(f"Only a failed-over replica can be reversed; '{vm.name}' is {rel.mode.value}.",
                                    vm_name=vm.name)
        self._require(rel, FAILED_OVER_STATES, "reverse replication")
        self._require_idle(vm)
        if rel.test_vm is not None:
            raise InvalidStateError(f"Stop the test failover of '{vm.name}' before reversing replication.",
                                    vm_name=vm.name)
        old = rel.settings
        kind = auth or old.authentication_type
        if thumbprint is None and kind is ReplicationAuthenticationType.Certificate:
            thumbprint = self.replication_server.certificate_thumbprint
        settings = ReplicationSettings(
            replica_server_name=old.primary_server_name, replica_server_port=port or old.replica_server_port,
            authentication_type=kind, primary_server_name=self.fqdn, certificate_thumbprint=thumbprint,
            replication_frequency_sec=old.replication_frequency_sec, recovery_history=old.recovery_history,
            vss_snapshot_frequency_hour=old.vss_snapshot_frequency_hour, compression_enabled=old.compression_enabled,
            auto_resynchronize_enabled=old.auto_resynchronize_enabled)
        check_settings(settings, cmdlet="Set-VMReplication", vm_name=vm.name,
                       disk_paths=tuple(d.path for d in vm.disks))
        if kind is ReplicationAuthenticationType.Certificate:
            self._check_own_certificate(thumbprint or "", vm.name)
        self._settle(vm)
        job = self._job("Set-VMReplication", vm, busy=True)

        def refused(refusal: Refusal) -> None:
            job.fail(ReplicationRefusedError.of(refusal, vm.name, "reverse replication"))

        exchange = self._exchange(settings, refused)

        def reversed_(answer: object) -> None:
            exchange.close()
            replica, planned = cast(tuple[Relationship, bool], answer)
            new = Relationship(vm, ReplicationMode.Primary, ReplicationState.Disabled, settings,
                               stats_start=self.monitoring_window_start())
            if replica.state is ReplicationState.Replicating:
                new.initial_replication_done = True
                new.applied_log(replica.applied, self.now, replica.last_replication_type)
            vm.replication = new
            Link(self.fabric, new, replica, port=settings.replica_server_port).authenticated(
                exchange.expires_at, exchange.expiry_refusal)
            state = (ReplicationState.Replicating if new.initial_replication_done
                     else ReplicationState.ReadyForInitialReplication)
            new.set_state(state, "replication reversed" + (" after planned failover" if planned else ""))
            job.complete(new)

        exchange.request(Reverse(vm.id, settings), reversed_)
        return job
