"""How a cmdlet runs: history (invoke, then ok or fail), the ``vmm.cmdlet`` fault point, and a job
for every change. While an Outage at point ``vmm.server`` (context ``node``) holds, the server is
down and every cmdlet fails ``ServerUnavailable`` without changing anything.

A changing cmdlet is written as a *plan*: a function that validates its parameters against the
current state and returns the *commit* that applies them. The plan raises before anything changes;
the commit cannot fail. So a refused call leaves the server as it was, and no job either (policy
``REFUSED_CALLS_LEAVE_NO_JOB``).
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from simcore import Fail, Phase, Simulation

from ._accounts import Credential
from ._jobs import JobRunner, Plan
from .errors import InjectedFault, ServerUnavailable

__all__ = ["CmdletRunner", "describe"]

T = TypeVar("T")

_PLAIN = (str, int, float, bool, type(None))
_ADDRESSES = (ipaddress.IPv4Address, ipaddress.IPv6Address, ipaddress.IPv4Network, ipaddress.IPv6Network)


def describe(value: Any) -> Any:
    """A JSON-representable summary of a parameter or result for the history: objects by name,
    credentials by user name only (a password never reaches the history)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, Credential):
        return value.user_name
    if isinstance(value, (list, tuple)):
        return [describe(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): describe(item) for key, item in value.items()}
    if isinstance(value, _ADDRESSES):
        return str(value)
    name = getattr(value, "name", None)
    if isinstance(name, str):
        return name
    address = getattr(value, "address", None)
    return str(address if address is not None else value)


class CmdletRunner:
    """Runs one server's cmdlets; history events are ``vmm.<Cmdlet-Name>`` on the server's node."""

    def __init__(self, sim: Simulation, node: str, jobs: JobRunner) -> None:
        self._sim = sim
        self._node = node
        self._jobs = jobs
        self.down = False
        sim.outages.watch("vmm.server", {"node": node}, down=lambda: self._set_down(True),
                          up=lambda: self._set_down(False))

    def _set_down(self, down: bool) -> None:
        self.down = down
        self._sim.history.record(self._node, "vmm.server.down" if down else "vmm.server.up", Phase.INFO, {})

    def change(self, cmdlet: str, params: Mapping[str, Any], plan: Plan[T]) -> T:
        """A cmdlet that changes state: plan, then a job that commits."""
        return self.call(cmdlet, params, lambda: self._jobs.run(cmdlet, plan, plan()))

    def call(self, cmdlet: str, params: Mapping[str, Any], body: Callable[[], T]) -> T:
        """Record the invocation, consult the fault plan, run ``body``, record how it ended."""
        op = f"vmm.{cmdlet}"
        self._sim.history.record(self._node, op, Phase.INVOKE, describe(params))
        try:
            if self.down:
                raise ServerUnavailable(f"The VMM management server {self._node} is not running.")
            action = self._sim.faults.check("vmm.cmdlet", {"node": self._node, "cmdlet": cmdlet})
            if isinstance(action, Fail):
                raise InjectedFault(action.code, action.message)
            result = body()
        except Exception as exc:  # refused or failed: nothing changed, so the operation failed
            self._sim.history.record(self._node, op, Phase.FAIL, {"error": type(exc).__name__, "message": str(exc)})
            raise
        self._sim.history.record(self._node, op, Phase.OK, {"result": describe(result)})
        return result
