"""History: JSON Lines round trip for generated histories, queries, and refusals."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simcore import History, HistoryFormatError, Phase

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
events = st.lists(
    st.tuples(
        st.floats(0, 1e6, allow_nan=False),
        st.text(min_size=1, max_size=12),
        st.sampled_from(["net.connect", "replication.cycle", "fault.fire", "api.PUT", "vm.write"]),
        st.sampled_from(list(Phase)),
        st.dictionaries(st.text(max_size=10), json_values, max_size=5),
    ),
    max_size=30,
)


def _build(spec) -> History:
    history = History()
    for time, node, op, phase, details in sorted(spec, key=lambda e: e[0]):
        history.record(node, op, phase, details, time=time)
    return history


@given(events)
def test_dump_and_load_round_trip_exactly(spec) -> None:
    history = _build(spec)
    text = history.dumps()
    loaded = History.loads(text)
    assert loaded == history
    assert loaded.dumps() == text
    stream = io.StringIO()
    history.dump(stream)
    stream.seek(0)
    assert History.load(stream) == history


@given(events)
def test_select_agrees_with_a_plain_filter(spec) -> None:
    history = _build(spec)
    for op in ("net.connect", "api.*"):
        for phase in (None, Phase.OK):
            expected = [
                e for e in history
                if (e.op.startswith(op[:-1]) if op.endswith("*") else e.op == op) and (phase is None or e.phase is phase)
            ]
            assert history.select(op=op, phase=phase) == expected


def test_events_are_stamped_with_the_clock_and_indexed() -> None:
    now = [0.0]
    history = History(lambda: now[0])
    history.record("hv1", "start", "invoke")
    now[0] = 12.5
    event = history.record("hv1", "start", Phase.OK, {"vm": "vm-1"})
    assert (event.time, event.index, event.phase, dict(event.details)) == (12.5, 1, Phase.OK, {"vm": "vm-1"})
    assert history.select(node="hv1", since=10) == [event]


@pytest.mark.parametrize(
    "details",
    [{"when": object()}, {1: "non-string key"}, {"x": float("nan")}, {"nested": [{"bad": {1, 2}}]}],
)
def test_details_that_are_not_json_are_refused_and_nothing_is_appended(details) -> None:
    history = History()
    history.record("a", "ok")
    with pytest.raises(HistoryFormatError):
        history.record("a", "op", "info", details)
    assert len(history) == 1


def test_time_never_runs_backwards_and_bad_lines_are_refused() -> None:
    history = History()
    history.record("a", "op", time=5.0)
    with pytest.raises(HistoryFormatError):
        history.record("a", "op", time=4.0)
    with pytest.raises(HistoryFormatError):
        History.loads('{"not": "an event"}\n')
    with pytest.raises(HistoryFormatError):
        History.loads(history.dumps() + history.dumps())  # indices out of sequence
    with pytest.raises(ValueError):
        history.record("a", "op", "maybe")
    assert len(history) == 1
