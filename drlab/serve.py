"""Socket mode: the default two-site lab's ASR served over HTTPS on a loopback address (``asr-harness serve``).

``Lab(seed)`` — one vault, both VMM servers' Providers registered and their inventory synced, so an
SDK sees fabrics, containers and protectable items at once — with the ``AsgiApp`` over its service,
served by uvicorn with a server certificate from a fresh trustme CA. The CA bundle (and the server's key) live
in a private temporary directory that is removed when the server stops. The service runs on
uvicorn's event-loop thread only, so requests are answered one at a time in arrival order; virtual
time moves only when a client polls a running job (``advance_on_poll``), never with the wall clock;
the Providers' polls run then, in-process, on the lab's simulated network.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import shutil
import signal
import socket
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import trustme
import uvicorn

from asr_emulator import AsrService
from asr_emulator.asgi import AsgiApp

from .lab import RESOURCE_GROUP, SUBSCRIPTION_ID, VAULT, Lab

__all__ = ["ServeError", "ServeOptions", "ServeInfo", "POLL_ADVANCE", "loopback_host", "build_lab", "build_service",
           "serve"]
#: Virtual seconds one poll of a still-running job stands for: the interval the real service asks for
#: (``Retry-After: 30``, asr-api.md §3.4), so a job sees the time pass that a real poller would wait.
POLL_ADVANCE = 30.0


class ServeError(ValueError):
    """A bad option or an address that cannot be listened on; the message is one line."""


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 0
    retry_after: int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ServeError(f"--port must be between 0 and 65535 (0 picks a free port), got {self.port}")
        if self.retry_after < 0:
            raise ServeError(f"--retry-after must be a whole number of seconds >= 0, got {self.retry_after}")
        loopback_host(self.host)


@dataclass(frozen=True)
class ServeInfo:
    """What a client needs, announced as the one JSON line on stdout once the server accepts connections."""

    base_url: str
    ca_bundle: str
    subscription_id: str
    resource_group: str
    vault: str
    fabrics: list[str] = field(default_factory=list)  # the ARM names of the registered VMM servers
    clouds: list[str] = field(default_factory=list)  # the clouds ASR sees (DR-flagged): its containers' names

    def to_json(self) -> str:
        return json.dumps(asdict(self))


def loopback_host(host: str) -> str:
    """``host`` as a loopback IP literal (``localhost`` → 127.0.0.1); no name lookup, no other address."""
    try:
        address = ipaddress.ip_address("127.0.0.1" if host == "localhost" else host)
    except ValueError:
        raise ServeError(f"--host must be a loopback IP address or localhost, got {host!r}") from None
    if not address.is_loopback:
        raise ServeError(f"--host must be a loopback address (127.0.0.0/8, ::1, localhost), got {host!r}")
    return str(address)


def _listen_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP, and
    # without it every response waits out the client's delayed ACK (~40 ms)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise ServeError(f"cannot listen on {host} port {port}: {error.strerror}") from None
    return sock


@contextlib.contextmanager
def _tls_files(host: str) -> Iterator[tuple[Path, Path, Path]]:
    """(CA bundle, server chain, server key) PEM files in a private temp dir, removed on exit."""
    ca = trustme.CA()
    server = ca.issue_cert(*dict.fromkeys([host, "127.0.0.1", "localhost", "::1"]))
    directory = Path(tempfile.mkdtemp(prefix="asr-harness-serve-"))
    try:
        ca_bundle, chain, key = directory / "ca.pem", directory / "server.pem", directory / "server-key.pem"
        ca.cert_pem.write_to_path(str(ca_bundle))
        for pem in server.cert_chain_pems:
            pem.write_to_path(str(chain), append=True)
        server.private_key_pem.write_to_path(str(key))
        yield ca_bundle, chain, key
    finally:
        shutil.rmtree(directory, ignore_errors=True)


class _Server(uvicorn.Server):
    """uvicorn's server, announcing readiness once listening, and ending normally on SIGINT/SIGTERM."""

    def __init__(self, config: uvicorn.Config, on_listening: Callable[[int], None]) -> None:
        super().__init__(config)
        self._on_listening = on_listening

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._on_listening(self.servers[0].sockets[0].getsockname()[1])

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # An idle keep-alive TLS connection closes gracefully only when the client answers the
        # close_notify; an SDK client holding a pooled connection never reads it, and asyncio then
        # waits its 30 s SSL shutdown timeout. Drop idle connections at once; busy ones finish.
        for connection in list(self.server_state.connections):
            connection.shutdown()
            if connection.transport.is_closing():
                connection.transport.abort()
        await super().shutdown(sockets)

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


def build_lab(options: ServeOptions) -> Lab:
    """The default lab for ``options.seed``, its service answering LROs as socket clients need."""
    return Lab(options.seed, retry_after=options.retry_after, advance_on_poll=POLL_ADVANCE)


def build_service(options: ServeOptions) -> AsrService:
    """The service of ``build_lab(options)``: what the server answers with, for in-process comparison."""
    return build_lab(options).service


def serve(options: ServeOptions, on_ready: Callable[[ServeInfo], None]) -> None:
    """Serve until SIGINT/SIGTERM; ``on_ready`` gets the endpoint once connections are accepted."""
    host = loopback_host(options.host)
    lab = build_lab(options)
    app = AsgiApp(lab.service)
    sock = _listen_socket(host, options.port)
    with _tls_files(host) as (ca_bundle, chain, key):
        netloc = f"[{host}]" if ":" in host else host

        def announce(port: int) -> None:
            on_ready(ServeInfo(f"https://{netloc}:{port}", str(ca_bundle), SUBSCRIPTION_ID, RESOURCE_GROUP, VAULT,
                               lab.fabric_names(), lab.cloud_names()))

        config = uvicorn.Config(
            app,
            ssl_certfile=str(chain),
            ssl_keyfile=str(key),
            log_level="warning",
            access_log=False,
            lifespan="off",
            server_header=False,
            date_header=False,
        )
        _Server(config, announce).run(sockets=[sock])
