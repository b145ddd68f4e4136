"""Request bodies as ARM takes them: bounded in size, JSON by media type, bounded in depth.

``read_body(request)`` runs for every request before its handler (``AsrService``): a body over
``policy.MAX_REQUEST_BODY_BYTES`` is 413 ``RequestEntityTooLarge``; a body whose ``Content-Type``
is not JSON is 415 ``UnsupportedMediaType``; JSON that does not parse, or nests deeper than
``policy.MAX_JSON_DEPTH``, is 400 ``InvalidRequestContent``. An empty (or all-whitespace) body is
no body: it is never checked, as the SDKs send one for some POSTs. ``parse_json`` is the one reader
of JSON request bodies, so a body can never reach Python's recursion limit anywhere later.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from ..errors import InvalidRequestContent, RequestEntityTooLarge, UnsupportedMediaType
from ..http import HttpRequest
from ..policy import (
    BODY_WITHOUT_CONTENT_TYPE_IS_JSON, JSON_MEDIA_TYPES, MAX_ECHOED_CHARS, MAX_JSON_DEPTH, MAX_REQUEST_BODY_BYTES,
)

__all__ = ["read_body", "parse_json", "check_media_type", "check_size", "too_large", "is_empty", "echo"]

_UTF8 = frozenset({"utf-8", "utf8"})


def echo(text: str) -> str:
    """Client input as an error message quotes it: at most ``MAX_ECHOED_CHARS`` characters."""
    return text if len(text) <= MAX_ECHOED_CHARS else text[:MAX_ECHOED_CHARS] + "…"


def is_empty(raw: bytes) -> bool:
    return not raw.strip()


def too_large(length: int | None) -> RequestEntityTooLarge:
    """The 413 for a body of ``length`` bytes (``None``: a streamed body found too long before its
    end; the socket adapter answers without reading more)."""
    size = f"{length} bytes" if length is not None else f"more than {MAX_REQUEST_BODY_BYTES} bytes"
    return RequestEntityTooLarge(f"The request content is {size}; at most {MAX_REQUEST_BODY_BYTES} bytes are accepted.",
                                 target="body")


def check_size(length: int) -> None:
    """413 for a body of ``length`` bytes over ``policy.MAX_REQUEST_BODY_BYTES``."""
    if length > MAX_REQUEST_BODY_BYTES:
        raise too_large(length)


def check_media_type(content_type: str | None) -> None:
    """415 unless ``content_type`` is JSON (``policy.JSON_MEDIA_TYPES`` or ``application/…+json``,
    charset UTF-8 if stated). ``None`` (no header) passes when ``BODY_WITHOUT_CONTENT_TYPE_IS_JSON``."""
    if content_type is None and BODY_WITHOUT_CONTENT_TYPE_IS_JSON:
        return
    media, *parameters = (content_type or "").split(";")
    media = media.strip().lower()
    json_type = media in JSON_MEDIA_TYPES or (media.startswith("application/") and media.endswith("+json"))
    charsets = [value.strip().strip('"').lower() for key, _, value in (p.partition("=") for p in parameters)
                if key.strip().lower() == "charset"]
    if not json_type or any(charset not in _UTF8 for charset in charsets):
        raise UnsupportedMediaType(
            f"The content media type '{echo(content_type or '')}' is not supported. Only 'application/json' is "
            "supported.", target="Content-Type")


_QUOTED = re.compile(rb'"[^"]*"')  # a string literal once only quotes and brackets are left of it
_NEITHER_QUOTE_NOR_BRACKET = bytes(byte for byte in range(256) if byte not in b'{}[]"')
_STEP = {ord("{"): 1, ord("["): 1, ord("}"): -1, ord("]"): -1}


def _deepest(value: Any) -> int:
    """The nesting depth of a parsed JSON value (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _too_deep(raw: bytes, value: Any) -> bool:
    """Whether ``value``, parsed from ``raw``, nests deeper than ``MAX_JSON_DEPTH``. Read from the text
    where it can be, at C speed: fewer brackets than the bound cannot nest deeper. In UTF-8 (where no
    byte of a multi-byte character is a quote or a bracket) the escaped backslashes and quotes are cut
    out, then all but quotes and brackets, then the string literals: the brackets left are the
    structure's own, and their running count is the depth. Other encodings walk the value."""
    if raw.count(b"{") + raw.count(b"[") <= MAX_JSON_DEPTH:
        return False
    if json.detect_encoding(raw) != "utf-8":
        return _deepest(value) > MAX_JSON_DEPTH
    marks = raw.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NEITHER_QUOTE_NOR_BRACKET)
    brackets = _QUOTED.sub(b"", marks)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > MAX_JSON_DEPTH


def parse_json(raw: bytes) -> Any:
    """``raw`` as JSON, or 400 ``InvalidRequestContent`` (not JSON, or nested deeper than the bound)."""
    too_deep = InvalidRequestContent(
        f"The request content was invalid: JSON nests deeper than {MAX_JSON_DEPTH} levels.", target="body")
    try:
        value = json.loads(raw)
    except RecursionError:
        raise too_deep from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequestContent(f"The request content was invalid and could not be deserialized: {echo(str(exc))}.",
                                    target="body") from None
    if _too_deep(raw, value):
        raise too_deep
    return value


def read_body(request: HttpRequest) -> Any:
    """The request's JSON (``None`` for no body), after the size, media-type and depth checks."""
    raw = request.body
    check_size(len(raw))
    if is_empty(raw):
        return None
    check_media_type(request.header("Content-Type"))
    return parse_json(raw)
