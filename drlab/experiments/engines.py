"""Where a campaign's runs execute: in this process, on local processes, or on a Dask cluster.

Every run is a pure function of its ``RunSpec`` (seed, scenario, categories), so the engine changes
only how fast the results come, never what they are; results come back in seed order.

Dask distributed is the cluster engine: it is pure Python (installs with pip everywhere the harness
does, no native runtime or object store to stand up), its futures API is the same shape as
``concurrent.futures`` (submit/map, ``as_completed``, gather), so the local and the distributed path
are one loop, a scheduler is one address (``dask scheduler`` on any machine, ``dask worker ADDRESS``
on the others), and ``distributed.LocalCluster`` gives tests a real scheduler and workers on
127.0.0.1. It ships as the ``campaign`` extra.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import TypeVar

__all__ = ["CampaignEngineError", "run_all"]

S = TypeVar("S")
R = TypeVar("R")
Done = Callable[[], None]


#: Policy: seconds to wait for a Dask scheduler to answer before the campaign gives up on it.
SCHEDULER_TIMEOUT = 10


class CampaignEngineError(RuntimeError):
    """The engine asked for cannot run (its extra is not installed, its scheduler cannot be reached)."""


def _local(fn: Callable[[S], R], specs: Sequence[S], done: Done) -> list[R]:
    results = []
    for spec in specs:
        results.append(fn(spec))
        done()
    return results


def _processes(fn: Callable[[S], R], specs: Sequence[S], workers: int, done: Done) -> list[R]:
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures: list[Future[R]] = [pool.submit(fn, spec) for spec in specs]
        for _ in as_completed(futures):
            done()
        return [future.result() for future in futures]


def _dask(fn: Callable[[S], R], specs: Sequence[S], address: str, done: Done) -> list[R]:
    try:
        from distributed import Client, as_completed as dask_completed
    except ImportError:
        raise CampaignEngineError("--scheduler needs Dask distributed: pip install 'asr-harness[campaign]'") from None
    try:
        client = Client(address, timeout=SCHEDULER_TIMEOUT)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as error:
        raise CampaignEngineError(f"cannot reach the Dask scheduler at {address}: {error}") from None
    with client:
        futures = client.map(fn, list(specs), pure=False)
        for _ in dask_completed(futures):  # type: ignore[no-untyped-call]
            done()
        results: list[R] = client.gather(futures)  # type: ignore[no-untyped-call]
    return results


def run_all(fn: Callable[[S], R], specs: Sequence[S], *, workers: int = 1, scheduler: str | None = None,
            done: Done = lambda: None) -> list[R]:
    """``[fn(spec) for spec in specs]`` here (``workers`` 1), on ``workers`` local processes, or on the
    Dask scheduler at ``scheduler``; ``done()`` after each run finishes (for a progress bar)."""
    if scheduler is not None:
        return _dask(fn, specs, scheduler, done)
    if workers > 1:
        return _processes(fn, specs, workers, done)
    return _local(fn, specs, done)

