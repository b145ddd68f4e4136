"""Campaign throughput: runs per second of the default drill (the default lab, ``asr-harness drill``'s
scenario) under faults drawn from every category, on 1 and on 2 local worker processes, and the
ratio of the two (issue 12's target: >= 1.7x with 2 workers on 2 cores).

    .venv/bin/python bench/campaign.py [runs-per-campaign] [repeats]

Each measurement is one campaign of ``runs`` seeds (the same seeds every time, so the same work),
timed from the first submission to the last result, process start-up included; min and median over
``repeats`` measurements. Wall time is shared with whatever else runs on the machine: compare figures
taken side by side, not across machines. CPU seconds per run (this process and its workers) tell
the two apart: equal CPU per run with less than 2x the rate means the cores were busy elsewhere.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time

from drlab.experiments.campaign import run_campaign
from drlab.experiments.categories import CATEGORIES
from drlab.experiments.scenario import DEFAULT_SCENARIO

TARGET = 1.7


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the pool's workers, once it shut down)."""
    return sum(sum(resource.getrusage(who)[:2]) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


def _rate(runs: int, workers: int) -> tuple[float, float]:
    """(runs per wall second, CPU seconds per run) of one campaign."""
    cpu, started = _cpu(), time.perf_counter()
    results = run_campaign(range(1, runs + 1), list(CATEGORIES), DEFAULT_SCENARIO, workers=workers)
    elapsed = time.perf_counter() - started
    assert len(results) == runs
    return runs / elapsed, (_cpu() - cpu) / runs


def main(runs: int = 24, repeats: int = 3) -> int:
    rates: dict[int, list[float]] = {1: [], 2: []}
    cpu: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(repeats):  # alternate, so a busy moment of the machine hits both alike
        for workers in rates:
            rate, seconds = _rate(runs, workers)
            rates[workers].append(rate)
            cpu[workers].append(seconds)
    print(f"campaign: {runs} runs of the default drill under {', '.join(CATEGORIES)} faults, {repeats} repeats, "
          f"{os.cpu_count()} CPUs")
    for workers, found in rates.items():
        print(f"  {workers} worker{'s' if workers > 1 else ' '}: runs/s min {min(found):6.2f}  median "
              f"{statistics.median(found):6.2f}   CPU s/run median {statistics.median(cpu[workers]):5.2f}")
    ratios = [two / one for one, two in zip(rates[1], rates[2])]
    median = statistics.median(rates[2]) / statistics.median(rates[1])
    print(f"  2 / 1 workers: median {median:.2f}x (per repeat: min {min(ratios):.2f}x, median "
          f"{statistics.median(ratios):.2f}x)")
    met = median >= TARGET
    print(f"  {'met   ' if met else 'MISSED'} 2 workers >= {TARGET:g}x 1 worker")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main(*(int(arg) for arg in sys.argv[1:3])))
