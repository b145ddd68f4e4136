"""The served lab's journal: every input that changed it, in order, so the lab can be rebuilt.

A lab is live Python objects and scheduled callbacks, which do not serialise; it is also a
deterministic simulation. So its state is kept as what made it (event sourcing): the seed, then each
state-changing input — a request that reached the ARM surface other than a GET (refused ones too:
any non-GET tells the Providers' polls to look again), a GET that moved the lab (an on-poll poll
that let time pass), a control call that changed something (advance, mode, faults, reset, topology),
an auto-mode advance, a restore — each with the virtual time it was applied at and, for a request,
the status it got. Replaying the same entries on a lab of the same seed rebuilds the same state: the
same resources, jobs, counters and random streams, so no name repeats after a restart.

Entries are JSON Lines after a header line (``FORMAT``, ``VERSION``, the seed, the initial time mode
and rate). With a file (``serve --state DIR``), each entry is appended, flushed and ``os.fsync``-ed
before the request is answered (policy ``FSYNC_EVERY_ENTRY``): no acknowledged write is lost, on
SIGTERM nor on SIGKILL. A last line without its newline is a write cut short by a kill, never
acknowledged: it is dropped. Anything else that does not read is refused (``JournalError``, one line),
as is a journal of another format, version or seed. One server at a time holds a journal (a lock).

Positions are entry counts: position ``p`` is the lab after the first ``p`` entries. A restore entry
(``{"kind": "restore", "id": p}``) makes the lab at its position the lab at ``p``; ``effective(p)``
follows restores back to the entries that, replayed from scratch, give the lab at ``p``.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

__all__ = ["Journal", "JournalError", "Header", "FORMAT", "VERSION", "FSYNC_EVERY_ENTRY", "JOURNAL_FILE",
           "request_entry", "advance_entry", "restore_entry", "entry_request"]

FORMAT = "asr-harness-journal"
VERSION = 1
JOURNAL_FILE = "journal.jsonl"

#: Policy: each entry is on disk (``os.fsync``) before the request it records is answered.
FSYNC_EVERY_ENTRY = True

#: The placeholder token a recorded request carries: the server checks that a bearer token is
#: presented, never its value, so the client's own token is not written to disk.
REPLAY_TOKEN = "Bearer journal"

_KINDS = ("request", "advance", "restore")


class JournalError(ValueError):
    """A journal that cannot be used (corrupt, foreign, another seed, in use, or one that no longer
    replays to what it recorded); the message is one line."""


@dataclass(frozen=True)
class Header:
    """What a lab is rebuilt from before any entry: the seed, the time mode and rate it began in, and
    whether its service is strict (a header without ``strict`` is of a lab that was not)."""

    seed: int
    time_mode: str
    time_rate: float
    strict: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": VERSION, "seed": self.seed, "time_mode": self.time_mode,
                "time_rate": self.time_rate, "strict": self.strict}


def request_entry(at: float, method: str, target: str, headers: Mapping[str, str], body: bytes,
                  status: int) -> dict[str, Any]:
    """A request as recorded: its path and query (the origin is the server's, and may change), headers
    with any bearer token replaced by ``REPLAY_TOKEN`` (a header that is no bearer token is left out:
    replayed without it, it is refused the same way), the body and the status it got."""
    kept = {}
    for name, value in headers.items():
        if name.lower() == "authorization":
            scheme, _, token = value.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                kept[name] = REPLAY_TOKEN
            continue
        kept[name] = value
    return {"kind": "request", "at": at, "method": method, "target": target, "headers": kept,
            "body": base64.b64encode(body).decode("ascii"), "status": status}


def advance_entry(at: float, seconds: float) -> dict[str, Any]:
    return {"kind": "advance", "at": at, "seconds": seconds}


def restore_entry(at: float, position: int) -> dict[str, Any]:
    return {"kind": "restore", "at": at, "id": position}


def entry_request(entry: Mapping[str, Any]) -> tuple[str, str, dict[str, str], bytes]:
    """(method, target, headers, body) of a request entry."""
    return entry["method"], entry["target"], dict(entry["headers"]), base64.b64decode(entry["body"])


def _checked(entry: Any, line: int) -> dict[str, Any]:
    """``entry`` if it has the shape of an entry (else ``JournalError`` naming the line)."""
    ok = isinstance(entry, dict) and entry.get("kind") in _KINDS and isinstance(entry.get("at"), (int, float))
    if ok and entry["kind"] == "request":
        ok = (isinstance(entry.get("method"), str) and isinstance(entry.get("target"), str)
              and isinstance(entry.get("headers"), dict) and isinstance(entry.get("body"), str)
              and all(isinstance(v, str) for v in entry["headers"].values())
              and isinstance(entry.get("status"), int) and _base64(entry["body"]))
    elif ok and entry["kind"] == "advance":
        ok = isinstance(entry.get("seconds"), (int, float))
    elif ok:
        ok = isinstance(entry.get("id"), int) and 0 <= entry["id"] <= line
    if not ok:
        raise JournalError(f"line {line + 2} of the journal is not an entry this version wrote")
    checked: dict[str, Any] = entry
    return checked


def _base64(text: Any) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except ValueError:
        return False
    return True


@dataclass
class Journal:
    """The entries of one served lab after ``header``, in memory and, with ``path``, on disk."""

    header: Header
    entries: list[dict[str, Any]] = field(default_factory=list)
    path: Path | None = None
    _file: IO[bytes] | None = field(default=None, repr=False)

    @classmethod
    def open(cls, path: Path, header: Header) -> Journal:
        """The journal at ``path`` (made with ``header`` if there is none), locked for this process.
        One whose header is not ``header``'s format, version and seed is refused."""
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        except OSError as error:
            raise JournalError(f"cannot open the journal {path}: {error.strerror}") from None
        file = os.fdopen(descriptor, "r+b", buffering=0)
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            file.close()
            raise JournalError(f"the journal {path} is in use by another asr-harness serve") from None
        try:
            journal = cls._read(file, path, header)
        except BaseException:
            file.close()
            raise
        journal._file = file
        if file.seek(0, os.SEEK_END) == 0:
            journal._write(header.to_json())
        return journal

    @classmethod
    def _read(cls, file: IO[bytes], path: Path, header: Header) -> Journal:
        data = file.read()
        if data and not data.endswith(b"\n"):  # a write a kill cut short: never acknowledged
            data = data[:data.rfind(b"\n") + 1]
            file.truncate(len(data))
        lines = data.splitlines()
        if not lines:
            return cls(header, path=path)
        try:
            first = json.loads(lines[0])
            found = Header(first["seed"], first["time_mode"], first["time_rate"], bool(first.get("strict", False)))
            fmt, version = first["format"], first["version"]
        except (ValueError, KeyError, TypeError):
            raise JournalError(f"{path} is not an asr-harness journal (its first line is no journal header)") from None
        if fmt != FORMAT or version != VERSION:
            raise JournalError(f"{path} is a {fmt} journal of version {version}; this asr-harness reads {FORMAT} "
                               f"version {VERSION}")
        if found.seed != header.seed:
            raise JournalError(f"{path} is the journal of a lab of seed {found.seed}, not {header.seed}: give "
                               f"--seed {found.seed}, or another --state")
        if found.strict != header.strict:
            raise JournalError(f"{path} is the journal of a lab served {'with' if found.strict else 'without'} "
                               f"--strict: serve it {'with' if found.strict else 'without'} --strict, or give another --state")
        journal = cls(found, path=path)
        for number, line in enumerate(lines[1:]):
            try:
                entry = json.loads(line)
            except ValueError:
                raise JournalError(f"line {number + 2} of {path} is not JSON: the journal is corrupt") from None
            journal.entries.append(_checked(entry, number))
        return journal

    @property
    def position(self) -> int:
        """How many entries there are: the position of the lab now."""
        return len(self.entries)

    def append(self, entry: dict[str, Any]) -> int:
        """Record ``entry`` (durably with a file, before returning); the new position."""
        if self._file is not None:
            self._write(entry)
        self.entries.append(entry)
        return self.position

    def _write(self, record: dict[str, Any]) -> None:
        """Append ``record`` durably; if that fails, take back what got written (best effort) and raise."""
        assert self._file is not None
        end = self._file.seek(0, os.SEEK_END)
        try:
            self._file.write(json.dumps(record, separators=(",", ":")).encode() + b"\n")
            if FSYNC_EVERY_ENTRY:
                os.fsync(self._file.fileno())
        except OSError:
            with contextlib.suppress(OSError):
                self._file.truncate(end)
            raise

    def effective(self, position: int | None = None) -> list[dict[str, Any]]:
        """The entries that, replayed on a fresh lab of the seed, give the lab at ``position`` (default
        now): restores followed back to what they restored."""
        at = self.position if position is None else position
        chain: list[dict[str, Any]] = []
        while at > 0:
            entry = self.entries[at - 1]
            if entry["kind"] == "restore":
                at = entry["id"]
                continue
            chain.append(entry)
            at -= 1
        chain.reverse()
        return chain

    def close(self) -> None:
        if self._file is not None:
            self._file.close()  # the lock goes with it
            self._file = None
