"""The replication readings a VMM server keeps between inventories (``ReplicationReports``): what it
reports always means what reading every VM from its host again would give (the same fields, and
the same recovery points once expanded: a kept reading may still list a point retention has since
trimmed, which the closed form's ``keep`` drops, ``PointsOutlook``), while an inventory taken
after one VM moved reads that VM alone; a fabric move that names no VM rereads them all."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from asr_emulator.models.recovery_points import _hours
from drlab import Lab, Role
from drlab.runbook import Runbook
from hyperv_fake import HyperVHost
from scvmm_fake._replication_reports import ReplicationReports
from simcore import FaultRule, Match, Partition


def _meaning(reports: dict[str, Any], now: float) -> dict[str, Any]:
    """``reports`` with each replica's listed points cut to those its closed form still keeps at ``now``."""
    meant = {}
    for vm_id, report in reports.items():
        points = report.recovery_points
        if points is not None and points.follows_cycles and points.keep:
            hours = _hours({"hourlyOrigin": points.hourly_origin, "hourlyFrom": points.hourly_from,
                            "appConsistentEvery": points.app_consistent_every,
                            "appConsistent": points.app_consistent}, points.keep, now)
            kept = [*points.points, *hours][-points.keep:]
            report = replace(report, recovery_points=replace(points, points=tuple(p for p in points.points if p in kept)))
        meant[vm_id] = report
    return meant


def _replicating(vmm: Any) -> list[Any]:
    return [vm for vm in vmm._all("VirtualMachine")
            if vm.cloud is not None and vm.cloud.disaster_recovery_supported and vm.vm.replication is not None]


def test_kept_readings_always_equal_a_full_reread_through_protection_failover_and_faults(
        monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[int] = []
    kept_read = ReplicationReports.read

    def checked(self: ReplicationReports, vms: Any, now: float) -> Any:
        vms = list(vms)
        reports = kept_read(self, vms, now)
        fresh = ReplicationReports()
        assert _meaning(reports, now) == _meaning(kept_read(fresh, vms, now), now) and self.due == fresh.due
        compared.append(len(reports))
        return reports

    monkeypatch.setattr(ReplicationReports, "read", checked)
    with Lab(seed=5, vms_per_cloud=3) as lab:
        book = Runbook.of(lab)
        book.create_policy()
        name = book.protect("Gold-VM1")
        for vm in ("Gold-VM2", "Gold-VM3"):
            book.enable_poller(vm).result()
        lab.advance(2 * 3_600)
        hosts = [h.name for h in lab.sites[Role.primary].hosts], [h.name for h in lab.sites[Role.recovery].hosts]
        cut = lab.faults.add(FaultRule(Partition(), Match(src=tuple(hosts[0]), dst=tuple(hosts[1]), bidirectional=True)))
        lab.advance(3 * 3_600)
        lab.faults.heal(cut)
        lab.advance(3_600)
        book.planned_failover(name)
        lab.advance(3_600)
    assert len(compared) > 20 and max(compared) >= 3, compared


def test_an_inventory_after_one_vm_moved_reads_only_that_vm(monkeypatch: pytest.MonkeyPatch) -> None:
    with Lab(seed=5, vms_per_cloud=3) as lab:
        book = Runbook.of(lab)
        book.create_policy()
        book.protect("Gold-VM1")
        for vm in ("Gold-VM2", "Gold-VM3"):
            book.enable_poller(vm).result()
        lab.advance(3_600)
        vmm = lab.sites[Role.primary].vmm
        reads: list[str] = []
        outlook = HyperVHost.replication_outlook

        def counted(host: HyperVHost, vm_id: str) -> Any:
            reads.append(vm_id)
            return outlook(host, vm_id)

        monkeypatch.setattr(HyperVHost, "replication_outlook", counted)
        vms = _replicating(vmm)
        vmm.dr_inventory()
        reads.clear()
        vmm.dr_inventory()
        assert reads == []  # nothing moved
        moved = vms[1]
        moved.vm_host.host.fabric.moved(moved.vm_id)
        vmm.dr_inventory()
        assert reads == [moved.vm_id]
        reads.clear()
        moved.vm_host.host.fabric.revision += 1  # a move that names no VM
        vmm.dr_inventory()
        assert sorted(reads) == sorted(vm.vm_id for vm in vms)


def test_the_fabric_names_the_vms_moved_since_a_revision_while_it_keeps_them() -> None:
    with Lab(seed=1) as lab:
        fabric = lab.sites[Role.primary].hosts[0].fabric
        start = fabric.revision
        fabric.moved("a")
        fabric.moved("b")
        fabric.moved("a")
        assert fabric.moved_since(start) == ["a", "b", "a"]
        assert fabric.moved_since(start + 2) == ["a"]
        assert fabric.moved_since(fabric.revision) == []
        fabric.revision += 1
        assert fabric.moved_since(start) is None
        assert fabric.moved_since(fabric.revision - 1) is None
