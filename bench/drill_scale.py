"""A whole DR drill at scale, in-process through the official SDK: 2 sites x 10 hosts, pair the
clouds, map the network, start protection of every VM (without the SDK's per-operation poller
threads: every request is sent, then the lab runs until all are done, as a script at scale
would), wait until every item is Protected (initial replication done), then fail every VM over
(planned): the first 100 items through a recovery plan of 7 boot groups, the rest one by one. Prints wall seconds per phase and peak memory, min and median over the runs, and the
ratio of the 1,000-VM drill to the 100-VM one, measured side by side.

    .venv/bin/python bench/drill_scale.py [runs] [--traced]

Each drill runs in a fresh process, so one run's garbage or warm caches do not help the next.
Wall time is measured untraced; peak memory is that process's peak resident set (``ru_maxrss``:
the interpreter and libraries included, so it is above what Python allocated); ``cpu s`` is the
process's CPU seconds (imports included), which moves less than wall time when other work shares the cores. ``--traced`` runs
under ``tracemalloc`` instead and reports its peak of Python allocations, as earlier figures did —
tracing slows Python several times, so its wall times are not comparable to untraced ones.

Targets (issues 9 and 10): <= 10 s wall in total at 1,000 VMs, <= 1 GB, 1,000 / 100 <= 12 (linear).
"""

from __future__ import annotations

import gc
import json
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from typing import Any

from asr_emulator.models.resources import KINDS
from drlab import CloudSpec, Lab, NetworkSpec, Role
from drlab.runbook import Runbook

SIZES = (100, 1_000)
CLOUDS = (CloudSpec("Gold", Role.primary), CloudSpec("Gold-Recovery", Role.recovery))
NETWORKS = (NetworkSpec("Corp", primary_subnet="10.1.0.0/16", recovery_subnet="10.2.0.0/16"),)
TARGET_TOTAL, TARGET_BYTES, TARGET_GROWTH = 10.0, 1 << 30, 12.0
PLAN_ITEMS, PLAN_GROUPS = 100, 7
PFO = {"properties": {"failoverDirection": "PrimaryToRecovery",
                      "providerSpecificDetails": {"instanceType": "ProviderSpecificFailoverInput"}}}


