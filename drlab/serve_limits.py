"""The bounds ``asr-harness serve`` puts on its clients and its history: plain data, importable
without loading the server (the CLI reads its defaults from here).

Every value is **policy**: the real service's limits are not published, and these are chosen to
let every official SDK and PowerShell pattern through while no client can hold the server.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

__all__ = ["ConnectionLimits", "DEFAULT_HISTORY_LIMIT", "HttpParser"]

#: Policy: events a served lab's history keeps in memory (a request records 2-4: ~25,000 requests).
DEFAULT_HISTORY_LIMIT = 100_000


class HttpParser(str, Enum):
    """``--http``: the HTTP/1.1 parser under the hardened protocol (``serve_protocol``); the same bounds
    and answers either way. Policy: httptools (llhttp, what uvicorn picks when installed) by default,
    for its speed; h11 (pure Python) stays selectable to compare against."""

    HTTPTOOLS = "httptools"
    H11 = "h11"


@dataclass(frozen=True)
class ConnectionLimits:
    """Policy: how long and how many, in wall-clock seconds (tests use short ones)."""

    idle_timeout: float = 5.0  # uvicorn's default keep-alive, now also before the first request
    request_timeout: float = 30.0  # first byte of a request to its answer written
    handshake_timeout: float = 10.0  # TLS handshake (asyncio's default is 60 s)
    shutdown_grace: float = 1.0  # SIGTERM: how long answers being written may take to finish
    max_connections: int = 256  # open HTTP connections (after the TLS handshake): ~300 KB each in asyncio
    max_header_bytes: int = 16 * 1024  # request line and headers (h11's default; HTTP.sys's too)

    def __post_init__(self) -> None:
        for name in ("idle_timeout", "request_timeout", "handshake_timeout", "shutdown_grace"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
                raise ValueError(f"{name} must be a number of seconds > 0, got {value!r}")
        for name in ("max_connections", "max_header_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, got {value!r}")
