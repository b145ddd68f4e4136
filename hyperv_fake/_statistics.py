"""Replication statistics over the monitoring interval (§1.1, §2.5, §2.7).

Health is "an aggregate over the current monitoring interval": each side of a relationship keeps
counters for the interval in progress. Intervals start at ``MonitoringStartTime`` (09:00 local,
UTC by policy HOST_LOCAL_TIME_IS_UTC) and last ``MonitoringInterval`` (12 h by default).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from ._enums import ReplicationHealth, ReplicationMode, ReplicationState, ReplicationType

__all__ = [
    "MONITORING_INTERVALS", "DEFAULT_MONITORING_INTERVAL", "DEFAULT_MONITORING_START",
    "Statistics", "ReplicationStatistics", "monitoring_origin", "closing_boundaries",
]

MONITORING_INTERVALS = tuple(h * 3600 for h in (1, 2, 3, 4, 6, 8, 12, 24)) + tuple(d * 86400 for d in range(2, 8))
"""Allowed ``MonitoringInterval`` values: 1, 2, 3, 4, 6, 8, 12, 24 h; 2–7 days (§1.1)."""

DEFAULT_MONITORING_INTERVAL = 43200
"""12 h (§1.1, ``Msvm_ReplicationServiceSettingData.MonitoringInterval``)."""

DEFAULT_MONITORING_START = time(9, 0)
"""09:00 local (§1.1)."""


def monitoring_origin(epoch: datetime, start: time) -> float:
    """Virtual seconds of the first interval boundary on the epoch's day."""
    midnight = epoch.replace(hour=0, minute=0, second=0, microsecond=0)
    first = midnight + timedelta(hours=start.hour, minutes=start.minute, seconds=start.second)
    return (first - epoch).total_seconds()


def closing_boundaries(t0: float, t1: float, interval: float, origin: float) -> list[float]:
    """Interval boundaries in ``(t0, t1]`` worth stopping at: the first, the one before last, the last."""
    first = origin + (math.floor((t0 - origin) / interval) + 1) * interval
    if first > t1:
        return []
    last = origin + math.floor((t1 - origin) / interval) * interval
    return sorted({first, max(first, last - interval), last})


class Statistics:
    """Counters of the interval in progress for one side of one relationship (``Msvm_ReplicationStatistics``)."""

    __slots__ = ("start", "success_count", "miss_count", "network_failure_count", "failure_count",
                 "size", "max_size", "app_consistent_failure_count")

    def __init__(self, start: float) -> None:
        self.reset(start)

    def reset(self, start: float) -> None:
        self.start = start
        self.success_count = 0
        self.miss_count = 0
        self.network_failure_count = 0
        self.failure_count = 0
        self.size = 0
        self.max_size = 0
        self.app_consistent_failure_count = 0

    @property
    def miss_ratio(self) -> float:
        cycles = self.success_count + self.miss_count
        return self.miss_count / cycles if cycles else 0.0

    def shipped(self, cycles: int, size: int) -> None:
        """``cycles`` successful cycles that moved ``size`` bytes in all."""
        if cycles:
            self.success_count += cycles
            self.size += size
            self.max_size = max(self.max_size, -(-size // cycles))

    def describe(self, end: float) -> dict[str, object]:
        return {
            "start": self.start, "end": end, "success": self.success_count, "missed": self.miss_count,
            "network_failures": self.network_failure_count, "failures": self.failure_count, "size": self.size,
        }


@dataclass(frozen=True)
class ReplicationStatistics:
    """What ``Measure-VMReplication`` returns (§2.7), field names in snake_case."""

    vm_name: str
    mode: ReplicationMode
    state: ReplicationState
    health: ReplicationHealth
    replication_health_details: tuple[str, ...]
    primary_server_name: str
    replica_server_name: str
    last_replication_time: datetime | None
    last_replication_type: ReplicationType
    pending_replication_size: int
    start_statistic_time: datetime
    end_statistic_time: datetime
    replication_success_count: int
    replication_miss_count: int
    network_failure_count: int
    replication_failure_count: int
    replication_size: int
    max_replication_size: int
    average_replication_size: int
    average_replication_latency: float
    application_consistent_snapshot_failure_count: int
    last_test_failover_time: datetime | None