def _drill(vms: int, traced: bool) -> dict[str, float]:
    gc.collect()
    if traced:
        tracemalloc.start()
    phases: dict[str, float] = {}
    started = time.perf_counter()

    def mark(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        phases[name] = now - started
        started = now

    with Lab(seed=1, clouds=CLOUDS, networks=NETWORKS, vms_per_cloud=vms, hosts_per_site=10) as lab:
        mark("build")
        book = Runbook.of(lab)
        book.create_policy()
        book.pair()
        book.map_poller().result()
        mark("pair + map")
        fabric, container = book.container("Gold")
        items = book.asr.replication_protected_items
        policy_id = f"{book.prefix()}/replicationPolicies/pol1"
        protectable = book.protectable()
        for vm in protectable:  # as a script at scale does: start every operation, then watch them all
            items.begin_create(book.rg, book.vault, fabric, container, vm.name, {"properties": {
                "policyId": policy_id, "protectableItemId": vm.id,
                "providerSpecificDetails": {"instanceType": "EnableProtectionProviderSpecificInput"}}}, polling=False)
        lab.run_until(_AllIn(lab, len(protectable), "ProtectedStatesBegin", "Protected"), within=24 * 3600)
        mark("enable")
        lab.run_until(_AllIn(lab, len(protectable), "Protected"), within=24 * 3600)
        mark("initial replication")
        planned = _plan_failover(book, lab, [item.id for item in items.list_by_replication_protection_containers(
            book.rg, book.vault, fabric, container)][:PLAN_ITEMS])
        mark(f"plan of {planned} failover")
        for vm in protectable[planned:]:
            items.begin_planned_failover(book.rg, book.vault, fabric, container, vm.name, PFO, polling=False)
        lab.run_until(_AllIn(lab, len(protectable), "PlannedFailoverCommitRequired"), within=24 * 3600)
        assert len(_items(lab)) == len(protectable)
        mark("planned failover")
    phases["total"] = sum(phases.values())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    phases["cpu s"] = usage.ru_utime + usage.ru_stime  # the whole process: tells a busy machine's wall apart
    if traced:
        phases["peak MB"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    else:
        phases["peak MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # KiB on Linux
    return phases


def _plan_failover(book: Runbook, lab: Lab, ids: list[str]) -> int:
    """Fail ``ids`` over (planned) through one recovery plan of ``PLAN_GROUPS`` boot groups; how many."""
    size = -(-len(ids) // PLAN_GROUPS)
    groups = [{"groupType": "Boot", "replicationProtectedItems": [
        {"id": item, "virtualMachineId": item.rsplit("/", 1)[-1]} for item in ids[k:k + size]]}
        for k in range(0, len(ids), size)]
    fabrics = f"{book.prefix()}/replicationFabrics"
    plans = book.asr.replication_recovery_plans
    plans.begin_create(book.rg, book.vault, "drill", {"properties": {
        "primaryFabricId": f"{fabrics}/{book.fabric('primary')}", "recoveryFabricId": f"{fabrics}/{book.fabric('recovery')}",
        "failoverDeploymentModel": "NotApplicable", "groups": groups}}).result()
    plans.begin_planned_failover(book.rg, book.vault, "drill", {"properties": {
        "failoverDirection": "PrimaryToRecovery", "providerSpecificDetails": []}}, polling=False)
    (plan,) = [p for _, p in _vault(lab).resources.everywhere(KINDS["recovery_plan"])]
    lab.run_until(lambda: not plan.job.underway, within=24 * 3600)  # the model, not an SDK call an event
    status = plans.get(book.rg, book.vault, "drill").properties.current_scenario_status
    assert status == "Succeeded", status
    return len(ids)


class _AllIn:
    """Whether all ``count`` protected items are in one of ``states`` with no operation running.

    The lab asks after every event, so it resumes from the first item it last found not there
    (a full check confirms the end): the bench's watching costs O(1) an event, not O(items) —
    otherwise it, not the emulator, would be what grows with the square of the VMs."""

    def __init__(self, lab: Lab, count: int, *states: str) -> None:
        self.lab, self.count, self.states = lab, count, states
        self.found: list[Any] = []
        self.cursor = 0

    def done(self, item: Any) -> bool:
        return item.state in self.states and item.running is None

    def __call__(self) -> bool:
        if len(self.found) < self.count:
            self.found = _items(self.lab)
        while self.cursor < len(self.found) and self.done(self.found[self.cursor]):
            self.cursor += 1
        if self.cursor < len(self.found):
            return False
        self.cursor = next((i for i, item in enumerate(self.found) if not self.done(item)), len(self.found))
        return bool(self.found) and self.cursor == len(self.found)


def _vault(lab: Lab) -> Any:
    return lab.service.backend.vaults.get(lab.subscription_id, lab.resource_group, lab.vault_name)


def _items(lab: Lab) -> list[Any]:
    from asr_emulator.models.protection import ProtectedItem
    return [item for _, item in _vault(lab).resources.everywhere(KINDS["protected_item"]) if isinstance(item, ProtectedItem)]


def _in_child(vms: int, traced: bool) -> dict[str, float]:
    """One drill in a fresh interpreter (its own peak memory, nothing warm from the last run)."""
    argv = [sys.executable, __file__, "--child", str(vms)] + (["--traced"] if traced else [])
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    phases: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return phases


def main(runs: int = 1, traced: bool = False) -> int:
    results: dict[int, list[dict[str, float]]] = {size: [] for size in SIZES}
    for _ in range(runs):
        for size in SIZES:
            results[size].append(_in_child(size, traced))
    memory = "tracemalloc peak (traced: wall times inflated)" if traced else "peak RSS (untraced)"
    print(f"drill_scale: {runs} runs, wall seconds (min / median), {memory} in MB")
    for size in SIZES:
        print(f"  {size:,} VMs")
        for name in results[size][0]:
            values = [r[name] for r in results[size]]
            print(f"    {name:<20}: min {min(values):8.2f}  median {statistics.median(values):8.2f}")
    ratios = [b["total"] / a["total"] for a, b in zip(results[SIZES[0]], results[SIZES[1]])]
    print(f"  {SIZES[1]:,} / {SIZES[0]:,} total: min {min(ratios):.2f}  median {statistics.median(ratios):.2f}")
    large = results[SIZES[1]]
    checks = {f"total at {SIZES[1]:,} VMs <= {TARGET_TOTAL:g} s": statistics.median(r["total"] for r in large) <= TARGET_TOTAL,
              "peak <= 1 GB": max(r["peak MB"] for r in large) * 1e6 <= TARGET_BYTES,
              f"{SIZES[1]:,} / {SIZES[0]:,} <= {TARGET_GROWTH:g}": statistics.median(ratios) <= TARGET_GROWTH}
    for name, met in checks.items():
        print(f"  {'met   ' if met else 'MISSED'} {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    args = sys.argv[1:]
    traced_run = "--traced" in args
    args = [arg for arg in args if arg != "--traced"]
    if args[:1] == ["--child"]:
        print(json.dumps(_drill(int(args[1]), traced_run)))
        sys.exit(0)
    sys.exit(main(*(int(arg) for arg in args[:1]), traced=traced_run))
