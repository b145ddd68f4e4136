"""``RecoveryPlanMachine``: a state machine over one recovery plan of three protected VMs in two boot
groups, with a manual action: random sequences of plan operations — valid and invalid for the plan's
state, in either direction: test failover and cleanup, planned and unplanned failover, commit,
reverse replication, round again — and regrouping the plan between them, with virtual time
passing, a Provider's channel to ASR cut and Provider restarts. The model is the per-item one
(``ProtectionMachine``'s): every item of the plan is in the plan's state. Each valid operation's
plan job succeeds (its manual actions resumed by the operator an hour after they wait) and the plan,
its items and the hosts then agree with the model; each invalid one is refused (409 150609, or 409
150610 for the wrong direction) and changes nothing; every history keeps the ordering rules, the
data-loss promise and IP injection."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from .._lab.spec import Role
from ..checkers import check_ordering, data_loss, ip_injection
from ..lab import Lab
from ..runbook import Runbook, hyperv_policy
from ._faults import SITE_FAULTS, SiteFaults
from ._lab_machine import LabMachine
from ._plan_calls import begin_plan_operation, finish_plan_job
from ._protection import AFTER, ALLOWED, OPERATIONS

#: the plan's allowed operations in each state of its items (the item's, less DisableProtection)
PLAN_ALLOWED = {state: operations & set(OPERATIONS) for state, operations in ALLOWED.items()}
_OTHER = {"Primary": "Recovery", "Recovery": "Primary"}
_FAILOVERS = ("TestFailover", "PlannedFailover", "UnplannedFailover")
_DIRECTIONS = ("PrimaryToRecovery", "RecoveryToPrimary")


def _approval() -> dict[str, Any]:
    return {"actionName": "approve", "failoverTypes": list(_FAILOVERS), "failoverDirections": list(_DIRECTIONS),
            "customDetails": {"instanceType": "ManualActionDetails", "description": "check the database is up"}}


class RecoveryPlanMachine(SiteFaults, LabMachine):
    """Subclass it to add rules that call your own automation (``self.book`` is the SDK runbook,
    ``self.lab`` the lab, ``self.plan`` the plan's name, ``self.items`` VM name → protected item
    ARM id); ``lab_seed`` and ``vms`` choose the lab and the plan's VMs. Run it as
    ``RecoveryPlanMachine.TestCase`` (with your ``settings``)."""

    lab_seed = 7
    vms = ("Gold-VM1", "Gold-VM2", "Gold-VM3")
    plan = "rp1"

    def __init__(self) -> None:
        super().__init__()
        self.lab = Lab(seed=self.lab_seed, vms_per_cloud=len(self.vms))
        self.book = book = Runbook.of(self.lab)
        book.asr.replication_policies.begin_create(book.rg, book.vault, "pol1", {"properties": {
            "providerSpecificInput": hyperv_policy()}}).result()
        book.pair()
        book.map_poller().result()
        pollers = [book.enable_poller(vm) for vm in self.vms]
        self.items = {vm: poller.result().id for vm, poller in zip(self.vms, pollers)}
        self.lab.advance(3_600)
        self.grouping: tuple[tuple[str, ...], ...] = (self.vms[:1], self.vms[1:])
        self._save_plan(create=True)
        self.state, self.where = "Protected", "Primary"  # the model: the items' state, where the VMs run

    # -- the plan -----------------------------------------------------------------------------------

    def _groups(self) -> list[dict[str, Any]]:
        """The plan's boot groups as ``grouping`` has them, the manual action before the second."""
        return [self.book.boot_group(*group, start=[_approval()] if k == 1 else [])
                for k, group in enumerate(self.grouping)]

    def _save_plan(self, *, create: bool = False) -> None:
        book = self.book
        if create:
            book.create_plan(self.plan, self._groups())
        else:
            book.asr.replication_recovery_plans.begin_update(book.rg, book.vault, self.plan, {"properties": {
                "groups": self._groups()}}).result()

    @rule(data=st.data())
    def regroup(self, data: st.DataObject) -> None:
        """The plan's VMs in 1–3 boot groups in a drawn order (a PATCH of the whole group list)."""
        order = data.draw(st.permutations(self.vms))
        cuts = data.draw(st.sets(st.integers(1, len(order) - 1), max_size=len(order) - 1))
        bounds = [0, *sorted(cuts), len(order)]
        self.grouping = tuple(tuple(order[a:b]) for a, b in zip(bounds, bounds[1:]))
        self._save_plan()

    # -- operations ---------------------------------------------------------------------------------

    def _direction(self) -> str:
        return f"{self.where}To{_OTHER[self.where]}"

    def _begin(self, operation: str, direction: str) -> Any:
        return begin_plan_operation(self.book, self.plan, operation, direction)

    def _run(self, operation: str, direction: str) -> Any:
        """Run ``operation`` to its end: a cut channel heals ten minutes in; a manual action is resumed
        an hour after it waits. The plan job's properties."""
        poller = self._begin(operation, direction)
        if self.channel_cut is not None:
            self.lab.advance(600)
            self._heal_channel()
        return finish_plan_job(self.lab, self.book, self.plan, poller, resume_after=3_600)

    @rule(data=st.data())
    def a_valid_plan_operation(self, data: st.DataObject) -> None:
        operation = data.draw(st.sampled_from(sorted(PLAN_ALLOWED[self.state])))
        job = self._run(operation, self._direction())
        assert job.state == "Succeeded", (operation, job.state, [e.service_error_details for e in job.errors])
        if operation in ("PlannedFailover", "UnplannedFailover"):
            self.where = _OTHER[self.where]
        self.state = AFTER.get((self.state, operation), self.state)

    @rule(data=st.data())
    def an_invalid_plan_operation_changes_nothing(self, data: st.DataObject) -> None:
        """One the state does not allow (150609), or a failover the wrong way (150610)."""
        wrong_way = f"{_OTHER[self.where]}To{self.where}"
        failovers = sorted(PLAN_ALLOWED[self.state] & set(_FAILOVERS))
        operation, direction, code = data.draw(st.sampled_from(
            [(op, self._direction(), "150609") for op in OPERATIONS if op not in PLAN_ALLOWED[self.state]]
            + [(op, wrong_way, "150610") for op in failovers]))
        before = self._observed()
        with pytest.raises(HttpResponseError) as info:
            self._begin(operation, direction)
        assert info.value.error is not None and info.value.error.code == code, (operation, self.state, direction)
        assert self._observed() == before

    def _observed(self) -> Any:
        book = self.book
        plan = book.asr.replication_recovery_plans.get(book.rg, book.vault, self.plan).properties
        fabric, container = book.container("Gold")
        items = book.asr.replication_protected_items.list_by_replication_protection_containers(
            book.rg, book.vault, fabric, container)
        return (plan.allowed_operations, plan.current_scenario_status,
                sorted((i.properties.friendly_name, i.properties.protection_state, i.properties.active_location)
                       for i in items))

    # -- faults and time ----------------------------------------------------------------------------

    @rule(fault=st.sampled_from(SITE_FAULTS))
    def a_fault(self, fault: str) -> None:
        """A VMM server's channel to ASR cut both ways (healed inside the next operation or when time
        passes), or a Provider restart."""
        self._site_fault(fault)



    # -- invariants ---------------------------------------------------------------------------------

    @invariant()
    def the_plan_its_items_and_the_hosts_agree_with_the_model(self) -> None:
        allowed, _status, items = self._observed()
        assert set(allowed) == PLAN_ALLOWED[self.state], (allowed, self.state)
        state = "Protected" if self.state == "TestFailoverUp" else self.state
        assert items == sorted((vm, state, self.where) for vm in self.vms)
        role = Role.primary if self.where == "Primary" else Role.recovery
        running = {vm.name for host in self.lab.sites[role].hosts for vm in host.vms if vm.state.value == "Running"}
        assert set(self.vms) <= running

    @invariant()
    def every_history_keeps_the_ordering_rules_and_the_per_vm_promises(self) -> None:
        for verdict in (check_ordering(self.lab.history), data_loss(self.lab), ip_injection(self.lab)):
            assert verdict.ok, str(verdict)
