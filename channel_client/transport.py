"""An httpx transport that carries each request over the lab's simulated network (PROTOCOL.md §Transport).

It opens a connection from its own node — to the proxy when one is set (an HTTP ``CONNECT``
tunnel), else to the host the URL names — runs the channel's simulated TLS handshake (verifying
the server's certificate against its trusted roots at virtual now, presenting its client
certificate), sends the request and waits for the answer by running the lab's scheduler, bounded
by the request's httpx timeouts in *virtual* seconds. The connection stays open for the next
requests until ``hang_up`` (the Provider hangs up at the end of each poll, policy
``CHANNEL_KEEP_ALIVE``) or until a request on it fails. So the history shows who opened every
connection, and partitions, drops, delays and resets apply. Failures are httpx's own errors:
``ConnectTimeout`` (unreachable), ``ConnectError`` (refused; TLS refusals as its subclasses
``TlsAlertReceived``/``ServerCertificateRejected``), ``ProxyError`` (407 as
``ProxyAuthenticationRequired``), ``ReadTimeout`` (no answer in time), ``ReadError``/``WriteError``.
"""

from __future__ import annotations

import base64
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from simcore import (
    ConnectionRefused, ConnectTimeout, DeadlineExceeded, Endpoint, NetworkError, Simulation, UnknownNode, judged,
)
from simcore.pki import CertificateAuthority, Eku, IssuedCertificate, Validation, validate

from .errors import ProxyAuthenticationRequired, ServerCertificateRejected, TlsAlertReceived
from .policy import DEFAULT_PROXY_PORT, REQUEST_TIMEOUT_SECONDS

__all__ = ["ProxySettings", "SimulatedNetworkTransport", "TransportFactory", "basic_authorization",
           "judge_server_chain"]


@dataclass(frozen=True)
class ProxySettings:
    """``DRConfigurator /proxyAddress /proxyport [/proxyUsername /proxyPassword]`` (§5.2): the proxy's
    node (name, address or FQDN), its port, and optional Basic credentials."""

    address: str
    port: int = DEFAULT_PROXY_PORT
    username: str | None = None
    password: str | None = None


class TransportFactory(Protocol):
    """Builds the httpx transport a Provider's channel client sends through. The default is
    ``SimulatedNetworkTransport``; socket mode passes one that sends over real TLS instead."""

    def __call__(self, sim: Simulation, node: str, *, trust_roots: Sequence[CertificateAuthority | x509.Certificate],
                 identity: Callable[[], IssuedCertificate | None], proxy: ProxySettings | None,
                 hosts: Mapping[str, str]) -> httpx.BaseTransport: ...


