"""The control API's history (JSON and JSON Lines, filtered and paged), the lab's nodes, and reset: the
default lab of the same seed afresh (same ids, same history) or of a new one, in place."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from drlab import Lab
from drlab.control import LabControl
from drlab.control_api import NDJSON
from drlab.control_faults import FAULT_POINTS
from drlab.control_wire import HISTORY_LIMIT_MAX
from drlab.serve import ServeOptions
from drlab.serve_lab import ServedLab
from drlab.serve_time import TimeMode
from simcore import Drop, Event, FaultRule, History, Phase

from .conftest import BASE_URL, arm_error, state


def test_history_filters_by_op_prefix_node_phase_and_time(control: LabControl, served: ServedLab) -> None:
    control.advance(1800)
    history = served.lab.history
    assert control.history(op="provider.*").events == history.select(op="provider.*")
    assert control.history(node="vmm-chi", phase=Phase.OK).events == history.select(node="vmm-chi", phase="ok")
    assert control.history(op="net.connect", phase="fail").events == []
    window = control.history(since=1, until=1200).events
    assert window and window == history.select(since=1, until=1200) and window != list(history)
    epoch = served.lab.sim.clock.epoch
    assert control.history(since=epoch + timedelta(seconds=1), until=1200).events == window


def test_history_pages_with_limit_and_after(control: LabControl, served: ServedLab) -> None:
    control.advance(3600)
    everything = list(served.lab.history)
    first = control.history(limit=50)
    assert first.events == everything[:50] and first.more and first.next_after == 49
    rest = control.history(after=first.next_after, limit=HISTORY_LIMIT_MAX)
    assert rest.events == everything[50:] and not rest.more
    assert (rest.recorded, rest.first_retained) == (len(everything), 0)
    assert control.history(after=len(everything)).events == [] and control.history(after=10**6).next_after is None


def test_the_stream_is_the_same_events_as_json_lines(control: LabControl, http: httpx.Client) -> None:
    control.advance(900)
    response = http.get("/_harness/history/stream", params={"op": "provider.*", "limit": 5})
    assert response.headers["content-type"] == NDJSON and response.headers["x-harness-more"] == "true"
    lines = response.text.splitlines()
    assert len(lines) == 5 and [json.loads(line)["op"].startswith("provider.") for line in lines] == [True] * 5
    assert [Event.from_json(line) for line in lines] == control.history(op="provider.*", limit=5).events
    assert list(control.stream_history(op="provider.*", limit=5)) == control.history(op="provider.*", limit=5).events


@pytest.mark.parametrize("query", [
    {"limit": "0"}, {"limit": str(HISTORY_LIMIT_MAX + 1)}, {"limit": "ten"}, {"limit": "1.5"},
    {"limit": "9" * 5000}, {"after": "-2"}, {"phase": "done"}, {"since": "NaN"}, {"since": "1e999"},
    {"until": "2026-01-01T00:00:00"}, {"op": ""}, {"op": "x" * 3000}, {"order": "desc"}, {"$top": "3"},
])
def test_a_bad_history_query_is_a_400(http: httpx.Client, served: ServedLab, query: dict[str, str]) -> None:
    before = state(served)
    for path in ("/_harness/history", "/_harness/history/stream"):
        response = http.get(path, params=query)
        assert response.status_code == 400 and response.json()["error"]["code"] in (
            "InvalidQueryParameterValue", "UnsupportedQueryParameter"), response.text
    assert state(served) == before


def test_a_parameter_given_twice_is_refused(http: httpx.Client) -> None:
    arm_error(http.get("/_harness/history?op=a&op=b"), 400, "InvalidQueryParameterValue")


def test_nodes_are_the_labs_network_nodes_and_the_fault_points(control: LabControl, served: ServedLab,
                                                               http: httpx.Client) -> None:
    assert control.nodes() == [node.name for node in served.lab.network.nodes]
    assert {"vmm-ny", "vmm-chi", "asr", "hv-ny-1"} <= set(control.nodes())
    assert http.get("/_harness/nodes").json()["points"] == {point: list(keys) for point, keys in FAULT_POINTS.items()}


def test_reset_serves_the_same_seeds_lab_afresh_with_the_same_ids_and_history(control: LabControl,
                                                                              served: ServedLab) -> None:
    fresh = ServedLab(ServeOptions(seed=5, time_mode=TimeMode.MANUAL), BASE_URL)
    control.advance(7200)
    control.add_fault(FaultRule(Drop(), name="gone-after-reset"))
    old = served.lab
    info = control.reset()
    assert served.lab is not old and (info.seed, info.fabrics, info.clouds) == (
        5, fresh.lab.fabric_names(), fresh.lab.cloud_names())
    assert control.faults() == [] and control.now() == fresh.lab.now
    assert served.lab.history.dumps() == fresh.lab.history.dumps()
    control.advance(600)
    fresh.lab.advance(600)
    def steps(history: History) -> list[tuple[object, ...]]:  # indexes aside: the harness's own events shift them
        return [(e.time, e.node, e.op, e.phase, e.details) for e in history if e.node != "harness"]
    assert len(steps(fresh.lab.history)) > len(fresh.lab.history.select(until=1))
    assert steps(served.lab.history) == steps(fresh.lab.history)
    fresh.close()


def test_reset_with_a_new_seed_serves_that_seeds_lab(control: LabControl) -> None:
    info = control.reset(seed=42)
    with Lab(42) as expected:
        assert (info.seed, info.fabrics) == (42, expected.fabric_names())
    assert control.reset().seed == 42  # the same seed from then on


@pytest.mark.parametrize("body", [{"seed": "1"}, {"seed": 1.5}, {"seed": True}, {"seed": 2**63},
                                  {"seed": -(2**63) - 1}, {"sead": 1}, [1]])
def test_a_bad_reset_is_a_400_and_the_lab_keeps_serving(http: httpx.Client, served: ServedLab,
                                                        body: object) -> None:
    before = state(served)
    response = http.post("/_harness/reset", json=body)
    assert response.status_code == 400 and response.json()["error"]["code"] in ("InvalidSeed", "InvalidRequestContent")
    assert state(served) == before


def test_reset_starts_the_spill_file_afresh_with_the_new_history(tmp_path: Path) -> None:
    spill = tmp_path / "history.jsonl"
    served = ServedLab(ServeOptions(seed=1, history_limit=20, history_spill=spill), BASE_URL)
    served.lab.advance(3600)
    assert spill.read_text()
    served.reset()
    served.lab.advance(3600)
    served.history.flush()
    whole = spill.read_text() + "".join(event.to_json() + "\n" for event in served.lab.history)
    assert History.loads(whole).dumps() == whole  # indexes contiguous from 0: one lab's history
    served.close()
