"""The served lab: what ``asr-harness serve``'s one ``AsgiApp`` answers with.

A ``ServedLab`` holds the ``Lab`` being served, its bounded history, its time mode (``ServedClock``),
its journal (``serve_journal``) and the control API (``control_api``), and is the ``Handler`` the app
calls: a request under ``/_harness/`` goes to the control API, any other to the lab's ASR service. The
app and the clock reach the lab only through it, so ``reset`` and ``restore`` can build a new lab and
swap it in while the server keeps running, with nothing left holding the old one.

Every input that changes the lab is journaled as it is answered (``serve_journal`` says which); a
``ServedLab`` given a journal with entries first replays them on a fresh lab of its seed, checking
each lands at the virtual time and with the status it was recorded with (``JournalError`` if not).

Policy when the journal cannot be written (a full disk, a failing device): the request that made the
change is answered ``503 StateNotSaved`` (so it is not acknowledged, and the promise holds), time stops
(manual mode) and every later request but a GET is refused the same way until the server is restarted
— which rebuilds the lab from what was saved.

Policy on reset and restore: the new lab is built first (if that fails the old one keeps serving);
the history starts afresh, and so does the spill file (truncated, also when a server starts), so that
the file followed by the retained events is still the history of the lab being served (after a
restore: from the restore on; what its replay let go is dropped). A reset keeps the time mode and rate;
a restore takes those the lab had at the position restored (they are part of what was journaled).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from asr_emulator import AsrService
from asr_emulator.http import HttpRequest, HttpResponse
from asr_emulator.service import configured_base_url

from .control_api import ControlApi, is_control
from .lab import Lab
from .serve_history import RetainedEvents, bound_history
from .control_wire import StateNotSaved
from .serve_journal import Header, Journal, JournalError, advance_entry, entry_request, request_entry, restore_entry
from .serve_time import ServedClock, TimeMode

if TYPE_CHECKING:
    from .serve import ServeOptions

__all__ = ["ServedLab"]


def _target(url: str) -> str:
    """``url``'s path and query, as sent (the origin dropped: the server's, which may change)."""
    if "://" not in url:
        return url
    rest = url.split("://", 1)[1]
    start = rest.find("/")
    return rest[start:] if start >= 0 else "/"


class ServedLab:
    """The lab ``options`` describe, served on ``base_url`` (module docstring). ``journal``: the one to
    replay and append to (default: a new one in memory, of ``options``' seed and time mode)."""

    def __init__(self, options: ServeOptions, base_url: str | None = None, *, clock: ServedClock | None = None,
                 journal: Journal | None = None) -> None:
        self.options = options
        self.base_url = configured_base_url(base_url)
        self.journal = journal if journal is not None else Journal(
            Header(options.seed, TimeMode(options.time_mode).value, options.time_rate, options.strict))
        header = self.journal.header
        self.clock = clock if clock is not None else ServedClock(TimeMode(header.time_mode), header.time_rate)
        self.clock.on_advance = self._advanced
        self._replaying = True
        self.unsaved: str | None = None  # why the journal could not be written (module docstring)
        self.lab = self._build(header.seed)
        self._truncate_spill()
        self.history: RetainedEvents = bound_history(self.lab.history, options.history_limit, options.history_spill)
        self.clock.bind(self.lab)
        self.control = ControlApi(self)
        try:
            self._replay(self.journal.effective())
        except BaseException:
            self.close()
            raise
        self._replaying = False

    def _build(self, seed: int) -> Lab:
        lab = Lab(seed, retry_after=self.options.retry_after, strict=self.options.strict)
        lab.service.base_url = self.base_url
        return lab

    @property
    def service(self) -> AsrService:
        return self.lab.service

    # -- answering and journaling -------------------------------------------------------------

    def handle(self, request: HttpRequest) -> HttpResponse:
        lab, read = self.lab, request.method.upper() == "GET"
        if self.unsaved is not None and not read:
            return self._not_saved()
        at = lab.now
        if is_control(request.url):
            response = self.control.handle(request)
            if not read and response.status < 400 and self.control.journaled(request):
                if not self._record(request_entry(at, request.method, _target(request.url), request.headers,
                                                  request.body, response.status)):
                    return self._not_saved()
            return response
        scheduler = lab.sim.scheduler
        before = (scheduler.pushed, scheduler.pending())
        response = lab.service.handle(request)
        if not read or (scheduler.pushed, scheduler.pending()) != before or lab.now != at:
            if not self._record(request_entry(at, request.method, _target(request.url), request.headers,
                                              request.body, response.status)):
                return self._not_saved()
        return response

    def _not_saved(self) -> HttpResponse:
        return self.lab.service.error_response(StateNotSaved(
            f"The lab's state could not be saved ({self.unsaved}); this change is not acknowledged and the lab "
            "takes no more until asr-harness serve is restarted."))

    def _advanced(self, start: float, seconds: float) -> None:
        """Auto mode moved time: that is an input too."""
        self._record(advance_entry(start, seconds))

    def _record(self, entry: dict[str, object]) -> bool:
        """Journal ``entry``; False if it could not be saved (then, or before)."""
        if self._replaying:
            return True
        if self.unsaved is None:
            try:
                self.journal.append(entry)
                return True
            except OSError as error:
                self.unsaved = error.strerror or type(error).__name__
                self.clock.set_mode(TimeMode.MANUAL)  # nothing more changes the lab unsaved
        return False

    def _replay(self, entries: list[dict[str, object]]) -> None:
        for number, entry in enumerate(entries, 1):
            lab = self.lab
            if lab.now != entry["at"]:
                raise JournalError(f"journal entry {number} was recorded at t={entry['at']} s but replays at "
                                   f"t={lab.now} s: this asr-harness does not rebuild that lab")
            if entry["kind"] == "advance":
                lab.advance(float(entry["seconds"]))  # type: ignore[arg-type]
                continue
            method, target, headers, body = entry_request(entry)
            status = self.handle(HttpRequest(method, (self.base_url or "") + target, headers, body)).status
            if status != entry["status"]:
                raise JournalError(f"journal entry {number} ({method} {target[:80]}) was answered {entry['status']} "
                                   f"but replays as {status}: this asr-harness does not rebuild that lab")

    # -- whole-lab changes --------------------------------------------------------------------

    def _truncate_spill(self) -> None:
        if self.options.history_spill is not None:
            self.options.history_spill.write_text("", encoding="utf-8")

    def _serve(self, lab: Lab, history: RetainedEvents) -> None:
        """Serve ``lab`` (with its ``history``) in place of the current lab, which is let go."""
        old, self.lab = self.lab, lab
        self.history.close()
        self.history = history
        self.clock.bind(lab)
        old.close()

    def reset(self, seed: int | None = None) -> Lab:
        """Serve a new default lab of ``seed`` (default: the current lab's) in place of the current one."""
        lab = self._build(self.lab.seed if seed is None else seed)
        self.history.close()  # its buffered writes first, then the file afresh
        self._truncate_spill()
        self._serve(lab, bound_history(lab.history, self.options.history_limit, self.options.history_spill))
        return lab

    def snapshot(self) -> int:
        """The journal position of the lab now: what ``restore`` takes to come back to it."""
        return self.journal.position

    def restore(self, position: int) -> Lab:
        """Serve the lab as it was at journal ``position`` (rebuilt by replay), recording the restore."""
        if not 0 <= position <= self.journal.position:
            raise ValueError(f"position {position} is not in the journal (0 to {self.journal.position})")
        replica = ServedLab(replace(self.options, history_spill=None), self.base_url,
                            journal=Journal(self.journal.header, self.journal.effective(position)))
        self.journal.append(restore_entry(self.lab.now, position))
        self.clock.mode, self.clock.rate = replica.clock.mode, replica.clock.rate
        self.history.close()
        replica.history.spill_to(self.options.history_spill)  # what the replay let go was dropped
        self._serve(replica.lab, replica.history)
        return replica.lab

    def close(self) -> None:
        """Let go of the lab, the history's spill file and the journal (the server's shutdown has stopped
        the clock)."""
        self.history.close()
        self.lab.close()
        self.journal.close()
