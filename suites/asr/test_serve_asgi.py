"""The ASGI app translates scope/receive/send faithfully (in-process, through httpx's ASGITransport)."""

from __future__ import annotations

from unittest.mock import Mock

import httpx
import pytest

from asr_emulator.asgi import AsgiApp
from asr_emulator.http import HttpRequest, HttpResponse

pytestmark = pytest.mark.asyncio


def stub(status: int, headers: dict[str, str], body: bytes) -> Mock:
    handler = Mock()
    handler.handle.return_value = HttpResponse(status, headers, body)
    return handler


async def call(handler: Mock, method: str, url: str, **kwargs: object) -> tuple[HttpRequest, httpx.Response]:
    transport = httpx.ASGITransport(app=AsgiApp(handler))
    async with httpx.AsyncClient(transport=transport) as client:
        response = await client.request(method, url, **kwargs)  # type: ignore[arg-type]
    (request,) = handler.handle.call_args.args
    return request, response


async def test_request_keeps_absolute_url_encoded_path_headers_and_body() -> None:
    handler = stub(200, {}, b"")
    request, _ = await call(
        handler,
        "PATCH",
        "https://127.0.0.1:8443/vaults/my%20vault/replicationPolicies/p%2F1?api-version=2025-08-01",
        headers=[("Authorization", "Bearer x"), ("X-Twice", "a"), ("X-Twice", "b")],
        content=b'{"properties": {}}',
    )
    assert request.method == "PATCH"
    assert request.url == "https://127.0.0.1:8443/vaults/my%20vault/replicationPolicies/p%2F1?api-version=2025-08-01"
    assert request.header("AUTHORIZATION") == "Bearer x"
    assert request.header("x-twice") == "a, b"
    assert request.body == b'{"properties": {}}'


async def test_streamed_body_is_reassembled() -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for part in (b"ab", b"", b"cd"):
            yield part

    request, _ = await call(stub(204, {}, b""), "POST", "https://localhost/x", content=chunks())
    assert request.body == b"abcd"
    assert request.url == "https://localhost/x"


async def test_response_status_headers_and_body_are_sent() -> None:
    handler = stub(202, {"Location": "https://h/op/1", "Retry-After": "30"}, b'{"a": 1}')
    _, response = await call(handler, "PUT", "https://h/x")
    assert response.status_code == 202
    assert response.headers["location"] == "https://h/op/1"
    assert response.headers["retry-after"] == "30"
    assert response.json() == {"a": 1}


@pytest.mark.parametrize(("status", "headers", "length"), [
    (200, {}, "8"),  # added: a sized body, never chunked
    (202, {"Content-Length": "0"}, "0"),  # the handler's own wins, not doubled
    (204, {}, None),  # no body allowed, no length
])
async def test_content_length_is_sent_where_a_body_may_be(
    status: int, headers: dict[str, str], length: str | None
) -> None:
    body = b"" if status != 200 else b'{"a": 1}'
    _, response = await call(stub(status, headers, body), "GET", "https://h/x")
    assert response.headers.get_list("content-length") == ([length] if length else [])


@pytest.mark.parametrize("kind", ["websocket", "lifespan"])
async def test_non_http_scopes_are_refused_as_unsupported(kind: str) -> None:
    handler = stub(200, {}, b"")
    with pytest.raises(ValueError, match=kind):
        await AsgiApp(handler)({"type": kind}, None, None)  # type: ignore[arg-type]
    handler.handle.assert_not_called()
