"""The ``@cmdlet`` decorator: every host operation is recorded as a Jepsen-style operation.

``invoke`` when called; ``fail`` with the WMI code if it raises (nothing changed, by the house
rule); ``ok`` when it returns — except for jobs, which record their own ``ok``/``fail`` when done.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from ._errors import HyperVError
from ._jobs import HyperVJob

__all__ = ["cmdlet"]


class _Recorder(Protocol):
    def record(self, op: str, phase: str, details: dict[str, Any]) -> None: ...


F = TypeVar("F", bound=Callable[..., Any])


def cmdlet(name: str) -> Callable[[F], F]:
    """Mark a host method as the cmdlet ``name`` (e.g. ``"Enable-VMReplication"``)."""

    def wrap(method: F) -> F:
        op = f"hyperv.{name}"

        @functools.wraps(method)
        def run(self: _Recorder, *args: Any, **kwargs: Any) -> Any:
            target = args[0] if args and isinstance(args[0], str) else kwargs.get("vm_name")
            details = {"vm": target} if isinstance(target, str) else {}
            self.record(op, "invoke", details)
            try:
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
