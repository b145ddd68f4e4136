"""The served lab's journal in process: a lab rebuilt from its journal is the lab that wrote it (the
same resources, jobs, clock and schedule), so the next job's name is new; snapshots restore by
replay; journals of another seed, format or shape are refused with one line, a torn last line (a
kill mid-write) is dropped, and a journal that no longer replays as recorded is refused."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from drlab.control import LabControl
from drlab.httpx_transport import HttpxEmulatorTransport
from drlab.runbook import hyperv_policy
from drlab.serve import ServeOptions
from drlab.serve_journal import JOURNAL_FILE, Header, Journal, JournalError
from drlab.serve_lab import ServedLab
from drlab.serve_time import ServedClock, TimeMode

from .conftest import BASE_URL, arm_error, digest, served_runbook, state

HEADER = Header(3, "on-poll", 600.0)
OPTIONS = ServeOptions(seed=3)


def _open(path: Path, header: Header = HEADER) -> ServedLab:
    return ServedLab(OPTIONS, BASE_URL, journal=Journal.open(path, header))


def _drill(served: ServedLab) -> str:
    """A policy, a pairing, a network mapping and a protected item through the SDK, an hour of
    virtual time through the control API; the protected item's name."""
    book = served_runbook(served)
    book.create_policy()
    book.pair()
    book.map_poller().result()
    name: str = book.enable_poller("Gold-VM1").result().name
    with LabControl(BASE_URL, transport=HttpxEmulatorTransport(served)) as control:
        control.add_fault({"id": "slow", "action": "delay", "params": {"seconds": 1}, "match": {"point": "net.send"},
                           "probability": 0.5})
        control.advance(3600)
    return name


def _job_names(served: ServedLab) -> list[str]:
    return [job.name for job in served_runbook(served).asr.replication_jobs.list(served.lab.resource_group,
                                                                                 served.lab.vault_name)]


def test_a_lab_rebuilt_from_its_journal_is_the_same_lab_and_names_never_repeat(tmp_path: Path) -> None:
    path = tmp_path / JOURNAL_FILE
    served = _open(path)
    item = _drill(served)
    before, jobs = digest(served), _job_names(served)
    served.close()
    again = _open(path)
    assert digest(again) == before and _job_names(again) == jobs
    assert item in json.dumps(before)
    served_runbook(again).create_policy("pol2")
    new = set(_job_names(again)) - set(jobs)
    assert len(new) == 1, "one new job, with a name no job had before the restart"
    again.close()


def test_the_journal_keeps_every_write_on_disk_as_it_is_answered(tmp_path: Path) -> None:
    path = tmp_path / JOURNAL_FILE
    served = _open(path)
    served_runbook(served).create_policy()
    lines = path.read_text().splitlines()
    assert json.loads(lines[0]) == HEADER.to_json() and len(lines) - 1 == served.journal.position
    entry = json.loads(lines[1])
    assert entry["method"] == "PUT" and "replicationPolicies/pol1" in entry["target"]
    assert entry["headers"]["Authorization"] == "Bearer journal", "the client's token is not written down"
    assert (path.stat().st_mode & 0o777) == 0o600
    served.close()


def test_a_torn_last_line_is_dropped_and_the_rest_replays(tmp_path: Path) -> None:
    path = tmp_path / JOURNAL_FILE
    served = _open(path)
    served_runbook(served).create_policy()
    before = digest(served)
    served.close()
    with path.open("ab") as file:
        file.write(b'{"kind": "request", "at": 0, "meth')  # a SIGKILL mid-write: never acknowledged
    again = _open(path)
    assert digest(again) == before and path.read_bytes().endswith(b"\n")
    again.close()


