"""The ``$filter`` forms the SDK's users send, parsed into ``(field, values)`` clauses.

PowerShell's Get-AzRecoveryServicesAsrJob turns its ``JobQueryParameter`` into
``StartTime eq '...' and ( JobStatus eq 'Failed' or JobStatus eq 'Cancelled' )`` (each property
``Name eq 'value'``, a list as a parenthesised ``or``, all joined with ``and``). That grammar is what
is accepted here; anything else is refused with ``InvalidFilter`` (never silently ignored).
"""

from __future__ import annotations

import re

from ..errors import InvalidFilter

__all__ = ["parse_filter"]

_TOKEN = re.compile(r"\s*(?:(?P<open>\()|(?P<close>\))|'(?P<quoted>(?:[^']|'')*)'|(?P<word>[^\s()']+))")


def _tokens(text: str) -> list[tuple[str, str]]:
    out, at = [], 0
    text = text.rstrip()
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            raise InvalidFilter(f"The $filter '{text}' could not be parsed near position {at}.", target="$filter")
        at = match.end()
        kind = match.lastgroup or ""
        value = match.group(kind)
        out.append((kind, value.replace("''", "'") if kind == "quoted" else value))
    return out


def parse_filter(text: str) -> list[tuple[str, list[str]]]:
    """``"A eq 'x' and ( B eq 'y' or B eq 'z' )"`` → ``[("a", ["x"]), ("b", ["y", "z"])]`` (names lower-cased)."""
    tokens = _tokens(text)
    clauses: list[tuple[str, list[str]]] = []
    at = 0

    def fail(why: str) -> InvalidFilter:
        return InvalidFilter(f"The $filter '{text}' is not supported: {why}. Supported: Name eq 'value' clauses joined "
                             "by 'and', a list as ( Name eq 'a' or Name eq 'b' ).", target="$filter")

    def comparison() -> tuple[str, str]:
        nonlocal at
        if at + 3 > len(tokens):
            raise fail("a comparison is incomplete")
        (k1, name), (k2, op), (k3, value) = tokens[at:at + 3]
        if k1 != "word" or k2 != "word" or op.lower() != "eq" or k3 not in ("quoted", "word"):
            raise fail(f"expected Name eq 'value' at '{name}'")
        at += 3
        return name.lower(), value

    while True:
        if at < len(tokens) and tokens[at][0] == "open":
            at += 1
            name, value = comparison()
            values = [value]
            while at < len(tokens) and tokens[at][0] == "word" and tokens[at][1].lower() == "or":
                at += 1
                other, value = comparison()
                if other != name:
                    raise fail(f"an 'or' list mixes '{name}' and '{other}'")
                values.append(value)
            if at >= len(tokens) or tokens[at][0] != "close":
                raise fail("a '(' is not closed")
            at += 1
            clauses.append((name, values))
        else:
            name, value = comparison()
            clauses.append((name, [value]))
        if at == len(tokens):
            return clauses
        if tokens[at][0] != "word" or tokens[at][1].lower() != "and":
            raise fail(f"expected 'and' at '{tokens[at][1]}'")
        at += 1
