"""The channel's HTTP surface: route → parse → call ``ChannelService`` → serialize (PROTOCOL.md §Operations).

Every request is recorded (``channel.<Operation>``: invoke, then ok or fail with status and code).
A request carrying ``Idempotency-Key`` that its Provider already sent is answered with the answer
kept from the first time (policy ``IDEMPOTENCY_CACHE``), so a retry after a lost answer changes
nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from cryptography import x509

from ..errors import ArmError, InvalidRequestContent, MethodNotAllowed
from ..http import HttpRequest, HttpResponse
from ..wire.body import parse_json
from ..wire.call import JSON_TYPES, json_response
from .errors import ChannelNotFound
from .policy import CHANNEL_PREFIX
from .reports import single_answer

if TYPE_CHECKING:
    from .service import ChannelService

__all__ = ["handle_channel_request", "OPERATIONS"]

#: (method, path below the prefix with ``*`` for a name) → operation name.
OPERATIONS: dict[tuple[str, tuple[str, ...]], str] = {
    ("POST", ("registrations",)): "Register",
    ("POST", ("heartbeat",)): "Heartbeat",
    ("POST", ("workitems", "lease")): "LeaseWorkItems",
    ("POST", ("workitems", "*", "complete")): "CompleteWorkItem",
    ("POST", ("workitems", "complete")): "CompleteWorkItems",
    ("POST", ("workitems", "renew")): "RenewWorkItems",
    ("PUT", ("inventory",)): "SyncInventory",
}
_PREFIX = [segment.lower() for segment in CHANNEL_PREFIX.split("/") if segment]


def _route(method: str, url: str) -> tuple[str, list[str]]:
    segments = [unquote(segment) for segment in urlsplit(url).path.split("/") if segment]
    if [s.lower() for s in segments[:len(_PREFIX)]] != _PREFIX:
        raise ChannelNotFound(f"'{urlsplit(url).path}' is not a channel path (they start {CHANNEL_PREFIX}).")
    below = segments[len(_PREFIX):]
    shape = tuple("*" if index == 1 and len(below) == 3 else s.lower() for index, s in enumerate(below))
    operation = OPERATIONS.get((method, shape))
    if operation is None:
        if any(path == shape for _, path in OPERATIONS):
            raise MethodNotAllowed(f"The method '{method}' is not allowed on this channel path.")
        raise ChannelNotFound(f"No channel operation matches '{urlsplit(url).path}'.")
    return operation, below


def _body(request: HttpRequest) -> dict[str, Any]:
    value = parse_json(request.body or b"{}")  # bounded in depth: a deep body is a 400, not a RecursionError
    if not isinstance(value, dict):
        raise InvalidRequestContent(f"The request content must be a JSON object, not {JSON_TYPES.get(type(value), 'null')}.",
                                    target="body")
    return value


def _dispatch(service: ChannelService, operation: str, below: list[str], request: HttpRequest,
              peer: x509.Certificate | None, outcome: dict[str, Any]) -> HttpResponse:
    body = _body(request)
    if operation == "Register":
        return json_response(200, service.register(body, peer))
    vault, channel, record = service.authenticate(peer)
    outcome["provider"] = record.name
    key = request.header("Idempotency-Key")
    if key:
        kept = channel.remembered(record.name, key)
        if kept is not None:
            outcome["replayed"] = True
            return single_answer(kept)
    if operation == "Heartbeat":
        answer = service.heartbeat(channel, record)
    elif operation == "LeaseWorkItems":
        answer = service.lease(channel, record, body)
    elif operation == "CompleteWorkItem":
        answer = service.complete(channel, record, below[1], body)
    elif operation == "CompleteWorkItems":
        answer, replayed = service.complete_batch(channel, record, body)
        if replayed:
            outcome["replayed"] = replayed  # entries answered from their kept answers
    elif operation == "RenewWorkItems":
        answer = service.renew(channel, record, body)
    else:
        answer = service.sync(vault, channel, record, body)
    response = json_response(200, answer)
    if key:
        channel.remember(record.name, key, response)
    return response


def handle_channel_request(service: ChannelService, request: HttpRequest, peer: x509.Certificate | None) -> HttpResponse:
    history, node = service.sim.history, service.node
    method = request.method.upper()
    path = urlsplit(request.url).path
    routing_error: ArmError | None = None
    try:
        operation, below = _route(method, request.url)
    except ArmError as error:
        operation, below, routing_error = "Unrouted", [], error
    history.record(node, f"channel.{operation}", "invoke", {"method": method, "path": path})
    outcome: dict[str, Any] = {}
    try:
        if routing_error is not None:
            raise routing_error
        response = _dispatch(service, operation, below, request, peer, outcome)
    except ArmError as error:
        response = json_response(error.status, error.to_json())
        outcome["code"] = error.code
    except Exception as error:  # noqa: BLE001 - an emulator bug is answered and recorded, never raised into the network
        outcome["bug"] = f"{type(error).__name__}: {error}"
        response = json_response(500, {"error": {"code": "InternalServerError", "message": outcome["bug"]}})
    history.record(node, f"channel.{operation}", "ok" if response.status < 400 else "fail",
                   {"status": response.status, **outcome})
    return response
