"""Socket mode for the Provider channel: real HTTPS on 127.0.0.1 with real TLS client authentication.

``ChannelServer`` serves the channel's endpoints (``service.channel.handle``) on a loopback port, a
thread per connection. Its server certificate comes from the channel's public root (the CA every
Provider trusts), named for the channel's FQDN and 127.0.0.1; it asks every client for a
certificate chaining to the channel root (every vault CA is below it): OpenSSL refuses one from
another CA during the handshake, with its alert. (Not uvicorn: asyncio's TLS drops a failed handshake
without sending the alert.)

Time is virtual on both sides (PROTOCOL.md §2.1): both OpenSSL contexts skip the validity period
(``X509_V_FLAG_NO_CHECK_TIME``) and keep checking chain, name and purpose; then each side judges the
chain the peer presented with the rule of the simulated transport, at the lab's virtual now —
the server with ``ChannelService.judge_client_certificate`` before answering (Python cannot send an
alert once the handshake is over, so a refusal is a 401 naming the reason, ``ClientCertificateExpired``
etc., which ``SocketTransport`` raises as the ``TlsAlertReceived`` the simulated transport raises),
the Provider with ``judge_server_chain`` right after the handshake, before sending its request
(``ServerCertificateRejected``).

``SocketTransport`` is the Provider's httpx transport in this mode: it sends each request to the
server's address (the Provider's URLs keep the channel's FQDN in ``Host``), verifies the server
with the Provider's trusted roots, presents the Provider's current client certificate, and goes
through an HTTP CONNECT proxy when one is set. Its failures are the Provider's own errors, as
over the simulated network: ``ServerCertificateRejected``, ``TlsAlertReceived``,
``ProxyAuthenticationRequired``. ``socket_transport_factory`` makes an ``AsrProvider`` use it.

Threads: while a request is on the wire the transport waits with the lab's lock released (the lab
thread is usually inside a scheduler callback holding it), so the server thread can take it to
answer; time stands still meanwhile — only the lab thread moves it.
"""

from __future__ import annotations

import json
import os
import re
import socket
import ssl
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from asr_emulator.channel import ChannelService
from asr_emulator.channel.listener import ALERTS
from asr_emulator.channel.policy import SERVER_CERT_DAYS
from asr_emulator.errors import InvalidRequestContent
from asr_emulator.http import HttpRequest, HttpResponse
from asr_emulator.wire.call import json_response
from scvmm_fake.provider import (
    ProxyAuthenticationRequired, ProxySettings, ServerCertificateRejected, TlsAlertReceived, TransportFactory,
)
from simcore import Simulation
from scvmm_fake.provider.transport import judge_server_chain
from simcore.pki import CertificateAuthority, Eku, IssuedCertificate, Reason, Validation

__all__ = ["ChannelServer", "SocketTransport", "socket_transport_factory", "LOOPBACK"]

LOOPBACK = "127.0.0.1"
#: Wall-clock bound of one request on the wire (I/O only; virtual time does not move meanwhile).
IO_TIMEOUT = 30.0
_ALERT = re.compile(r"ALERT_([A-Z_]+)")
#: OpenSSL's ``X509_V_FLAG_NO_CHECK_TIME`` (1.1.0+; ``ssl`` has no name for it): verify without the
#: validity period, which the lab judges on its virtual clock instead.
NO_CHECK_TIME = 0x200000
#: The 401 code of a client certificate refused for ``reason`` after the handshake.
REFUSAL_CODES: dict[Reason, str] = {reason: "ClientCertificate" + reason.value.title().replace("_", "")
                                    for reason in Reason}
_REFUSED = {code: reason for reason, code in REFUSAL_CODES.items()}


