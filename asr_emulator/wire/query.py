"""The query string: parsed once, and every parameter checked before any handler runs.

Which parameters an operation takes is the SDK's (``SDK_QUERY_PARAMETERS``, from
``specs/asr/sdk-2.0.0-operations.json``; every operation takes ``api-version``), plus this
emulator's own paging on every list: ``$skiptoken`` (what ``nextLink`` carries) and ``$top``.
Values are checked by their grammar (``policy.MAX_SKIPTOKEN_DIGITS``, ``policy.MAX_TOP``,
``policy.MAX_QUERY_VALUE_CHARS``); ``$filter`` grammar is its handler's (``wire.odata``), which
refuses what it does not understand. An OData option (``$…``) the operation does not take is
refused; any other unknown parameter is ignored (``policy.UNKNOWN_QUERY_PARAMETERS_IGNORED``).
Every refusal is a 400 whose ``target`` is the parameter's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from ..errors import InvalidQueryParameter, UnsupportedQueryParameter
from ..policy import MAX_QUERY_PARAMETERS, MAX_QUERY_VALUE_CHARS, MAX_SKIPTOKEN_DIGITS, MAX_TOP
from ..routing.table import OperationSpec
from .body import echo

__all__ = ["QueryString", "parse_query", "check_query", "skiptoken", "top", "SDK_QUERY_PARAMETERS", "PAGING"]

#: Fact (the SDK's operation table, ``query_params``): the parameters other than ``api-version``
#: each operation sends; ``suites/asr/test_request_hardening.py`` checks it against that table.
SDK_QUERY_PARAMETERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("ReplicationProtectedItemsOperations", "list"): ("skipToken", "$filter"),
    ("ReplicationProtectionClustersOperations", "list"): ("skipToken", "$filter"),
    ("ReplicationProtectionIntentsOperations", "list"): ("skipToken", "takeToken"),
    ("ReplicationEventsOperations", "list"): ("$filter",),
    ("ReplicationFabricsOperations", "get"): ("$filter",),
    ("ReplicationMigrationItemsOperations", "begin_delete"): ("deleteOption",),
    ("ReplicationMigrationItemsOperations", "list_by_replication_protection_containers"):
        ("skipToken", "takeToken", "$filter"),
    ("ReplicationMigrationItemsOperations", "list"): ("skipToken", "takeToken", "$filter"),
    ("ReplicationProtectableItemsOperations", "list_by_replication_protection_containers"):
        ("$filter", "$take", "$skipToken"),
    ("ReplicationJobsOperations", "list"): ("$filter",),
    ("ReplicationAppliancesOperations", "list"): ("$filter",),
    ("SupportedOperatingSystemsOperations", "get"): ("instanceType",),
}

#: Policy: the paging parameters every list operation takes (``Call.page``).
PAGING = ("$skiptoken", "$top")

_DIGITS = re.compile(r"[0-9]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class QueryString:
    """Parameter names lower-cased (ARM matches them case-insensitively), each with every value sent."""

    values: dict[str, list[str]]

    def first(self) -> dict[str, str]:
        """Each parameter's value (``check_query`` has made sure a repeated one repeats the same value)."""
        return {name: values[0] for name, values in self.values.items()}


def parse_query(text: str) -> QueryString:
    """The query string's parameters; 400 if there are too many or one is not UTF-8 once decoded."""
    try:
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=MAX_QUERY_PARAMETERS)
    except UnicodeDecodeError:
        raise InvalidQueryParameter("The query string is invalid: a parameter is not UTF-8 once percent-decoded.",
                                    target="query") from None
    except ValueError:
        raise InvalidQueryParameter(f"The query string has more than {MAX_QUERY_PARAMETERS} parameters.",
                                    target="query") from None
    values: dict[str, list[str]] = {}
    for name, value in pairs:
        values.setdefault(name.lower(), []).append(value)
    return QueryString(values)


def _invalid(name: str, value: str, why: str) -> InvalidQueryParameter:
    return InvalidQueryParameter(f"The value '{echo(value)}' of query parameter '{name}' is invalid: {why}.", target=name)


def skiptoken(value: str) -> int:
    """A ``$skiptoken`` as the offset it stands for (what this emulator's ``nextLink`` issues)."""
    if not _DIGITS.fullmatch(value) or len(value) > MAX_SKIPTOKEN_DIGITS:
        raise _invalid("$skiptoken", value, "it is not a token this list issued")
    return int(value)


def top(name: str, value: str) -> int:
    """``$top`` / ``$take``: how many items at most, 1 to ``policy.MAX_TOP``."""
    if not _DIGITS.fullmatch(value) or len(value) > len(str(MAX_TOP)) or not 1 <= int(value) <= MAX_TOP:
        raise _invalid(name, value, f"expected a whole number from 1 to {MAX_TOP}")
    return int(value)


def _accepted(spec: OperationSpec | None) -> frozenset[str]:
    names = {"api-version"}
    if spec is not None:
        names.update(name.lower() for name in SDK_QUERY_PARAMETERS.get(spec.key, ()))
        if spec.http_method == "GET" and spec.method.startswith("list"):
            names.update(PAGING)
    return frozenset(names)


def check_query(query: QueryString, spec: OperationSpec | None, operation: str) -> None:
    """Refuse a parameter ``spec``'s operation does not take (``$…`` only), a value outside its
    grammar, or one repeated with different values. ``spec`` None: one of the LRO polls."""
    accepted = _accepted(spec)
    for name, values in query.values.items():
        if name not in accepted:
            if name.startswith("$"):
                raise UnsupportedQueryParameter(
                    f"The query parameter '{echo(name)}' is not supported by {operation}; it takes "
                    + ", ".join(sorted(accepted)) + ".", target=name)
            continue
        if len(set(values)) > 1:
            raise InvalidQueryParameter(f"The query parameter '{name}' is given {len(values)} times with different "
                                        "values.", target=name)
        value = values[0]
        if len(value) > MAX_QUERY_VALUE_CHARS:
            raise _invalid(name, value, f"it is longer than {MAX_QUERY_VALUE_CHARS} characters")
        if _CONTROL.search(value):
            raise _invalid(name, value, "it contains control characters")
        if name == "$skiptoken":
            skiptoken(value)
        elif name in ("$top", "$take"):
            top(name, value)