def basic_authorization(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def judge_server_chain(chain: Sequence[x509.Certificate], host: str,
                       trust_roots: Sequence[CertificateAuthority | x509.Certificate], at: datetime) -> Validation:
    """The Provider's rule for the server's certificate chain (PROTOCOL.md §2 step 3), on every
    transport: server-auth purpose, named for ``host``, chaining to ``trust_roots``, valid at ``at``
    (virtual), revocation checked."""
    return validate(chain, purpose=Eku.SERVER_AUTH, expected_name=host, trust_roots=trust_roots, at=at,
                    check_revocation=True)


class _Wire:
    """One connection's receiving side: frames queue up until the transport waits for them.
    ``host``/``port``: where it leads; ``requests``: how many were sent on it (the next frame id)."""

    def __init__(self, sim: Simulation, endpoint: Endpoint, request: httpx.Request, host: str, port: int) -> None:
        self.sim, self.endpoint, self.request = sim, endpoint, request
        self.host, self.port = host, port
        self.requests = 0
        self.frames: deque[Any] = deque()
        self.closed: str | None = None
        endpoint.on_message = self.frames.append
        endpoint.on_close = self._closed

    def open_to(self, host: str, port: int) -> bool:
        """Whether another request to ``host``:``port`` may go on this connection."""
        return self.closed is None and self.endpoint.closed is None and (self.host, self.port) == (host, port)

    def _closed(self, why: str) -> None:
        self.closed = why

    def send(self, frame: dict[str, Any]) -> None:
        try:
            self.endpoint.send(frame)
        except NetworkError as error:
            raise httpx.WriteError(f"sending on the connection failed: {error}", request=self.request) from error

    def receive(self, timeout: float, on_timeout: type[httpx.TimeoutException], what: str) -> dict[str, Any]:
        try:
            self.sim.run_until(lambda: bool(self.frames) or self.closed is not None, within=timeout)
        except DeadlineExceeded:
            raise on_timeout(f"no {what} within {timeout:g} s", request=self.request) from None
        if self.frames:
            frame = self.frames.popleft()
            return frame if isinstance(frame, dict) else {"type": None}
        raise httpx.ReadError(f"the connection was {self.closed} while waiting for {what}", request=self.request)

    def answer(self, timeout: float) -> dict[str, Any]:
        """The server's answer to the request just sent: an ``Alert``, or the ``Response`` with its
        id — a stale copy of an earlier answer (a duplicating network) is skipped."""
        while True:
            frame = self.receive(timeout, httpx.ReadTimeout, "response")
            if frame.get("type") != "Response" or frame.get("id") == self.requests:
                return frame


class SimulatedNetworkTransport(httpx.BaseTransport):
    """Requests from ``node`` over ``sim``'s network. ``trust_roots``: the CAs the server certificate
    must chain to; ``identity()``: the client certificate to present (or None); ``hosts``: a hosts
    file (host name → node), consulted before the network's own names."""

    def __init__(self, sim: Simulation, node: str, *, trust_roots: Sequence[CertificateAuthority | x509.Certificate],
                 identity: Callable[[], IssuedCertificate | None] = lambda: None,
                 proxy: ProxySettings | None = None, hosts: Mapping[str, str] | None = None) -> None:
        self.sim = sim
        self.node = node
        self.trust_roots = list(trust_roots)
        self.identity = identity
        self.proxy = proxy
        self.hosts = {name.lower(): target for name, target in (hosts or {}).items()}
        #: The server's node and the instant its certificate chain stops being valid, as the last
        #: successful handshake found them: what an idle poll depends on besides the server itself.
        self.server_node: str | None = None
        self.server_valid_until: datetime | None = None
        self._kept: _Wire | None = None  # the connection open for the next request
        self._busy = False  # a request is on the kept connection (a nested one opens its own)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout") or {}
        connect_timeout = timeouts.get("connect") or REQUEST_TIMEOUT_SECONDS
        read_timeout = timeouts.get("read") or REQUEST_TIMEOUT_SECONDS
        host, port = request.url.host, request.url.port or 443
        kept = self._kept if not self._busy else None
        wire = kept if kept is not None and kept.open_to(host, port) else None
        if wire is None:
            if not self._busy:
                self.hang_up()
            wire = _Wire(self.sim, self._connect(request, host, port), request, host, port)
        wire.request = request
        nested, self._busy = self._busy, True
        try:
            if wire.requests == 0:
                if self.proxy is not None:
                    self._tunnel(wire, host, port, connect_timeout)
                self._handshake(wire, host, connect_timeout)
            wire.requests += 1
            wire.send({"type": "Request", "id": wire.requests, "method": request.method, "url": str(request.url),
                       "headers": dict(request.headers.items()), "body": request.read().decode()})
            frame = wire.answer(read_timeout)
            if frame.get("type") == "Alert":
                raise TlsAlertReceived(frame.get("description", ""), list(frame.get("reasons") or []),
                                       frame.get("message", ""), request=request)
            if frame.get("type") != "Response":
                raise httpx.RemoteProtocolError(f"unexpected frame {frame.get('type')!r}", request=request)
            response = httpx.Response(frame["status"], headers=frame.get("headers") or {},
                                      content=(frame.get("body") or "").encode(), request=request)
        except BaseException:
            wire.endpoint.close()  # a connection a request failed on is not used again
            if not nested:
                self._kept = None
            raise
        finally:
            self._busy = nested
        if nested:
            wire.endpoint.close()
        else:
            self._kept = wire
        return response

    def hang_up(self) -> None:
        """Close the kept connection, if any: the next request connects and handshakes anew."""
        kept, self._kept = self._kept, None
        if kept is not None:
            kept.endpoint.close()

    def close(self) -> None:
        self.hang_up()

    def _connect(self, request: httpx.Request, host: str, port: int) -> Endpoint:
        if self.proxy is not None:
            target, port = self.proxy.address, self.proxy.port
        else:
            target = self.hosts.get(host.lower(), host)
        try:
            return self.sim.network.connect(self.node, target, port)
        except ConnectTimeout as error:
            raise httpx.ConnectTimeout(f"connect to {target}:{port} timed out: {error}", request=request) from error
        except ConnectionRefused as error:
            raise httpx.ConnectError(f"connect to {target}:{port} refused: {error}", request=request) from error
        except UnknownNode as error:
            raise httpx.ConnectError(f"name resolution failed for {target}: {error}", request=request) from error

    def _tunnel(self, wire: _Wire, host: str, port: int, timeout: float) -> None:
        proxy = self.proxy
        assert proxy is not None
        authorization = (basic_authorization(proxy.username, proxy.password or "")
                         if proxy.username is not None else None)
        wire.send({"type": "CONNECT", "authority": f"{self.hosts.get(host.lower(), host)}:{port}",
                   "proxyAuthorization": authorization})
        reply = wire.receive(timeout, httpx.ConnectTimeout, "answer from the proxy")
        status = reply.get("status")
        if status == 407:
            raise ProxyAuthenticationRequired(
                f"407 Proxy Authentication Required from proxy {proxy.address}:{proxy.port}: the credentials of "
                "the Run As account DRAProxyAccount are missing or wrong", request=wire.request)
        if status != 200:
            raise httpx.ProxyError(f"{status} {reply.get('reason', '')} from proxy {proxy.address}:{proxy.port}",
                                   request=wire.request)

    def _handshake(self, wire: _Wire, host: str, timeout: float) -> None:
        wire.send({"type": "ClientHello", "serverName": host})
        hello = wire.receive(timeout, httpx.ConnectTimeout, "TLS ServerHello")
        if hello.get("type") == "Alert":
            raise TlsAlertReceived(hello.get("description", ""), list(hello.get("reasons") or []),
                                   hello.get("message", ""), request=wire.request)
        try:
            chain = [x509.load_pem_x509_certificate(str(text).encode()) for text in hello.get("certificateChain") or []]
        except ValueError:
            chain = []
        at = self.sim.skews.utcnow(self.node)
        result = judged(self.sim, judge_server_chain(chain, host, self.trust_roots, at), chain, node=self.node,
                        use="channel", purpose=Eku.SERVER_AUTH, roots=self.trust_roots, at=at, expected_name=host,
                        conn=wire.endpoint.connection.id)
        if not result.ok:
            wire.send({"type": "Alert", "description": "bad_certificate", "reasons": [r.value for r in result.reasons]})
            raise ServerCertificateRejected(host, [r.value for r in result.reasons], request=wire.request)
        try:
            self.server_node = self.sim.network.node(self.hosts.get(host.lower(), host)).name
        except UnknownNode:  # only the proxy knows where the name leads
            self.server_node = None
        self.server_valid_until = min(c.not_valid_after_utc for c in chain)
        identity = self.identity()
        pems = [] if identity is None else [c.public_bytes(serialization.Encoding.PEM).decode() for c in identity.chain]
        wire.send({"type": "ClientCertificate", "certificateChain": pems})
