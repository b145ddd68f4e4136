"""The async SDK on the in-process service: an azure-core ``AsyncHttpTransport`` into
``service.handle`` and ``azure.mgmt.recoveryservicessiterecovery.aio`` clients built on it.

As with the sync ``AsrTransport``, ``sleep(s)`` advances the lab clock instead of waiting, so an
``await (await client.….begin_create(...)).result()`` honouring ``Retry-After: 30`` costs no wall
time. Requests run on the caller's event loop, one at a time under the service's lock; no socket, no
aiohttp.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

from azure.core.credentials import AccessToken
from azure.core.pipeline.transport import AsyncHttpTransport

from asr_emulator.http import Handler
from simcore import Simulation

from .azure_transport import ARM_BASE_URL, DEFAULT_SUBSCRIPTION, _Response, answer

if TYPE_CHECKING:
    from azure.mgmt.recoveryservicessiterecovery.aio import SiteRecoveryManagementClient

__all__ = ["AsyncAsrTransport", "AsyncFakeCredential", "async_site_recovery_client"]


class AsyncFakeCredential:
    """A duck-typed ``AsyncTokenCredential``: a fixed token that expires in 2100."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("asr-harness-token", 4_102_444_800)

    async def close(self) -> None:
        pass


class _AsyncResponse(_Response):
    """The in-memory response, readable the async way (``await response.read()``)."""

    async def read(self) -> bytes:  # type: ignore[override]  # the async response API
        return self.content

    async def close(self) -> None:  # type: ignore[override]
        self._is_closed = True


class AsyncAsrTransport(AsyncHttpTransport):  # type: ignore[type-arg]  # azure-core's generics are private
    """Sends SDK requests to ``service.handle``; ``sleep`` advances ``sim`` (default ``service.sim``)."""

    def __init__(self, service: Handler, *, sim: Simulation | None = None) -> None:
        self.service = service
        self.sim = sim if sim is not None else getattr(service, "sim")
        self._lock = getattr(service, "lock", None) or nullcontext()

    async def send(self, request: Any, **kwargs: Any) -> _AsyncResponse:
        return _AsyncResponse(request, answer(self.service, request))

    async def sleep(self, duration: float) -> None:
        with self._lock:
            self.sim.history.record("azure-transport", "sleep", "info", {"seconds": duration})
            self.sim.advance(duration)

    async def open(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def __aenter__(self) -> AsyncAsrTransport:
        return self

    async def __aexit__(self, *args: Any) -> None:
        pass


def async_site_recovery_client(service: Handler, subscription_id: str = DEFAULT_SUBSCRIPTION,
                               **kwargs: Any) -> SiteRecoveryManagementClient:
    """An ``azure.mgmt.recoveryservicessiterecovery.aio.SiteRecoveryManagementClient`` talking to ``service``."""
    from azure.mgmt.recoveryservicessiterecovery.aio import SiteRecoveryManagementClient

    kwargs.setdefault("transport", AsyncAsrTransport(service))
    kwargs.setdefault("base_url", ARM_BASE_URL)
    return SiteRecoveryManagementClient(AsyncFakeCredential(), subscription_id, **kwargs)  # type: ignore[arg-type]
