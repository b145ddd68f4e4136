"""``ProtectionMachine``: a model-comparing state machine at the ASR level: random sequences of ASR operations on a protected
VM — valid and invalid for its state, in either direction: failover, reversal, failback and round
again — with virtual time passing, Provider restarts, a Provider's channel to ASR cut and the sites'
hosts cut off from each other between them. A small model says which operations the recorded state
allows and where the VM should run; each valid operation succeeds and the item and the hosts then
agree with the model, each invalid one is refused (409 150205, or 400 for the wrong direction) and
changes nothing, and no failover ever gives the target a write its source did not make or loses
one a planned failover promised to keep."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from ..checkers import data_loss, ip_injection
from ..lab import Lab
from .._lab.spec import Role
from hyperv_fake import VMState
from simcore import FaultRule

from ..runbook import Runbook, hyperv_policy
from ..experiments.categories import sites_partition
from ._faults import SITE_FAULTS, SiteFaults
from ._lab_machine import LabMachine

#: the model: state -> the recorded allowed operations (wherever the VM is active)
ALLOWED = {
    "Protected": {"PlannedFailover", "UnplannedFailover", "DisableProtection", "TestFailover"},
    "TestFailoverUp": {"TestFailoverCleanup"},
    "PlannedFailoverCommitRequired": {"ReverseReplicate", "Commit", "DisableProtection"},
    "UnplannedFailoverCommitPendingStatesBegin": {"ReverseReplicate", "Commit", "DisableProtection"},
    "PlannedFailoverStatesBegin": {"ReverseReplicate", "DisableProtection"},
    "UnplannedFailoverStatesBegin": {"ReverseReplicate", "DisableProtection"},
}
#: (state, operation) -> the state after it; a failover also moves the VM to the other site
AFTER = {
    ("Protected", "TestFailover"): "TestFailoverUp", ("TestFailoverUp", "TestFailoverCleanup"): "Protected",
    ("Protected", "PlannedFailover"): "PlannedFailoverCommitRequired",
    ("Protected", "UnplannedFailover"): "UnplannedFailoverCommitPendingStatesBegin",
    ("PlannedFailoverCommitRequired", "Commit"): "PlannedFailoverStatesBegin",
    ("UnplannedFailoverCommitPendingStatesBegin", "Commit"): "UnplannedFailoverStatesBegin",
    **{(state, "ReverseReplicate"): "Protected" for state in (
        "PlannedFailoverCommitRequired", "UnplannedFailoverCommitPendingStatesBegin", "PlannedFailoverStatesBegin",
        "UnplannedFailoverStatesBegin")},
}
_COMMITTED = {"PlannedFailoverCommitRequired": "PlannedFailoverStatesBegin",
              "UnplannedFailoverCommitPendingStatesBegin": "UnplannedFailoverStatesBegin"}
OPERATIONS = ("TestFailover", "TestFailoverCleanup", "PlannedFailover", "UnplannedFailover", "Commit",
              "ReverseReplicate")
_OTHER = {"Primary": "Recovery", "Recovery": "Primary"}
_ROLE = {"Primary": Role.primary, "Recovery": Role.recovery}


class ProtectionMachine(SiteFaults, LabMachine):
    """Subclass it to add rules that call your own automation (``self.book`` is the SDK runbook,
    ``self.lab`` the lab, ``self.name`` the protected item); ``lab_seed`` and ``vm`` choose the lab
    and the VM. Run it as ``ProtectionMachine.TestCase`` (with your ``settings``)."""

    lab_seed = 5
    vm = "Gold-VM1"

    def __init__(self) -> None:
        super().__init__()  # Budgeted: the session's budget may stop the test before this example
        self.lab = Lab(seed=self.lab_seed)
        self.book = book = Runbook.of(self.lab)
        book.asr.replication_policies.begin_create(book.rg, book.vault, "pol1", {"properties": {
            "providerSpecificInput": hyperv_policy()}}).result()
        book.pair()
        book.map_poller().result()
        self.name = book.enable_poller(self.vm).result().name
        self.lab.advance(3_600)
        self.fabric, self.container = book.container("Gold")
        self.state, self.where = "Protected", "Primary"  # the model: the item's state, where the VM runs
        self.cut: FaultRule | None = None  # the sites' hosts cannot reach each other

    @rule(fault=st.sampled_from(["sites cut off", "sites reconnect", *SITE_FAULTS]))
    def a_fault(self, fault: str) -> None:
        """The sites' hosts cut off from each other (until they reconnect); a VMM server's outbound
        channel to ASR cut both ways (it heals inside the next operation, before ASR gives up on the
        work, or when time passes); a Provider restart."""
        if fault == "sites cut off":
            if self.cut is None:
                self.cut = self.lab.faults.add(sites_partition(self.lab))
        elif fault == "sites reconnect":
            if self.cut is not None:
                self.lab.faults.heal(self.cut)
                self.cut = None
        else:
            self._site_fault(fault)


    def _item(self) -> Any:
        return self.book.asr.replication_protected_items.get(self.book.rg, self.book.vault, self.fabric,
                                                             self.container, self.name)

    def _call(self, operation: str, direction: str) -> Any:
        items, args = self.book.asr.replication_protected_items, (self.book.rg, self.book.vault, self.fabric,
                                                                   self.container, self.name)
        if operation == "TestFailover":
            return items.begin_test_failover(*args, {"properties": {"failoverDirection": direction,
                                                                    "networkType": "NoNetworkAttachAsInput"}})
        if operation == "TestFailoverCleanup":
            return items.begin_test_failover_cleanup(*args, {"properties": {"comments": ""}})
        if operation == "PlannedFailover":
            return items.begin_planned_failover(*args, {"properties": {"failoverDirection": direction}})
        if operation == "UnplannedFailover":  # the active site is lost: no source-side operations
            return items.begin_unplanned_failover(*args, {"properties": {
                "failoverDirection": direction,
                "sourceSiteOperations": "NotRequired" if self.cut is not None else "Required"}})
        if operation == "Commit":
            return items.begin_failover_commit(*args)
        return items.begin_reprotect(*args, {"properties": {"failoverDirection": direction}})

    def _direction(self) -> str:
        return f"{self.where}To{_OTHER[self.where]}"  # a failover's, and a reversal's once failed over

    @rule(data=st.data())
    def a_valid_operation(self, data: st.DataObject) -> None:
        operation = data.draw(st.sampled_from(sorted(ALLOWED[self.state] & set(OPERATIONS))))
        self._operate(operation, self._direction())

    @rule(data=st.data())
    def an_invalid_operation_changes_nothing(self, data: st.DataObject) -> None:
        """One the state does not allow (150205), or one it does in the wrong direction (400)."""
        wrong_way = f"{_OTHER[self.where]}To{self.where}"
        directed = sorted(ALLOWED[self.state] & {"TestFailover", "PlannedFailover", "UnplannedFailover",
                                                  "ReverseReplicate"})
        operation, direction, code = data.draw(st.sampled_from(
            [(op, self._direction(), "150205") for op in OPERATIONS if op not in ALLOWED[self.state]]
            + [(op, wrong_way, "InvalidParameter") for op in directed]))
        before = self._item().properties
        with pytest.raises(HttpResponseError) as info:
            self._call(operation, direction)
        error = info.value.error
        assert error is not None and error.code == code, (operation, self.state, self.where, direction)
        after = self._item().properties
        assert (after.protection_state, after.active_location, after.allowed_operations) == (
            before.protection_state, before.active_location, before.allowed_operations)

    def _operate(self, operation: str, direction: str) -> None:
        before = self._item().properties
        source = self._vm(_ROLE[self.where])
        written = source.workload.image(self.lab.now)
        if self.cut is not None and operation in ("PlannedFailover", "ReverseReplicate"):
            # the final log (or the reversal) cannot reach the other site: the job fails; only the
            # steps it finished stay done (a reversal's VmCommit, which is local to the active site)
            with pytest.raises(HttpResponseError):
                self._run(operation, direction)
            if operation == "ReverseReplicate":
                self.state = _COMMITTED.get(self.state, self.state)
            else:
                self._recover()
            assert self._item().properties.active_location == before.active_location
            return
        self._run(operation, direction)
        self.state = AFTER.get((self.state, operation), self.state)
        if operation in ("PlannedFailover", "UnplannedFailover"):
            self.where = _OTHER[self.where]
            if self.cut is None:  # with the source side: nothing written before the operation is lost
                assert written.is_prefix_of(self._vm(_ROLE[self.where]).workload.image(self.lab.now))
            # without it, what the target holds is judged from the history by data_loss (an invariant)

    def _run(self, operation: str, direction: str) -> None:
        """Issue ``operation``; a cut channel heals ten minutes later, long before ASR would give up
        on the work it waits for, and the job then finishes as if nothing happened."""
        poller = self._call(operation, direction)
        if self.channel_cut is not None:
            self.lab.advance(600)
            self._heal_channel()
        poller.result()

    def _recover(self) -> None:
        """After a failed planned failover the source VM was shut down (and may be prepared): the
        operator starts it again, as ASR leaves it (policy of this machine)."""
        source = self._vm(_ROLE[self.where])
        host = next(h for h in self.lab.sites[_ROLE[self.where]].hosts if source in h.vms)
        rel = source.replication
        if rel is not None and rel.state.value == "PreparedForFailover":
            host.stop_vm_failover(source.name)
        if source.state is not VMState.Running:
            host.start_vm(source.name)


    def _vm(self, role: Role) -> Any:
        return next(vm for host in self.lab.sites[role].hosts for vm in host.vms if vm.name == self.vm)

    @invariant()
    def asr_and_the_hosts_agree_with_the_model(self) -> None:
        p = self._item().properties
        assert p.protection_state == ("Protected" if self.state == "TestFailoverUp" else self.state)
        assert set(p.allowed_operations) >= ALLOWED[self.state] and p.active_location == self.where
        assert self._vm(_ROLE[self.where]).state is VMState.Running  # the VM runs where ASR says it is active
        if self.state == "TestFailoverUp":
            assert p.test_failover_state == "TestFailoverCompleted"

    @invariant()
    def every_failover_kept_the_data_promise_and_injected_pool_addresses(self) -> None:
        for verdict in (data_loss(self.lab), ip_injection(self.lab)):
            assert verdict.ok, str(verdict)
