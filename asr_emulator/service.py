"""``AsrService``: the ASR emulator's ARM REST surface, sans-IO (``handle(request) -> response``).

The order of checks is ARM's: authentication (401), route (404 / 405), api-version (400), then what
ARM checks of any request before its resource provider sees it — the query parameters
(``wire.query``), the name a PUT creates (``wire.names``), the body's size, media type and JSON
(413 / 415 / 400, ``wire.body``) — then the operation: 501 ``NotImplemented`` naming the SDK method
if it is not emulated, else its handler, whose typed errors become ARM error envelopes. A refused
request changes nothing. Every call is recorded in ``sim.history`` (``arm.<operationId>`` invoke,
then ok or fail) and nothing a client sends reaches a 500: an unexpected exception is an emulator
bug, answered 500 ``InternalServerError`` and recorded.

URLs the service writes (``Location``, ``Azure-AsyncOperation``, ``nextLink``) start with its
configured ``base_url``; without one, with the origin of the request's URL as the client's own
pipeline built it (in-process transports), never with a ``Host`` header.
"""

from __future__ import annotations

import json
import threading
from typing import Any
from urllib.parse import unquote, urlsplit

from simcore import Simulation

from .automation import Automation
from .channel.service import ChannelService
from .errors import ArmError, AuthenticationFailed, InvalidApiVersion, MissingApiVersion, NoRoute, NotImplementedOperation
from .handlers import HANDLERS
from .http import HttpRequest, HttpResponse
from .models.backend import AsrBackend
from .models.vault import Vault
from .api_versions import ASR_API_VERSION_SET, ASR_API_VERSIONS
from .policy import DEFAULT_BASE_URL, DEFAULT_RETRY_AFTER, PAGE_SIZE, VAULT_API_VERSIONS, JobTimings
from .routing.router import Route, Router
from .routing.table import OPERATIONS
from .wire.body import read_body
from .wire.call import Call, json_response
from .wire.lro import STATUS_COLLECTION, operation_status, poll_operation
from .wire.names import check_put_names
from .wire.query import QueryString, check_query, parse_query

__all__ = ["AsrService", "authenticate"]

_ROUTER = Router(OPERATIONS, HANDLERS)
_VAULT_PREFIX = ("subscriptions", None, "resourcegroups", None, "providers", "microsoft.recoveryservices", "vaults", None)
_WWW_AUTHENTICATE = ('Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", '
                     'error_description="The authentication failed because of missing \'Authorization\' header."')


_POLLS = frozenset({"OperationResults_Get", "OperationStatus_Get"})


def _under_vault(segments: list[str]) -> bool:
    return len(segments) >= 8 and all(want is None or segments[i].lower() == want for i, want in enumerate(_VAULT_PREFIX))


def _poll_operation_id(method: str, segments: list[str]) -> str:
    """The history name of an unrouted request: one of the LRO polls (``Location`` =
    ``…/operationresults/{id}``, ``Azure-AsyncOperation`` = ``{V}/replicationOperationStatus/{id}``)
    or ``Unrouted``. Only GET polls; any other method keeps the router's 404 / 405."""
    if method != "GET" or not _under_vault(segments):
        return "Unrouted"
    if len(segments) > 10 and segments[-2].lower() == "operationresults":
        return "OperationResults_Get"
    if len(segments) == 10 and segments[8].lower() == STATUS_COLLECTION.lower():
        return "OperationStatus_Get"
    return "Unrouted"


def authenticate(request: HttpRequest) -> None:
    """ARM's check of the caller (401 unless a bearer token is presented; the token is not verified):
    every path of the served lab takes it, the ARM surface and the harness's control API alike."""
    header = request.header("Authorization")
    if header is None:
        raise AuthenticationFailed("Authentication failed. The 'Authorization' header is missing.")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed("Authentication failed. The 'Authorization' header is not a bearer token.",
                                   code="InvalidAuthenticationToken")