@pytest.mark.parametrize("content, message", [
    (b"not json\n", "is not an asr-harness journal"),
    (b'{"format": "moto-state", "version": 1, "seed": 3, "time_mode": "manual", "time_rate": 1}\n', "moto-state"),
    (json.dumps({**HEADER.to_json(), "version": 99}).encode() + b"\n", "version 99"),
    (json.dumps({**HEADER.to_json(), "seed": 4}).encode() + b"\n", "seed 4, not 3"),
    (json.dumps(HEADER.to_json()).encode() + b"\n{]\n", "line 2"),
    (json.dumps(HEADER.to_json()).encode() + b'\n{"kind": "restore", "at": 0, "id": 5}\n', "line 2"),
])
def test_a_foreign_or_corrupt_journal_is_refused_with_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / JOURNAL_FILE
    path.write_bytes(content)
    with pytest.raises(JournalError, match=message) as refused:
        Journal.open(path, HEADER)
    assert "\n" not in str(refused.value)
    assert path.read_bytes() == content, "a refused journal is left as it was"


def test_a_journal_in_use_is_refused(tmp_path: Path) -> None:
    held = Journal.open(tmp_path / JOURNAL_FILE, HEADER)
    with pytest.raises(JournalError, match="in use"):
        Journal.open(tmp_path / JOURNAL_FILE, HEADER)
    held.close()


def test_a_journal_that_no_longer_replays_as_recorded_is_refused(tmp_path: Path) -> None:
    path = tmp_path / JOURNAL_FILE
    served = _open(path)
    served_runbook(served).create_policy()
    served.close()
    header, entry = path.read_text().splitlines()[:2]
    path.write_text(header + "\n" + json.dumps({**json.loads(entry), "status": 418}) + "\n")
    with pytest.raises(JournalError, match="answered 418 but replays as"):
        _open(path)


def test_snapshot_and_restore_rebuild_the_lab_at_that_point() -> None:
    served = ServedLab(OPTIONS, BASE_URL)  # no file: the journal is kept in memory
    control = LabControl(BASE_URL, transport=HttpxEmulatorTransport(served))
    start = control.snapshot()
    book = served_runbook(served)
    book.create_policy()
    control.advance(600)
    at_policy, state = control.snapshot(), digest(served)
    book.create_policy("pol2")
    control.set_mode(TimeMode.AUTO, rate=60)
    control.advance(600)
    restored = control.restore(at_policy)
    assert restored.now == state[1] and digest(served) == state, "the mode is the one the lab had then, too"
    later = served.journal.position
    control.restore(start)
    assert [p.name for p in served_runbook(served).asr.replication_policies.list(
        served.lab.resource_group, served.lab.vault_name)] == []
    control.restore(later)  # a position after a restore: the lab as that restore left it
    assert digest(served) == state
    served.close()


def test_a_restart_after_a_restore_rebuilds_the_restored_lab(tmp_path: Path) -> None:
    path = tmp_path / JOURNAL_FILE
    served = _open(path)
    book = served_runbook(served)
    book.create_policy()
    mark = served.snapshot()
    book.create_policy("pol2")
    served.restore(mark)
    book.create_policy("pol3")
    before = digest(served)
    served.close()
    again = _open(path)
    assert digest(again) == before
    again.close()


@pytest.mark.parametrize("body, status, code", [
    ({}, 400, "InvalidSnapshotId"), ({"id": "1"}, 400, "InvalidSnapshotId"), ({"id": -1}, 400, "InvalidSnapshotId"),
    ({"id": 1.5}, 400, "InvalidSnapshotId"), ({"id": 99}, 404, "SnapshotNotFound"),
    ({"id": 0, "at": 1}, 400, "InvalidRequestContent"),
])
def test_a_bad_restore_is_an_arm_error_and_changes_nothing(served: ServedLab, http: httpx.Client, body: dict[str, Any],
                                                          status: int, code: str) -> None:
    http.post("/_harness/clock/advance", json={"seconds": 60})
    before, position = state(served), served.journal.position
    arm_error(http.post("/_harness/restore", json=body), status, code)
    assert state(served) == before and served.journal.position == position
    assert http.post("/_harness/snapshot", json={}).json() == {"id": position, "now": served.lab.now}
    assert served.journal.position == position, "a snapshot is not an entry"


