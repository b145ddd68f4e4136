"""End to end over HTTPS: ``GET /_harness/history/stream?follow=true`` follows the lab's history as
chunked JSON Lines while the server goes on answering everyone else; it ends at ``limit``, on a reset
and when the client leaves, and an open stream does not hold up SIGTERM. Every wait is bounded."""

from __future__ import annotations

import json
import signal
import ssl
import time
from collections.abc import Iterator

import httpx
import pytest

from drlab.control import LabControl
from drlab.serve_process import ServeProcess

pytestmark = pytest.mark.sockets

AUTH = {"Authorization": "Bearer t"}


@pytest.fixture(scope="module")
def process() -> Iterator[ServeProcess]:
    with ServeProcess.start("--time-mode", "manual", "--request-timeout", "1") as served:
        yield served


def _client(process: ServeProcess) -> httpx.Client:
    return httpx.Client(base_url=process.info.base_url, verify=ssl.create_default_context(cafile=process.info.ca_bundle),
                        headers=AUTH, timeout=5)


def test_a_followed_stream_gets_new_events_while_other_requests_are_answered(process: ServeProcess) -> None:
    info = process.info
    with _client(process) as streaming, LabControl(info.base_url, info.ca_bundle) as control:
        with streaming.stream("GET", "/_harness/history/stream",
                              params={"follow": "true", "op": "harness.*"}) as answer:
            assert answer.status_code == 200 and answer.headers["content-type"] == "application/x-ndjson"
            assert answer.headers["transfer-encoding"] == "chunked"
            lines = answer.iter_lines()
            for step in (1, 2, 3):
                assert control.advance(60).now > 60 * step - 1  # answered with the stream open
                event = json.loads(next(lines))
                assert event["op"] == "harness.advance" and event["details"]["to"] > 60 * step - 1
            time.sleep(1.5)  # past --request-timeout 1: a stream its client reads is kept
            control.advance(60)
            assert json.loads(next(lines))["details"]["to"] > 239
        control.reset()  # the client left: the server goes on
        assert control.now() < 1


def test_a_stream_ends_at_its_limit_and_on_a_reset(process: ServeProcess) -> None:
    info = process.info
    with LabControl(info.base_url, info.ca_bundle) as control:
        control.advance(60)
        control.advance(60)
        events = list(control.stream_history(op="harness.advance", limit=2, follow=True))
        assert [e.details["to"] for e in events] == [pytest.approx(60.021), pytest.approx(120.021)]
        with _client(process) as streaming, streaming.stream(
                "GET", "/_harness/history/stream", params={"follow": "true", "op": "nothing"}) as answer:
            control.reset()
            assert list(answer.iter_lines()) == [], "the history it followed is gone: the answer ends"
        with _client(process) as raw:
            bad = raw.get("/_harness/history/stream?follow=maybe")
        assert bad.status_code == 400 and bad.json()["error"]["target"] == "follow"


def test_sigterm_with_a_stream_open_ends_within_two_seconds(process: ServeProcess) -> None:
    """Last in the module: it stops the module's server."""
    with _client(process) as streaming, streaming.stream(
            "GET", "/_harness/history/stream", params={"follow": "true", "op": "nothing"}) as answer:
        assert answer.status_code == 200
        started = time.monotonic()
        stopped = process.stop(signal.SIGTERM)
        assert stopped.returncode == 0 and time.monotonic() - started < 2, stopped.stderr
