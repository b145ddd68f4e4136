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

Threads: while a request is on the wire the transport waits with the lab's lock released (the lab
thread is usually inside a scheduler callback holding it), so the server thread can take it to
answer; time stands still meanwhile — only the lab thread moves it.
"""

from __future__ import annotations

import ssl
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography import x509

from asr_emulator.channel import ChannelService
from asr_emulator.channel.listener import ALERTS
from asr_emulator.channel.policy import SERVER_CERT_DAYS
from asr_emulator.errors import InvalidRequestContent
from asr_emulator.http import HttpRequest, HttpResponse
from asr_emulator.wire.call import json_response
from simcore.pki import Eku, IssuedCertificate, Validation

from ._socket_tls import IO_TIMEOUT, LOOPBACK, NO_CHECK_TIME, REFUSAL_CODES, load_identity, presented_chain

__all__ = ["ChannelServer", "LOOPBACK"]


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
            response = _answer_channel(self.server.channel, request, presented_chain(self.connection))
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
        load_identity(context, self.credential)
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


def _server_credential(channel: ChannelService) -> IssuedCertificate:
    """A server certificate from the channel's public root for its FQDN and the loopback address,
    valid as the simulated one is (``SERVER_CERT_DAYS`` from a day before now)."""
    now = channel.sim.clock.utcnow()
    return channel.public_root.issue(
        channel.endpoint, sans=(channel.endpoint, LOOPBACK), eku=Eku.SERVER_AUTH, key_type="ecdsa",
        not_before=now - timedelta(days=1), not_after=now + timedelta(days=SERVER_CERT_DAYS))
