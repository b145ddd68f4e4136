"""Drive the emulator from httpx clients in-process: a transport, and a respx side effect.

Code under test that speaks httpx gets the same state as the Azure SDK path, with no socket::

    client = httpx.Client(transport=HttpxEmulatorTransport(service), base_url="https://management.azure.com")
    respx_mock.route(host="management.azure.com").mock(side_effect=httpx_handler(service))

Both only translate between httpx's types and ``asr_emulator.http``; the service does the rest.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from asr_emulator.http import ConnectionDropped, Handler, HttpRequest, HttpResponse

__all__ = ["HttpxEmulatorTransport", "httpx_handler", "to_http_request", "to_httpx_response"]


def to_http_request(request: httpx.Request) -> HttpRequest:
    """An already-read httpx request as the emulator's request (repeated headers joined by ``, ``)."""
    return HttpRequest(request.method, str(request.url), dict(request.headers.items()), request.content)


def to_httpx_response(response: HttpResponse) -> httpx.Response:
    return httpx.Response(response.status, headers=response.headers, content=response.body)


def httpx_handler(handler: Handler) -> Callable[[httpx.Request], httpx.Response]:
    """``handler`` as an httpx handler function: what ``MockTransport`` calls, and a respx side effect."""

    def answer(request: httpx.Request) -> httpx.Response:
        try:
            return to_httpx_response(handler.handle(to_http_request(request)))
        except ConnectionDropped as dropped:  # an injected fault: httpx's own errors for a lost connection
            error = httpx.RemoteProtocolError if dropped.served else httpx.ConnectError
            raise error(str(dropped), request=request) from dropped

    return answer


class HttpxEmulatorTransport(httpx.MockTransport):
    """An httpx transport (sync and async clients) answered by ``handler`` in the caller's thread."""

    def __init__(self, handler: Handler) -> None:
        super().__init__(httpx_handler(handler))
