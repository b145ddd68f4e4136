"""``InMagePlanMachine``: the recovery-plan machine of the VMware scenario. A configuration server's VMware
VM and physical server, protected under one multi-VM InMage policy, in a plan of two boot groups with a
manual action before the second, through random plan operations — valid and invalid for the items'
state, in either direction: test failover and cleanup, unplanned failover, commit, reprotect, failback
and round again — with virtual time passing, the process server cut off from its master target (for
less than the policy's RPO threshold) and the configuration server's channel to ASR cut. The model is
the items' state and where they run; each valid operation's plan job succeeds and the plan, its items
and the vCenters then agree with the model, each invalid one is refused (409 150609, 150610 the wrong
way) and changes nothing; every history keeps the ordering rules, the data-loss promise within the RPO
threshold, IP injection, the outbound-only channel and certificate trust."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from simcore import FaultRule, Match, Partition
from vmware_fake.policy import REPLICATION_PORT, TEST_VM_NAME

from .._lab.vmware import VMwareSiteSpec
from ..checkers import certificate_trust, check_ordering, data_loss, ip_injection, outbound_only
from ..lab import Lab
from ..runbook import Runbook
from ._lab_machine import LabMachine
from ._plan_calls import begin_plan_operation, finish_plan_job

__all__ = ["InMagePlanMachine", "INMAGE_PLAN_ALLOWED"]

#: the model: the items' state -> the plan operations the recorded state allows
INMAGE_PLAN_ALLOWED = {
    "Protected": {"TestFailover", "UnplannedFailover"},
    "TestFailoverUp": {"TestFailoverCleanup"},
    "UnplannedFailoverCommitPendingStatesBegin": {"Commit", "ReverseReplicate"},
    "UnplannedFailoverStatesBegin": {"ReverseReplicate"},
}
_AFTER = {("Protected", "TestFailover"): "TestFailoverUp", ("TestFailoverUp", "TestFailoverCleanup"): "Protected",
          ("Protected", "UnplannedFailover"): "UnplannedFailoverCommitPendingStatesBegin",
          ("UnplannedFailoverCommitPendingStatesBegin", "Commit"): "UnplannedFailoverStatesBegin",
          ("UnplannedFailoverCommitPendingStatesBegin", "ReverseReplicate"): "Protected",
          ("UnplannedFailoverStatesBegin", "ReverseReplicate"): "Protected"}
_OPERATIONS = ("TestFailover", "TestFailoverCleanup", "PlannedFailover", "UnplannedFailover", "Commit", "ReverseReplicate")
_OTHER = {"Primary": "Recovery", "Recovery": "Primary"}
RPO_THRESHOLD_MINUTES = 15


class InMagePlanMachine(LabMachine):
    """Subclass it to add rules of your own (``self.lab``, ``self.book`` the SDK runbook, ``self.plan``);
    ``lab_seed`` and ``machines`` (a VM's name, then a physical server's) choose the lab. Run it as
    ``InMagePlanMachine.TestCase`` (with your ``settings``)."""

    lab_seed = 17
    machines = ("vmw-web1", "phys-app1")
    plan = "rp-vmware"

    def __init__(self) -> None:
        super().__init__()
        self.lab = Lab(seed=self.lab_seed, vms_per_cloud=1)
        self.site = self.lab.add_vmware_site(VMwareSiteSpec(vms=self.machines[:1], physical_servers=self.machines[1:]))
        self.book = book = Runbook.of(self.lab)
        self.fabric, self.container = book.vmware_container()
        self._protect()
        fabric_id = f"{book.prefix()}/replicationFabrics/{self.fabric}"
        approve = {"actionName": "approve", "failoverTypes": ["TestFailover", "UnplannedFailover"],
                   "failoverDirections": ["PrimaryToRecovery", "RecoveryToPrimary"],
                   "customDetails": {"instanceType": "ManualActionDetails", "description": "check the app"}}
        book.asr.replication_recovery_plans.begin_create(book.rg, book.vault, self.plan, {"properties": {
            "primaryFabricId": fabric_id, "recoveryFabricId": fabric_id, "failoverDeploymentModel": "NotApplicable",
            "groups": [{"groupType": "Boot", "replicationProtectedItems": [{"id": self._items()[name].id}],
                        "startGroupActions": [approve] if k else []} for k, name in enumerate(self.machines)]}}).result()
        self.state, self.where = "Protected", "Primary"
        self.link_cut: FaultRule | None = None
        self.channel_cut: FaultRule | None = None

    def _protect(self) -> None:
        self.book.protect_vmware({"instanceType": "InMage", "multiVmSyncStatus": "Enable",
                                  "recoveryPointThresholdInMinutes": RPO_THRESHOLD_MINUTES})
        self._settle()

    def _items(self) -> dict[str, Any]:
        book = self.book
        return {i.properties.friendly_name: i for i in book.asr.replication_protected_items
                .list_by_replication_protection_containers(book.rg, book.vault, self.fabric, self.container.name)}

    def _settle(self) -> None:
        """Let a (re)synchronization end (a cut link heals by itself: each is shorter than the RPO threshold)."""
        self.lab.run_until(lambda: {i.properties.protection_state for i in self._items().values()} == {"Protected"},
                           within=14_400)

    # -- operations ---------------------------------------------------------------------------------

    def _begin(self, operation: str, direction: str) -> Any:
        return begin_plan_operation(self.book, self.plan, operation, direction, source_site_operations="NotRequired")

    def _run(self, operation: str) -> Any:
        """Run ``operation`` to its end (a cut channel heals ten minutes in; the manual action is resumed
        ten minutes after it waits); the plan job's properties."""
        poller = self._begin(operation, f"{self.where}To{_OTHER[self.where]}")
        if self.channel_cut is not None:
            self.lab.advance(600)
            self._heal_channel()
        return finish_plan_job(self.lab, self.book, self.plan, poller, resume_after=600)

    @rule(data=st.data(), count=st.integers(1, 3))
    def valid_plan_operations(self, data: st.DataObject, count: int) -> None:
        """``count`` valid operations in a row (a runbook's steps: failover, commit, reprotect go deep)."""
        for _ in range(count):
            operation = data.draw(st.sampled_from(sorted(INMAGE_PLAN_ALLOWED[self.state])))
            job = self._run(operation)
            assert job.state == "Succeeded", (operation, job.state, [e.service_error_details for e in job.errors])
            if operation == "UnplannedFailover":
                self.where = _OTHER[self.where]
            self.state = _AFTER[(self.state, operation)]
            if operation == "ReverseReplicate":
                self._settle()

    @rule(data=st.data())
    def an_invalid_plan_operation_changes_nothing(self, data: st.DataObject) -> None:
        """One the state does not allow, a planned failover among them (150609), or a failover the
        wrong way (150610)."""
        allowed = INMAGE_PLAN_ALLOWED[self.state]
        wrong_way = f"{_OTHER[self.where]}To{self.where}"
        operation, direction, code = data.draw(st.sampled_from(
            [(op, f"{self.where}To{_OTHER[self.where]}", "150609") for op in _OPERATIONS if op not in allowed]
            + [(op, wrong_way, "150610") for op in sorted(allowed & {"TestFailover", "UnplannedFailover"})]))
        before = self._observed()
        with pytest.raises(HttpResponseError) as info:
            self._begin(operation, direction)
        assert info.value.error is not None and info.value.error.code == code, (operation, self.state, direction,
                                                                                info.value.error)
        assert self._observed() == before

    def _observed(self) -> Any:
        book = self.book
        plan = book.asr.replication_recovery_plans.get(book.rg, book.vault, self.plan).properties
        return (plan.allowed_operations, plan.current_scenario_status, sorted(
            (name, i.properties.protection_state, i.properties.active_location) for name, i in self._items().items()))

    # -- faults and time ----------------------------------------------------------------------------

    @rule(seconds=st.floats(60.0, 600.0), into=st.floats(0.0, 0.9))
    def the_process_server_is_cut_off_from_its_master_target(self, seconds: float, into: float) -> None:
        """For less than the RPO threshold less the lag (one cut at a time), ``into`` of it passing
        before the next step (which then runs while the master target's data is held back)."""
        if self.link_cut is not None and (self.link_cut.end or 0.0) > self.lab.now:
            return
        pair = next(iter(self.site.configuration_server.protection.pairs.values()))
        self.link_cut = self.lab.faults.add(FaultRule(Partition(), Match(
            src=pair.process_server.node.name, dst=pair.master_target.node.name, port=REPLICATION_PORT,
            bidirectional=True), end=self.lab.now + seconds))
        self.lab.advance(into * seconds)

    @rule()
    def the_channel_to_asr_is_cut(self) -> None:
        """The configuration server's channel to ASR, both ways (healed inside the next operation or
        when time passes)."""
        if self.channel_cut is None:
            self.channel_cut = self.lab.faults.add(FaultRule(Partition(), Match(
                src=self.site.configuration_server.name, dst=self.lab.service.channel.node, bidirectional=True)))

    def _heal_channel(self) -> None:
        if self.channel_cut is not None:
            self.lab.faults.heal(self.channel_cut)
            self.channel_cut = None



    # -- invariants ---------------------------------------------------------------------------------

    @invariant()
    def the_plan_its_items_and_the_vcenters_agree_with_the_model(self) -> None:
        allowed, _status, items = self._observed()
        assert set(allowed) == INMAGE_PLAN_ALLOWED[self.state], (allowed, self.state)
        state = "Protected" if self.state == "TestFailoverUp" else self.state
        assert items == sorted((name, state, self.where) for name in self.machines)
        site = self.site
        here, there = (site.primary, site.secondary) if self.where == "Primary" else (site.secondary, site.primary)
        running = {vm.name for vm in here.vms.values() if vm.powered_on} | {
            s.name for s in site.configuration_server.physical_servers.values() if s.running and self.where == "Primary"}
        assert set(self.machines) <= running, (self.where, running)
        tests = {vm.name for vm in there.vms.values() if vm.powered_on and vm.name.endswith(TEST_VM_NAME.format(name=""))}
        assert tests == ({TEST_VM_NAME.format(name=n) for n in self.machines} if self.state == "TestFailoverUp" else set())

    @invariant()
    def every_history_keeps_the_ordering_rules_and_the_promises(self) -> None:
        history = self.lab.history
        for verdict in (check_ordering(history), data_loss(self.lab, rpo_seconds=60 * RPO_THRESHOLD_MINUTES),
                        ip_injection(self.lab), outbound_only(history), certificate_trust(history)):
            assert verdict.ok, str(verdict)
