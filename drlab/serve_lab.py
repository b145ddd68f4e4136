"""The served lab: what ``asr-harness serve``'s one ``AsgiApp`` answers with.

A ``ServedLab`` holds the ``Lab`` being served, its bounded history, its time mode (``ServedClock``)
and the control API (``control_api``), and is the ``Handler`` the app calls: a request under
``/_harness/`` goes to the control API, any other to the lab's ASR service. The app and the clock
reach the lab only through it, so ``reset`` can build a new lab and swap it in while the server keeps
running, with nothing left holding the old one.

Policy on reset: the new lab is built first (if that fails the old one keeps serving); the time mode
and rate stay; the history starts afresh, and so does the spill file (truncated), so that the file
followed by the retained events is still the whole history of the lab being served.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asr_emulator import AsrService
from asr_emulator.http import HttpRequest, HttpResponse
from asr_emulator.service import configured_base_url

from .control_api import ControlApi, is_control
from .lab import Lab
from .serve_history import RetainedEvents, bound_history
from .serve_time import ServedClock

if TYPE_CHECKING:
    from .serve import ServeOptions

__all__ = ["ServedLab"]


class ServedLab:
    """The lab ``options`` describe, served on ``base_url`` (module docstring)."""

    def __init__(self, options: ServeOptions, base_url: str | None = None, *, clock: ServedClock | None = None) -> None:
        self.options = options
        self.base_url = configured_base_url(base_url)
        self.clock = clock if clock is not None else ServedClock(options.time_mode, options.time_rate)
        self.lab = self._build(options.seed)
        self.history: RetainedEvents = bound_history(self.lab.history, options.history_limit, options.history_spill)
        self.clock.bind(self.lab)
        self.control = ControlApi(self)

    def _build(self, seed: int) -> Lab:
        lab = Lab(seed, retry_after=self.options.retry_after)
        lab.service.base_url = self.base_url
        return lab

    @property
    def service(self) -> AsrService:
        return self.lab.service

    def handle(self, request: HttpRequest) -> HttpResponse:
        if is_control(request.url):
            return self.control.handle(request)
        return self.lab.service.handle(request)

    def reset(self, seed: int | None = None) -> Lab:
        """Serve a new default lab of ``seed`` (default: the current lab's) in place of the current one."""
        lab = self._build(self.lab.seed if seed is None else seed)
        old, self.lab = self.lab, lab
        self.history.close()
        spill = self.options.history_spill
        if spill is not None:
            spill.write_text("", encoding="utf-8")
        self.history = bound_history(lab.history, self.options.history_limit, spill)
        self.clock.bind(lab)
        old.close()
        return lab

    def close(self) -> None:
        """Let go of the lab and the history's spill file (the server's shutdown has stopped the clock)."""
        self.history.close()
        self.lab.close()
