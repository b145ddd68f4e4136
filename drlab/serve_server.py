"""uvicorn's server as ``asr-harness serve`` runs it: TLS from an in-memory context, asyncio's
handshake and TLS-shutdown bounds applied, the hardened protocol (over the parser ``--http`` picks:
``PROTOCOLS``), and a shutdown that ends within
``ConnectionLimits.shutdown_grace`` whatever clients do.

uvicorn builds its TLS context from key files and passes neither ``ssl_handshake_timeout`` (asyncio
waits 60 s for a client that connects and never sends a ClientHello) nor ``ssl_shutdown_timeout``
(30 s for a peer that never answers close_notify) to ``create_server``; ``ServeServer.startup``
listens on the given sockets itself to pass both. On SIGINT/SIGTERM: the listening sockets close,
every connection not being answered is aborted (the hardened protocol's ``shutdown``), answers being
written get ``shutdown_grace`` (uvicorn's ``timeout_graceful_shutdown``, after which it cancels
them), and whatever is still open is then aborted.

asyncio gives every TLS connection a 256 KiB read buffer when it is accepted, before its handshake,
so each client that connects and stalls costs ~300 KB until the handshake timeout; while serving,
``lean_tls_buffers`` makes that buffer ``TLS_READ_BUFFER`` bytes (two maximal TLS records), which
cuts a stalled connection's cost to about a sixth.
"""

from __future__ import annotations

import asyncio
import asyncio.sslproto
import contextlib
import signal
import socket
import ssl
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import uvicorn

from .serve_limits import HttpParser
from .serve_protocol import ConnectionLimits, HardenedH11Protocol, HardenedHttpToolsProtocol

__all__ = ["ServeConfig", "ServeServer", "lean_tls_buffers", "TLS_READ_BUFFER", "PROTOCOLS"]

#: The hardened protocol over each parser ``serve --http`` may pick.
PROTOCOLS: dict[HttpParser, type[HardenedHttpToolsProtocol | HardenedH11Protocol]] = {
    HttpParser.HTTPTOOLS: HardenedHttpToolsProtocol, HttpParser.H11: HardenedH11Protocol}

#: Policy: bytes of asyncio's per-connection TLS read buffer while serving (a TLS record carries at
#: most 16 KiB of data, RFC 8446 §5.1).
TLS_READ_BUFFER = 32 * 1024


@contextlib.contextmanager
def lean_tls_buffers(size: int = TLS_READ_BUFFER) -> Iterator[None]:
    """asyncio's TLS read buffer at ``size`` bytes for connections accepted meanwhile (``SSLProtocol.max_size``,
    a class attribute asyncio reads when it makes each connection's buffer)."""
    protocol = asyncio.sslproto.SSLProtocol
    previous = protocol.max_size
    protocol.max_size = size
    try:
        yield
    finally:
        protocol.max_size = previous


class ServeConfig(uvicorn.Config):
    """``uvicorn.Config`` with an ``ssl.SSLContext`` instead of key files, ``limits`` and the parser."""

    def __init__(self, app: Any, *, ssl_context: ssl.SSLContext, limits: ConnectionLimits,
                 http: HttpParser = HttpParser.HTTPTOOLS) -> None:
        self.protocol = PROTOCOLS[http]
        super().__init__(
            app,
            http=self.protocol,
            # uvicorn types both as int but uses them as seconds: fractions (the tests') work
            timeout_keep_alive=limits.idle_timeout,  # type: ignore[arg-type]
            timeout_graceful_shutdown=limits.shutdown_grace,  # type: ignore[arg-type]
            h11_max_incomplete_event_size=limits.max_header_bytes,
            log_level="warning",
            access_log=False,
            lifespan="off",
            server_header=False,
            date_header=False,
        )
        self.ssl_context = ssl_context
        self.limits = limits

    def load(self) -> None:
        super().load()
        self.ssl = self.ssl_context


class ServeServer(uvicorn.Server):
    """Announces readiness once listening (``on_listening(port)``) and ends normally on SIGINT/SIGTERM."""

    def __init__(self, config: ServeConfig, on_listening: Callable[[int], None],
                 background: Callable[[], Coroutine[Any, Any, None]] | None = None) -> None:
        super().__init__(config)
        self.serve_config = config
        self._on_listening = on_listening
        self._background = background  # runs on the server's loop while it serves (the auto clock)
        self._task: asyncio.Task[None] | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's startup for the sockets given, with asyncio's TLS bounds (module docstring)."""
        if not sockets:
            raise ValueError("ServeServer listens on the sockets it is given")
        await self.lifespan.startup()
        config, limits = self.serve_config, self.serve_config.limits
        loop = asyncio.get_running_loop()

        def create_protocol() -> asyncio.Protocol:
            return config.protocol(config=config, server_state=self.server_state,
                                       app_state=self.lifespan.state, _loop=loop)

        self.servers = [
            await loop.create_server(create_protocol, sock=sock, ssl=config.ssl, backlog=config.backlog,
                                     ssl_handshake_timeout=limits.handshake_timeout,
                                     ssl_shutdown_timeout=limits.shutdown_grace)
            for sock in sockets]
        self.started = True
        if self._background is not None:
            self._task = loop.create_task(self._background())
        self._on_listening(sockets[0].getsockname()[1])

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self._task is not None:
            self._task.cancel()
        await super().shutdown(sockets)
        for connection in list(self.server_state.connections):  # past the grace: nothing is waited for
            connection.transport.abort()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn re-raises the captured signal after a graceful shutdown; for this command
        # stopping on a signal is its normal end (exit 0, temp files removed), so don't.
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
