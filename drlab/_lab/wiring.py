"""How a lab's Providers reach ASR: over the simulated network (default) or over real sockets.

Both wirings install one ``AsrProvider`` per VMM server, trusting the channel's public root, and
optionally behind a custom proxy (``ProxySpec``; its credentials become the Run As account
``DRAProxyAccount``, §5.2). In-process the proxy is a ``WebProxy`` node of the lab's network; in
socket mode the channel is served by ``ChannelServer`` on 127.0.0.1 and the proxy is a real
``ConnectProxy`` there, and each Provider's httpx transport is a ``SocketTransport``.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from asr_emulator import AsrService
from scvmm_fake import Credential, VMMServer
from scvmm_fake.provider import AsrProvider, ProxySettings, WebProxy
from scvmm_fake.provider.policy import DEFAULT_PROXY_PORT

from ..proxy import ConnectProxy
from ..socket_channel import LOOPBACK, ChannelServer
from ..socket_transport import socket_transport_factory
from .spec import LabConfigError

__all__ = ["ProxySpec", "InProcessWiring", "SocketWiring", "PROXY_NODE"]

#: The proxy's node on the lab's network (in-process mode).
PROXY_NODE = "proxy"


@dataclass(frozen=True)
class ProxySpec:
    """A custom proxy between the Providers and ASR. ``credentials``: what the proxy requires (None:
    none); ``provider_credentials``: what the Providers are set up with (default: the same)."""

    credentials: tuple[str, str] | None = None
    provider_credentials: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        for name in ("credentials", "provider_credentials"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, tuple) and len(value) == 2
                                          and all(isinstance(part, str) for part in value)):
                raise LabConfigError(f"proxy {name} must be a (user, password) tuple of str, got {value!r}")

    @property
    def configured(self) -> tuple[str, str] | None:
        return self.provider_credentials if self.provider_credentials is not None else self.credentials


class InProcessWiring:
    """Providers on the lab's simulated network; a ``WebProxy`` node when ``proxy`` is given."""

    def __init__(self, service: AsrService, proxy: ProxySpec | None) -> None:
        self.service = service
        self.proxy_spec = proxy
        self.proxy: Any = None
        if proxy is not None:
            self.proxy = WebProxy(service.sim, PROXY_NODE, credentials=proxy.credentials)

    def install(self, vmm: VMMServer) -> AsrProvider:
        return AsrProvider(vmm, **self._provider_options(PROXY_NODE, DEFAULT_PROXY_PORT))

    def close(self) -> None:
        """Nothing runs outside the lab in this mode."""

    def _provider_options(self, proxy_address: str, proxy_port: int) -> dict[str, Any]:
        options: dict[str, Any] = {"trusted_roots": [self.service.channel.public_root]}
        if self.proxy_spec is not None:
            options["proxy"] = ProxySettings(proxy_address, proxy_port)
            if self.proxy_spec.configured is not None:
                options["proxy_credential"] = Credential(*self.proxy_spec.configured)
        return options


class SocketWiring(InProcessWiring):
    """Providers over real HTTPS to a ``ChannelServer`` on 127.0.0.1, through a ``ConnectProxy`` when
    ``proxy`` is given. ``close()`` stops both; so does forgetting the lab (a finalizer)."""

    def __init__(self, service: AsrService, proxy: ProxySpec | None) -> None:
        self.service = service
        self.proxy_spec = proxy
        self.server = ChannelServer(service.channel).start()
        self.proxy = None
        if proxy is not None:
            try:
                self.proxy = ConnectProxy(credentials=proxy.credentials).start()
            except BaseException:
                self.server.stop()
                raise
        self._stop = weakref.finalize(self, _stop, self.server, self.proxy)

    def install(self, vmm: VMMServer) -> AsrProvider:
        port = self.proxy.port if self.proxy is not None else 0
        return AsrProvider(vmm, transport_factory=socket_transport_factory(self.server.url, self.service.lock),
                           **self._provider_options(LOOPBACK, port))

    def close(self) -> None:
        self._stop()


def _stop(server: ChannelServer, proxy: ConnectProxy | None) -> None:
    try:
        if proxy is not None:
            proxy.stop()
    finally:
        server.stop()
