"""Policies of the ARM front door: api-versions, paging, and every bound on what a client may send."""

from __future__ import annotations

#: The api-versions accepted on ``replication*`` paths are a fact: ``asr_emulator.api_versions``
#: (every published version, asr-orchestration.md §B.7.1). Bodies are rendered in the 2025-08-01
#: shapes whatever the version: no per-version field name of an emulated resource is recorded.

#: Policy: the api-versions accepted on vault paths (azure-mgmt-recoveryservices 4.3.0, §10).
VAULT_API_VERSIONS: tuple[str, ...] = ("2026-11-01",)

#: The real service answers ``Retry-After: 30`` (asr-api.md §3.4, [TF21963]); in-process the
#: transport's ``sleep`` turns those 30 s into virtual time, so the faithful value costs nothing.
DEFAULT_RETRY_AFTER = 30

#: Policy: items per page of every list. The real page size is undocumented; a small page makes
#: ``nextLink`` paging happen in ordinary tests. ``AsrService(page_size=...)`` overrides it.
PAGE_SIZE = 10

#: Where ids in ``Location``/``nextLink`` point when a request carries only a path.
DEFAULT_BASE_URL = "https://management.azure.com"

# -- What a client may send (hardening). Every bound here is policy: the real limits are not
# -- published, so each is chosen far above anything the official SDKs send and far below what
# -- would let one request exhaust the emulator.

#: Policy: the largest request body accepted, in bytes; a larger one is answered 413
#: ``RequestEntityTooLarge`` (and, over a socket, not read further). 4 MiB is the bound ARM states
#: for what it relays between client and resource provider (ARM RPC, Common API Details, "Max
#: Response Size"); the largest body the SDKs send to these operations is a few kilobytes.
MAX_REQUEST_BODY_BYTES = 4 * 1024 * 1024

#: Policy: the deepest nesting of arrays and objects accepted in a JSON body; deeper is 400
#: ``InvalidRequestContent``. The SDK models nest under 10 levels; Python's parser gives up
#: (RecursionError) near 1,000, which is what this bound keeps every body far from.
MAX_JSON_DEPTH = 64

#: Policy: the media types a request body may declare (ARM RPC, Common API Details, "Client Request
#: Headers": ``Content-Type`` is ``application/json``; ``text/json`` and any ``…+json`` type are
#: accepted too); a ``charset`` parameter, if present, must be UTF-8 (RFC 8259 §8.1). Anything else
#: is 415 ``UnsupportedMediaType``. A request without a body (or with an empty one, as the SDKs send
#: for some POSTs) is never checked.
JSON_MEDIA_TYPES = ("application/json", "text/json")

#: Policy: a non-empty body without any ``Content-Type`` is read as JSON. Every SDK and PowerShell
#: send the header; direct ``AsrService.handle`` callers (the in-process suites) do not.
BODY_WITHOUT_CONTENT_TYPE_IS_JSON = True

#: Policy: at most this many query parameters per request; more is 400 ``InvalidQueryParameterValue``.
MAX_QUERY_PARAMETERS = 32

#: Policy: the longest value of any query parameter, in characters (``$filter`` included).
MAX_QUERY_VALUE_CHARS = 2048

#: Policy: a ``$skiptoken`` is what this emulator's ``nextLink`` issues, the decimal offset of the
#: next page: 1 to this many ASCII digits. Anything else is 400 naming ``$skiptoken``.
MAX_SKIPTOKEN_DIGITS = 9

#: Policy: ``$top`` (OData: at most N items in all) and the SDK's ``$take`` are whole numbers from 1
#: to this bound on list operations; the list then holds at most that many items, paged as usual.
MAX_TOP = 1000

#: Policy: an error message quotes at most this many characters of what the client sent.
MAX_ECHOED_CHARS = 200

#: Policy: a query parameter no operation of the SDKs takes and that is not an OData system option
#: (``$…``) is ignored, as ARM passes query parameters to the resource provider unchanged (ARM RPC,
#: Common API Details, "Request Query Parameters") and an ASP.NET provider does not bind unknown
#: ones. An unknown ``$…`` option is refused (400 ``UnsupportedQueryParameter``), never ignored.
UNKNOWN_QUERY_PARAMETERS_IGNORED = True
