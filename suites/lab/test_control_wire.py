"""The control API's wire: authenticated like the ARM paths, routed under ``/_harness/`` only, every
refusal an ARM error envelope; fuzzed with generated requests, nothing reaches a 5xx and a refused
request changes nothing."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from drlab.httpx_transport import HttpxEmulatorTransport
from drlab.serve import ServeOptions
from drlab.control_api import is_control
from drlab.serve_lab import ServedLab
from drlab.serve_time import TimeMode

from .conftest import AUTH, BASE_URL, arm_error, state

ENDPOINTS = [("GET", "/_harness/clock"), ("POST", "/_harness/clock/advance"), ("PUT", "/_harness/clock/mode"),
             ("GET", "/_harness/faults"), ("POST", "/_harness/faults"), ("DELETE", "/_harness/faults"),
             ("GET", "/_harness/faults/x"), ("DELETE", "/_harness/faults/x"), ("GET", "/_harness/history"),
             ("GET", "/_harness/history/stream"), ("GET", "/_harness/nodes"), ("POST", "/_harness/reset")]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize("authorization", [None, "Basic dXNlcg==", "Bearer "])
def test_every_endpoint_wants_a_bearer_token_as_the_arm_paths_do(served: ServedLab, method: str, path: str,
                                                                 authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    before = state(served)
    with httpx.Client(transport=HttpxEmulatorTransport(served), base_url=BASE_URL) as client:
        response = client.request(method, path, headers=headers, json={"seconds": 60})
        assert state(served) == before
        arm = client.get("/subscriptions/s/providers/Microsoft.RecoveryServices/vaults?api-version=2023-04-01",
                         headers=headers)
    error = arm_error(response, 401, arm.json()["error"]["code"])
    assert response.headers["www-authenticate"] == arm.headers["www-authenticate"]
    assert error["message"] == arm.json()["error"]["message"]


def test_unknown_paths_and_methods_are_arm_404_and_405(http: httpx.Client) -> None:
    error = arm_error(http.get("/_harness/snapshots"), 404, "ControlEndpointNotFound")
    assert "/_harness/clock/advance" in error["message"]
    arm_error(http.get("/_harness"), 404, "ControlEndpointNotFound")
    arm_error(http.get("/_harness/faults/a/b"), 404, "ControlEndpointNotFound")
    assert "allowed: POST" in arm_error(http.get("/_harness/clock/advance"), 405, "MethodNotAllowed")["message"]


def test_only_the_prefix_is_the_control_api_and_the_arm_surface_is_untouched(http: httpx.Client) -> None:
    assert is_control("https://h/_harness/clock") and is_control("https://h/%5Fharness/clock?x=1")
    assert not is_control("https://h/subscriptions/_harness") and not is_control("https://h/_harnessx/clock")
    assert http.get("/%5Fharness/clock").json()["mode"] == "manual"
    arm = http.get("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/asr-harness/providers/"
                   "Microsoft.RecoveryServices/vaults/vault1/replicationFabrics?api-version=2025-08-01")
    assert arm.status_code == 200 and len(arm.json()["value"]) == 2


def test_a_body_that_is_not_json_by_media_type_or_too_large_is_refused_as_arm_does(http: httpx.Client) -> None:
    arm_error(http.post("/_harness/clock/advance", content=b"seconds=60",
                        headers={"Content-Type": "application/x-www-form-urlencoded"}), 415, "UnsupportedMediaType")
    arm_error(http.post("/_harness/faults", content=b" " + b"0" * (4 * 1024 * 1024 + 1)), 413, "RequestEntityTooLarge")


def test_api_version_is_accepted_and_ignored(http: httpx.Client) -> None:
    assert http.get("/_harness/clock", params={"api-version": "2025-08-01"}).status_code == 200
    arm_error(http.get("/_harness/clock", params={"verbose": "1"}), 400, "UnsupportedQueryParameter")


# -- fuzz -------------------------------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12)
_fields = st.sampled_from(["seconds", "to", "mode", "rate", "action", "params", "match", "probability", "count",
                           "start", "end", "duration", "id", "seed", "src", "dst"])
_body = st.one_of(
    _json,
    st.dictionaries(_fields, _json, max_size=5),
    st.fixed_dictionaries({"action": st.sampled_from(["partition", "drop", "delay", "duplicate", "fail", "x"])},
                          optional={"match": st.dictionaries(st.sampled_from(["src", "dst", "point", "port", "where",
                                                                               "bidirectional"]), _json, max_size=3),
                                    "params": st.dictionaries(st.sampled_from(["seconds", "jitter", "copies", "code"]),
                                                              _json, max_size=2),
                                    "probability": _json, "count": _json, "duration": _json}))
_query = st.dictionaries(st.sampled_from(["op", "node", "phase", "since", "until", "after", "limit", "x"]),
                         st.text(max_size=12), max_size=3)


@pytest.fixture(scope="module")
def fuzzed() -> Any:
    served = ServedLab(ServeOptions(seed=8, time_mode=TimeMode.MANUAL), BASE_URL)
    with httpx.Client(transport=HttpxEmulatorTransport(served), base_url=BASE_URL, headers=AUTH) as client:
        yield served, client
    served.close()


@given(endpoint=st.sampled_from(ENDPOINTS + [("PATCH", "/_harness/clock"), ("GET", "/_harness/reset")]),
       body=_body, query=_query, raw=st.none() | st.binary(max_size=40))
def test_generated_requests_never_reach_a_5xx_and_a_refusal_changes_nothing(
        fuzzed: Any, endpoint: tuple[str, str], body: Any, query: dict[str, str], raw: bytes | None) -> None:
    served, client = fuzzed
    if served.lab.now > 10 * 86_400:
        served.reset()  # keep the fuzzed lab's clock within reach of generated instants
    method, path = endpoint
    content = raw if raw is not None else json.dumps(body).encode()  # NaN and Infinity too: JSON5-ish on purpose
    before = state(served)
    response = client.request(method, path, params=query, content=content,
                              headers={"Content-Type": "application/json"})
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        error = response.json()["error"]
        assert isinstance(error["code"], str) and error["code"] and isinstance(error["message"], str)
        assert state(served) == before
