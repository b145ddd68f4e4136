"""Replication health by the documented rules (§2.5), Critical first, then Warning, else Normal.

Health is an aggregate over the current monitoring interval; state is the current status. Each
rule that fires adds a detail line worded like ``Measure-VMReplication``'s ReplicationHealthDetails.
"""

from __future__ import annotations

from ._enums import ReplicationHealth, ReplicationMode, ReplicationState
from ._relationship import FAILED_OVER_STATES, INITIAL_REPLICATION_STATES, Relationship
from .policy import RESYNCHRONIZING_HEALTH

__all__ = ["evaluate_health", "MISSED_CYCLES_WARNING", "BEHIND_WARNING_SECONDS"]

MISSED_CYCLES_WARNING = 0.20
"""Warning when more than 20 % of the interval's cycles were missed (§2.5, §6)."""

BEHIND_WARNING_SECONDS = 3600.0
"""Warning when more than 1 hour passed since the last replica was sent or received (§2.5, §6)."""

_CRITICAL_STATES = frozenset({ReplicationState.Error, ReplicationState.WaitingForStartResynchronize})
"""Replication not occurring / needing an admin, and "Resynchronization Required" (§2.3, §2.5, §2.6)."""

_PAUSED_PRIMARY = frozenset({ReplicationState.Suspended, ReplicationState.ResynchronizeSuspended})


def evaluate_health(rel: Relationship, now: float) -> tuple[ReplicationHealth, tuple[str, ...]]:
    """(health, details) of one side of a relationship at virtual time ``now``."""
    name = rel.vm.name
    critical: list[str] = []
    warning: list[str] = []
    failing = rel.link.failing if rel.link is not None and rel.is_primary else None
    if rel.state in _CRITICAL_STATES:
        why = f": {rel.last_error.detail}" if rel.last_error is not None and rel.state is ReplicationState.Error else ""
        critical.append(f"Replication for virtual machine '{name}' is in error ({rel.state.value}){why}.")
    if failing is not None and rel.state is ReplicationState.Replicating:
        critical.append(f"Hyper-V cannot replicate changes for virtual machine '{name}': {failing.detail}.")
    if rel.mode is ReplicationMode.Replica and rel.state is ReplicationState.Suspended:
        critical.append(f"Replication is paused for replica virtual machine '{name}'.")
    if rel.is_primary and rel.state in _PAUSED_PRIMARY:
        warning.append(f"Replication is paused for virtual machine '{name}'.")
    if rel.state in INITIAL_REPLICATION_STATES:
        warning.append(f"Initial replication is not complete for virtual machine '{name}'.")
    if rel.state in FAILED_OVER_STATES or rel.state is ReplicationState.PreparedForFailover:
        warning.append(f"Failover was initiated for virtual machine '{name}' but reverse replication has not been "
                       "initiated.")
    if rel.state is ReplicationState.Resynchronizing:
        (critical if RESYNCHRONIZING_HEALTH is ReplicationHealth.Critical else warning).append(
            f"Virtual machine '{name}' is being resynchronized.")
    if rel.stats.miss_ratio > MISSED_CYCLES_WARNING:
        warning.append(f"More than 20 percent of replication cycles have been missed for virtual machine '{name}'.")
    tracked = rel.state in (ReplicationState.Replicating, ReplicationState.Suspended)
    last = rel.last_replication_time
    if tracked and last is not None and now - last > BEHIND_WARNING_SECONDS:
        who = "Replica virtual machine" if rel.mode is ReplicationMode.Replica else "Virtual machine"
        warning.append(f"{who} '{name}' is behind the primary by more than an hour.")
    if critical:
        return ReplicationHealth.Critical, tuple(critical + warning)
    if warning:
        return ReplicationHealth.Warning, tuple(warning)
    return ReplicationHealth.Normal, ()
