"""``SocketTransport`` is the Provider's httpx transport in this mode: it sends each request to the
server's address (the Provider's URLs keep the channel's FQDN in ``Host``), verifies the server
with the Provider's trusted roots, presents the Provider's current client certificate, and goes
through an HTTP CONNECT proxy when one is set. Its failures are the Provider's own errors, as
over the simulated network: ``ServerCertificateRejected``, ``TlsAlertReceived``,
``ProxyAuthenticationRequired``. ``socket_transport_factory`` makes an ``AsrProvider`` use it.

Time is virtual (PROTOCOL.md §2.1): OpenSSL checks the server's chain, name and purpose but not its
validity period; the chain is then judged at the lab's virtual now with ``judge_server_chain``, right
after the handshake and before the request is sent.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from datetime import datetime
from typing import Any

import httpx
from cryptography import x509

from asr_emulator.channel.listener import ALERTS
from scvmm_fake.provider import (
    ProxyAuthenticationRequired, ProxySettings, ServerCertificateRejected, TlsAlertReceived, TransportFactory,
)
from channel_client.transport import judge_server_chain
from simcore import Simulation
from simcore.pki import CertificateAuthority, IssuedCertificate

from ._socket_tls import IO_TIMEOUT, NO_CHECK_TIME, REFUSAL_CODES, load_identity, pem, presented_chain

__all__ = ["SocketTransport", "socket_transport_factory"]

_ALERT = re.compile(r"ALERT_([A-Z_]+)")
_REFUSED = {code: reason for reason, code in REFUSAL_CODES.items()}


def _refusal(request: httpx.Request, status: int, content: bytes) -> TlsAlertReceived | None:
    """The ``TlsAlertReceived`` a 401 from ``_answer_channel`` stands for (None for any other answer)."""
    try:
        error = json.loads(content)["error"] if status == 401 else None
        reason = _REFUSED[error["code"]] if isinstance(error, dict) else None
    except (ValueError, KeyError, TypeError):
        return None
    if reason is None:
        return None
    assert isinstance(error, dict)  # a reason was found in it
    reasons = [str(detail.get("code")) for detail in error.get("details") or [] if isinstance(detail, dict)]
    return TlsAlertReceived(ALERTS[reason], reasons or [reason.value], str(error.get("message", "")), request=request)


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
        self.trust = "".join(pem(root) for root in trust_roots)
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
                verdict = judge_server_chain(presented_chain(stream.get_extra_info("ssl_object")), request.url.host,
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
            # no keep-alive: socket mode keeps one connection per request (PROTOCOL.md §1), so
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
            load_identity(context, identity)
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
        return SocketTransport(server_url, trust_roots=trust_roots, clock=lambda: sim.skews.utcnow(node),
                               identity=identity, proxy=proxy, lock=lock)  # the Provider's node's clock

    return build


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
