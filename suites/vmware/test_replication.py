"""The configuration server's closed-form replication, through the Python API: a workload's past is
exact, a pair goes Step I → Step II → Differential Sync on connected time (partitions between its
process server and master target delay it, and freeze what the master target holds), tags sit on
their grids within the retention window, failovers recover the point's writes (a failback onto the
original VM), a multi-VM group shares its points, and a refused call changes nothing."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Callable

import pytest

from simcore import FaultRule, Match, Partition, Simulation
from vmware_fake import (
    ComponentNotRegistered, DuplicateName, InvalidParameter, InvalidState, MasterTarget, ObjectNotFound,
    ProcessServer, ReplicationPair, VirtualMachine, Workload,
)
from vmware_fake.policy import (
    CRASH_CONSISTENT_SECONDS, DIFFERENTIAL_SYNC_LAG_SECONDS, INITIAL_REPLICATION_SECONDS_PER_GIB, PAIR_STAGES,
    REPLICATION_PORT, RESYNC_STEP_II_SECONDS, TEST_VM_NAME,
)

STEP_I, STEP_II, DIFFERENTIAL = PAIR_STAGES
LAG = DIFFERENTIAL_SYNC_LAG_SECONDS
ENABLED_AT = 900.0  # the site fixture's clock: both discoveries just ended
COPIED = ENABLED_AT + 40 * INITIAL_REPLICATION_SECONDS_PER_GIB  # a 40 GiB disk: 1140
SYNCED = COPIED + RESYNC_STEP_II_SECONDS  # 1260
_POLICY = {"recoveryPointThresholdInMinutes": 60, "recoveryPointHistory": 1440,
           "appConsistentFrequencyInMinutes": 60, "multiVmSyncStatus": "Disable"}


def _fields(target: MasterTarget, server: ProcessServer, *, group: str = "g1", **policy: Any) -> dict[str, Any]:
    """An ``InMageEnableProtectionInput`` as the vault sends it, its policy changed by ``policy``."""
    return {"masterTargetId": target.id, "processServerId": server.id, "retentionDrive": "E:",
            "multiVmGroupId": group, "multiVmGroupName": f"app-{group}", "runAsAccountId": "1",
            "policy": {**_POLICY, **policy}}


def _vm(site: SimpleNamespace, name: str, address: str) -> VirtualMachine:
    """A running 40 GiB VM on vc-p writing 2 sequence numbers a second, one NIC on VM Network."""
    vm: VirtualMachine = site.primary.create_vm(name, host=site.host.name, datastore="vc-p-ds1",
                                                nics=(("VM Network", address),), write_rate=2.0)
    return vm


def _protect(site: SimpleNamespace, name: str = "web1", address: str = "10.20.1.10", *,
             server: ProcessServer | None = None, group: str = "g1", **policy: Any) -> ReplicationPair:
    """A new VM on vc-p protected to mt1 (the Mobility service pushed by the enable)."""
    vm = _vm(site, name, address)
    pair: ReplicationPair = site.cs.protection.enable(vm.id, _fields(site.mt, server or site.ps, group=group, **policy))
    return pair


def _cut(sim: Simulation, a: str, b: str, *, end: float | None = None) -> FaultRule:
    """A partition of nodes ``a`` and ``b`` on the replication port, from now (to ``end``, else until healed)."""
    return sim.faults.add(FaultRule(Partition(), Match(src=a, dst=b, port=REPLICATION_PORT, bidirectional=True),
                                    end=end))


def _run_to(sim: Simulation, t: float) -> None:
    sim.advance(t - sim.clock.now)


@pytest.fixture
def lab(site: SimpleNamespace) -> SimpleNamespace:
    """The site with master target mt1 on vc-s."""
    site.mt = site.cs.add_master_target("mt1", vcenter="vc-s", address="10.30.0.30")
    return site


def test_written_is_exact_for_past_times_after_every_change() -> None:
    workload = Workload(2.0, base=7)
    workload.start(10.0)
    workload.stop(20.0)  # 7 + 2 * 10 = 27
    workload.set_rate(0.5, 30.0)  # stopped: nothing written until the start
    workload.start(40.0)
    workload.set_rate(3.0, 50.0)  # 27 + 0.5 * 10 = 32
    workload.set_rate(1.0, 60.0)  # 32 + 3 * 10 = 62
    workload.rebase(1000, 60.0)  # the same instant: the disks now hold 1000
    expected = {-1e9: 7, 0.0: 7, 10.0: 7, 15.0: 17, 20.0: 27, 25.0: 27, 40.0: 27, 45.0: 29, 49.9: 31, 50.0: 32,
                52.5: 39, 59.5: 60, 60.0: 1000, 61.0: 1001, 100.5: 1040}
    assert {t: workload.written(t) for t in expected} == expected
    workload.rebase(5, 200.0)  # 1140 by then; from 200 on: 5, at 1 per second
    assert (workload.written(199.0), workload.written(200.0), workload.written(210.0)) == (1139, 5, 15)
    assert workload.written(45.0) == 29 and workload.written(61.0) == 1001  # the past is kept


def test_stages_follow_connected_time_and_each_end_moves_the_revision(lab: SimpleNamespace) -> None:
    cs, sim = lab.cs, lab.sim
    pair = _protect(lab)
    assert pair.copy_seconds == 240.0 and pair.stage_ends() == (COPIED, SYNCED) == (1140.0, 1260.0)
    samples = [ENABLED_AT + 2.5 * k for k in range(241)]  # 900 .. 1500
    progress = [pair.progress(t) for t in samples]
    assert progress == sorted(progress) and progress[0] == 0
    assert all((p == 100) == (t >= SYNCED) for t, p in zip(samples, progress))
    assert pair.progress(COPIED) == 66  # 240 of 360 connected seconds
    stages = {t: STEP_I if t < COPIED else STEP_II if t < SYNCED else DIFFERENTIAL for t in samples}
    assert {t: pair.stage(t) for t in samples} == stages
    revision = cs.dr_revision
    for end in (COPIED, SYNCED):
        _run_to(sim, end - 0.5)
        assert cs.dr_revision == revision
        _run_to(sim, end)
        assert cs.dr_revision != revision
        revision = cs.dr_revision
    sim.advance(10_000.0)
    assert cs.dr_revision == revision and pair.stage(sim.clock.now) == DIFFERENTIAL


def test_a_partition_in_step_i_delays_the_stage_ends_by_its_length(lab: SimpleNamespace) -> None:
    cs, sim = lab.cs, lab.sim
    pair = _protect(lab)
    _run_to(sim, 1000.0)
    _cut(sim, "ps1", "mt1", end=1050.0)
    assert pair.stage_ends() == (COPIED + 50.0, SYNCED + 50.0)
    _run_to(sim, 1050.0)  # the heal reports too
    revision = cs.dr_revision
    _run_to(sim, COPIED + 49.5)
    assert cs.dr_revision == revision and pair.stage(sim.clock.now) == STEP_I
    _run_to(sim, COPIED + 50.0)
    assert cs.dr_revision != revision and pair.stage(sim.clock.now) == STEP_II
    revision = cs.dr_revision
    _run_to(sim, SYNCED + 49.5)
    assert cs.dr_revision == revision and pair.progress(sim.clock.now) == 99
    _run_to(sim, SYNCED + 50.0)
    assert cs.dr_revision != revision and pair.stage(sim.clock.now) == DIFFERENTIAL


def test_an_open_ended_partition_stops_the_stages_until_healed(lab: SimpleNamespace) -> None:
    cs, sim = lab.cs, lab.sim
    pair = _protect(lab)
    _run_to(sim, 1000.0)
    rule = _cut(sim, "mt1", "ps1")
    assert pair.stage_ends()[0] == float("inf")
    revision = cs.dr_revision
    _run_to(sim, 5000.0)
    assert (pair.stage(5000.0), pair.progress(5000.0), cs.dr_revision) == (STEP_I, 27, revision)  # 100 of 360 s
    sim.faults.heal(rule)
    assert pair.stage_ends() == (5140.0, 5260.0)  # 140 s of Step I left, then Step II
    revision = cs.dr_revision
    _run_to(sim, 5139.5)
    assert cs.dr_revision == revision
    _run_to(sim, 5140.0)
    assert cs.dr_revision != revision and pair.stage(sim.clock.now) == STEP_II


def test_held_stays_where_a_partition_found_it_until_it_heals(lab: SimpleNamespace) -> None:
    sim = lab.sim
    pair = _protect(lab)
    assert pair.held(SYNCED - 1.0) is None and pair.held(SYNCED) == SYNCED  # never before the sync began
    _run_to(sim, 2000.0)
    rule = _cut(sim, "ps1", "mt1")
    for t in (2000.0, 2500.0, 3000.0):
        _run_to(sim, t)
        assert pair.held(t) == 2000.0 - LAG
    sim.faults.heal(rule)
    assert (pair.held(3000.0), pair.held(2500.0), pair.held(1999.0)) == (3000.0 - LAG, 2000.0 - LAG, 1999.0 - LAG)
    _run_to(sim, 3500.0)
    _cut(sim, "ps1", "mt1", end=4100.0)  # a windowed one heals itself
    _run_to(sim, 4050.0)
    assert pair.held(4050.0) == 3500.0 - LAG
    _run_to(sim, 4200.0)
    assert (pair.held(4200.0), pair.held(4050.0), pair.held(3400.0)) == (4200.0 - LAG, 3500.0 - LAG, 3400.0 - LAG)


def test_a_cut_beginning_as_another_heals_holds_from_the_heal(lab: SimpleNamespace) -> None:
    """The heal drains the backlog at once (policy BACKLOG_DRAINS_AT_HEAL), even if a new cut begins that
    instant: what was read at the heal stays true once the new cut is known."""
    sim = lab.sim
    pair = _protect(lab)
    _run_to(sim, 2000.0)
    first = _cut(sim, "ps1", "mt1")
    _run_to(sim, 3000.0)
    sim.faults.heal(first)
    assert pair.held(3000.0) == 3000.0 - LAG
    _cut(sim, "ps1", "mt1")
    _run_to(sim, 3600.0)
    assert (pair.held(3000.0), pair.held(3600.0), pair.held(2500.0)) == (3000.0 - LAG, 3000.0 - LAG, 2000.0 - LAG)
    assert pair.stage_ends() == (COPIED, SYNCED)  # the stages had ended before either cut


def test_tags_sit_on_their_grids_within_the_retention_window(lab: SimpleNamespace) -> None:
    cs, sim = lab.cs, lab.sim
    pair = _protect(lab, recoveryPointHistory=60, appConsistentFrequencyInMinutes=7)
    _run_to(sim, 9000.0)  # held: 8970; the window: [9000 - 3600, 8970]
    expected = {float(t): "CrashConsistent" for t in range(5400, 8971, int(CRASH_CONSISTENT_SECONDS))}
    expected |= {float(t): "AppConsistent" for t in range(5460, 8971, 420)}  # 6300 and 8400 are on both grids
    points = cs.protection.points(pair, 9000.0)
    assert {p.time: p.type for p in points} == expected and [p.time for p in points] == sorted(expected)
    assert len({p.id for p in points}) == len(points) and not any(p.multi_vm for p in points)
    _run_to(sim, 9300.0)
    later = {p.time: p.id for p in cs.protection.points(pair, 9300.0)}
    assert (min(later), max(later)) == (5700.0, 9240.0)  # 5400 aged out; 9000 and 9240 (app) were made
    assert all(later[p.time] == p.id for p in points if p.time in later)  # a tag keeps its id


def test_a_latest_time_test_failover_makes_a_copy_that_runs_once_started(lab: SimpleNamespace) -> None:
    cs, sim = lab.cs, lab.sim
    pair = _protect(lab, "web1", "10.20.1.10")
    source = pair.machine
    _run_to(sim, 2000.0)
    failover = cs.protection.test_failover(source.id, "LatestTime", None)
    vm, point = failover.vm, failover.point
    assert point.time == 2000.0 - LAG and (vm.name, vm.vcenter) == (TEST_VM_NAME.format(name="web1"), "vc-s")
    assert lab.secondary.vm(vm.name) is vm and [n.ip_address for n in vm.nics] == ["10.20.1.10"]
    assert vm.workload.written(2000.0) == source.workload.written(point.time) == 2 * (1970 - 900)
    assert not vm.powered_on  # until the job's boot task starts it
    sim.advance(10.0)
    assert cs.protection.start_recovery_vm(source.id, "Test") is vm and vm.powered_on
    sim.advance(10.0)
    assert vm.workload.written(2020.0) == 2140 + 20 and pair.stage(2020.0) == DIFFERENTIAL  # replication goes on
    cs.protection.test_failover_cleanup(source.id)
    assert vm.name.lower() not in lab.secondary.vms and pair.test is None


def test_a_failover_needs_a_point_the_pair_has(lab: SimpleNamespace) -> None:
    cs, sim = lab.cs, lab.sim
    tagless = _protect(lab, "web1", "10.20.1.10", appConsistentFrequencyInMinutes=0)
    pair = _protect(lab, "web2", "10.20.1.11", recoveryPointHistory=60)
    _run_to(sim, 1200.0)  # Step II: no point yet
    for machine in (tagless.machine, pair.machine):
        with pytest.raises(InvalidState):
            cs.protection.test_failover(machine.id, "LatestTime", None)
        with pytest.raises(InvalidState):
            cs.protection.unplanned_failover(machine.id, "LatestTime", None)
    _run_to(sim, 2000.0)
    with pytest.raises(InvalidState):
        cs.protection.test_failover(tagless.machine.id, "LatestTag", None)
    aged = cs.protection.points(pair, 2000.0)[0]
    _run_to(sim, 2000.0 + 3600.0)  # past the hour of history
    with pytest.raises(ObjectNotFound):
        cs.protection.test_failover(pair.machine.id, "Custom", aged.id)
    with pytest.raises(ObjectNotFound):
        cs.protection.unplanned_failover(pair.machine.id, "Custom", "00000000-0000-0000-0000-000000000000")
    assert list(lab.secondary.vms) == [] and (pair.test, pair.failover, pair.stopped) == (None, None, None)
    assert cs.protection.test_failover(tagless.machine.id, "LatestTime", None).point.time == sim.clock.now - LAG


def test_a_multi_vm_group_shares_its_points_up_to_its_slowest_member(lab: SimpleNamespace) -> None:
    cs, sim = lab.cs, lab.sim
    ps2 = cs.add_process_server("ps2", address="10.20.0.21")
    first = _protect(lab, "web1", "10.20.1.10", multiVmSyncStatus="Enable")
    _run_to(sim, 1500.0)
    second = _protect(lab, "web2", "10.20.1.11", server=ps2, multiVmSyncStatus="Enable")
    loner = _protect(lab, "web3", "10.20.1.12", group="g2", multiVmSyncStatus="Enable")
    assert cs.protection.group(first) == [first, second] and cs.protection.group(loner) == [loner]
    _run_to(sim, 3000.0)  # both in Differential Sync: the second since 1860
    _cut(sim, "ps2", "mt1")  # only the second one's process server
    _run_to(sim, 5000.0)
    helds = (first.held(5000.0), second.held(5000.0))
    assert helds == (5000.0 - LAG, 3000.0 - LAG)
    assert cs.protection.window(first, 5000.0) == cs.protection.window(second, 5000.0) == (1860.0, min(helds))
    shared = cs.protection.points(first, 5000.0)
    assert shared == cs.protection.points(second, 5000.0) and all(p.multi_vm for p in shared)
    assert [p.time for p in shared] == [2100.0, 2400.0, 2700.0]
    assert cs.protection.test_failover(first.machine.id, "LatestTime", None).point.time == 3000.0 - LAG
    own = {p.id for p in cs.protection.points(loner, 5000.0)}
    assert own and not own & {p.id for p in shared}  # another group names its own tags


def test_failback_recovers_onto_the_original_vm(lab: SimpleNamespace) -> None:
    cs, sim = lab.cs, lab.sim
    fallback = cs.add_master_target("mt-fb", vcenter="vc-p", address="10.20.0.31")
    pair = _protect(lab)
    original = pair.machine
    assert isinstance(original, VirtualMachine)
    _run_to(sim, 2000.0)
    away = cs.protection.unplanned_failover(original.id, "LatestTime", None).vm
    assert (away.vcenter, away.name, pair.stopped) == ("vc-s", "web1", 2000.0)
    assert cs.protection.start_recovery_vm(original.id, "Unplanned") is away and away.powered_on
    assert cs.protection.points(pair, 2000.0)
    cs.protection.commit(original.id)
    assert cs.protection.points(pair, 2000.0) == [] and cs.protection.window(pair, 2000.0) is None  # discarded
    _run_to(sim, 2100.0)
    reverse = cs.protection.reprotect(original.id, _fields(fallback, cs.built_in))
    assert (reverse.machine, reverse.target, reverse.direction) == (away, original, "Reverse")
    assert not original.powered_on and away.powered_on  # the machine it replicated from stops
    assert cs.protection.pair(original.id) is reverse and away.mobility is not None
    assert reverse.stage_ends() == (2100.0, 2100.0 + RESYNC_STEP_II_SECONDS)  # onto the original: changes only
    _run_to(sim, 2100.0 + 360.0 + 400.0)
    lab.primary.power_on_vm("web1")  # by hand: a running VM is not recovered onto
    with pytest.raises(InvalidState):
        cs.protection.unplanned_failover(original.id, "LatestTime", None)
    lab.primary.power_off_vm("web1")
    assert (reverse.stopped, reverse.failover) == (None, None)
    back = cs.protection.unplanned_failover(original.id, "LatestTime", None)
    now = sim.clock.now
    assert back.vm is original is lab.primary.vm("web1") and not original.powered_on
    cs.protection.start_recovery_vm(original.id, "Unplanned")
    assert original.powered_on
    assert back.point.time == now - LAG and original.workload.rate == away.workload.rate
    assert original.workload.written(now) == away.workload.written(now - LAG) == 2140 + 2 * (now - LAG - 2000.0)
    assert original.workload.written(now + 10.0) == original.workload.written(now) + 20
    assert original.workload.written(2100.0) == 2 * (2100 - 900)  # what it wrote before it stopped is kept
    cs.protection.commit(original.id)
    forward = cs.protection.reprotect(original.id, _fields(lab.mt, lab.ps))
    assert (forward.machine, forward.target, forward.direction) == (original, away, "Forward")
    assert forward.changes_only
    assert not away.powered_on and original.powered_on  # the VM that ran on vc-s is shut down


Request = Callable[[SimpleNamespace], tuple[str, dict[str, Any]]]


def _refusals() -> list[tuple[str, Request, type[Exception]]]:
    """Enables the server refuses: of web1 (protected already) or web2 (unprotected, no Mobility service)."""
    def policy(**change: Any) -> Request:
        return lambda lab: (lab.candidate.id, _fields(lab.mt, lab.ps, **change))

    def field(name: str, value: Any) -> Request:
        return lambda lab: (lab.candidate.id, {**_fields(lab.mt, lab.ps), name: value})

    return [
        ("twice", lambda lab: (lab.protected.id, _fields(lab.mt, lab.ps)), DuplicateName),
        ("own vCenter", lambda lab: (lab.candidate.id, _fields(lab.cs.add_master_target("mt-p", vcenter="vc-p"),
                                                               lab.ps)), InvalidParameter),
        ("retention drive", field("retentionDrive", "Z:"), InvalidParameter),
        ("datastore", field("datastoreName", "nowhere"), InvalidParameter),
        ("master target", field("masterTargetId", "mt9"), ComponentNotRegistered),
        ("process server", field("processServerId", "ps9"), ComponentNotRegistered),
        ("account", field("runAsAccountId", "99"), ObjectNotFound),
        ("disks", field("disksToInclude", ["no-such-disk"]), InvalidParameter),
        ("policy object", field("policy", [60, 1440]), InvalidParameter),
        ("negative history", policy(recoveryPointHistory=-1), InvalidParameter),
        ("text threshold", policy(recoveryPointThresholdInMinutes="60"), InvalidParameter),
        ("boolean frequency", policy(appConsistentFrequencyInMinutes=True), InvalidParameter),
        ("infinite history", policy(recoveryPointHistory=float("inf")), InvalidParameter),
        ("sync status", policy(multiVmSyncStatus="Sometimes"), InvalidParameter),
    ]


@pytest.mark.parametrize("request_, error", [case[1:] for case in _refusals()], ids=[case[0] for case in _refusals()])
def test_a_refused_enable_changes_nothing(lab: SimpleNamespace, request_: Request, error: type[Exception]) -> None:
    cs, sim = lab.cs, lab.sim
    lab.protected = _protect(lab).machine
    lab.candidate = _vm(lab, "web2", "10.20.1.11")
    machine_id, fields = request_(lab)
    before = (dict(cs.protection.pairs), cs.dr_revision, len(sim.history))
    with pytest.raises(error):
        cs.protection.enable(machine_id, fields)
    assert (dict(cs.protection.pairs), cs.dr_revision, len(sim.history)) == before
    assert lab.candidate.mobility is None and cs.protection.pair(lab.protected.id).machine is lab.protected


def test_a_multi_vm_group_replicates_to_one_master_target(lab: SimpleNamespace) -> None:
    other = lab.cs.add_master_target("mt2", vcenter="vc-s", address="10.30.0.31")
    _protect(lab, "web1", "10.20.1.10", multiVmSyncStatus="Enable")
    candidate = _vm(lab, "web2", "10.20.1.11")
    before = (dict(lab.cs.protection.pairs), lab.cs.dr_revision, len(lab.sim.history))
    with pytest.raises(InvalidParameter, match="same master target"):
        lab.cs.protection.enable(candidate.id, _fields(other, lab.ps, multiVmSyncStatus="Enable"))
    assert (dict(lab.cs.protection.pairs), lab.cs.dr_revision, len(lab.sim.history)) == before
    alone = lab.cs.protection.enable(candidate.id, _fields(other, lab.ps, multiVmSyncStatus="Disable"))
    assert lab.cs.protection.group(alone) == [alone]  # a pair outside multi-VM sync is in no group


def test_a_refused_enable_draws_no_id() -> None:
    """The same seed names the same pair whether or not a refused enable came first."""
    def pair_id(refuse_first: bool) -> str:
        from .conftest import make_site
        fresh = make_site(Simulation(seed=5))
        fresh.mt = fresh.cs.add_master_target("mt1", vcenter="vc-s", address="10.30.0.30")
        vm = _vm(fresh, "web1", "10.20.1.10")
        if refuse_first:
            with pytest.raises(InvalidParameter):
                fresh.cs.protection.enable(vm.id, _fields(fresh.mt, fresh.ps, multiVmSyncStatus="Sometimes"))
        return str(fresh.cs.protection.enable(vm.id, _fields(fresh.mt, fresh.ps)).id)

    assert pair_id(True) == pair_id(False)
