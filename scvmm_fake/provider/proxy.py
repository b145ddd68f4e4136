"""A datacenter web proxy on the lab's network: HTTP ``CONNECT`` tunnels, optional Basic credentials.

The Provider's custom proxy (§5.2). A client connects to the proxy node and sends a ``CONNECT``
frame naming ``host:port``; the proxy checks ``proxyAuthorization`` when it has credentials (wrong
or missing → 407), opens its own connection to the target (unreachable → 504, refused or unknown →
502), answers 200 and then relays frames both ways untouched (TLS stays end to end). So a tunneled
request shows two connections in the history — client → proxy, proxy → target — and a partitioned
or stopped proxy cuts the Provider off. A ``Fail`` at point ``proxy.auth`` (context ``node``) is the
proxy's credentials changed: every client's are stale, 407. Socket mode has its own proxy (``drlab.proxy``) with the
same rules.
"""

from __future__ import annotations

from typing import Any

from simcore import ConnectionRefused, ConnectTimeout, Endpoint, Fail, NetworkError, Simulation, UnknownNode

from .policy import DEFAULT_PROXY_PORT
from channel_client.transport import basic_authorization

__all__ = ["WebProxy"]

_REASONS = {200: "Connection Established", 400: "Bad Request", 407: "Proxy Authentication Required",
            502: "Bad Gateway", 504: "Gateway Timeout"}


class WebProxy:
    """A proxy node ``name`` listening on ``port``; ``credentials=(user, password)`` requires them."""

    def __init__(self, sim: Simulation, name: str, *, port: int = DEFAULT_PROXY_PORT,
                 credentials: tuple[str, str] | None = None, address: str | None = None, fqdn: str | None = None) -> None:
        self.sim = sim
        self.name = name
        self.port = port
        self.credentials = credentials
        sim.network.add_node(name, address=address, fqdn=fqdn)
        self.running = False
        self.start()

    def start(self) -> None:
        """Listen (again) for clients."""
        if not self.running:
            self.sim.network.listen(self.name, self.port, self._accept)
            self.running = True

    def stop(self) -> None:
        """Stop listening: new connections are refused (tunnels already open stay)."""
        if self.running:
            self.sim.network.unlisten(self.name, self.port)
            self.running = False

    def _accept(self, downstream: Endpoint) -> None:
        _Tunnel(self, downstream)


class _Tunnel:
    def __init__(self, proxy: WebProxy, downstream: Endpoint) -> None:
        self.proxy = proxy
        self.downstream = downstream
        self.upstream: Endpoint | None = None
        downstream.on_message = self._first
        downstream.on_close = lambda why: self._close(self.upstream)

    def _reply(self, status: int, details: dict[str, Any]) -> None:
        history = self.proxy.sim.history
        history.record(self.proxy.name, "proxy.connect", "ok" if status == 200 else "fail",
                       {**details, "status": status})
        try:
            self.downstream.send({"type": "CONNECT-REPLY", "status": status, "reason": _REASONS[status]})
        except NetworkError:
            return
        if status != 200:
            self.downstream.close()

    def _first(self, frame: Any) -> None:
        proxy = self.proxy
        if not isinstance(frame, dict) or frame.get("type") != "CONNECT" or ":" not in str(frame.get("authority", "")):
            self._reply(400, {"client": self.downstream.peer})
            return
        host, _, port = str(frame["authority"]).rpartition(":")
        details = {"client": self.downstream.peer, "target": frame["authority"]}
        proxy.sim.history.record(proxy.name, "proxy.connect", "invoke", details)
        expected = basic_authorization(*proxy.credentials) if proxy.credentials is not None else None
        if isinstance(proxy.sim.faults.check("proxy.auth", {"node": proxy.name}), Fail):
            expected = "changed"  # an identity fault: the proxy's credentials changed, the client's are stale
        if expected is not None and frame.get("proxyAuthorization") != expected:
            self._reply(407, details)
            return
        try:
            self.upstream = proxy.sim.network.connect(proxy.name, host, int(port) if port.isdigit() else 0)
        except ConnectTimeout:
            self._reply(504, details)
            return
        except (ConnectionRefused, UnknownNode):
            self._reply(502, details)
            return
        upstream = self.upstream
        upstream.on_message = lambda item: self._relay(self.downstream, item)
        upstream.on_close = lambda why: self._close(self.downstream)
        self.downstream.on_message = lambda item: self._relay(upstream, item)
        self._reply(200, details)

    def _relay(self, to: Endpoint, frame: Any) -> None:
        try:
            to.send(frame)
        except NetworkError:
            self._close(self.downstream)
            self._close(self.upstream)

    @staticmethod
    def _close(endpoint: Endpoint | None) -> None:
        if endpoint is not None and endpoint.closed is None:
            endpoint.close()
