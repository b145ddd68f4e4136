"""The shipped checkers (``drlab.checkers``) pass on a lab that keeps its promises and name the
events of one broken on purpose: a replica holding a write its source never made, a planned
failover that lost writes, an RPO beyond its bound, an injected address no longer granted, another
VM of the site holding the same address, a guest that did not take its address."""

from __future__ import annotations

from typing import Any

import pytest

from drlab import Lab, Role
from drlab.checkers import data_loss, ip_injection
from hyperv_fake import DataImage, GuestNetworkConfiguration
from simcore import FaultRule, Match, Partition

from ..workflows.conftest import Runbook


@pytest.fixture
def failed_over() -> Any:
    """Gold-VM1 failed over (planned) to the recovery site."""
    with Lab(seed=11) as lab:
        book = Runbook.of(lab)
        book.create_policy()
        name = book.protect("Gold-VM1")
        book.planned_failover(name)
        yield lab, book, name


def _vm(lab: Lab, role: Role, name: str = "Gold-VM1") -> Any:
    return next(vm for host in lab.sites[role].hosts for vm in host.vms if vm.name == name)


def test_a_lab_that_keeps_its_promises_passes(failed_over: Any) -> None:
    lab, _, _ = failed_over
    for verdict in (data_loss(lab, rpo_seconds=3_600), ip_injection(lab)):
        assert verdict.ok and verdict.checked >= 1, str(verdict)


def _forge(lab: Lab, op: str, **details: Any) -> None:
    """Record what a broken emulator would: a failover event of Gold-VM1 at the recovery VMM."""
    lab.history.record(lab.recovery.vmm.name if op == "vmm.failover" else lab.primary.vmm.name, op, "info",
                       {"vm": "Gold-VM1", **details})


def test_a_replica_with_a_write_its_source_never_made_is_named(failed_over: Any) -> None:
    lab, _, _ = failed_over
    made = _vm(lab, Role.primary).workload.image(lab.now)
    _forge(lab, "vmm.failover", image=DataImage((*made.runs, ("someone-else", made.last + 1)), made.last + 5)
           .describe(), rpoSeconds=0.0)
    verdict = data_loss(lab)
    (violation,) = verdict.violations
    (index,) = violation.events
    assert lab.history.select(where=lambda e: e.index == index)[0].op == "vmm.failover"
    assert "did not make" in violation.message and "data loss violated" in str(verdict)


def test_a_planned_failover_that_lost_writes_is_named(failed_over: Any) -> None:
    """The source wrote 3 more than the point it failed over to held after the final log."""
    lab, _, _ = failed_over
    made = _vm(lab, Role.primary).workload.image(lab.now)
    _forge(lab, "vmm.failover.prepared", image=made.describe())
    _forge(lab, "vmm.failover", image=made.upto(made.last - 3).describe(), rpoSeconds=0.0)
    (violation,) = data_loss(lab).violations
    assert f"planned failover of Gold-VM1 lost writes {made.last - 2}..{made.last}" in violation.message


def test_an_unplanned_failover_may_lose_writes_after_its_point_but_not_beyond_an_rpo_bound() -> None:
    with Lab(seed=11) as lab:
        book = Runbook.of(lab)
        book.create_policy()
        name = book.protect("Gold-VM1")
        hosts = [tuple(h.name for h in lab.sites[role].hosts) for role in (Role.primary, Role.recovery)]
        lab.faults.add(FaultRule(Partition(), Match(src=hosts[0], dst=hosts[1], bidirectional=True)))
        lab.advance(600)
        fabric, container = book.container("Gold")
        book.asr.replication_protected_items.begin_unplanned_failover(
            book.rg, book.vault, fabric, container, name, {"properties": {
                "failoverDirection": "PrimaryToRecovery", "sourceSiteOperations": "NotRequired"}}).result()
        assert data_loss(lab).ok, str(data_loss(lab))
        (violation,) = data_loss(lab, rpo_seconds=60).violations
        assert "bound 60 s" in violation.message


def test_an_injected_address_taken_back_or_held_twice_is_named(failed_over: Any) -> None:
    lab, _, _ = failed_over
    vmm = lab.recovery.vmm
    (allocation,) = [a for pool in vmm.get_sc_static_ip_address_pool()
                     for a in vmm.get_sc_ip_address(static_ip_address_pool=pool) if str(a.address) == "10.2.0.10"]
    vmm.revoke_sc_ip_address(allocation)
    running = [vm for host in lab.sites[Role.primary].hosts for vm in host.vms if vm.state.value == "Running"]
    theirs = "10.1.0.99"  # two guests set to one address by hand
    for vm in running[:2]:
        vm.guest.configure_network(vm.adapters[0].name, GuestNetworkConfiguration(False, (theirs,), ("255.255.255.0",)))
    reasons = [v.message for v in ip_injection(lab).violations]
    assert any("10.2.0.10 is not granted" in r for r in reasons) and any(f"all hold {theirs}" in r for r in reasons), \
        reasons


def test_a_guest_that_did_not_take_its_address_is_named(failed_over: Any) -> None:
    lab, _, _ = failed_over
    replica = _vm(lab, Role.recovery)
    (adapter,) = replica.guest.network
    replica.guest.configure_network(adapter, GuestNetworkConfiguration(True))
    (violation,) = ip_injection(lab).violations
    assert violation.events and "not the injected ['10.2.0.10']" in violation.message
