"""The ASGI adapter against what a socket client controls: the ``Host`` header never becomes the
request's origin, an oversized body is refused 413 unread, and a request abandoned mid-body never
reaches the handler."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from unittest.mock import Mock

import pytest

from asr_emulator.asgi import AsgiApp
from asr_emulator.http import HttpResponse
from asr_emulator.policy import MAX_REQUEST_BODY_BYTES

pytestmark = pytest.mark.asyncio

Message = dict[str, Any]


def handler() -> Mock:
    stub = Mock()
    stub.handle.return_value = HttpResponse(200, {}, b"{}")
    return stub


def scope(*, headers: list[tuple[bytes, bytes]] | None = None, raw_path: bytes = b"/x",
          server: tuple[str, int] | None = ("127.0.0.1", 8443)) -> Message:
    return {"type": "http", "method": "PUT", "scheme": "https", "server": server, "path": raw_path.decode(),
            "raw_path": raw_path, "query_string": b"api-version=1", "headers": headers or []}


def receiving(*messages: Message) -> Callable[[], Awaitable[Message]]:
    queue = list(messages)

    async def receive() -> Message:
        return queue.pop(0)
    return receive


async def run(app: AsgiApp, scope_: Message, *messages: Message) -> list[Message]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)
    await app(scope_, receiving(*messages), send)  # type: ignore[arg-type]
    return sent


BODY = {"type": "http.request", "body": b"{}", "more_body": False}


@pytest.mark.parametrize("base_url", [None, "https://127.0.0.1:8443"])
async def test_the_host_header_never_becomes_the_requests_origin(base_url: str | None) -> None:
    stub = handler()
    await run(AsgiApp(stub, base_url=base_url), scope(headers=[(b"host", b"evil.example")]), BODY)
    (request,) = stub.handle.call_args.args
    assert request.url == "https://127.0.0.1:8443/x?api-version=1"
    assert request.header("Host") == "evil.example"  # still there for whoever wants to see it, but unused


async def test_the_configured_base_url_wins_over_the_socket_address() -> None:
    stub = handler()
    await run(AsgiApp(stub, base_url="https://lab.example:9/"), scope(), BODY)
    assert stub.handle.call_args.args[0].url == "https://lab.example:9/x?api-version=1"


@pytest.mark.parametrize(("server", "origin"), [(("::1", 443), "https://[::1]"), (None, "https://localhost")])
async def test_the_origin_of_the_socket_address(server: tuple[str, int] | None, origin: str) -> None:
    stub = handler()
    await run(AsgiApp(stub), scope(server=server), BODY)
    assert stub.handle.call_args.args[0].url == f"{origin}/x?api-version=1"


async def test_an_absolute_form_target_keeps_only_its_path() -> None:
    stub = handler()
    await run(AsgiApp(stub), scope(raw_path=b"http://evil.example/x"), BODY)
    assert stub.handle.call_args.args[0].url == "https://127.0.0.1:8443/x?api-version=1"


def _413(sent: list[Message]) -> dict[str, Any]:
    start, body = sent
    assert start["status"] == 413 and (b"connection", b"close") in [(k.lower(), v) for k, v in start["headers"]]
    error: dict[str, Any] = json.loads(body["body"])["error"]
    assert error["code"] == "RequestEntityTooLarge"
    return error


async def test_a_declared_oversized_body_is_413_before_a_byte_is_read() -> None:
    stub = handler()
    headers = [(b"content-length", str(MAX_REQUEST_BODY_BYTES + 1).encode())]
    sent = await run(AsgiApp(stub), scope(headers=headers))  # receive() is never called: no messages queued
    assert str(MAX_REQUEST_BODY_BYTES + 1) in _413(sent)["message"]
    stub.handle.assert_not_called()


async def test_a_streamed_body_is_cut_off_at_the_limit() -> None:
    stub = handler()
    chunk = b"x" * (MAX_REQUEST_BODY_BYTES // 2)
    more = {"type": "http.request", "body": chunk, "more_body": True}
    sent = await run(AsgiApp(stub), scope(), more, more, more)  # the third chunk is never asked for
    assert "more than" in _413(sent)["message"]
    stub.handle.assert_not_called()


async def test_a_request_abandoned_mid_body_is_not_handled_nor_answered() -> None:
    stub = handler()
    sent = await run(AsgiApp(stub), scope(), {"type": "http.request", "body": b'{"half":', "more_body": True},
                     {"type": "http.disconnect"})
    assert sent == []
    stub.handle.assert_not_called()
