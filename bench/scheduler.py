"""Benchmark: the simcore scheduler against a bare heapq loop doing the same pushes and pops.

Both sides schedule N callbacks at pseudo-random instants, then pop and call them in time order;
the bare loop pushes ``(time, sequence, callback)`` tuples and pops them with ``heapq``. Run by
hand: ``python bench/scheduler.py [N]``. Target: ratio <= 2.0.
"""

from __future__ import annotations

import heapq
import random
import sys
import time

from simcore import Scheduler

ROUNDS = 3


def _instants(n: int) -> list[float]:
    rng = random.Random(1)
    return [rng.uniform(0.0, 86_400.0) for _ in range(n)]


def _bare_heapq(instants: list[float]) -> float:
    ran = [0]

    def callback() -> None:
        ran[0] += 1

    start = time.perf_counter()
    queue: list[tuple[float, int, object]] = []
    for seq, t in enumerate(instants):
        heapq.heappush(queue, (t, seq, callback))
    while queue:
        _, _, fn = heapq.heappop(queue)
        fn()  # type: ignore[operator]
    elapsed = time.perf_counter() - start
    assert ran[0] == len(instants)
    return elapsed


def _scheduler(instants: list[float]) -> float:
    ran = [0]

    def callback() -> None:
        ran[0] += 1

    start = time.perf_counter()
    scheduler = Scheduler()
    for t in instants:
        scheduler.call_at(t, callback)
    scheduler.run_until_idle()
    elapsed = time.perf_counter() - start
    assert ran[0] == len(instants)
    return elapsed


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    instants = _instants(n)
    bare, ours = [], []
    for _ in range(ROUNDS):  # interleaved, best of ROUNDS: both sides see the same machine state
        bare.append(_bare_heapq(instants))
        ours.append(_scheduler(instants))
    b, s = min(bare), min(ours)
    print(f"events: {n:,}  (best of {ROUNDS} interleaved rounds)")
    print(f"bare heapq loop:   {n / b:>12,.0f} events/s  ({b:.3f} s)")
    print(f"simcore Scheduler: {n / s:>12,.0f} events/s  ({s:.3f} s)")
    print(f"ratio (scheduler time / heapq time): {s / b:.2f}   target <= 2.0")


if __name__ == "__main__":
    main()
