"""uvicorn's HTTP/1.1 protocols for ``asr-harness serve``, hardened against idle, slow and half-sent clients.

uvicorn (0.55) bounds none of them: its keep-alive timer starts only after a first response, so a
connection that never sends a byte is held forever; nothing bounds a request that is half sent;
its own answers to malformed HTTP are plain text; and its ``limit_concurrency`` refuses *new*
requests (a plain-text 503) while idle connections keep the slots. ``HardenedHttpToolsProtocol`` (the
default: httptools' llhttp parser) and ``HardenedH11Protocol`` (h11's) keep uvicorn's request handling
and add, through one mixin and per ``ConnectionLimits`` (all policy):

* **idle**: a connection must start a request within ``idle_timeout`` of opening or of its last
  response (uvicorn's ``timeout_keep_alive``, armed at ``connection_made`` too), else it is closed;
* **slow or half-sent**: a request must be received and answered within ``request_timeout`` of its
  first byte, else it is answered 408 ``RequestTimeout`` (when nothing of the answer was sent yet)
  and closed — a half-sent request never reaches the service, so it changes nothing;
* **cap**: at most ``max_connections`` open connections; one more closes the connection that has
  been idle (or stuck mid-request) the longest, so a new client is still served; if every
  connection is being answered, the newcomer gets 429 ``TooManyRequests`` with ``Retry-After``;
* **malformed HTTP**: what the parser refuses is answered with an ARM error body, 400
  ``InvalidHttpRequest`` (431 ``RequestHeaderFieldsTooLarge`` past ``max_header_bytes``, counted alike
  for both parsers: the request line and headers, whole or still incomplete), then closed;
* **shutdown**: connections not being answered are aborted at once, never waited for;
* **streams** (an answer the app marks with ``STREAM_SCOPE_KEY``: a followed history) are exempt from
  ``request_timeout`` while their client reads: each time it runs out, the stream is kept if nothing
  is waiting for the client to drain, and aborted if the client stopped reading.

The TLS handshake bound (``handshake_timeout``) is asyncio's; ``serve_server`` applies it. What no
HTTP answer can reach: a client that fails the TLS handshake (plain HTTP on the TLS port, a bad
ClientHello) is disconnected, since no HTTP response can be written before TLS is up; and bytes
the parser refuses in the middle of a response already being written end the connection without one.
"""

from __future__ import annotations

import asyncio
import http
import json
import time
from array import array
from typing import TYPE_CHECKING, Any

import h11
import httptools
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from asr_emulator.policy import MAX_ECHOED_CHARS

from .serve_limits import ConnectionLimits

__all__ = ["ConnectionLimits", "HardenedH11Protocol", "HardenedHttpToolsProtocol", "error_response",
           "STREAM_SCOPE_KEY"]

if TYPE_CHECKING:
    class _Base(asyncio.Protocol):
        """What ``_Hardening`` uses of either uvicorn protocol (the two share these, untyped alike)."""

        cycle: Any
        transport: asyncio.Transport
        loop: asyncio.AbstractEventLoop
        flow: Any
        connections: set[Any]
        timeout_keep_alive: int  # uvicorn types it int; ServeConfig passes seconds as a float
        timeout_keep_alive_task: asyncio.TimerHandle | None

        def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any],
                     _loop: asyncio.AbstractEventLoop | None = None) -> None: ...
        def timeout_keep_alive_handler(self) -> None: ...
        def on_response_complete(self) -> None: ...
        def shutdown(self) -> None: ...
else:
    _Base = object

#: The ASGI scope key an app sets (to True) on a request whose answer is a stream that may last.
STREAM_SCOPE_KEY = "drlab.stream"


