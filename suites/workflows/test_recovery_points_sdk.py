"""Recovery points through the official SDK (asr-orchestration.md §B.5, §A.4.6; hyperv-scvmm.md §2.8):
the list is the replica host's own points as its VMM reports them — tracking them as cycles pass,
keeping the policy's ``recoveryPoints`` hourly ones — in the recorded shape."""

from __future__ import annotations

import re
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError

from drlab import Lab, Role
from simcore import FaultRule, Match, Partition

from .conftest import Runbook

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_TYPE = ("Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/"
         "replicationProtectedItems/recoveryPoints")
_KINDS = {"Regular": "CrashConsistent", "ApplicationConsistent": "AppConsistent", "Planned": "AppConsistent"}


@pytest.fixture
def protected(lab: Lab) -> tuple[Runbook, str]:
    """Gold-VM1 protected with 4 hourly points kept, every second one app-consistent."""
    runbook = Runbook.of(lab)
    runbook.create_policy(recoveryPoints=4, applicationConsistentSnapshotFrequencyInHours=2)
    runbook.pair()
    runbook.map_poller().result()
    name = runbook.enable_poller("Gold-VM1").result().name
    lab.advance(3_600)
    return runbook, name


def _args(runbook: Runbook, name: str) -> tuple[str, ...]:
    return (runbook.rg, runbook.vault, *runbook.container("Gold"), name)


def _points(runbook: Runbook, name: str) -> list[Any]:
    return list(runbook.asr.recovery_points.list_by_replication_protected_items(*_args(runbook, name)))


def _item(runbook: Runbook, name: str) -> Any:
    return runbook.asr.replication_protected_items.get(*_args(runbook, name))


def _replica(lab: Lab) -> tuple[Any, Any]:
    return next((host, vm) for host in lab.sites[Role.recovery].hosts for vm in host.vms if vm.name == "Gold-VM1")


def _host_view(lab: Lab) -> list[tuple[str, str]]:
    """The replica host's points as ASR should list them: (time, recoveryPointType), oldest first."""
    host, vm = _replica(lab)
    clock = lab.sim.clock
    return [(clock.to_datetime(p.time).strftime("%Y-%m-%dT%H:%M:%S.%f"), _KINDS[p.replication_type.value])
            for p in host.get_vm_snapshot(vm.name)]


def _asr_view(points: list[Any]) -> list[tuple[str, str]]:
    return [(p.properties.recovery_point_time.strftime("%Y-%m-%dT%H:%M:%S.%f"), p.properties.recovery_point_type)
            for p in points]


def _cut(lab: Lab) -> FaultRule:
    """The two sites' hosts cannot reach each other (ASR's channel still works)."""
    hosts = [tuple(h.name for h in lab.sites[role].hosts) for role in (Role.primary, Role.recovery)]
    return lab.faults.add(FaultRule(Partition(), Match(src=hosts[0], dst=hosts[1], bidirectional=True)))


# -- the list ------------------------------------------------------------------------------------------


def test_points_are_the_replica_hosts_points_in_the_recorded_shape(protected, lab: Lab) -> None:
    runbook, name = protected
    lab.advance(6 * 3_600 + 17)
    points = _points(runbook, name)
    assert _asr_view(points) == _host_view(lab)
    assert len(points) == 5  # the policy's 4 hourly points, then the latest
    assert {p.properties.recovery_point_type for p in points[:-1]} == {"CrashConsistent", "AppConsistent"}
    prefix = _item(runbook, name).id + "/recoveryPoints/"
    for point in points:
        assert _GUID.match(point.name) and point.id == prefix + point.name and point.type == _TYPE
        assert point.properties.provider_specific_details is None
        got = runbook.asr.recovery_points.get(*_args(runbook, name), point.name)
        assert (got.id, got.properties.recovery_point_time) == (point.id, point.properties.recovery_point_time)


def test_the_list_tracks_the_replica_as_cycles_pass_and_keeps_the_policys_count(protected, lab: Lab) -> None:
    runbook, name = protected
    seen: dict[str, str] = {}
    for seconds in (30, 45, 1_800, 3_600, 3_611, 7_200, 29):
        lab.advance(seconds)
        points = _points(runbook, name)
        assert _asr_view(points) == _host_view(lab)
        hourly = points[:-1]
        assert len(hourly) <= 4
        for point in hourly:  # an hourly point keeps its name from read to read until it ages out
            assert seen.setdefault(point.properties.recovery_point_time.isoformat(), point.name) == point.name
    assert len(_points(runbook, name)) == 5


def test_the_list_follows_an_outage_and_its_end(protected, lab: Lab) -> None:
    """Points stop with the last log applied during the cut (a gap, no copies), and resume after it."""
    runbook, name = protected
    lab.advance(2 * 3_600)
    cut = _cut(lab)
    for _ in range(3):
        lab.advance(3_600 + 300)
        assert _asr_view(_points(runbook, name)) == _host_view(lab)
    lab.faults.heal(cut)
    for seconds in (600, 3_600, 5 * 3_600):
        lab.advance(seconds)
        assert _asr_view(_points(runbook, name)) == _host_view(lab)


def test_steady_replication_sends_no_inventory_for_new_points(protected, lab: Lab) -> None:
    """A point appears every cycle and every hour, yet the reports are in closed form: a day of steady
    replication (2,880 cycles, 24 hours) sends no inventory and the list still agrees with the host."""
    runbook, name = protected
    lab.advance(5 * 3_600)
    sent = len(lab.history.select(op="provider.sync", phase="ok"))
    lab.advance(24 * 3_600)
    assert len(lab.history.select(op="provider.sync", phase="ok")) == sent
    assert _asr_view(_points(runbook, name)) == _host_view(lab)


def test_an_unknown_point_is_404(protected) -> None:
    runbook, name = protected
    with pytest.raises(HttpResponseError) as info:
        runbook.asr.recovery_points.get(*_args(runbook, name), "00000000-0000-0000-0000-000000000000")
    assert info.value.status_code == 404
