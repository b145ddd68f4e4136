"""The ``@cmdlet`` decorator: every host operation is recorded as a Jepsen-style operation.

``invoke`` when called; ``fail`` with the WMI code if it raises (nothing changed, by the house
rule); ``ok`` when it returns — except for jobs, which record their own ``ok``/``fail`` when done.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from ._errors import HyperVError, OperationFailedError
from ._jobs import HyperVJob

__all__ = ["cmdlet"]


class _Recorder(Protocol):
    def record(self, op: str, phase: str, details: dict[str, Any]) -> None: ...


F = TypeVar("F", bound=Callable[..., Any])


def cmdlet(name: str) -> Callable[[F], F]:
    """Mark a host method as the cmdlet ``name`` (e.g. ``"Enable-VMReplication"``)."""

    def wrap(method: F) -> F:
        op = f"hyperv.{name}"
        parameters = list(inspect.signature(method).parameters)[1:]
        first = parameters[0] if parameters else None  # what the cmdlet acts on: vm_name, display_name, ...
        key = "vm" if first in ("vm_name", "name") else first

        @functools.wraps(method)
        def run(self: _Recorder, *args: Any, **kwargs: Any) -> Any:
            target = args[0] if args else kwargs.get(first) if first else None
            details = {key: target} if key is not None and isinstance(target, str) else {}
            self.record(op, "invoke", details)
            try:
                if getattr(self, "crashed", False):  # policy HOST_CRASH_EFFECTS
                    raise OperationFailedError("The RPC server is unavailable. (0x800706BA)")
                result = method(self, *args, **kwargs)
            except HyperVError as error:
                error.cmdlet = error.cmdlet or name
                self.record(op, "fail", {**details, **error.describe()})
                raise
            if not isinstance(result, HyperVJob):
                self.record(op, "ok", details)
            return result

        run.cmdlet = name  # type: ignore[attr-defined]
        return run  # type: ignore[return-value]

    return wrap
