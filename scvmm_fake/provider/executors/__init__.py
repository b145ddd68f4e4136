"""What the Provider does for each kind of work item: one module per kind, like ASR's handlers.

An executor is ``run(provider, payload) -> result`` (raising ``VmmError`` when VMM refuses) plus how
many virtual seconds the VMM work takes (``seconds``, a policy: a VMM job is not instantaneous).
The agent starts an item when it leases it, renews the lease at each poll while the work takes
time, and runs ``run`` when the time is up — so an item whose job stopped meanwhile (its renewal
refused) never runs. Work that waits on something VMM started (a Hyper-V job) raises
``WorkPending``: it stays in flight, its lease renewed, and ``run`` is called again at the next poll
— so ``run`` must converge when called again. ``abandon`` (optional) is told when started work is
abandoned because its job stopped, so the VMM can stop what it started. Importing this package fills
``EXECUTORS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..agent import AsrProvider

__all__ = ["Executor", "EXECUTORS", "executes", "WorkPending"]

Run = Callable[["AsrProvider", dict[str, Any]], dict[str, Any]]
Abandon = Callable[["AsrProvider", dict[str, Any]], None]


@dataclass(frozen=True)
class Executor:
    kind: str
    run: Run
    seconds: float
    abandon: Abandon | None = None


EXECUTORS: dict[str, Executor] = {}


class WorkPending(Exception):
    """Raised by ``run``: the VMM work is under way and not finished; call again at the next poll
    (policy ``WORK_PENDING_RERUN``). The message says what it waits for."""


def executes(kind: str, *, seconds: float = 0.0, abandon: Abandon | None = None) -> Callable[[Run], Run]:
    """Register the decorated function as the executor of ``kind``."""
    def register(run: Run) -> Run:
        if kind in EXECUTORS:
            raise ValueError(f"work item kind {kind!r} already has an executor")
        EXECUTORS[kind] = Executor(kind, run, seconds, abandon)
        return run
    return register


from . import (  # noqa: E402  (they register themselves)
    failover, failover_cancel, network_mapping, pairing, protection, recovery_point, refresh, repair, replica_settings,
    script, testfailover,
)

__all__ += ["failover", "failover_cancel", "network_mapping", "pairing", "protection", "recovery_point", "refresh",
            "repair", "replica_settings", "script", "testfailover"]
