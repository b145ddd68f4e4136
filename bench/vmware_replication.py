"""Benchmark: the VMware site's replication costs what happens, not virtual time.

A lab with ``N`` machines protected through the SDK under one InMage policy, in Differential Sync, then
advanced by 1 hour, 1 day and 30 days in turn (ROUNDS times, interleaved, so the machine's noise falls
on every side alike): wall time and history events per advance, min and median. A second series cuts
the process server off from its master target for ten minutes at the start of each advance (two
fault-plan changes, the pairs re-armed and reported; while a fault rule is in force the agent polls
every 30 s, as the Provider does, so the cut's cost is its ten minutes, whatever the advance). Run by hand: ``python bench/vmware_replication.py [N] [ROUNDS]``.
Target: the 30-day advance within 1.5x the 1-hour one, with the same number of events.
"""

from __future__ import annotations

import statistics
import sys
import time

import drlab
from drlab import VMwareSiteSpec
from drlab.runbook import Runbook
from simcore import FaultRule, Match, Partition
from vmware_fake.policy import REPLICATION_PORT

SPANS = {"1 h": 3_600.0, "1 day": 86_400.0, "30 days": 30 * 86_400.0}


def _lab(machines: int) -> drlab.Lab:
    lab = drlab.Lab(seed=1, vms_per_cloud=1)
    lab.add_vmware_site(VMwareSiteSpec(vms=tuple(f"vmw-{i}" for i in range(machines)), physical_servers=()))
    Runbook.of(lab).protect_vmware({"instanceType": "InMage", "multiVmSyncStatus": "Disable"})
    lab.advance(7_200.0)
    return lab


def _advance(lab: drlab.Lab, seconds: float, *, cut: bool) -> tuple[float, int]:
    site = lab.vmware
    assert site is not None
    events = len(lab.history)
    started = time.perf_counter()
    if cut:
        rule = lab.faults.add(FaultRule(Partition(), Match(src=site.process_server.node.name,
                                                           dst=site.master_target.node.name, port=REPLICATION_PORT,
                                                           bidirectional=True)))
        lab.advance(600.0)
        lab.faults.heal(rule)
        lab.advance(seconds - 600.0)
    else:
        lab.advance(seconds)
    return time.perf_counter() - started, len(lab.history) - events


def main(machines: int, rounds: int) -> None:
    lab = _lab(machines)
    for cut in (False, True):
        seen: dict[str, list[tuple[float, int]]] = {name: [] for name in SPANS}
        for _ in range(rounds):
            for name, seconds in SPANS.items():
                seen[name].append(_advance(lab, seconds, cut=cut))
        print(f"{machines} protected machines, {'a link cut and healed in each advance' if cut else 'no faults'}:")
        base = statistics.median(t for t, _ in seen["1 h"])
        for name, runs in seen.items():
            times = [t for t, _ in runs]
            print(f"  advance {name:>7}: min {min(times) * 1e3:8.2f} ms  median {statistics.median(times) * 1e3:8.2f} ms"
                  f"  events {statistics.median(n for _, n in runs):6.0f}  ratio to 1 h {statistics.median(times) / base:5.2f}")
    lab.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20, int(sys.argv[2]) if len(sys.argv) > 2 else 5)
