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
        if operation == "UnplannedFailover":
            return items.begin_unplanned_failover(*args, {"properties": {
                "failoverDirection": "PrimaryToRecovery", "sourceSiteOperations": "Required"}})
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
        self._call(operation).result()
        self.state = AFTER.get((self.state, operation), "Reversed" if operation == "ReverseReplicate" else self.state)
        if operation in ("PlannedFailover", "UnplannedFailover"):  # both with the source side: nothing lost
            replica = self._vm(Role.recovery)
            assert written.is_prefix_of(replica.workload.image(self.lab.now))

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
