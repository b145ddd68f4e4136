"""The VMware scenario's promises as properties over drawn sites, policies and link cuts (``drlab.strategies``
``vmware_sites``, ``inmage_policies``): every drawn policy is accepted and read back as sent; every machine
protected under it reaches Differential Sync; an unplanned failover of each, with the process server cut
off from its master target for a drawn time before it (or not), recovers exactly its source's writes up
to a point its master target could hold, with replication behind by no more than the RPO threshold
whenever the link was up within it; the recovered VMs hold their sources' addresses; the channel stays
outbound only and every certificate it accepted is trusted — and so under any fault of the ``"vmware"``
category in force while the machines fail over."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import drlab
from drlab.checkers import certificate_trust, data_loss, ip_injection, outbound_only
from drlab.runbook import Runbook
from drlab.strategies import inmage_policies, site_faults, vmware_sites
from simcore import FaultRule, Match, Partition
from drlab import VMwareSiteSpec
from vmware_fake.policy import DIFFERENTIAL_SYNC_LAG_SECONDS, REPLICATION_PORT


def _protect(lab: drlab.Lab, policy: dict[str, Any]) -> tuple[Any, str, str, str]:
    """Every machine protected under ``policy``, which reads back as it was sent."""
    book = Runbook.of(lab)
    details = book.protect_vmware(policy).properties.provider_specific_details
    assert (details.multi_vm_sync_status, details.recovery_point_threshold_in_minutes, details.recovery_point_history,
            details.app_consistent_frequency_in_minutes) == (
        policy["multiVmSyncStatus"], policy["recoveryPointThresholdInMinutes"], policy["recoveryPointHistory"],
        policy["appConsistentFrequencyInMinutes"])
    fabric, container = book.vmware_container()
    return book.asr, fabric, container.name, book.rg


@settings(max_examples=12)  # a lab each: the suite's budget (the machine explores the same promises longer)
@given(spec=vmware_sites(), policy=inmage_policies(), before=st.floats(0.0, 7_200.0),
       cut=st.one_of(st.none(), st.floats(1.0, 7_200.0)), healed=st.booleans())
def test_failovers_keep_the_data_and_address_promises(spec: VMwareSiteSpec, policy: dict[str, Any], before: float,
                                                      cut: float | None, healed: bool) -> None:
    with drlab.Lab(seed=3, vms_per_cloud=1) as lab:
        site = lab.add_vmware_site(spec)
        asr, fabric, container, rg = _protect(lab, policy)
        items = list(asr.replication_protected_items.list_by_replication_protection_containers(
            rg, lab.vault_name, fabric, container))
        lab.run_until(lambda: all(p.stage(lab.now) == "Differential Sync"
                                  for p in site.configuration_server.protection.pairs.values()), within=36_000)
        lab.advance(60.0 + before)  # the server's next poll reports it
        assert {i.properties.protection_state for i in asr.replication_protected_items
                .list_by_replication_protection_containers(rg, lab.vault_name, fabric, container)} == {"Protected"}
        cut_at = lab.now
        if cut is not None:
            rule = lab.faults.add(FaultRule(Partition(), Match(
                src=site.process_server.node.name, dst=site.master_target.node.name, port=REPLICATION_PORT,
                bidirectional=True), end=lab.now + cut / 2 if healed else None))
            lab.advance(cut)
        for item in items:
            asr.replication_protected_items.begin_unplanned_failover(rg, lab.vault_name, fabric, container, item.name, {
                "properties": {"failoverDirection": "PrimaryToRecovery", "providerSpecificDetails": {
                    "instanceType": "InMage", "recoveryPointType": "LatestTime"}}}).result()
        failovers = lab.history.select(op="cs.failover")
        # what replication can have reached at each failover: the lag, plus the cut still holding then
        behind = [DIFFERENTIAL_SYNC_LAG_SECONDS + (e.time - cut_at if cut is not None and not healed else 0.0)
                  for e in failovers]
        assert all(e.details["rpoSeconds"] <= b + 1e-6 for e, b in zip(failovers, behind)), (
            [e.details["rpoSeconds"] for e in failovers], behind)
        if cut is not None and not healed:
            lab.faults.heal(rule)
        threshold = 60.0 * policy["recoveryPointThresholdInMinutes"]
        loss = data_loss(lab, rpo_seconds=threshold if max(behind) <= threshold else None)
        assert loss.ok and loss.checked == len(items), loss
        for verdict in (ip_injection(lab), outbound_only(lab.history), certificate_trust(lab.history)):
            assert verdict.ok, verdict
        running = {vm.name for vm in site.secondary.vms.values() if vm.powered_on}
        assert running == {*spec.vms, *spec.physical_servers}


@settings(max_examples=8)
@given(data=st.data())
def test_any_vmware_fault_leaves_every_failover_keeping_the_promises(data: st.DataObject) -> None:
    """A fault of the ``"vmware"`` category (``drlab.strategies.site_faults``: the replication link cut, the
    configuration server's channel partitioned, dropped or delayed) in force while both machines fail
    over: each failover still succeeds once it heals, and every checker holds."""
    with drlab.Lab(seed=5, vms_per_cloud=1) as lab:
        lab.add_vmware_site(VMwareSiteSpec(vms=("vmw-web1",), physical_servers=("phys-app1",)))
        book = Runbook.of(lab)
        book.protect_vmware()
        lab.advance(3_600.0)
        lab.faults.add(data.draw(site_faults(lab, ["vmware"], heal_within=900.0)))
        lab.advance(data.draw(st.floats(0.0, 300.0)))
        fabric, container = book.vmware_container()
        for item in book.asr.replication_protected_items.list_by_replication_protection_containers(
                book.rg, book.vault, fabric, container.name):
            book.asr.replication_protected_items.begin_unplanned_failover(book.rg, book.vault, fabric, container.name,
                                                                          item.name, {"properties": {
                                                                              "failoverDirection": "PrimaryToRecovery"}}
                                                                          ).result()
        for verdict in (data_loss(lab), ip_injection(lab), outbound_only(lab.history), certificate_trust(lab.history)):
            assert verdict.ok, verdict
        assert len(lab.history.select(op="cs.failover")) == 2


def test_a_failover_at_the_instant_a_cut_ends_is_judged_by_the_drained_backlog() -> None:
    """The heal drains the backlog at once (vmware_fake policy ``BACKLOG_DRAINS_AT_HEAL``): a failover at the
    cut's very end goes to the lag behind it, which the checker accepts; one a second earlier goes to the cut's
    start."""
    with drlab.Lab(seed=9, vms_per_cloud=1) as lab:
        site = lab.add_vmware_site(VMwareSiteSpec(vms=("vmw-web1", "vmw-db1"), physical_servers=()))
        Runbook.of(lab).protect_vmware({"instanceType": "InMage", "multiVmSyncStatus": "Disable"})
        lab.advance(3_600.0)
        cut_at = lab.now
        lab.faults.add(FaultRule(Partition(), Match(src=site.process_server.node.name,
                                                    dst=site.master_target.node.name, port=REPLICATION_PORT,
                                                    bidirectional=True), end=cut_at + 60.0))
        protection = site.configuration_server.protection
        lab.run_until(cut_at + 59.0)
        early = protection.unplanned_failover(site.vms["vmw-db1"].id, "LatestTime", None)
        lab.run_until(cut_at + 60.0)
        late = protection.unplanned_failover(site.vms["vmw-web1"].id, "LatestTime", None)
        assert (early.point.time, late.point.time) == (cut_at - DIFFERENTIAL_SYNC_LAG_SECONDS,
                                                       cut_at + 60.0 - DIFFERENTIAL_SYNC_LAG_SECONDS)
        loss = data_loss(lab)
        assert loss.ok and loss.checked == 2, loss
