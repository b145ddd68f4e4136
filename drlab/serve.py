"""Socket mode: the default two-site lab's ASR served over HTTPS on a loopback address (``asr-harness serve``).

``Lab(seed)`` — one vault, both VMM servers' Providers registered and their inventory synced, so an
SDK sees fabrics, containers and protectable items at once — with the ``AsgiApp`` over its service,
served by uvicorn with a server certificate from a fresh trustme CA (``serve_tls``: the CA bundle
in a private temporary directory removed when the server stops, the key never left on disk). The
service runs on uvicorn's event-loop thread only, so requests are answered one at a time in arrival
order. Virtual time moves as ``--time-mode`` says (``serve_time``): by default only when a client
polls a running job (``advance_on_poll``), in ``auto`` mode with the wall clock while anything is
pending, in ``manual`` mode only when the control API says; the Providers' polls run then,
in-process, on the lab's simulated network. The app answers through a ``ServedLab`` (``serve_lab``):
``/_harness/`` is the control API (clock, mode, faults, history, nodes, reset, snapshot, restore,
topology: ``CONTROL.md``); a followed history stream is answered by ``serve_stream`` in front of it.

With ``state`` (``--state DIR``) the lab outlives the process: every input that changed it is
journaled in ``DIR`` before it is answered and replayed on the next start (``serve_journal``: no
acknowledged write is lost, on SIGTERM nor on SIGKILL), and the CA is kept there (``serve_tls``).

Every URL the service writes starts with the announced ``base_url`` (never the client's ``Host``).
Clients are bounded by ``ConnectionLimits`` (idle, slow and half-sent clients, a connection cap,
SIGTERM within the shutdown grace: ``serve_protocol``, ``serve_server``) and the history by
``serve_history`` (the last ``history_limit`` events, optionally spilled to a file).
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import resource
import socket
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from asr_emulator import AsrService
from asr_emulator.asgi import AsgiApp

from .lab import RESOURCE_GROUP, SUBSCRIPTION_ID, VAULT, Lab
from .serve_journal import JOURNAL_FILE, Header, Journal, JournalError
from .serve_lab import ServedLab
from .serve_limits import DEFAULT_HISTORY_LIMIT, ConnectionLimits, HttpParser
from .serve_server import ServeConfig, ServeServer, lean_tls_buffers
from .serve_stream import FollowHistory
from .serve_time import DEFAULT_TIME_RATE, POLL_ADVANCE, TimeMode
from .serve_tls import TlsStateError, server_tls

__all__ = ["ServeError", "ServeOptions", "ServeInfo", "POLL_ADVANCE", "loopback_host", "build_lab", "build_service",
           "serve"]


class ServeError(ValueError):
    """A bad option or an address that cannot be listened on; the message is one line."""


@dataclass(frozen=True)
class ServeOptions:
    """What ``asr-harness serve`` is run with (each field is one of its options)."""

    host: str = "127.0.0.1"
    port: int = 0
    retry_after: int = 0
    seed: int = 0
    limits: ConnectionLimits = field(default_factory=ConnectionLimits)
    history_limit: int = DEFAULT_HISTORY_LIMIT
    history_spill: Path | None = None
    time_mode: TimeMode = TimeMode.ON_POLL
    time_rate: float = DEFAULT_TIME_RATE
    state: Path | None = None  # the directory the lab is kept in across restarts
    strict: bool = False  # the service refuses what the current ASR refuses (runbooks between VMM sites)
    http: HttpParser = HttpParser.HTTPTOOLS  # the HTTP parser under the hardened protocol

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ServeError(f"--port must be between 0 and 65535 (0 picks a free port), got {self.port}")
        if self.retry_after < 0:
            raise ServeError(f"--retry-after must be a whole number of seconds >= 0, got {self.retry_after}")
        if isinstance(self.history_limit, bool) or not isinstance(self.history_limit, int) or self.history_limit < 1:
            raise ServeError(f"--history-limit must be a whole number of events >= 1, got {self.history_limit}")
        if not 0 < self.time_rate < float("inf"):
            raise ServeError(f"--time-rate must be a number of virtual seconds per wall second > 0, got {self.time_rate}")
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


def _raise_open_files_limit(wanted: int) -> None:
    """Let the process hold ``wanted`` descriptors if the hard limit allows (each connection is one,
    and so is each client still in its TLS handshake): running out makes asyncio's accept loop log a
    traceback per attempt while new clients wait."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def build_lab(options: ServeOptions, base_url: str | None = None) -> Lab:
    """The default lab for ``options.seed``, its service answering LROs as socket clients need and
    writing URLs on ``base_url``; its history keeps the last ``options.history_limit`` events."""
    return ServedLab(options, base_url).lab


def build_service(options: ServeOptions, base_url: str | None = None) -> AsrService:
    """The service of ``build_lab(options)``: what the server answers with, for in-process comparison."""
    return build_lab(options, base_url).service


def open_state(options: ServeOptions) -> Journal | None:
    """The journal kept in ``options.state`` (the directory made, 0700, if there is none), or None."""
    if options.state is None:
        return None
    try:
        options.state.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise ServeError(f"--state {options.state}: {error.strerror}") from None
    header = Header(options.seed, options.time_mode.value, options.time_rate, options.strict)
    try:
        return Journal.open(options.state / JOURNAL_FILE, header)
    except JournalError as error:
        raise ServeError(f"--state: {error}") from None


def serve(options: ServeOptions, on_ready: Callable[[ServeInfo], None]) -> None:
    """Serve until SIGINT/SIGTERM; ``on_ready`` gets the endpoint once connections are accepted."""
    host = loopback_host(options.host)
    sock = _listen_socket(host, options.port)
    try:
        netloc = f"[{host}]" if ":" in host else host
        base_url = f"https://{netloc}:{sock.getsockname()[1]}"
        journal = open_state(options)
        try:
            served = ServedLab(options, base_url, journal=journal)
        except JournalError as error:  # the journal was closed with the lab
            raise ServeError(f"--state: {error}") from None
    except BaseException:
        sock.close()
        raise
    _raise_open_files_limit(max(8192, 4 * options.limits.max_connections))
    try:
        with contextlib.ExitStack() as stack:
            try:
                tls = stack.enter_context(server_tls(host, options.state))
            except TlsStateError as error:
                raise ServeError(f"--state: {error}") from None

            def announce(_port: int) -> None:
                lab = served.lab
                on_ready(ServeInfo(base_url, str(tls.ca_bundle), SUBSCRIPTION_ID, RESOURCE_GROUP, VAULT,
                                   lab.fabric_names(), lab.cloud_names()))

            app = served.clock.app(FollowHistory(AsgiApp(served, base_url=base_url), served, base_url=base_url))
            config = ServeConfig(app, ssl_context=tls.context, limits=options.limits, http=options.http)
            with lean_tls_buffers():
                ServeServer(config, announce, served.clock.run).run(sockets=[sock])
    finally:
        sock.close()
        served.close()
