"""One request on its way through the wire: its route, parameters, query, body and answers.

Handlers receive a ``Call``; they parse with it (typed 400s naming the field), call the backend,
and answer with ``json`` / ``accepted`` / ``page`` / ``no_content``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload
from urllib.parse import quote, urlencode

from ..errors import InvalidRequestContent
from ..http import HttpRequest, HttpResponse
from ..models.jobs import Job
from ..models.vault import Operation, Vault
from ..policy import LRO_FIXED_API_VERSION
from ..routing.table import OperationSpec
from .body import is_empty, parse_json
from .query import skiptoken, top
from .render import asr_prefix

if TYPE_CHECKING:
    from ..service import AsrService

__all__ = ["Call", "json_response", "operation_key", "JSON_TYPES"]

T = TypeVar("T")
_UNREAD: Any = object()  # ``Call.content`` before the body was parsed

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
    #: The body's JSON as the service already parsed it (``wire.body.read_body``), if it did.
    content: Any = field(default=_UNREAD, repr=False)

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
        if is_empty(raw):
            if required:
                raise InvalidRequestContent("The request content was invalid: a JSON body is required.", target="body")
            return None
        value = parse_json(raw) if self.content is _UNREAD else self.content
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

    @property
    def api_version(self) -> str:
        """The api-version the client sent (the service has checked it is a published one)."""
        return self.query.get("api-version") or self.spec.api_version

    def accepted(self, vault: Vault, job: Job, kind: str, render: Callable[[Any], dict[str, Any]] | None = None) -> HttpResponse:
        """Record the operation and answer the recorded LRO envelope (asr-orchestration.md §A.0.1): 202,
        empty body, ``Location`` {resource or action parent}/operationresults/{job},
        ``Azure-AsyncOperation`` {vault}/replicationOperationStatus/{id}, integer ``Retry-After``,
        ``x-ms-request-id`` = the job's ARM id; both URLs carry the client's api-version
        (policy.LRO_FIXED_API_VERSION). ``kind``/``render``: see ``models.vault.Operation``."""
        from .lro import lro_headers, register_operation  # lro answers with json_response from here

        below_vault = self.segments[8:-1] if self.request.method.upper() == "POST" else self.segments[8:]
        status_id = ""
        if kind == "action":  # the creating operation keeps the job name as its status id (policy.ACTION_STATUS)
            seed = f"{asr_prefix(vault)}/replicationJobs/{job.name}/{self.segments[-1]}#{len(vault.operations)}"
            status_id = str(uuid.uuid5(uuid.NAMESPACE_URL, seed.lower()))
        operation = Operation(job.name, job, kind, render, status_id)
        register_operation(vault, below_vault, operation)
        resource = asr_prefix(vault) + "".join("/" + quote(segment, safe="") for segment in below_vault)
        version = LRO_FIXED_API_VERSION or self.api_version
        location = f"{self.base_url}{resource}/operationresults/{operation.id}?api-version={version}"
        return HttpResponse(202, lro_headers(self.service, vault, operation, location, self.base_url, self.api_version))

    def page(self, items: Sequence[T], render: Callable[[T], Any] | None = None) -> HttpResponse:
        """One page of ``items`` with ARM's ``nextLink`` when more remain (``$skiptoken`` = offset).

        ``$top`` (or the SDK's ``$take``) keeps the first N items only (OData), paged the same way.
        ``render`` turns an item into its JSON; only the page's items are rendered, so walking a
        list of N items page by page costs O(N) renders, not O(N²). Without it the items are JSON."""
        start, size = skiptoken(self.query.get("$skiptoken", "0")), self.service.page_size
        for name in ("$top", "$take"):
            if name in self.query:
                items = items[:top(name, self.query[name])]
        window = items[start:start + size]
        body: dict[str, Any] = {"value": list(window) if render is None else [render(item) for item in window]}
        if start + size < len(items):
            query = {k: v for k, v in self.query.items() if k != "$skiptoken"}
            query["$skiptoken"] = str(start + size)
            body["nextLink"] = f"{self.base_url}{self.path}?{urlencode(query)}"
        return self.json(body)
