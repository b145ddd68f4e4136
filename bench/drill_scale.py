"""A whole DR drill at scale, in-process through the official SDK: 2 sites x 10 hosts, pair the
clouds, map the network, start protection of every VM (without the SDK's per-operation poller
threads: every request is sent, then the lab runs until all are done, as a script at scale
would), wait until every item is Protected (initial replication done), then fail every VM over
(planned). Prints wall seconds per phase, peak
memory (tracemalloc), and the ratio of the 1,000-VM drill to the 100-VM one, measured side by side.

    .venv/bin/python bench/drill_scale.py [runs]

Targets (issue 9): <= 10 s wall in total at 1,000 VMs, <= 1 GB, 1,000 / 100 <= 12 (linear).
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
import tracemalloc
from typing import Any

from drlab import CloudSpec, Lab, NetworkSpec, Role

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from suites.workflows.conftest import Runbook  # noqa: E402 - the runbook the suites drive

SIZES = (100, 1_000)
CLOUDS = (CloudSpec("Gold", Role.primary), CloudSpec("Gold-Recovery", Role.recovery))
NETWORKS = (NetworkSpec("Corp", primary_subnet="10.1.0.0/16", recovery_subnet="10.2.0.0/16"),)
TARGET_TOTAL, TARGET_BYTES, TARGET_GROWTH = 10.0, 1 << 30, 12.0
PFO = {"properties": {"failoverDirection": "PrimaryToRecovery",
                      "providerSpecificDetails": {"instanceType": "ProviderSpecificFailoverInput"}}}


def _drill(vms: int) -> dict[str, float]:
    gc.collect()
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
        vms = book.protectable()
        for vm in vms:  # as a script at scale does: start every operation, then watch them all
            items.begin_create(book.rg, book.vault, fabric, container, vm.name, {"properties": {
                "policyId": policy_id, "protectableItemId": vm.id,
                "providerSpecificDetails": {"instanceType": "EnableProtectionProviderSpecificInput"}}}, polling=False)
        lab.run_until(lambda: _all_in(lab, "ProtectedStatesBegin", "Protected"), within=24 * 3600)
        mark("enable")
        lab.run_until(lambda: _all_in(lab, "Protected"), within=24 * 3600)
        mark("initial replication")
        for vm in vms:
            items.begin_planned_failover(book.rg, book.vault, fabric, container, vm.name, PFO, polling=False)
        lab.run_until(lambda: _all_in(lab, "PlannedFailoverCommitRequired"), within=24 * 3600)
        assert len(_items(lab)) == len(vms)
        mark("planned failover")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    phases["total"] = sum(phases.values())
    phases["peak MB"] = peak / 1e6
    return phases


def _all_in(lab: Lab, *states: str) -> bool:
    found = _items(lab)
    return bool(found) and all(item.state in states and item.running is None for item in found)


def _items(lab: Lab) -> list[Any]:
    from asr_emulator.models.protection import ProtectedItem
    from asr_emulator.models.resources import KINDS
    vault = lab.service.backend.vaults.get(lab.subscription_id, lab.resource_group, lab.vault_name)
    return [item for _, item in vault.resources.everywhere(KINDS["protected_item"]) if isinstance(item, ProtectedItem)]


def main(runs: int = 1) -> int:
    results: dict[int, list[dict[str, float]]] = {size: [] for size in SIZES}
    for _ in range(runs):
        for size in SIZES:
            results[size].append(_drill(size))
    print(f"drill_scale: {runs} runs, wall seconds (min / median), peak MB")
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
    sys.exit(main(*(int(arg) for arg in sys.argv[1:2])))
