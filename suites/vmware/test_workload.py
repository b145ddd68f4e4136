"""A machine's workload in closed form: what it wrote is the rate times the time it ran, whatever the
order of starts, stops and rate changes."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, strategies as st

from vmware_fake import InvalidParameter, Workload

_steps = st.lists(st.tuples(st.sampled_from(["start", "stop", "rate"]), st.floats(0, 100),
                            st.floats(0, 10)), max_size=12)


@given(_steps)
def test_written_never_decreases_and_counts_only_running_time(steps):
    workload, t, expected, last = Workload(1.0), 0.0, 0.0, 0
    for action, dt, rate in steps:
        if workload.running:
            expected += dt * workload.rate
        t += dt
        written = workload.written(t)
        assert written >= last and abs(written - expected) <= len(steps) + 1  # floors per segment
        last = written
        if action == "start":
            workload.start(t)
        elif action == "stop":
            workload.stop(t)
        else:
            workload.set_rate(rate, t)
    assert workload.written(t) == last


def test_a_bad_rate_is_refused():
    for rate in (-1.0, math.inf, math.nan):
        with pytest.raises(InvalidParameter):
            Workload(rate)
    workload = Workload(2.0)
    with pytest.raises(InvalidParameter):
        workload.set_rate(-0.5, 0.0)
    assert workload.rate == 2.0
