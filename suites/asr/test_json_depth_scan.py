"""The JSON depth bound read from the text (``asr_emulator.wire.body``): brackets and escapes inside
string literals never count, every encoding JSON allows is judged alike, and the bound stays exact."""

from __future__ import annotations

import json
from typing import Any

import pytest

from asr_emulator.errors import InvalidRequestContent
from asr_emulator.policy import MAX_JSON_DEPTH
from asr_emulator.wire.body import parse_json

TRICKY = ['{[', ']]}}', '\\', '\\"[', '"', '\\\\"{', 'é{[€]', '\n\t]"']


def _nested(depth: int, *, objects: bool) -> Any:
    """A value ``depth`` levels deep whose strings are full of brackets, quotes and backslashes."""
    value: Any = TRICKY
    for level in range(depth - 1):
        value = {TRICKY[level % len(TRICKY)]: value, "s": "[[{"} if objects else ["}}]]", value, "\\"]
    return value


@pytest.mark.parametrize("objects", [False, True], ids=["arrays", "objects"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
@pytest.mark.parametrize("ascii_only", [True, False], ids=["escaped", "raw"])
def test_the_bound_is_exact_whatever_the_strings_hold(objects: bool, encoding: str, ascii_only: bool) -> None:
    for depth in (MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH):
        value = _nested(depth, objects=objects)
        assert parse_json(json.dumps(value, ensure_ascii=ascii_only).encode(encoding)) == value
    too_deep = json.dumps(_nested(MAX_JSON_DEPTH + 1, objects=objects), ensure_ascii=ascii_only).encode(encoding)
    with pytest.raises(InvalidRequestContent, match="deeper than"):
        parse_json(too_deep)


def test_a_wide_shallow_body_with_bracketed_strings_passes() -> None:
    wide = {"vms": [{"name": "[" * 100, "nics": [{"ips": ["]" * 100]}]} for _ in range(500)]}
    assert parse_json(json.dumps(wide).encode()) == wide
