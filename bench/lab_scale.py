"""A whole drlab.Lab at scale: 1,000 and 5,000 VMs in one DR cloud, 24 h and 240 h of virtual time.

Each measurement starts from a clean heap and a fresh lab (seed 1, 4 hosts per site, one /16
network so every VM gets a static address): build the lab (Providers registered and synced), let
24 h or 240 h of virtual time pass (Provider polls every 60 s), then list the protectable items of
the DR cloud through the official SDK in-process (nextLink paging). Figures are min and median of
``runs`` runs, measured side by side in one process.

    .venv/bin/python bench/lab_scale.py [runs]

Targets (issue): advance(24 h) at 1,000 VMs <= 1 s; advance 240 h / 24 h <= 1.2; build and list
grow linearly (5,000 / 1,000 <= 6); build of 5,000 VMs <= 2 s.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time

from drlab import Lab
from drlab._lab.spec import CloudSpec, NetworkSpec, Role

SIZES = (1_000, 5_000)
CLOUDS = (CloudSpec("Gold", Role.primary), CloudSpec("Gold-Recovery", Role.recovery))
NETWORKS = (NetworkSpec("Corp", primary_subnet="10.1.0.0/16", recovery_subnet="10.2.0.0/16"),)
TARGET_ADVANCE, TARGET_RATIO, TARGET_GROWTH, TARGET_BUILD = 1.0, 1.2, 6.0, 2.0


def _timed(action) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def _build(vms: int) -> tuple[float, Lab]:
    gc.collect()  # start from a clean heap: the previous lab is garbage now
    wall, lab = _timed(lambda: Lab(seed=1, clouds=CLOUDS, networks=NETWORKS, vms_per_cloud=vms, hosts_per_site=4))
    return wall, lab  # type: ignore[return-value]


def _list(lab: Lab) -> tuple[float, int]:
    """Protectable items of every container of every fabric, through the SDK (all pages)."""
    client = lab.azure_client()

    def walk() -> int:
        count = 0
        for fabric in client.replication_fabrics.list(lab.resource_group, lab.vault_name):
            for container in client.replication_protection_containers.list_by_replication_fabrics(
                    lab.resource_group, lab.vault_name, fabric.name):
                count += sum(1 for _ in client.replication_protectable_items.list_by_replication_protection_containers(
                    lab.resource_group, lab.vault_name, fabric.name, container.name))
        return count
    wall, count = _timed(walk)
    return wall, count  # type: ignore[return-value]


def run_once(vms: int) -> dict[str, float]:
    """One run at ``vms`` VMs: build, advance 24 h, list; then a fresh lab advanced 240 h."""
    build, lab = _build(vms)
    day, _ = _timed(lambda: lab.advance(24 * 3600))
    listing, count = _list(lab)
    assert count == vms, f"listed {count} protectable items, expected {vms}"
    lab.close()
    del lab
    _, lab = _build(vms)
    ten_days, _ = _timed(lambda: lab.advance(240 * 3600))
    lab.close()
    return {"build": build, "advance 24 h": day, "advance 240 h": ten_days, "list": listing}


def _figure(values: list[float]) -> str:
    return f"min {min(values):7.3f}  median {statistics.median(values):7.3f}"


def main(runs: int = 3) -> int:
    Lab(seed=1, vms_per_cloud=2).advance(600)  # warm-up: imports, caches
    results: dict[int, list[dict[str, float]]] = {vms: [] for vms in SIZES}
    for _ in range(runs):
        for vms in SIZES:
            results[vms].append(run_once(vms))
    print(f"lab_scale: {runs} runs, wall seconds (min / median)")
    for vms in SIZES:
        print(f"  {vms:,} VMs")
        for name in ("build", "advance 24 h", "advance 240 h", "list"):
            print(f"    {name:<14}: {_figure([r[name] for r in results[vms]])}")
        ratios = [r["advance 240 h"] / r["advance 24 h"] for r in results[vms]]
        print(f"    240 h / 24 h  : {_figure(ratios)}  (target <= {TARGET_RATIO:g})")
    small, large = results[SIZES[0]], results[SIZES[-1]]
    growth: dict[str, list[float]] = {}
    for name in ("build", "advance 24 h", "list"):
        growth[name] = [b[name] / a[name] for a, b in zip(small, large)]
        print(f"  {SIZES[-1]:,} / {SIZES[0]:,} {name:<12}: {_figure(growth[name])}"
              + (f"  (target <= {TARGET_GROWTH:g})" if name != "advance 24 h" else ""))
    checks = {
        f"advance(24 h) at {SIZES[0]:,} VMs <= {TARGET_ADVANCE:g} s":
            statistics.median(r["advance 24 h"] for r in small) <= TARGET_ADVANCE,
        f"240 h / 24 h <= {TARGET_RATIO:g}":
            all(statistics.median(r["advance 240 h"] / r["advance 24 h"] for r in results[v]) <= TARGET_RATIO
                for v in SIZES),
        f"build and list {SIZES[-1]:,} / {SIZES[0]:,} <= {TARGET_GROWTH:g}":
            all(statistics.median(growth[name]) <= TARGET_GROWTH for name in ("build", "list")),
        f"build of {SIZES[-1]:,} VMs <= {TARGET_BUILD:g} s":
            statistics.median(r["build"] for r in large) <= TARGET_BUILD,
    }
    for name, met in checks.items():
        print(f"  {'met   ' if met else 'MISSED'} {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main(*(int(arg) for arg in sys.argv[1:2])))
