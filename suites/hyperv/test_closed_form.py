"""Lazy replication equals eager replication: the closed-form link against a cycle-by-cycle model.

The model below runs every replication attempt one by one — a cycle every ``ReplicationFrequencySec``
from the last success, and after a failure the §3.6 back-off (policy RetryPolicy) until an attempt
gets through. The emulator computes the same in closed form when observed. For random partition
windows and random observation times, what the replica holds and when it last received must agree.
"""

from __future__ import annotations

from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hyperv_fake import RetryPolicy
from hyperv_fake.testing import GiB, ReplicaPair
from simcore import FaultRule, Match, Partition


def _eager(anchor: float, frequency: float, until: float, windows: list[tuple[float, float]],
           retry: RetryPolicy) -> tuple[float, int, int, bool]:
    """(last successful attempt, successful cycles, network failures, failing at the end) attempt by attempt."""
    def blocked(t: float) -> bool:
        return any(start < t <= end for start, end in windows)

    last, successes, failures = anchor, 0, 0
    cycle, failing_since, retries = 1, None, 0
    t = anchor + frequency
    while t <= until + 1e-6:
        if not blocked(t):
            last, successes = t, successes + 1
            if failing_since is not None:  # cycles start afresh from a successful retry
                anchor, cycle = t, 0
            failing_since, retries = None, 0
            cycle += 1
            t = anchor + cycle * frequency
            continue
        failures += 1
        if failing_since is None:
            failing_since = t
        retries += 1
        steps = retry.backoff[:retries] if retries <= len(retry.backoff) else retry.backoff
        t = failing_since + sum(steps) + max(0, retries - len(retry.backoff)) * retry.steady
    return last, successes, failures, failing_since is not None


windows_strategy = st.lists(
    st.tuples(st.floats(min_value=0, max_value=20_000), st.floats(min_value=1, max_value=8_000)),
    max_size=4,
).map(lambda spans: [(round(start, 3), round(start + length, 3)) for start, length in spans])


@given(frequency=st.sampled_from([30, 300, 900]), windows=windows_strategy,
       looks=st.lists(st.floats(min_value=0, max_value=30_000), max_size=6), rate=st.sampled_from([0.5, 7.0]))
def test_lazy_replication_matches_cycle_by_cycle(make_pair, frequency: int, windows: list[tuple[float, float]],  # noqa: ANN001
                                                 looks: list[float], rate: float) -> None:
    lab: ReplicaPair = make_pair()
    lab.add_vm("vm", disk_bytes=1024 * GiB, writes_per_second=rate)
    lab.protect("vm", replication_frequency_sec=frequency)
    link = lab.primary.get_vm("vm").replication.link
    anchor = link.anchor
    for start, end in windows:
        lab.sim.faults.add(FaultRule(Partition(), Match(src="hv1", dst="hv2", bidirectional=True),
                                     start=anchor + start, end=anchor + end))
    horizon = anchor + 30_000
    for look in sorted(looks):  # observing in between must not change the outcome
        lab.sim.run_until(anchor + look)
        lab.replica.measure_vm_replication("vm")
    lab.sim.run_until(horizon)
    stats = lab.primary.measure_vm_replication("vm")
    spans = [(anchor + start, anchor + end) for start, end in windows]
    last, _, _, failing = _eager(anchor, frequency, horizon, spans, lab.fabric.policy.retry)
    replica = lab.replica.get_vm("vm").replication
    assert replica.last_replication_time == pytest.approx(last, abs=1e-6)
    assert replica.applied == lab.primary.get_vm("vm").workload.image(last)
    assert lab.primary.get_vm("vm").replication.applied == replica.applied
    assert (stats.health.value == "Critical") == failing  # §2.5: the primary cannot send


@given(windows=windows_strategy)
def test_statistics_of_one_interval_match_the_model(make_pair, windows: list[tuple[float, float]]) -> None:  # noqa: ANN001
    lab: ReplicaPair = make_pair()
    lab.primary.set_vm_replication_server(monitoring_interval=24 * 3600, monitoring_start_time=time(0, 0))
    lab.add_vm("vm", disk_bytes=1024 * GiB)
    lab.protect("vm", replication_frequency_sec=30)
    anchor = lab.primary.get_vm("vm").replication.link.anchor
    lab.primary.reset_vm_replication_statistics("vm")
    for start, end in windows:
        lab.sim.faults.add(FaultRule(Partition(), Match(src="hv1", dst="hv2", bidirectional=True),
                                     start=anchor + start, end=anchor + end))
    horizon = anchor + 30_000
    lab.sim.run_until(horizon)
    stats = lab.primary.measure_vm_replication("vm")
    assert stats.start_statistic_time == lab.sim.clock.to_datetime(anchor)  # one interval: [00:00, 24:00)
    _, successes, failures, _ = _eager(anchor, 30, horizon, [(anchor + a, anchor + b) for a, b in windows],
                                    lab.fabric.policy.retry)
    assert stats.replication_success_count == successes
    assert stats.network_failure_count == failures