def configured_base_url(base_url: str | None) -> str | None:
    """``base_url`` checked to be an origin (``https://host[:port]``, no path), trailing ``/`` dropped."""
    if base_url is None:
        return None
    split = urlsplit(base_url.rstrip("/")) if isinstance(base_url, str) else None
    if split is None or split.scheme not in ("http", "https") or not split.netloc or split.path or split.query:
        raise ValueError(f"base_url must be an origin such as https://127.0.0.1:8443, got {base_url!r}")
    return f"{split.scheme}://{split.netloc}"


class AsrService:
    """The emulated ASR service and vault API over one ``simcore.Simulation``.

    ``retry_after``: the integer ``Retry-After`` of every 202 (30 as the real service; ``serve``
    uses 0). ``advance_on_poll``: when set, a poll of a running operation first lets virtual time
    run until its job stops running, bounded by that many seconds, so socket clients never wait in
    wall time. ``page_size``: items per list page before ``nextLink``. ``timings``: per-task
    durations (policy.JobTimings). ``base_url``: the origin every URL the service writes starts
    with (socket mode sets the served one); ``None`` takes the origin of each request's URL. All
    state is reachable through ``backend``.
    """

    def __init__(
        self,
        sim: Simulation,
        *,
        retry_after: int = DEFAULT_RETRY_AFTER,
        advance_on_poll: float | None = None,
        page_size: int = PAGE_SIZE,
        timings: JobTimings | None = None,
        node: str = "asr",
        base_url: str | None = None,
        strict: bool = False,
    ) -> None:
        if isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0:
            raise ValueError(f"retry_after must be an int >= 0 (the SDK reads it as an int), got {retry_after!r}")
        if advance_on_poll is not None and not advance_on_poll >= 0:
            raise ValueError(f"advance_on_poll must be None or seconds >= 0, got {advance_on_poll!r}")
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise ValueError(f"page_size must be an int >= 1, got {page_size!r}")
        if not isinstance(strict, bool):
            raise ValueError(f"strict must be a bool, got {strict!r}")
        self.base_url = configured_base_url(base_url)
        self.strict = strict
        self.sim = sim
        self.retry_after = retry_after
        self.advance_on_poll = advance_on_poll
        self.page_size = page_size
        self.node = node
        self.backend = AsrBackend(sim, timings=timings, node=node)
        self.automation = Automation(sim)
        self.router = _ROUTER
        self.lock = threading.RLock()
        self._request_ids = sim.random.stream(f"{node}.requests")
        self._channel: ChannelService | None = None

    @staticmethod
    def router_routes() -> list[Route]:
        """Every operation of both SDKs with its handler (``None``: answered 501)."""
        return list(_ROUTER.routes)

    @property
    def channel(self) -> ChannelService:
        """The Provider channel (``asr_emulator.channel``): made on first use, when the service joins the
        lab's network as its node and listens on 443."""
        if self._channel is None:
            self._channel = ChannelService(self)
        return self._channel

    # -- seeding and control ------------------------------------------------------------------

    def create_vault(self, subscription_id: str, resource_group: str, name: str, *, location: str = "westeurope",
                     sku: str = "Standard", tags: dict[str, str] | None = None) -> Vault:
        """Seed a vault directly (what ``vaults.begin_create_or_update`` does, without a request)."""
        with self.lock:
            vault, _ = self.backend.put_vault(subscription_id, resource_group, name, location=location,
                                              sku={"name": sku}, tags=dict(tags or {}))
            return vault

    def reset(self) -> None:
        """Forget every vault and everything in them, and every Automation account."""
        with self.lock:
            self.backend.reset()
            self.automation.reset()

    def request_id(self) -> str:
        """An ``x-ms-request-id``, from its own lab stream (reads never shift the ids of jobs)."""
        bits = self._request_ids.getrandbits(128)
        h = f"{bits:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    # -- the wire -----------------------------------------------------------------------------

    def handle(self, request: HttpRequest) -> HttpResponse:
        with self.lock:
            return self._handle(request)

    def _handle(self, request: HttpRequest) -> HttpResponse:
        split = urlsplit(request.url)
        base_url = self.base_url or (f"{split.scheme}://{split.netloc}" if split.netloc else DEFAULT_BASE_URL)
        segments = [unquote(segment) for segment in split.path.split("/") if segment]
        path = "/" + "/".join(segments)
        method = request.method.upper()
        query_error: ArmError | None = None
        try:
            query_string = parse_query(split.query)
        except ArmError as error:
            query_string, query_error = QueryString({}), error
        query = query_string.first()
        spec = handler = params = None
        routing_error: ArmError | None = None
        try:
            match = self.router.match(method, segments)
            spec, handler, params = match.route.spec, match.route.handler, match.params
            operation = spec.operation_id
        except NoRoute as error:
            operation = _poll_operation_id(method, segments)
            routing_error = None if operation in _POLLS else error
        except ArmError as error:
            operation, routing_error = "Unrouted", error
        history = self.sim.history
        history.record(self.node, f"arm.{operation}", "invoke", {"method": method, "path": path})
        try:
            authenticate(request)
            if routing_error is not None:
                raise routing_error
            if query_error is not None:
                raise query_error
            self._check_api_version(query.get("api-version"), spec)
            check_query(query_string, spec, spec.sdk_name if spec is not None else operation)
            if spec is not None:
                check_put_names(spec, params or {})
            content = read_body(request)
            if spec is None:  # one of the two LRO polls, which no SDK operation names (wire.lro)
                vault = self.backend.vaults.get(segments[1], segments[3], segments[7])
                if operation == "OperationStatus_Get":
                    response = operation_status(self, vault, segments[9])
                else:
                    url = base_url + split.path + (f"?{split.query}" if split.query else "")
                    response = poll_operation(self, vault, segments[8:-2], segments[-1], url, base_url,
                                              query["api-version"])
            elif handler is None:
                raise NotImplementedOperation(
                    f"The operation {spec.sdk_name} ({spec.operation_id}, {method} {spec.path}) "
                    "is not implemented by asr-harness.")
            else:
                response = handler(Call(self, request, spec, params or {}, query, base_url, path, segments,
                                        content))
        except ArmError as error:
            response = self.error_response(error)
        except Exception as error:  # noqa: BLE001 - an emulator bug is answered, recorded, never raised into the SDK
            history.record(self.node, f"arm.{operation}", "info", {"bug": f"{type(error).__name__}: {error}"})
            response = json_response(500, {"error": {
                "code": "InternalServerError",
                "message": f"asr-harness failed on {method} {path}: {type(error).__name__}: {error}"}})
        outcome: dict[str, Any] = {"status": response.status}
        if response.status >= 400:
            outcome["code"] = _error_code(response)
        history.record(self.node, f"arm.{operation}", "ok" if response.status < 400 else "fail", outcome)
        if method != "GET" and self._channel is not None:
            self.sim.network.changed(self.node)  # whatever it changed, the Providers' next poll may see it
        return response

    @staticmethod
    def _check_api_version(api_version: str | None, spec: Any) -> None:
        """Replication paths (and the polls) accept every published version (api_versions); the vault
        API its SDK's. An unknown version is ARM's 400 naming the supported ones (§B.7.2)."""
        if not api_version:
            raise MissingApiVersion("The api-version query parameter (?api-version=) is required for all requests.")
        asr = spec is None or spec.sdk == "asr"
        if asr and api_version in ASR_API_VERSION_SET:
            return
        versions = ASR_API_VERSIONS if asr else VAULT_API_VERSIONS
        if api_version not in versions:
            raise InvalidApiVersion(
                f"The api-version '{api_version}' is invalid. The supported versions are '{', '.join(versions)}'.")

    def error_response(self, error: ArmError) -> HttpResponse:
        """``error`` as ARM answers it: its envelope, a request id, and for a 401 the challenge."""
        headers = {"x-ms-request-id": self.request_id()}
        if error.status == 401:
            headers["WWW-Authenticate"] = _WWW_AUTHENTICATE
        return json_response(error.status, error.to_json(), headers)


def _error_code(response: HttpResponse) -> str:
    try:
        return str(json.loads(response.body)["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return ""
