"""Precompiled routes: a segment trie over every path of the operation table.

Literal segments match case-insensitively (ARM paths are: the service itself writes
``/Subscriptions/``), literals win over parameters, and each leaf maps HTTP methods to the
operation. Matching is a dictionary walk per segment, so a GET costs no regular expressions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import MethodNotAllowed, NoRoute
from .table import OperationSpec

__all__ = ["Route", "RouteMatch", "Router"]


@dataclass(frozen=True)
class Route:
    """An operation bound to its handler (``None``: not implemented, answered 501)."""

    spec: OperationSpec
    param_names: tuple[str, ...]
    handler: Callable[..., Any] | None


@dataclass(frozen=True)
class RouteMatch:
    route: Route
    params: dict[str, str]


@dataclass
class _Node:
    literals: dict[str, _Node] = field(default_factory=dict)
    param: _Node | None = None
    routes: dict[str, Route] = field(default_factory=dict)


def _split(template: str) -> list[str]:
    return [segment for segment in template.split("/") if segment]


class Router:
    """Resolves ``(method, path segments)`` to a ``RouteMatch`` or raises ``NoRoute``/``MethodNotAllowed``."""

    def __init__(self, operations: Iterable[OperationSpec], handlers: Mapping[tuple[str, str], Callable[..., Any]]) -> None:
        self._root = _Node()
        self.routes: list[Route] = []
        for spec in operations:
            node = self._root
            names = []
            for segment in _split(spec.path):
                if segment.startswith("{"):
                    names.append(segment[1:-1])
                    node.param = node.param or _Node()
                    node = node.param
                else:
                    node = node.literals.setdefault(segment.lower(), _Node())
            route = Route(spec, tuple(names), handlers.get(spec.key))
            node.routes[spec.http_method] = route
            self.routes.append(route)
        unknown = set(handlers) - {route.spec.key for route in self.routes}
        if unknown:
            raise ValueError(f"handlers registered for operations not in the table: {sorted(unknown)}")

    def match(self, method: str, segments: list[str]) -> RouteMatch:
        found = self._walk(self._root, segments, 0, [])
        if found is None:
            raise NoRoute(f"No operation of the ASR or vault API matches the path '/{'/'.join(segments)}'.")
        node, values = found
        route = node.routes.get(method)
        if route is None:
            allowed = ", ".join(sorted(node.routes))
            raise MethodNotAllowed(f"The method '{method}' is not allowed on this path; allowed: {allowed}.")
        return RouteMatch(route, dict(zip(route.param_names, values)))

    def _walk(self, node: _Node, segments: list[str], at: int, values: list[str]) -> tuple[_Node, list[str]] | None:
        if at == len(segments):
            return (node, values) if node.routes else None
        segment = segments[at]
        literal = node.literals.get(segment.lower())
        if literal is not None:
            found = self._walk(literal, segments, at + 1, values)
            if found is not None:
                return found
        if node.param is not None and segment:
            return self._walk(node.param, segments, at + 1, [*values, segment])
        return None
