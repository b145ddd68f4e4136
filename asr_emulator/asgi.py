"""The emulator as a plain ASGI application, for socket mode (uvicorn on 127.0.0.1).

``AsgiApp(service)`` translates an ASGI ``http`` scope and its body into an ``HttpRequest``, calls
``service.handle()`` synchronously on the server's event-loop thread and sends the ``HttpResponse``
back. One thread, no awaits inside ``handle()``: requests are answered one at a time, in arrival
order, so the lab's state and history stay deterministic for a given request order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import quote

from .http import Handler, HttpRequest, HttpResponse

__all__ = ["AsgiApp", "scope_to_request"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def _url(scope: Scope, headers: dict[str, str]) -> str:
    """The absolute URL the client asked for, path kept percent-encoded as it came on the wire."""
    server = scope.get("server")
    host = headers.get("host") or (f"{server[0]}:{server[1]}" if server else "localhost")
    path = scope.get("raw_path") or quote(scope["path"]).encode()
    query = scope.get("query_string") or b""
    url = f"{scope.get('scheme', 'http')}://{host}{path.decode('latin-1')}"
    return f"{url}?{query.decode('latin-1')}" if query else url


def scope_to_request(scope: Scope, body: bytes) -> HttpRequest:
    """An ASGI http scope and its body as the emulator's request (repeated headers joined by ``, ``)."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return HttpRequest(scope["method"], _url(scope, headers), headers, body)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _wire_headers(response: HttpResponse) -> list[tuple[bytes, bytes]]:
    """The response's headers, plus a Content-Length where a body may be sent (as ARM does; not chunked)."""
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in response.headers.items()]
    sized = any(name.lower() == b"content-length" for name, _ in headers)
    if not sized and response.status >= 200 and response.status not in (204, 304):
        headers.append((b"content-length", str(len(response.body)).encode()))
    return headers


class AsgiApp:
    """An ASGI 3 callable answering every ``http`` request with ``handler.handle()``; nothing to start or stop."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan too: per the ASGI spec, raising means "unsupported"
            raise ValueError(f"AsgiApp serves http only, not {scope['type']!r}")
        response = self.handler.handle(scope_to_request(scope, await _read_body(receive)))
        await send({"type": "http.response.start", "status": response.status, "headers": _wire_headers(response)})
        await send({"type": "http.response.body", "body": response.body})
