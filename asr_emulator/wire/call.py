"""One request on its way through the wire: its route, parameters, query, body and answers.

Handlers receive a ``Call``; they parse with it (typed 400s naming the field), call the backend,
and answer with ``json`` / ``accepted`` / ``page`` / ``no_content``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload
from urllib.parse import quote, urlencode

from ..errors import InvalidParameter, InvalidRequestContent
from ..http import HttpRequest, HttpResponse
from ..models.jobs import Job
from ..models.vault import Operation, Vault
from ..routing.table import OperationSpec
from .render import asr_prefix

if TYPE_CHECKING:
    from ..service import AsrService

__all__ = ["Call", "json_response", "operation_key", "JSON_TYPES"]

T = TypeVar("T")

_JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
JSON_TYPES = {dict: "an object", list: "an array", str: "a string", int: "an integer", bool: "a boolean", float: "a number"}


def operation_key(below_vault: list[str], operation_id: str) -> str:
    """Operations are found by the resource they act on and their id: a job's own actions
    (``replicationJobs/{j}/operationresults/{j}``) never hide the operation that created it."""
    return "/".join(below_vault).lower() + "|" + operation_id.lower()


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> HttpResponse:
    out = dict(_JSON_HEADERS)
    if headers:
        out.update(headers)
    return HttpResponse(status, out, json.dumps(body, separators=(",", ":")).encode())


@dataclass
class Call:
    service: AsrService
    request: HttpRequest
    spec: OperationSpec
    params: dict[str, str]
    query: dict[str, str]
    base_url: str
    path: str
    segments: list[str]

    # -- parsing ------------------------------------------------------------------------------

    @property
    def client_request_id(self) -> str | None:
        return self.request.header("x-ms-client-request-id")

    def vault(self) -> Vault:
        """The vault named by the path (ARM's 404 if it does not exist)."""
        name = self.params.get("resourceName") or self.params["vaultName"]
        return self.service.backend.vaults.get(self.params["subscriptionId"], self.params["resourceGroupName"], name)

    @overload
    def body(self, *, required: Literal[True] = ...) -> dict[str, Any]: ...

    @overload
    def body(self, *, required: bool) -> dict[str, Any] | None: ...

    def body(self, *, required: bool = True) -> dict[str, Any] | None:
        """The JSON object in the body; ``InvalidRequestContent`` if it is missing (when required),
        not JSON, or not an object."""
        raw = self.request.body
        if not raw or not raw.strip():
            if required:
                raise InvalidRequestContent("The request content was invalid: a JSON body is required.", target="body")
            return None
        try:
            value = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidRequestContent(f"The request content was invalid and could not be deserialized: {exc}.",
                                        target="body") from None
        if not isinstance(value, dict):
            raise InvalidRequestContent(
                f"The request content was invalid: expected a JSON object, got {JSON_TYPES.get(type(value), 'null')}.",
                target="body")
        return value

    @staticmethod
    def field(obj: dict[str, Any], name: str, kind: type, path: str, *, required: bool = False) -> Any:
        """``obj[name]`` checked to be JSON of ``kind`` (bool is never an int); ``None`` if absent."""
        value = obj.get(name)
        where = f"{path}.{name}" if path else name
        if value is None:
            if required:
                raise InvalidRequestContent(f"The request content was invalid: the field '{where}' is required.", target=where)
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise InvalidRequestContent(
                f"The request content was invalid: the field '{where}' must be {JSON_TYPES[kind]}, "
                f"got {JSON_TYPES.get(type(value), type(value).__name__)}.", target=where)
        return value

    # -- answers ------------------------------------------------------------------------------

    def json(self, body: Any, status: int = 200) -> HttpResponse:
        return json_response(status, body, {"x-ms-request-id": self.service.request_id()})

    def no_content(self) -> HttpResponse:
        return HttpResponse(204, {"x-ms-request-id": self.service.request_id()})

    def accepted(self, vault: Vault, job: Job, kind: str, render: Callable[[Any], dict[str, Any]] | None = None) -> HttpResponse:
        """Record the operation and answer 202 + ``Location`` {resource or action parent}/operationresults/{job}
        + integer ``Retry-After`` (asr-api.md §3.4); ``x-ms-request-id`` carries the job's path, as the real
        service's does [TF21963]. ``kind``/``render``: see ``models.vault.Operation``."""
        below_vault = self.segments[8:-1] if self.request.method.upper() == "POST" else self.segments[8:]
        operation = Operation(job.name, job, kind, render)
        vault.operations[operation_key(below_vault, operation.id)] = operation
        resource = asr_prefix(vault) + "".join("/" + quote(segment, safe="") for segment in below_vault)
        location = f"{self.base_url}{resource}/operationresults/{operation.id}?api-version={self.spec.api_version}"
        return HttpResponse(202, {
            "Location": location, "Retry-After": str(int(self.service.retry_after)),
            "x-ms-request-id": f"{asr_prefix(vault)}/replicationJobs/{job.name}",
        })

    def page(self, items: Sequence[T], render: Callable[[T], Any] | None = None) -> HttpResponse:
        """One page of ``items`` with ARM's ``nextLink`` when more remain (``$skiptoken`` = offset).

        ``render`` turns an item into its JSON; only the page's items are rendered, so walking a
        list of N items page by page costs O(N) renders, not O(N²). Without it the items are JSON."""
        token = self.query.get("$skiptoken", "0")
        if not token.isdigit():
            raise InvalidParameter(f"The value '{token}' of '$skiptoken' is invalid: it is not a token this list issued.",
                                   target="$skiptoken")
        start, size = int(token), self.service.page_size
        window = items[start:start + size]
        body: dict[str, Any] = {"value": list(window) if render is None else [render(item) for item in window]}
        if start + size < len(items):
            query = {k: v for k, v in self.query.items() if k != "$skiptoken"}
            query["$skiptoken"] = str(start + size)
            body["nextLink"] = f"{self.base_url}{self.path}?{urlencode(query)}"
        return self.json(body)
