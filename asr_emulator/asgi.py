"""The emulator as a plain ASGI application, for socket mode (uvicorn on 127.0.0.1).

``AsgiApp(service)`` translates an ASGI ``http`` scope and its body into an ``HttpRequest``, calls
``service.handle()`` synchronously on the server's event-loop thread and sends the ``HttpResponse``
back. One thread, no awaits inside ``handle()``: requests are answered one at a time, in arrival
order, so the lab's state and history stay deterministic for a given request order.

The request's URL starts with the configured ``base_url`` (else the address the server listens
on), never with the client's ``Host`` header, so nothing a client names as host can reach a URL
the service writes. A body is read up to ``policy.MAX_REQUEST_BODY_BYTES``: a larger one (declared
or sent) is answered 413 at once, unread, and the connection closed. A client that disconnects
before its body is complete is not answered and its partial request never reaches the handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from .http import Handler, HttpRequest, HttpResponse
from .policy import MAX_REQUEST_BODY_BYTES
from .wire.body import too_large
from .wire.call import json_response

__all__ = ["AsgiApp", "scope_to_request", "send_response"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(scope: Scope) -> str:
    """``scheme://address[:port]`` of the socket the request arrived on (the server's, not the client's word)."""
    scheme = scope.get("scheme", "http")
    server = scope.get("server")
    if not server:
        return f"{scheme}://localhost"
    host, port = server[0], server[1]
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{scheme}://{host}:{port}"


def _url(scope: Scope, base_url: str | None) -> str:
    """The absolute URL asked for on ``base_url`` (or the server's origin), the path kept
    percent-encoded as it came on the wire. An absolute-form target keeps only its path."""
    path = (scope.get("raw_path") or quote(scope["path"]).encode()).decode("latin-1")
    if not path.startswith("/"):
        path = urlsplit(path).path if "://" in path else "/" + path
    query = (scope.get("query_string") or b"").decode("latin-1")
    url = f"{base_url or _origin(scope)}{path}"
    return f"{url}?{query}" if query else url


def scope_to_request(scope: Scope, body: bytes, base_url: str | None = None) -> HttpRequest:
    """An ASGI http scope and its body as the emulator's request (repeated headers joined by ``, ``)."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return HttpRequest(scope["method"], _url(scope, base_url), headers, body)


@dataclass(frozen=True)
class _Body:
    data: bytes
    complete: bool  # the last chunk arrived (not a disconnect first)
    too_large: bool = False


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the HTTP server has refused a malformed one already
    return None


async def _read_body(receive: Receive, limit: int) -> _Body:
    """The body's chunks until the last one, a disconnect, or more than ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return _Body(b"".join(chunks), complete=False)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return _Body(b"", complete=False, too_large=True)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return _Body(b"".join(chunks), complete=True)


def _too_large(size: int | None) -> HttpResponse:
    """The 413 of ``wire.body``; the rest of the body is never read, so the connection closes after it."""
    error = too_large(size)
    return json_response(error.status, error.to_json(), {"Connection": "close"})


def _wire_headers(response: HttpResponse) -> list[tuple[bytes, bytes]]:
    """The response's headers, plus a Content-Length where a body may be sent (as ARM does; not chunked)."""
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in response.headers.items()]
    sized = any(name.lower() == b"content-length" for name, _ in headers)
    if not sized and response.status >= 200 and response.status not in (204, 304):
        headers.append((b"content-length", str(len(response.body)).encode()))
    return headers


async def send_response(send: Send, response: HttpResponse) -> None:
    """Send ``response`` whole on an ASGI ``http`` connection."""
    await send({"type": "http.response.start", "status": response.status, "headers": _wire_headers(response)})
    await send({"type": "http.response.body", "body": response.body})


class AsgiApp:
    """An ASGI 3 callable answering every ``http`` request with ``handler.handle()``; nothing to start or stop.

    ``base_url``: the origin of every request URL (``None``: the listening socket's address)."""

    def __init__(self, handler: Handler, *, base_url: str | None = None) -> None:
        self.handler = handler
        self.base_url = base_url.rstrip("/") if base_url else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan too: per the ASGI spec, raising means "unsupported"
            raise ValueError(f"AsgiApp serves http only, not {scope['type']!r}")
        declared = _declared_length(scope)
        if declared is not None and declared > MAX_REQUEST_BODY_BYTES:
            response = _too_large(declared)
        else:
            body = await _read_body(receive, MAX_REQUEST_BODY_BYTES)
            if body.too_large:
                response = _too_large(None)
            elif not body.complete:
                return  # the client left mid-request: nobody to answer, and half a request changes nothing
            else:
                response = self.handler.handle(scope_to_request(scope, body.data, self.base_url))
        await send_response(send, response)
