"""Hypothesis strategies for requests a client of the served lab could send: ARM paths from the SDK
operations in ``specs/asr/sdk-2.0.0-operations.json`` (their parameters real names of the lab or
mutations), the control API's endpoints, headers, and bodies built from the SDK's own models
(``azure.mgmt.recoveryservicessiterecovery.models``: field names and types as the SDK serialises
them, discriminated subtypes by their ``instanceType``), each field possibly replaced by any JSON."""

from __future__ import annotations

import functools
import inspect
import json
import re
import typing
from pathlib import Path
from typing import Any

from azure.mgmt.recoveryservicessiterecovery import models, operations
from azure.mgmt.recoveryservicessiterecovery.models import _models
from hypothesis import strategies as st

SPEC = Path(__file__).resolve().parents[2] / "specs" / "asr" / "sdk-2.0.0-operations.json"
OPERATIONS: list[dict[str, Any]] = json.loads(SPEC.read_text())["operations"]
_HINTS = {**vars(_models), "_models": models}
_MAX_DEPTH = 3

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
mutated_text = st.sampled_from(["", "%2F", "..", "a/b", "x" * 300, "ü", "%00", "*", " "]) | st.text(max_size=10)


def body_model(operation: dict[str, Any]) -> type | None:
    """The SDK model of ``operation``'s body parameter (``Union[_models.X, IO[bytes]]``), if it has one."""
    method = getattr(getattr(operations, operation["sdk_operation_group"], None), operation["sdk_method"], None)
    if method is None or not operation["body_or_option_params"]:
        return None
    parameter = inspect.signature(method).parameters.get(operation["body_or_option_params"][0])
    found = re.search(r"_models\.(\w+)", str(parameter.annotation)) if parameter is not None else None
    model = getattr(models, found.group(1), None) if found else None
    return model if isinstance(model, type) else None


def _of(hint: Any, depth: int) -> st.SearchStrategy[Any]:
    """A value of the SDK type ``hint``, or (mutated) any JSON value."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union:
        return st.one_of([_of(arg, depth) for arg in args if arg is not type(None)] or [st.none()])
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin is list:
        return st.lists(_of(args[0], depth), max_size=2)
    if origin is dict:
        return st.dictionaries(st.text(max_size=6), _of(args[1], depth), max_size=2)
    if isinstance(hint, type) and hasattr(hint, "_is_model"):
        return model_json(hint, depth + 1) if depth < _MAX_DEPTH else st.just({})
    scalar = {str: st.text(max_size=12) | mutated_text, int: st.integers(-2**40, 2**40), bool: st.booleans(),
              float: st.floats(allow_nan=True)}.get(hint, json_values)
    return scalar


@functools.cache
def model_json(model: type, depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """A JSON object shaped as the SDK serialises ``model`` (a discriminated base: any of its subtypes),
    each field optional and possibly any JSON value instead."""
    subtypes = list(getattr(model, "__mapping__", {}).values())
    if subtypes:
        return st.sampled_from(subtypes).flatmap(lambda sub: _fields(sub, depth)) | _fields(model, depth)
    return _fields(model, depth)


def _fields(model: type, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    hints = typing.get_type_hints(model, _HINTS)
    model()  # the SDK names its fields' wire names when a model is first made
    fields = {field._rest_name: st.deferred(lambda hint=hints[name]: _of(hint, depth)) | json_values
              for name, field in model._attr_to_rest_field.items() if name in hints}  # type: ignore[attr-defined]
    return st.fixed_dictionaries({}, optional=fields)
