"""Start ``asr-harness serve`` as a child process and stop it: the socket-mode fixture's engine.

``ServeProcess.start("--retry-after", "30")`` runs the console script next to this interpreter,
waits (bounded, on the pipe: I/O, not a sleep) for its one JSON ready line and exposes it as
``info``; ``stop(signal)`` ends it and returns its exit status and whatever else it wrote. As a
context manager it stops the server on exit if it is still running.
"""

from __future__ import annotations

import json
import selectors
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .serve import ServeInfo

__all__ = ["ServeProcess", "Stopped", "ServeProcessError"]

COMMAND = str(Path(sys.executable).with_name("asr-harness"))


class ServeProcessError(RuntimeError):
    """The server did not announce itself in time, or exited first (its stderr is in the message)."""


@dataclass(frozen=True)
class Stopped:
    returncode: int
    stdout: str  # what followed the ready line: the contract says nothing
    stderr: str


class ServeProcess:
    """A running ``asr-harness serve``; ``info`` is its parsed ready line, ``ready_line`` the raw one."""

    def __init__(self, process: subprocess.Popen[str], stderr: IO[str], ready_line: str) -> None:
        self.process = process
        self.ready_line = ready_line
        self.info = ServeInfo(**json.loads(ready_line))
        self._stderr = stderr

    @classmethod
    def start(cls, *args: str, timeout: float = 30.0) -> ServeProcess:
        # stderr goes to a file, not a pipe: a chatty server must never block on a pipe nobody reads
        stderr = tempfile.TemporaryFile("w+")
        process = subprocess.Popen([COMMAND, "serve", *args], stdout=subprocess.PIPE, stderr=stderr, text=True)
        assert process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            readable = selector.select(timeout)
        line = process.stdout.readline() if readable else ""
        if not line.endswith("\n"):
            process.kill()
            process.communicate()
            raise ServeProcessError(f"asr-harness serve {' '.join(args)} did not get ready: {_drain(stderr).strip()}")
        return cls(process, stderr, line)

    def __enter__(self) -> ServeProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.process.poll() is None:
            self.stop()

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 15.0) -> Stopped:
        """Send ``sig`` and wait for the exit; a server that outlives ``timeout`` is killed."""
        self.process.send_signal(sig)
        try:
            stdout, _ = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            stdout, _ = self.process.communicate()
        return Stopped(self.process.returncode, stdout, _drain(self._stderr))


def _drain(file: IO[str]) -> str:
    """Everything written to ``file``, which is then closed (and, being a TemporaryFile, gone)."""
    with file:
        file.seek(0)
        return file.read()