class _ChannelHandler(BaseHTTPRequestHandler):
    """One request on one TLS connection: to ``channel.handle`` with the session's client certificate."""

    server: _TlsServer
    protocol_version = "HTTP/1.1"
    timeout = IO_TIMEOUT

    def _answer(self) -> None:
        length = self.headers.get("Content-Length") or "0"
        if length.isdigit():
            request = HttpRequest(self.command, f"https://{self.headers.get('Host', LOOPBACK)}{self.path}",
                                  dict(self.headers.items()), self.rfile.read(int(length)))
            response = _answer_channel(self.server.channel, request, _presented_chain(self.connection))
        else:
            error = InvalidRequestContent(f"Content-Length must be a number of bytes, got {length!r}.",
                                          target="Content-Length")
            response = json_response(error.status, error.to_json())
        self.send_response(response.status)
        for name, value in response.headers.items():
            if name.lower() not in ("content-length", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Connection", "close")  # one request per connection (PROTOCOL.md §1)
        self.end_headers()
        self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        pass


class _TlsServer(ThreadingHTTPServer):
    """A thread per connection; the TLS handshake runs there, on a blocking socket, so a refused client
    certificate is answered with OpenSSL's alert before the connection closes."""

    daemon_threads = True

    def __init__(self, channel: ChannelService, context: ssl.SSLContext) -> None:
        super().__init__((LOOPBACK, 0), _ChannelHandler)
        self.channel = channel
        self.context = context
        self.refusals: list[str] = []
        self.refused = threading.Condition()

    def finish_request(self, request: Any, client_address: Any) -> None:
        request.settimeout(IO_TIMEOUT)
        try:
            connection = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as error:
            with self.refused:
                self.refusals.append(str(error))
                self.refused.notify_all()
            return
        try:
            super().finish_request(connection, client_address)
        finally:
            connection.close()


class ChannelServer:
    """The channel of ``channel`` over HTTPS on 127.0.0.1; ``credential`` replaces the genuine server
    certificate (an impostor is a server with another one). ``start()``/``stop()``, or ``with``.
    ``refusals`` lists the TLS handshakes it refused, as OpenSSL worded them."""

    def __init__(self, channel: ChannelService, *, credential: IssuedCertificate | None = None) -> None:
        self.channel = channel
        self.credential = credential or _server_credential(channel)
        self._server: _TlsServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> ChannelServer:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cadata=self.channel.root.cert_pem().decode())
        context.verify_mode = ssl.CERT_OPTIONAL  # registration comes without a certificate
        context.verify_flags |= NO_CHECK_TIME  # the channel judges validity at virtual now (_answer_channel)
        _load_identity(context, self.credential)
        self._server = _TlsServer(self.channel, context)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="drlab-channel-server", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop accepting and close the listening socket (idempotent); a request in flight finishes."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            assert self._thread is not None
            self._thread.join(timeout)
            self._server = None

    def __enter__(self) -> ChannelServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the channel server is not running")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"https://{LOOPBACK}:{self.port}"

    @property
    def refusals(self) -> list[str]:
        return list(self._server.refusals) if self._server is not None else []

    def wait_for_refusals(self, count: int, timeout: float = IO_TIMEOUT) -> list[str]:
        """The refusals once there are at least ``count`` (the server thread records one just after
        sending its alert, so a client may see the alert first); waits on I/O, never sleeps."""
        server = self._server
        if server is None:
            return []
        with server.refused:
            server.refused.wait_for(lambda: len(server.refusals) >= count, timeout)
            return list(server.refusals)


def _presented_chain(tls: Any) -> list[x509.Certificate]:
    """The chain the peer of ``tls`` (an ``SSLSocket`` or its ``_sslobj``, as httpcore hands it out)
    presented, leaf first, as sent (empty: none). Python 3.11 has it only on the private ``_sslobj``
    (``get_unverified_chain``, public on ``SSLSocket`` from 3.13); on the server side it includes the leaf."""
    chain = getattr(tls, "_sslobj", tls).get_unverified_chain() or []
    return [x509.load_pem_x509_certificate(cert.public_bytes().encode()) for cert in chain if cert is not None]


def _answer_channel(channel: ChannelService, request: HttpRequest, chain: list[x509.Certificate]) -> HttpResponse:
    """``request`` answered by ``channel``, unless the client chain fails the channel's judgment: then a
    401 naming the first reason (``REFUSAL_CODES``), every reason in ``details``, the request unseen;
    recorded as the simulated listener records its alert."""
    verdict = channel.judge_client_certificate(chain) if chain else Validation()
    if verdict.ok:
        return channel.handle(request, chain[0] if chain else None)
    reasons = [reason.value for reason in verdict.reasons]
    with channel.service.lock:
        channel.sim.history.record(channel.node, "channel.tls", "fail", {
            "peer": "socket", "alert": ALERTS[verdict.reasons[0]], "reasons": reasons})
    return json_response(401, {"error": {"code": REFUSAL_CODES[verdict.reasons[0]],
                                         "message": "; ".join(verdict.details),
                                         "details": [{"code": reason, "message": ""} for reason in reasons]}})


