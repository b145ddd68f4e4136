"""Recovery-plan scripts as VMM runs them (hyperv-scvmm.md §5.7, [D:ASR-VMMScript]).

A script is what the user put on a library share: a Python callable taking a ``ScriptContext``, a
``DeclaredScript`` (its exit code, output, error stream and duration given), or only the text of a
PowerShell file. The documented rules judge every run:

* an exception fails it and the rest of the script does not run;
* ``Write-Host`` makes it fail;
* anything written to STDERR fails it (and shows in the execution details);
* no return within 600 seconds is a timeout.

Policy (``SCRIPT_RUNS``): the script's effects happen when it starts (a callable runs then, in zero
wall and virtual time) and its result is known once its declared duration has passed on the lab clock,
at most the 600 s; a non-zero exit code fails it; a text-only script (the emulator runs no
PowerShell) fails if its text calls ``Write-Host`` and otherwise succeeds at once with no output.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from ._server import VMMServer

__all__ = ["DeclaredScript", "ScriptContext", "ScriptBody", "ScriptVerdict", "SCRIPT_TIMEOUT_SECONDS", "judge_script"]

#: Fact (§5.7, §6 "VMM script timeout | 600 s"): a script that does not return within this fails.
SCRIPT_TIMEOUT_SECONDS = 600.0
_WRITE_HOST = re.compile(r"\bwrite-host\b", re.IGNORECASE)


@dataclass(frozen=True)
class DeclaredScript:
    """A script given by what it does: exit code, standard output, error stream, virtual seconds."""

    exit_code: int = 0
    output: str = ""
    stderr: str = ""
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if not (isinstance(self.seconds, (int, float)) and 0 <= self.seconds < float("inf")):
            raise ValueError(f"seconds must be a finite number >= 0, got {self.seconds!r}")


@dataclass(eq=False)
class ScriptContext:
    """What a running script sees: the VMM server it runs on (its cmdlets, as ``Import-Module
    virtualmachinemanager`` gives a real script, run as the VMM service account) and its library path.
    The docs name no parameters a recovery-plan script is called with (§5.7), so it gets no plan
    context (policy ``SCRIPT_CONTEXT``). ``write_output`` is what ``>>`` pipes out (the task's output), ``write_error`` writes to
    STDERR, ``write_host`` is ``Write-Host``; ``sleep`` makes the script take that much virtual time."""

    vmm: VMMServer
    path: str
    output: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    hosted: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def write_output(self, text: str) -> None:
        self.output.append(str(text))

    def write_error(self, text: str) -> None:
        self.errors.append(str(text))

    def write_host(self, text: str) -> None:
        self.hosted.append(str(text))

    def sleep(self, seconds: float) -> None:
        if not (isinstance(seconds, (int, float)) and 0 <= seconds < float("inf")):
            raise ValueError(f"sleep takes finite seconds >= 0, got {seconds!r}")
        self.seconds += seconds


#: A callable's return value is its exit code (None: 0).
ScriptBody = Union[Callable[[ScriptContext], "int | None"], DeclaredScript]


@dataclass(frozen=True)
class ScriptVerdict:
    """How a run ends: after ``seconds``, with ``output``, and ``failure`` (``ScriptFailed`` or
    ``ScriptTimedOut`` with its message) unless it succeeded."""

    seconds: float
    output: str
    failure: tuple[str, str] | None = None


def _run(body: ScriptBody | None, text: str, context: ScriptContext) -> tuple[int, str | None]:
    """Run ``body`` (or judge ``text``) into ``context``: (exit code, the exception it raised)."""
    if isinstance(body, DeclaredScript):
        context.output.extend([body.output] if body.output else [])
        context.errors.extend([body.stderr] if body.stderr else [])
        context.seconds = body.seconds
        return body.exit_code, None
    if body is None:
        if _WRITE_HOST.search(text):
            context.hosted.append("Write-Host")
        return 0, None
    try:
        code = body(context)
    except Exception as error:  # noqa: BLE001 - the user's script threw: the documented failure
        return 0, f"{type(error).__name__}: {error}"
    return (0 if code is None else int(code)), None


def judge_script(body: ScriptBody | None, text: str, context: ScriptContext) -> ScriptVerdict:
    """Run the script and judge it by the documented rules (module docstring)."""
    code, raised = _run(body, text, context)
    output = "\n".join(context.output)
    path = context.path
    if context.seconds > SCRIPT_TIMEOUT_SECONDS:
        return ScriptVerdict(SCRIPT_TIMEOUT_SECONDS, output, (
            "ScriptTimedOut", f"The script '{path}' did not return within {SCRIPT_TIMEOUT_SECONDS:g} seconds."))
    failure = None
    if raised is not None:
        failure = f"The script '{path}' threw an exception: {raised}"
    elif context.hosted:
        failure = f"The script '{path}' used Write-Host, which fails a recovery-plan script."
    elif context.errors:
        failure = f"The script '{path}' wrote to STDERR: " + "\n".join(context.errors)
    elif code != 0:
        failure = f"The script '{path}' exited with code {code}."
    return ScriptVerdict(context.seconds, output, None if failure is None else ("ScriptFailed", failure))
