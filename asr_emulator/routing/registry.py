"""Which handler answers which SDK operation: filled by the ``handlers`` modules' decorators."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["HANDLERS", "handles"]

HANDLERS: dict[tuple[str, str], Callable[..., Any]] = {}


def handles(group: str, *methods: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function for ``group.method`` of every method given."""

    def register(handler: Callable[..., Any]) -> Callable[..., Any]:
        for method in methods:
            if (group, method) in HANDLERS:
                raise ValueError(f"{group}.{method} already has a handler")
            HANDLERS[(group, method)] = handler
        return handler

    return register
