"""Faults at ARM's front door (point ``arm.request``): throttling, outages, slowness, dropped connections.

Every request, once named (context ``method``, ``path``, ``operation`` — the operationId, or a poll's
name), asks the lab's fault plan before anything else; what the rule's action does:

* ``Respond(status, code, message, retry_after)`` — ARM answers that error envelope instead (429
  ``TooManyRequests`` with ``Retry-After``, 503 ``ServiceUnavailable``, 500 ``InternalServerError``):
  injected, not an emulator bug, and the request changes nothing;
* ``Fail(code, message)`` — the same as a 500 with that code;
* ``Delay(seconds, jitter)`` — the request is slow: the lab clock advances that long before it is
  served (what a client's deadline would see, in no wall time);
* ``Drop`` — the connection is dropped before the request reaches the service (nothing changes);
* ``Reset`` — the request is served, then the connection resets before the answer (it did change).

Clients see their own connection errors for the last two (the adapters translate ``ConnectionDropped``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simcore import Delay, Drop, Fail, Reset, Respond

from .http import ConnectionDropped, HttpResponse
from .wire.call import json_response

if TYPE_CHECKING:
    from .service import AsrService

__all__ = ["POINT", "FrontDoor"]

POINT = "arm.request"


class FrontDoor:
    """What the fault plan makes of one request: ``answer`` before serving it, ``after`` once served."""

    def __init__(self, service: AsrService, method: str, path: str, operation: str) -> None:
        self.service = service
        self.operation = operation
        self.action = service.sim.faults.check(POINT, {"method": method, "path": path, "operation": operation})

    def answer(self) -> HttpResponse | None:
        """The injected answer, if the rule answers for the service (raises if the request is dropped)."""
        action, service = self.action, self.service
        if isinstance(action, Drop):
            service.sim.history.record(service.node, f"arm.{self.operation}", "fail", {"dropped": "request"})
            raise ConnectionDropped(f"the connection was dropped before {self.operation} reached the service",
                                    served=False)
        if isinstance(action, Delay):
            jitter = service.sim.random.stream("faults").uniform(0.0, action.jitter) if action.jitter else 0.0
            service.sim.advance(action.seconds + jitter)
        if isinstance(action, Fail):
            action = Respond(500, action.code, action.message)
        if isinstance(action, Respond):
            headers = {"x-ms-request-id": service.request_id()}
            if action.retry_after is not None:
                headers["Retry-After"] = str(action.retry_after)
            return json_response(action.status, {"error": {"code": action.code, "message": action.message}}, headers)
        return None

    def after(self, response: HttpResponse) -> HttpResponse:
        """``response``, unless the connection resets before it is written (raises then)."""
        if isinstance(self.action, Reset):
            self.service.sim.history.record(self.service.node, f"arm.{self.operation}", "info", {"answer": "lost"})
            raise ConnectionDropped(f"the connection was reset before the answer to {self.operation} "
                                    f"(status {response.status}) was written", served=True)
        return response