def error_response(status: int, code: str, message: str, *, retry_after: int | None = None) -> bytes:
    """A complete HTTP/1.1 response carrying an ARM error body, closing the connection (written raw:
    h11 may be unable to send a response in the state the connection is in)."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    lines = [f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}", "content-type: application/json; charset=utf-8",
             f"content-length: {len(body)}", "connection: close"]
    if retry_after is not None:
        lines.append(f"retry-after: {retry_after}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class _BoundedConnection(h11.Connection):
    """h11's connection, keeping the protocol error it raised (uvicorn's handler gets only a string)
    and refusing a request whose line and headers exceed ``max_header_bytes`` even when they arrive
    whole (h11's own bound is on what it buffers while a request is incomplete)."""

    last_error: h11.RemoteProtocolError | None = None

    def __init__(self, max_header_bytes: int) -> None:
        super().__init__(h11.SERVER, max_incomplete_event_size=max_header_bytes)
        self.max_header_bytes = max_header_bytes

    def next_event(self) -> Any:
        try:
            event = super().next_event()
            if isinstance(event, h11.Request):
                size = len(event.method) + len(event.target) + sum(len(n) + len(v) + 4 for n, v in event.headers)
                if size > self.max_header_bytes:
                    raise h11.RemoteProtocolError("request line and headers too long", error_status_hint=431)
            return event
        except h11.RemoteProtocolError as error:
            self.last_error = error
            raise


class _Hardening(_Base):
    """The bounds of the module docstring, over either parser's protocol (listed first among its bases);
    ``config.limits`` (``serve_server.ServeConfig``) sets them."""

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits: ConnectionLimits = getattr(config, "limits", ConnectionLimits())
        self._request_timer: asyncio.TimerHandle | None = None
        self.quiet_since = time.monotonic()  # when it last became idle, or began receiving a request

    # -- states --------------------------------------------------------------------------------

    def between_requests(self) -> bool:
        """No request in progress: connected and idle, or the last answer complete."""
        return self.cycle is None or self.cycle.response_complete

    def being_answered(self) -> bool:
        """A request fully received whose answer is not complete yet: the one state never cut short."""
        return not self.between_requests() and not self.cycle.more_body

    # -- the connection's life -----------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.quiet_since = time.monotonic()
        self._admit()
        if not transport.is_closing():  # idle from the start: the keep-alive timer, armed now
            self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive,
                                                                self.timeout_keep_alive_handler)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_request_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._request_timer is None and self.between_requests():
            self.quiet_since = time.monotonic()
            self._request_timer = self.loop.call_later(self.limits.request_timeout, self._request_timed_out)
        super().data_received(data)

    def on_response_complete(self) -> None:
        self._cancel_request_timer()
        self.quiet_since = time.monotonic()
        super().on_response_complete()  # arms the keep-alive timer; may start a pipelined request
        if not self.between_requests() and not self.transport.is_closing():
            self._request_timer = self.loop.call_later(self.limits.request_timeout, self._request_timed_out)

    def shutdown(self) -> None:
        """SIGTERM: an answer being written may finish (``shutdown_grace``); anything else ends now."""
        if self.being_answered():
            super().shutdown()
        else:
            self.transport.abort()

    # -- bounds --------------------------------------------------------------------------------

    def _cancel_request_timer(self) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None

    def _request_timed_out(self) -> None:
        self._request_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and self.cycle.scope.get(STREAM_SCOPE_KEY) and not self.flow.write_paused:
            self._request_timer = self.loop.call_later(self.limits.request_timeout, self._request_timed_out)
            return  # a stream its client reads
        if self.cycle is None or not self.cycle.response_started:
            self.transport.write(error_response(
                408, "RequestTimeout", f"The request was not received and answered within "
                f"{self.limits.request_timeout:g} seconds of its first byte; the connection is closed."))
            self.transport.close()
        else:  # an answer the client does not read: nothing more can be said on this connection
            self.transport.abort()

    def _admit(self) -> None:
        """Keep at most ``max_connections`` open, closing the quietest evictable one to make room."""
        others = [c for c in self.connections if c is not self and not c.transport.is_closing()]
        if len(others) < self.limits.max_connections:
            return
        evictable = [c for c in others if isinstance(c, _Hardening) and not c.being_answered()]
        if evictable:
            victim = min(evictable, key=lambda c: (not c.between_requests(), c.quiet_since))
            victim.transport.abort()
            return
        self.transport.write(error_response(
            429, "TooManyRequests", f"The server has {len(others)} connections open, all being answered; retry "
            "shortly.", retry_after=1))
        self.transport.close()

    # -- malformed HTTP ------------------------------------------------------------------------

    def refuse_malformed(self, status: int, reason: str) -> None:
        """What the parser refused, answered as an ARM error (uvicorn's own answer is plain text): 431
        past ``max_header_bytes``, else 400 with the parser's ``reason``."""
        if self.cycle is not None and not self.cycle.response_complete:
            self.transport.close()  # an answer is being written: a second one cannot follow it
            return
        if len(reason) > MAX_ECHOED_CHARS:
            reason = reason[:MAX_ECHOED_CHARS] + "…"
        if status == 431:
            code, message = "RequestHeaderFieldsTooLarge", (
                f"The request line and headers exceed {self.limits.max_header_bytes} bytes.")
        else:
            status, code, message = 400, "InvalidHttpRequest", f"The HTTP request could not be parsed: {reason}."
        self.transport.write(error_response(status, code, message))
        self.transport.close()