def test_a_reset_and_a_mode_switch_in_the_journal_replay_too(tmp_path: Path) -> None:
    path = tmp_path / JOURNAL_FILE
    served = _open(path)
    served_runbook(served).create_policy()
    with LabControl(BASE_URL, transport=HttpxEmulatorTransport(served)) as control:
        control.advance(90)
        control.reset(seed=8)
        control.set_mode(TimeMode.MANUAL)
        control.advance(30)
    before = digest(served)
    served.close()
    again = _open(path)  # the header's seed is 3; the lab served is seed 8's, in manual mode
    assert digest(again) == before and again.lab.seed == 8 and again.clock.mode is TimeMode.MANUAL
    again.close()


def test_auto_mode_advances_are_journaled_and_replayed(tmp_path: Path) -> None:
    wall = [0.0]
    path = tmp_path / JOURNAL_FILE
    header = Header(3, "auto", 600.0)
    served = ServedLab(OPTIONS, BASE_URL, journal=Journal.open(path, header),
                       clock=ServedClock(TimeMode.AUTO, 600.0, wall=lambda: wall[0]))
    book = served_runbook(served)  # in auto mode a poll moves nothing: the policy's job waits for the ticks
    book.asr.replication_policies.begin_create(book.rg, book.vault, "pol1", {"properties": {
        "providerSpecificInput": hyperv_policy()}}, polling=False)
    assert served.clock.auto is not None
    for step in (1.0, 2.5):
        wall[0] = step
        served.clock.auto.touch()
        served.clock.auto.step()
    assert served.lab.now > 1_000 and [e["kind"] for e in served.journal.entries[-2:]] == ["advance", "advance"]
    before = digest(served)
    served.close()
    again = ServedLab(OPTIONS, BASE_URL, journal=Journal.open(path, header))
    assert digest(again) == before
    again.close()


def test_a_write_the_journal_cannot_keep_is_503_and_the_lab_takes_no_more(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / JOURNAL_FILE
    served = _open(path)
    book = served_runbook(served)
    book.create_policy()
    saved = digest(served)

    def full(_: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("drlab.serve_journal.os.fsync", full)
    http = httpx.Client(transport=HttpxEmulatorTransport(served), base_url=BASE_URL, headers={"Authorization": "Bearer t"})
    error = arm_error(http.post("/_harness/clock/advance", json={"seconds": 60}), 503, "StateNotSaved")
    assert "No space left on device" in error["message"] and served.clock.mode is TimeMode.MANUAL
    monkeypatch.undo()
    arm_error(http.post("/_harness/faults", json={"action": "drop"}), 503, "StateNotSaved")
    assert http.get("/_harness/clock").status_code == 200, "reads are still answered"
    served.close()
    again = _open(path)  # what was acknowledged, and nothing else
    assert digest(again) == saved
    again.close()


def test_a_strict_lab_is_served_strict_and_its_journal_only_so(tmp_path: Path) -> None:
    """``serve --strict``: the service refuses what the current ASR refuses; its journal says so, and
    reopening it without --strict (or a plain one with it) is refused in one line."""
    strict = Header(OPTIONS.seed, OPTIONS.time_mode.value, OPTIONS.time_rate, strict=True)
    served = ServedLab(replace(OPTIONS, strict=True), BASE_URL, journal=Journal.open(tmp_path / JOURNAL_FILE, strict))
    assert served.service.strict
    served.close()
    with pytest.raises(JournalError, match="served with --strict: serve it with --strict") as info:
        Journal.open(tmp_path / JOURNAL_FILE, HEADER)
    assert "\n" not in str(info.value)
    Journal.open(tmp_path / "plain.jsonl", HEADER).close()
    with pytest.raises(JournalError, match="without --strict"):
        Journal.open(tmp_path / "plain.jsonl", strict)
