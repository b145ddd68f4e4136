"""A model-comparing state machine at the ASR level: random sequences of ASR operations on a protected
VM — valid and invalid for its state — with virtual time passing and Provider restarts between them.
A small model says which operations the recorded state allows and where the VM should run; each
valid operation succeeds and the item and the hosts then agree with the model, each invalid one is
refused (409 150205, or 501 for a failback) and changes nothing, and no failover ever gives the
replica a write its primary did not make or loses one a planned failover promised to keep."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from drlab import Lab, Role
from hyperv_fake import VMState
from simcore import FaultRule, Match, Partition

from .conftest import Runbook, hyperv_policy

#: the model: state -> (the recorded allowed operations, where the VM runs)
ALLOWED = {
    "Protected": ({"PlannedFailover", "UnplannedFailover", "DisableProtection", "TestFailover"}, "Primary"),
    "TestFailoverUp": ({"TestFailoverCleanup"}, "Primary"),
    "PlannedFailoverCommitRequired": ({"ReverseReplicate", "Commit", "DisableProtection"}, "Recovery"),
    "UnplannedFailoverCommitPendingStatesBegin": ({"ReverseReplicate", "Commit", "DisableProtection"}, "Recovery"),
    "PlannedFailoverStatesBegin": ({"ReverseReplicate", "DisableProtection"}, "Recovery"),
    "UnplannedFailoverStatesBegin": ({"ReverseReplicate", "DisableProtection"}, "Recovery"),
    "Reversed": ({"DisableProtection"}, "Recovery"),  # Protected at the recovery site; failback not emulated
}
AFTER = {
    ("Protected", "TestFailover"): "TestFailoverUp", ("TestFailoverUp", "TestFailoverCleanup"): "Protected",
    ("Protected", "PlannedFailover"): "PlannedFailoverCommitRequired",
    ("Protected", "UnplannedFailover"): "UnplannedFailoverCommitPendingStatesBegin",
    ("PlannedFailoverCommitRequired", "Commit"): "PlannedFailoverStatesBegin",
    ("UnplannedFailoverCommitPendingStatesBegin", "Commit"): "UnplannedFailoverStatesBegin",
}
_COMMITTED = {"PlannedFailoverCommitRequired": "PlannedFailoverStatesBegin",
              "UnplannedFailoverCommitPendingStatesBegin": "UnplannedFailoverStatesBegin"}
OPERATIONS = ("TestFailover", "TestFailoverCleanup", "PlannedFailover", "UnplannedFailover", "Commit",
              "ReverseReplicate")


class ProtectionMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.lab = Lab(seed=5)
        self.book = book = Runbook.of(self.lab)
        book.asr.replication_policies.begin_create(book.rg, book.vault, "pol1", {"properties": {
            "providerSpecificInput": hyperv_policy()}}).result()
        book.pair()
        book.map_poller().result()
        self.name = book.enable_poller("Gold-VM1").result().name
        self.lab.advance(3_600)
        self.fabric, self.container = book.container("Gold")
        self.state = "Protected"
        self.cut: FaultRule | None = None  # the sites' hosts cannot reach each other

    @rule()
    def the_sites_are_cut_off(self) -> None:
        if self.cut is None:
            hosts = [tuple(h.name for h in self.lab.sites[role].hosts) for role in (Role.primary, Role.recovery)]
            self.cut = self.lab.faults.add(FaultRule(Partition(), Match(src=hosts[0], dst=hosts[1],
                                                                        bidirectional=True)))

    @rule()
    def the_sites_reconnect(self) -> None:
        if self.cut is not None:
            self.lab.faults.heal(self.cut)
            self.cut = None

    def teardown(self) -> None:
        self.lab.close()

    def _item(self) -> Any:
        return self.book.asr.replication_protected_items.get(self.book.rg, self.book.vault, self.fabric,
                                                             self.container, self.name)

    def _call(self, operation: str) -> Any:
        items, args = self.book.asr.replication_protected_items, (self.book.rg, self.book.vault, self.fabric,
                                                                   self.container, self.name)
        if operation == "TestFailover":
            return items.begin_test_failover(*args, {"properties": {"networkType": "NoNetworkAttachAsInput"}})
        if operation == "TestFailoverCleanup":
            return items.begin_test_failover_cleanup(*args, {"properties": {"comments": ""}})
        if operation == "PlannedFailover":
            return items.begin_planned_failover(*args, {"properties": {"failoverDirection": "PrimaryToRecovery"}})
        if operation == "UnplannedFailover":  # the primary site is lost: no source-side operations
            return items.begin_unplanned_failover(*args, {"properties": {
                "failoverDirection": "PrimaryToRecovery",
                "sourceSiteOperations": "NotRequired" if self.cut is not None else "Required"}})
        if operation == "Commit":
            return items.begin_failover_commit(*args)
        return items.begin_reprotect(*args, {"properties": {"failoverDirection": "RecoveryToPrimary"}})

    @rule(operation=st.sampled_from(OPERATIONS))
    def operate(self, operation: str) -> None:
        allowed, _ = ALLOWED[self.state]
        before = self._item().properties
        if operation not in allowed:
            with pytest.raises(HttpResponseError) as info:
                self._call(operation)
            assert info.value.error.code in ("150205", "NotImplemented"), (operation, self.state)
            after = self._item().properties
            assert (after.protection_state, after.active_location, after.allowed_operations) == (
                before.protection_state, before.active_location, before.allowed_operations)
            return
        primary = self._vm(Role.primary)
        written = primary.workload.image(self.lab.now)
        if self.cut is not None and operation in ("PlannedFailover", "ReverseReplicate"):
            # the final log (or the reversal) cannot reach the other site: the job fails; only the
            # steps it finished stay done (a reversal's VmCommit, which is local to the recovery site)
            with pytest.raises(HttpResponseError):
                self._call(operation).result()
            if operation == "ReverseReplicate":
                self.state = _COMMITTED.get(self.state, self.state)
            else:
                self._recover()
            after = self._item().properties
            assert after.active_location == before.active_location
            return
        self._call(operation).result()
        self.state = AFTER.get((self.state, operation), "Reversed" if operation == "ReverseReplicate" else self.state)
        if operation in ("PlannedFailover", "UnplannedFailover"):
            replica = self._vm(Role.recovery).workload.image(self.lab.now)
            if self.cut is None:  # with the source side: nothing lost
                assert written.is_prefix_of(replica)
            else:  # the replica never holds a write its primary did not make; later ones are lost
                failed_over = self.lab.history.select(op="vmm.failover")[-1]
                held = self._vm(Role.recovery).workload.image(failed_over.time)
                assert held.is_prefix_of(written)

    def _recover(self) -> None:
        """After a failed planned failover the primary was shut down (and may be prepared): the
        operator starts it again, as ASR leaves it (policy of this machine)."""
        primary = self._vm(Role.primary)
        host = next(h for h in self.lab.sites[Role.primary].hosts if primary in h.vms)
        rel = primary.replication
        if rel is not None and rel.state.value == "PreparedForFailover":
            host.stop_vm_failover(primary.name)
        if primary.state is not VMState.Running:
            host.start_vm(primary.name)

    @rule(seconds=st.sampled_from([30.0, 600.0, 7_200.0]))
    def time_passes(self, seconds: float) -> None:
        self.lab.advance(seconds)

    @rule(site=st.sampled_from([Role.primary, Role.recovery]))
    def provider_restarts(self, site: Role) -> None:
        self.lab.providers[site].restart()

    def _vm(self, role: Role) -> Any:
        return next(vm for host in self.lab.sites[role].hosts for vm in host.vms if vm.name == "Gold-VM1")

    @invariant()
    def asr_and_the_hosts_agree_with_the_model(self) -> None:
        p = self._item().properties
        expected = {"TestFailoverUp": "Protected", "Reversed": "Protected"}.get(self.state, self.state)
        assert p.protection_state == expected
        allowed, where = ALLOWED[self.state]
        assert set(p.allowed_operations) >= allowed and p.active_location == where
        running = self._vm(Role.recovery if where == "Recovery" else Role.primary)
        assert running.state is VMState.Running  # the VM runs where ASR says it is active
        if self.state == "TestFailoverUp":
            assert p.test_failover_state == "TestFailoverCompleted"


ProtectionMachine.TestCase.settings = settings(stateful_step_count=10, deadline=None)
test_protection_machine = ProtectionMachine.TestCase