class HardenedH11Protocol(_Hardening, H11Protocol):
    """uvicorn's h11 protocol, hardened; h11's own errors carry the status (400, or 431 for size)."""

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.conn = _BoundedConnection(self.limits.max_header_bytes)

    def send_400_response(self, msg: str) -> None:
        error = self.conn.last_error if isinstance(self.conn, _BoundedConnection) else None
        status = error.error_status_hint if error is not None else 400
        self.refuse_malformed(status, str(error) if error is not None and str(error) else msg)


class _RecordingParser(httptools.HttpRequestParser):
    """httptools' parser, keeping the error it raised (uvicorn's handler gets none)."""

    last_error: httptools.HttpParserError | None = None

    def feed_data(self, data: bytes | bytearray | memoryview[int] | array[int]) -> None:
        try:
            super().feed_data(data)
        except httptools.HttpParserError as error:
            self.last_error = error
            raise


class HardenedHttpToolsProtocol(_Hardening, HttpToolsProtocol):
    """uvicorn's httptools (llhttp) protocol, hardened: the parser uvicorn picks when it is installed,
    about a fifth less time per keep-alive request than h11 (``bench/serve_load.py``). llhttp bounds
    no header size, so the request line and headers are counted here: whole (``on_url``/``on_header``)
    and while incomplete (bytes received since the request began), either past ``max_header_bytes``
    being a 431, as h11 counts them."""

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.parser = _RecordingParser(self)
        self.parser.set_dangerous_leniencies(lenient_data_after_close=True)  # as uvicorn sets it
        self._received_in_head: int | None = None  # bytes received since a request began, till its headers end
        self._whole_head = 0  # the request line and headers parsed so far, counted as h11 counts them
        self._head_too_large = False
        self._chunk = 0  # the size of the data being parsed
        self._ended_in_chunk = False  # a request ended in it: the next one began part way in

    def data_received(self, data: bytes) -> None:
        self._chunk, self._ended_in_chunk = len(data), False
        super().data_received(data)
        if self._received_in_head is not None and not self.transport.is_closing():
            self._received_in_head += len(data)
            if self._received_in_head > self.limits.max_header_bytes:
                self._head_too_large = True
                self.send_400_response("request line and headers too long")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        # from the start of the data, unless a pipelined request ended in it (where is unknown: its
        # bytes are not counted, so a head is cut at most one read later, never early)
        self._received_in_head, self._whole_head = -self._chunk if self._ended_in_chunk else 0, 0

    def on_message_complete(self) -> None:
        self._ended_in_chunk = True
        super().on_message_complete()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        self._count_head(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        super().on_header(name, value)
        self._count_head(len(name) + len(value) + 4)

    def on_headers_complete(self) -> None:
        self._received_in_head = None
        self._count_head(len(self.parser.get_method()))
        super().on_headers_complete()

    def _count_head(self, size: int) -> None:
        self._whole_head += size
        if self._whole_head > self.limits.max_header_bytes:
            self._head_too_large = True
            raise ValueError("request line and headers too long")  # httptools: HttpParserCallbackError

    def send_400_response(self, msg: str) -> None:
        error: BaseException | None = self.parser.last_error if isinstance(self.parser, _RecordingParser) else None
        if isinstance(error, httptools.HttpParserCallbackError) and error.__context__ is not None:
            error = error.__context__  # what uvicorn's callback raised, not httptools' "User callback error"
        status = 431 if self._head_too_large else 400
        self.refuse_malformed(status, str(error) if error is not None and str(error) else msg)
