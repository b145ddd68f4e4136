"""The sans-IO seam between the ASR emulator and every adapter: a request in, a response out.

The router (``AsrService.handle``) takes an ``HttpRequest`` and returns an ``HttpResponse``; the
azure-core transport, the httpx transport / respx route and the ASGI app only translate their own
request and response types to and from these two, so every path shares one state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["HttpRequest", "HttpResponse", "Handler", "ConnectionDropped"]


@dataclass(frozen=True)
class HttpRequest:
    """``url`` is absolute (``https://host/path?query``) or a path with its query string.
    Header names are matched case-insensitively by ``header()``."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str, default: str | None = None) -> str | None:
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return default


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class ConnectionDropped(Exception):
    """No answer: the connection was dropped (an injected fault). ``served`` says whether the request
    was served first (its answer lost) or never reached the service (nothing changed). Adapters raise
    their client's own connection error for it."""

    def __init__(self, message: str, *, served: bool) -> None:
        super().__init__(message)
        self.served = served


class Handler(Protocol):
    """Anything that answers ``HttpRequest``s: the ASR service, or a test double."""

    def handle(self, request: HttpRequest) -> HttpResponse: ...
