"""An HTTP CONNECT proxy on 127.0.0.1, for the Provider's "custom proxy" setting in socket mode.

The Provider may reach ASR directly or through a proxy with optional credentials (reference
hyperv-scvmm.md §5.2: ``/proxyAddress /proxyport /proxyUsername /proxyPassword``). This proxy is
the real thing on loopback: it answers ``CONNECT host:port`` with ``200`` and then copies bytes
both ways (TLS passes through untouched, so the Provider still authenticates ASR end to end),
refuses wrong or missing Basic credentials with ``407`` and ``Proxy-Authenticate``, refuses any
target that is not a loopback address (``403``: the lab never reaches beyond 127.0.0.1) and any
other method (``405``). ``log`` records every CONNECT it answered, so a test can assert from the
proxy's own view that traffic went through it.

Bounded: one asyncio loop on a daemon thread; ``start()`` waits (bounded) for the listening
socket, ``stop()`` closes every tunnel and joins; a tunnel idle for ``idle_timeout`` seconds is
closed, and the proxy stops by itself after ``lifetime`` seconds so a forgotten one never lingers.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import ipaddress
import threading
from dataclasses import dataclass

__all__ = ["ConnectProxy", "ProxyLogEntry", "ProxyError"]

_MAX_HEAD = 16 * 1024  # a CONNECT request head is a few hundred bytes; anything larger is refused
_REASONS = {200: "Connection Established", 400: "Bad Request", 403: "Forbidden", 405: "Method Not Allowed",
            407: "Proxy Authentication Required", 502: "Bad Gateway"}


class ProxyError(RuntimeError):
    """The proxy could not start (or was used before ``start()``)."""


@dataclass(frozen=True)
class ProxyLogEntry:
    """One request the proxy answered: the CONNECT target, the status, the user it named (if any)."""

    method: str
    target: str
    status: int
    username: str | None

    @property
    def tunneled(self) -> bool:
        return self.status == 200


class ConnectProxy:
    """``ConnectProxy(credentials=("user", "pw")).start()``; ``url`` is what a client's ``proxy=`` takes."""

    def __init__(
        self,
        *,
        credentials: tuple[str, str] | None = None,
        host: str = "127.0.0.1",
        idle_timeout: float = 30.0,
        lifetime: float = 600.0,
    ) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ProxyError(f"the proxy listens on loopback only, not {host!r}")
        self.credentials = credentials
        self.host = host
        self.idle_timeout = idle_timeout
        self.lifetime = lifetime
        self._log: list[ProxyLogEntry] = []
        self._log_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Event | None = None
        self._port: int | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> ConnectProxy:
        """Listen on ``host`` (a free port) and return once connections are accepted."""
        if self._thread is not None:
            raise ProxyError("the proxy is already started")
        self._thread = threading.Thread(target=self._run, name="drlab-connect-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise ProxyError(f"the proxy did not start within {timeout} s")
        if self._startup_error is not None:
            raise ProxyError(f"the proxy could not listen on {self.host}: {self._startup_error}")
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Close the listener and every tunnel; idempotent."""
        loop, stopped = self._loop, self._stopped
        if loop is not None and stopped is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(stopped.set)
            except RuntimeError:  # the loop closed between the check and the call: already stopped
                pass
        self.wait(timeout)

    def wait(self, timeout: float) -> bool:
        """Wait (bounded) until the proxy has stopped; whether it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> ConnectProxy:
        return self.start() if self._thread is None else self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise ProxyError("the proxy is not started")
        return self._port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` (credentials travel in the client's proxy settings, not here)."""
        return f"http://{self.host}:{self.port}"

    @property
    def log(self) -> tuple[ProxyLogEntry, ...]:
        with self._log_lock:
            return tuple(self._log)

    @property
    def tunnels(self) -> tuple[str, ...]:
        """The targets of every CONNECT the proxy tunneled, in order."""
        return tuple(entry.target for entry in self.log if entry.tunneled)

    # -- the loop -------------------------------------------------------------------------------

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        tasks: set[asyncio.Task[None]] = set()

        async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            tasks.add(task)
            try:
                await self._client(reader, writer)
            except asyncio.CancelledError:
                pass  # the proxy is stopping: the tunnel just ends
            finally:
                tasks.discard(task)
                writer.close()

        try:
            server = await asyncio.start_server(on_client, self.host, 0, limit=_MAX_HEAD)
        except OSError as error:
            self._startup_error = error
            self._ready.set()
            return
        self._port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            try:
                await asyncio.wait_for(self._stopped.wait(), self.lifetime)
            except TimeoutError:
                pass
            server.close()
            for task in list(tasks):
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.idle_timeout)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError):
            return
        method, target, headers = _parse_head(head)
        username, authorized = self._authorize(headers.get("proxy-authorization"))
        status = self._status(method, target, authorized)
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        if status == 200:
            host, port = _split_target(target)
            try:
                upstream = await asyncio.wait_for(asyncio.open_connection(host, port), self.idle_timeout)
            except (OSError, TimeoutError):
                status = 502
        self._record(ProxyLogEntry(method, target, status, username))
        writer.write(_response_head(status))
        await writer.drain()
        if upstream is None:
            return
        up_reader, up_writer = upstream
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            up_writer.close()

    def _status(self, method: str, target: str, authorized: bool) -> int:
        if method != "CONNECT":
            return 405 if method else 400
        if not authorized:
            return 407
        try:
            host, _ = _split_target(target)
        except ValueError:
            return 400
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            return 403  # a name is never looked up: no DNS, no way out of loopback
        return 200 if loopback else 403

    def _authorize(self, header: str | None) -> tuple[str | None, bool]:
        """(the username the client named, whether it may pass)."""
        username = password = None
        if header and header.split(" ", 1)[0].lower() == "basic" and " " in header:
            try:
                username, _, password = base64.b64decode(header.split(" ", 1)[1].strip(), validate=True) \
                    .decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                username = password = None
        if self.credentials is None:
            return username, True
        return username, (username, password) == self.credentials

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Copy until EOF or ``idle_timeout`` without data, then half-close the other side."""
        try:
            while data := await asyncio.wait_for(reader.read(65536), self.idle_timeout):
                writer.write(data)
                await writer.drain()
            if writer.can_write_eof():
                writer.write_eof()
        except (ConnectionError, TimeoutError, OSError):
            writer.close()

    def _record(self, entry: ProxyLogEntry) -> None:
        with self._log_lock:
            self._log.append(entry)


def _parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    """(method, target, lower-cased headers) of a request head; empty strings if it is not one."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        return "", "", {}
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return parts[0].upper(), parts[1], headers


def _split_target(target: str) -> tuple[str, int]:
    """``host:port`` or ``[v6]:port`` → (host, port); ``ValueError`` without a valid port."""
    host, sep, port = target.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(target)
    return (host[1:-1] if host.startswith("[") and host.endswith("]") else host), int(port)


def _response_head(status: int) -> bytes:
    extra = 'Proxy-Authenticate: Basic realm="asr-harness"\r\n' if status == 407 else ""
    if status != 200:
        extra += "Content-Length: 0\r\nConnection: close\r\n"
    return f"HTTP/1.1 {status} {_REASONS[status]}\r\n{extra}\r\n".encode("latin-1")
