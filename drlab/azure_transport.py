"""An azure-core transport into an in-process ``AsrService``, and SDK clients built on it.

``AsrTransport.send`` hands each request to ``service.handle`` (no socket, no TLS); ``sleep(s)``
advances the lab clock by ``s`` instead of sleeping, and azure-core sleeps only through its
transport (the LRO poller between polls, the retry policy between retries: anchors.md §2.3). So an
SDK ``begin_create(...).result()`` that honours the real ``Retry-After: 30`` costs no wall time and
the job sees 30 virtual seconds pass.

Threads: azure-core's ``LROPoller`` polls in its own thread. Every request and every sleep takes
the service's lock, so the lab is never touched by two threads at once; for a byte-identical
history, wait for a poller (``.result()``/``.wait()``) before the next SDK call, or pass
``polling=False`` and poll yourself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

from azure.core.credentials import AccessToken
from azure.core.exceptions import ServiceRequestError, ServiceResponseError
from azure.core.pipeline.transport import HttpTransport
from azure.core.rest._http_response_impl import HttpResponseImpl
from azure.core.utils import case_insensitive_dict

from asr_emulator.http import ConnectionDropped, Handler, HttpRequest, HttpResponse
from simcore import Simulation

if TYPE_CHECKING:  # the SDKs are the [test] extra; the clients are built only when asked for
    from azure.mgmt.recoveryservices import RecoveryServicesClient
    from azure.mgmt.recoveryservicessiterecovery import SiteRecoveryManagementClient

__all__ = ["AsrTransport", "FakeCredential", "answer", "site_recovery_client", "recovery_services_client",
           "DEFAULT_SUBSCRIPTION", "ARM_BASE_URL"]

DEFAULT_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
ARM_BASE_URL = "https://management.azure.com"  # https: the bearer-token policy refuses plain http (asr-api.md §11)
_REASONS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
            404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 500: "Internal Server Error",
            501: "Not Implemented"}


class FakeCredential:
    """A duck-typed ``TokenCredential``: a fixed token that expires in 2100 (no wall clock read)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("asr-harness-token", 4_102_444_800)


class _Response(HttpResponseImpl):
    """An ``azure.core.rest.HttpResponse`` over an emulator ``HttpResponse`` held in memory."""

    def __init__(self, request: Any, response: HttpResponse) -> None:
        headers = case_insensitive_dict(response.headers)
        super().__init__(
            request=request, internal_response=response, status_code=response.status,
            reason=_REASONS.get(response.status, ""), content_type=headers.get("Content-Type"),
            headers=headers, stream_download_generator=_chunks)
        self._content = response.body

    def close(self) -> None:
        self._is_closed = True


def emulator_request(request: Any) -> HttpRequest:
    """An azure-core request as the emulator's ``HttpRequest`` (its body as bytes)."""
    content = getattr(request, "content", None)
    if content is None:
        content = getattr(request, "body", None)
    if isinstance(content, str):
        content = content.encode()
    return HttpRequest(request.method, request.url, dict(request.headers), bytes(content or b""))


def answer(service: Handler, request: Any) -> HttpResponse:
    """``service``'s answer to an azure-core request; a dropped connection (an injected fault) raises what
    azure-core's own transports raise: ``ServiceRequestError`` when the request never got there (retried
    for any method), ``ServiceResponseError`` when its answer was lost (retried for idempotent ones)."""
    try:
        return service.handle(emulator_request(request))
    except ConnectionDropped as dropped:
        raise (ServiceResponseError if dropped.served else ServiceRequestError)(str(dropped)) from dropped


def _chunks(response: _Response, pipeline: Any = None, decompress: bool = True) -> Iterator[bytes]:
    yield response._internal_response.body


class AsrTransport(HttpTransport):  # type: ignore[type-arg]  # azure-core's transport generics are private
    """Sends SDK requests to ``service.handle``; ``sleep`` advances ``sim`` (default ``service.sim``)."""

    def __init__(self, service: Handler, *, sim: Simulation | None = None) -> None:
        self.service = service
        self.sim = sim if sim is not None else getattr(service, "sim")
        self._lock = getattr(service, "lock", None) or nullcontext()

    def send(self, request: Any, **kwargs: Any) -> _Response:
        return _Response(request, answer(self.service, request))

    def sleep(self, duration: float) -> None:
        with self._lock:
            self.sim.history.record("azure-transport", "sleep", "info", {"seconds": duration})
            self.sim.advance(duration)

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> AsrTransport:
        return self

    def __exit__(self, *args: Any) -> None:
        pass


def _client_kwargs(service: Handler, kwargs: dict[str, Any]) -> dict[str, Any]:
    kwargs.setdefault("transport", AsrTransport(service))
    kwargs.setdefault("base_url", ARM_BASE_URL)
    return kwargs


def site_recovery_client(service: Handler, subscription_id: str = DEFAULT_SUBSCRIPTION,
                         **kwargs: Any) -> SiteRecoveryManagementClient:
    """A ``SiteRecoveryManagementClient`` (azure-mgmt-recoveryservicessiterecovery) talking to ``service``."""
    from azure.mgmt.recoveryservicessiterecovery import SiteRecoveryManagementClient

    return SiteRecoveryManagementClient(FakeCredential(), subscription_id, **_client_kwargs(service, kwargs))


def recovery_services_client(service: Handler, subscription_id: str = DEFAULT_SUBSCRIPTION,
                             **kwargs: Any) -> RecoveryServicesClient:
    """A ``RecoveryServicesClient`` (azure-mgmt-recoveryservices, vaults) talking to ``service``."""
    from azure.mgmt.recoveryservices import RecoveryServicesClient

    return RecoveryServicesClient(FakeCredential(), subscription_id, **_client_kwargs(service, kwargs))
