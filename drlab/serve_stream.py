"""Following a served lab's history live: ``GET /_harness/history/stream?follow=true``.

The control API answers a history stream as one bounded body: the events matching when asked. With
``follow=true`` this ASGI layer, in front of the served app, keeps the answer open as chunked JSON
Lines: the matching events so far, then each new one as it is recorded, until the client leaves,
``limit`` events were sent, ``until`` has passed, or the lab is reset or restored (the history it
followed is gone). It looks for new events every ``FOLLOW_TICK_SECONDS`` on the server's loop and
awaits in between (and while a slow client drains what was sent), so the server answers every other
request meanwhile; at most ``HISTORY_LIMIT_MAX`` events are written per look. Events the bounded
history let go between two looks are skipped (policy: a follower of a busy lab sees what is retained).

The request is checked by the control API first (authentication, query: its ARM errors, answered
whole). The connection is marked as a stream (``STREAM_SCOPE_KEY``) so the hardened protocol keeps it
past the request timeout while its client reads (``serve_protocol``).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from asr_emulator.asgi import Receive, Scope, Send, scope_to_request, send_response

from .control_api import CONTROL_PREFIX, NDJSON, HistoryQuery
from .control_wire import HISTORY_LIMIT_MAX
from .serve_protocol import STREAM_SCOPE_KEY
from .serve_time import ASGIApp

if TYPE_CHECKING:
    from .serve_lab import ServedLab

__all__ = ["FollowHistory", "FOLLOW_TICK_SECONDS"]

#: Policy: how often, in wall seconds, a followed stream looks for new events.
FOLLOW_TICK_SECONDS = 0.05

_PATH = f"/{CONTROL_PREFIX}/history/stream"


def _follows(scope: Scope) -> bool:
    if scope.get("type") != "http" or scope.get("method") != "GET" or scope.get("path") != _PATH:
        return False
    return ("follow", "true") in parse_qsl((scope.get("query_string") or b"").decode("latin-1"))


class FollowHistory:
    """``app``, except that ``follow=true`` history streams of ``served`` are followed (module docstring)."""

    def __init__(self, app: ASGIApp, served: ServedLab, *, base_url: str | None = None,
                 tick: float = FOLLOW_TICK_SECONDS) -> None:
        self.app, self.served, self.base_url, self.tick = app, served, base_url, tick

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if not _follows(scope):
            await self.app(scope, receive, send)
            return
        request = scope_to_request(scope, b"", self.base_url)
        answer = self.served.handle(request)  # authentication and the query, checked as the bounded stream
        if answer.status != 200:
            await send_response(send, answer)
            return
        scope[STREAM_SCOPE_KEY] = True
        left = asyncio.ensure_future(_disconnected(receive))
        try:
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", NDJSON.encode()), (b"cache-control", b"no-store")]})
            if await self._follow(self.served.control.history_query(request), send, left):
                await send({"type": "http.response.body", "body": b""})
        finally:
            left.cancel()

    async def _follow(self, query: HistoryQuery, send: Send, left: asyncio.Future[None]) -> bool:
        """Send the matching events as they come; False if the client left first."""
        lab, index, sent = self.served.lab, query.after + 1, 0
        while self.served.lab is lab:
            store = self.served.history
            index = max(index, store.first_index)
            lines: list[str] = []
            while index < len(store) and len(lines) < HISTORY_LIMIT_MAX and sent != query.limit:
                event = store[index]
                index += 1
                if query.matches(event):
                    lines.append(event.to_json() + "\n")
                    sent += 1
            if lines:
                await send({"type": "http.response.body", "body": "".join(lines).encode(), "more_body": True})
            if sent == query.limit or query.until is not None and lab.now > query.until:
                break
            if index < len(store):
                await asyncio.sleep(0)  # more than one look's worth is waiting: let others be answered first
                continue
            done, _ = await asyncio.wait({left}, timeout=self.tick)
            if done:
                return False
        return True


async def _disconnected(receive: Receive) -> None:
    """Until the client leaves (the request's own message, then nothing but the disconnect)."""
    message: Any = await receive()
    while message.get("type") != "http.disconnect":
        message = await receive()