def _refusal(request: httpx.Request, status: int, content: bytes) -> TlsAlertReceived | None:
    """The ``TlsAlertReceived`` a 401 from ``_answer_channel`` stands for (None for any other answer)."""
    try:
        error = json.loads(content)["error"] if status == 401 else None
        reason = _REFUSED[error["code"]] if isinstance(error, dict) else None
    except (ValueError, KeyError, TypeError):
        return None
    if reason is None:
        return None
    reasons = [str(detail.get("code")) for detail in error.get("details") or [] if isinstance(detail, dict)]
    return TlsAlertReceived(ALERTS[reason], reasons or [reason.value], str(error.get("message", "")), request=request)


def _server_credential(channel: ChannelService) -> IssuedCertificate:
    """A server certificate from the channel's public root for its FQDN and the loopback address,
    valid as the simulated one is (``SERVER_CERT_DAYS`` from a day before now)."""
    now = channel.sim.clock.utcnow()
    return channel.public_root.issue(
        channel.endpoint, sans=(channel.endpoint, LOOPBACK), eku=Eku.SERVER_AUTH, key_type="ecdsa",
        not_before=now - timedelta(days=1), not_after=now + timedelta(days=SERVER_CERT_DAYS))


class SocketTransport(httpx.BaseTransport):
    """The Provider's requests to ``server_url`` over real TLS. ``trust_roots``, ``identity`` and
    ``proxy`` mean what they mean for ``SimulatedNetworkTransport``; ``proxy.address`` is a loopback
    address here. ``clock`` tells the lab's virtual now (the server certificate is judged then);
    ``lock`` is the lab's lock, released while a request is on the wire."""

    def __init__(self, server_url: str, *, trust_roots: Sequence[CertificateAuthority | x509.Certificate],
                 clock: Callable[[], datetime], identity: Callable[[], IssuedCertificate | None] = lambda: None,
                 proxy: ProxySettings | None = None, lock: Any = None, timeout: float = IO_TIMEOUT) -> None:
        self.server = httpx.URL(server_url)
        self.trust_roots = list(trust_roots)
        self.trust = "".join(_pem(root) for root in trust_roots)
        self.clock = clock
        self.identity = identity
        self.proxy = proxy
        self.timeout = timeout
        self._condition = threading.Condition(lock) if lock is not None else None
        self._inner: dict[str | None, httpx.HTTPTransport] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._condition or nullcontext():
            at = self.clock()  # virtual now: it stands still while the request is on the wire
        outgoing = httpx.Request(request.method, request.url.copy_with(
            scheme=self.server.scheme, host=self.server.host, port=self.server.port),
            headers=request.headers, content=request.read(),
            extensions={**request.extensions, "trace": self._judge_server(request, at)})
        identity = self.identity()
        inner = self._transport(identity)
        try:
            status, headers, content = self._off_the_lab(lambda: _exchange(inner, outgoing))
        except httpx.HTTPError as error:
            raise _provider_error(error, request, self.proxy) from error
        refusal = _refusal(request, status, content)
        if refusal is not None:
            raise refusal
        return httpx.Response(status, headers=headers, content=content, request=request)

    def _judge_server(self, request: httpx.Request, at: datetime) -> Callable[[str, dict[str, Any]], None]:
        """An httpcore ``trace`` hook: once the TLS handshake is done (OpenSSL checked chain and name, not
        time), judge the server's chain as the simulated transport does, for the URL's host at ``at``;
        a refusal closes the connection before the request is sent."""
        chained = request.extensions.get("trace")

        def trace(event: str, info: dict[str, Any]) -> None:
            if chained is not None:
                chained(event, info)
            if event.endswith("start_tls.complete"):
                stream = info["return_value"]
                verdict = judge_server_chain(_presented_chain(stream.get_extra_info("ssl_object")), request.url.host,
                                             self.trust_roots, at)
                if not verdict.ok:
                    stream.close()
                    raise ServerCertificateRejected(request.url.host, [r.value for r in verdict.reasons],
                                                    request=request)

        return trace

    def close(self) -> None:
        for inner in self._inner.values():
            inner.close()
        self._inner.clear()

    def _transport(self, identity: IssuedCertificate | None) -> httpx.HTTPTransport:
        """One pooled transport per client certificate (a new registration gets a new one)."""
        key = None if identity is None else identity.thumbprint
        inner = self._inner.get(key)
        if inner is None:
            proxy = None
            if self.proxy is not None:
                auth = None if self.proxy.username is None else (self.proxy.username, self.proxy.password or "")
                proxy = httpx.Proxy(f"http://{self.proxy.address}:{self.proxy.port}", auth=auth)
            # no keep-alive: one connection per request, as the protocol says (PROTOCOL.md §1), so
            # each request is its own CONNECT and TLS handshake. TCP_NODELAY, or each small write
            # waits out the peer's delayed ACK (~40 ms)
            inner = self._inner[key] = httpx.HTTPTransport(
                verify=self._context(identity), proxy=proxy, retries=0,
                limits=httpx.Limits(max_keepalive_connections=0),
                socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
        return inner

    def _context(self, identity: IssuedCertificate | None) -> ssl.SSLContext:
        context = ssl.create_default_context(cadata=self.trust)
        context.verify_flags |= NO_CHECK_TIME  # judged at virtual now (_judge_server)
        # TLS 1.2, as the Provider's Windows Server 2012 R2/2016 hosts speak it: the server judges the
        # client certificate inside the handshake, so a refusal is always its alert (with TLS 1.3 it
        # comes after the request is sent, racing the connection's close)
        context.maximum_version = ssl.TLSVersion.TLSv1_2
        if identity is not None:
            _load_identity(context, identity)
        return context

    def _off_the_lab(self, work: Callable[[], Any]) -> Any:
        """Run ``work`` (blocking I/O) on a worker thread while this thread waits with the lab's lock
        released (``Condition.wait`` releases every level of the lab's RLock), bounded by ``timeout``
        wall-clock seconds."""
        outcome: list[tuple[bool, Any]] = []
        condition = self._condition or threading.Condition()

        def run() -> None:
            try:
                result = (True, work())
            except BaseException as error:  # noqa: BLE001 - handed to the waiting thread
                result = (False, error)
            with condition:
                outcome.append(result)
                condition.notify_all()

        with condition:
            threading.Thread(target=run, name="drlab-provider-io", daemon=True).start()
            if not condition.wait_for(lambda: bool(outcome), self.timeout):
                raise httpx.ReadTimeout(f"no answer from the channel within {self.timeout:g} s (wall clock)")
        ok, value = outcome[0]
        if not ok:
            raise value
        return value


def socket_transport_factory(server_url: str, lock: Any) -> TransportFactory:
    """A Provider ``transport_factory`` that sends to ``server_url`` over real sockets (``lock``: the
    lab's), with the trust, identity and proxy the Provider would give its simulated transport."""

    def build(sim: Simulation, node: str, *, trust_roots: Sequence[CertificateAuthority | x509.Certificate],
              identity: Callable[[], IssuedCertificate | None], proxy: ProxySettings | None,
              hosts: Mapping[str, str]) -> httpx.BaseTransport:
        return SocketTransport(server_url, trust_roots=trust_roots, clock=sim.clock.utcnow, identity=identity,
                               proxy=proxy, lock=lock)

    return build


def _load_identity(context: ssl.SSLContext, credential: IssuedCertificate) -> None:
    """Give ``context`` the certificate chain and key of ``credential``. ``load_cert_chain`` reads only
    files: a private temporary file, deleted once loaded."""
    handle, path = tempfile.mkstemp(prefix="asr-harness-", suffix=".pem")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(credential.chain_pem() + credential.key_pem())
        context.load_cert_chain(path)
    finally:
        Path(path).unlink(missing_ok=True)


def _pem(root: CertificateAuthority | x509.Certificate) -> str:
    certificate = root.certificate if isinstance(root, CertificateAuthority) else root
    return certificate.public_bytes(Encoding.PEM).decode()


def _exchange(inner: httpx.HTTPTransport, request: httpx.Request) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    response = inner.handle_request(request)
    try:
        return response.status_code, response.headers.raw, response.read()
    finally:
        response.close()


def _provider_error(error: httpx.HTTPError, request: httpx.Request, proxy: ProxySettings | None) -> httpx.HTTPError:
    """``error`` as the Provider's transports report it (the same types as over the simulated network)."""
    if isinstance(error, ServerCertificateRejected):  # judged by _judge_server
        return error
    text = str(error)
    if isinstance(error, httpx.ProxyError) and text.startswith("407") and proxy is not None:
        return ProxyAuthenticationRequired(
            f"407 Proxy Authentication Required from proxy {proxy.address}:{proxy.port}: the credentials of the Run As "
            "account DRAProxyAccount are missing or wrong", request=request)
    cause = error.__cause__ or error.__context__
    while cause is not None and not isinstance(cause, ssl.SSLError):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, ssl.SSLCertVerificationError):
        return ServerCertificateRejected(request.url.host, [cause.verify_message or "verify failed"], request=request)
    alert = _ALERT.search(text) or (_ALERT.search(str(cause)) if cause is not None else None)
    if alert is not None:
        description = alert.group(1).lower()
        return TlsAlertReceived(description, [], text, request=request)
    error.request = request
    return error
