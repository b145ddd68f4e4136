"""``asr-harness drill`` (issue 12): exit 0 with the timeline and verdicts on a fresh lab, an HTML report
whose charts hold every VM and group, fault windows when a plan is given, the same seed giving the
same history and report data byte for byte, one-line usage errors (exit 2) and exit 1 on a violation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drlab.cli import app

from . import plants

RUNNER = CliRunner()
PLAN = [{"action": "partition", "match": {"src": "vmm-chi", "dst": "asr", "bidirectional": True}, "start": 880,
         "end": 1300},
        {"action": "delay", "params": {"seconds": 5}, "match": {"point": "net.send", "src": "hv-ny-1"}, "duration": 900}]


def _embedded(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    assert found is not None
    return json.loads(found.group(1).replace("<\\/", "</"))


def test_drill_seed_1_exits_0_prints_the_timeline_and_verdicts_and_reports_the_same_bytes_twice(tmp_path: Path) -> None:
    first = RUNNER.invoke(app, ["drill", "--seed", "1", "--report", str(tmp_path / "a")])
    assert first.exit_code == 0, first.output
    for expected in ("Timeline", "Gold-VM1", "Gold-VM2", "PlannedFailover", "TestFailoverCleanup", "RPO (s)",
                     "RTO (s)", "Verdicts", "ordering", "data-loss", "ip-injection", "work-once", "holds"):
        assert expected in first.output
    assert "VIOLATED" not in first.output
    second = RUNNER.invoke(app, ["drill", "--seed", "1", "--report", str(tmp_path / "b")])
    assert second.exit_code == 0
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == ["drill-seed-1.history.jsonl", "drill-seed-1.html", "drill-seed-1.json"]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    page = (tmp_path / "a" / "drill-seed-1.html").read_text()
    assert 'href="drill-seed-1.history.jsonl"' in page and "every invariant holds" in page
    assert "plotly" in page.lower() and 'id="gantt"' in page and 'id="distribution"' in page
    data = _embedded(page)
    assert data == json.loads((tmp_path / "a" / "drill-seed-1.json").read_text())
    bars = data["gantt"]
    assert {b["vm"] for b in bars} == {None, "Gold-VM1", "Gold-VM2"}
    assert {(b["operation"], b["group"]) for b in bars if b["vm"] is None} >= {
        ("PlannedFailover", "Shutdown"), ("PlannedFailover", "Failover"), ("PlannedFailover", "Group 1"),
        ("PlannedFailover", "Group 2"), ("TestFailover", "Group 1"), ("TestFailover", "Group 2")}
    planned = [r for r in data["timeline"] if r["operation"] == "PlannedFailover"]
    assert [(r["vm"], r["rpo"]) for r in planned] == [("Gold-VM1", 0.0), ("Gold-VM2", 0.0)]
    assert all(r["rto"] > 0 for r in planned) and planned[0]["rto"] < planned[1]["rto"]  # group 2 boots later
    history = (tmp_path / "a" / "drill-seed-1.history.jsonl").read_text()
    assert len(history.splitlines()) == data["history"]["events"]
    assert "wall" not in json.dumps(data)


def test_a_fault_plan_shows_its_windows_in_the_output_and_over_the_chart(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN))
    result = RUNNER.invoke(app, ["drill", "--faults", str(plan), "--report", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(f["action"], f["start"], f["end"], f["healed"]) for f in data["faults"]] == [
        ("partition", 880.0, 1300.0, "window ended"), ("delay", 0.0, 900.0, "window ended")]
    assert data["plan"] == PLAN
    page = (tmp_path / "drill-seed-1.html").read_text()
    assert "fault fault-1 (partition)" in page and "fault fault-2 (delay)" in page
    assert _embedded(page)["faults"] == data["faults"]


@pytest.mark.parametrize("args, message", [
    (["--vms", "0"], "vms must be an int >= 1"),
    (["--faults", "missing.json"], "cannot read the fault plan"),
])
def test_usage_errors_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = RUNNER.invoke(app, ["drill", *args])
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_a_fault_plan_naming_what_the_lab_lacks_is_a_usage_error(tmp_path: Path) -> None:
    for body, message in (('[{"action": "boom"}]', "fault rule 1: 'action' must be one of"),
                          ('[{"action": "drop", "match": {"src": "nowhere"}}]', "no node named"),
                          ('{"rule": 1}', "a fault plan is a JSON list"),
                          ('[{"action": "drop", "end": "2026-01-01T00:00:00Z"}]', "seconds from the drill's start")):
        plan = tmp_path / "plan.json"
        plan.write_text(body)
        result = RUNNER.invoke(app, ["drill", "--faults", str(plan)])
        assert (result.exit_code, len(result.output.strip().splitlines())) == (2, 1), result.output
        assert message in result.output


def test_a_violation_exits_1_and_is_shown(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plants.failover_drops_last_write(monkeypatch)
    result = RUNNER.invoke(app, ["drill", "--report", str(tmp_path)])
    assert result.exit_code == 1
    assert "VIOLATED" in result.output and "[data-loss]" in result.output and "lost writes" in result.output
    page = (tmp_path / "drill-seed-1.html").read_text()
    assert "2 violation(s)" in page and "[data-loss]" in page


@pytest.mark.parametrize("args, code, named", [
    (["drill", "--seed", "1", "--json"], 0, None),
    (["drill", "--vms", "0"], 2, "vms must be an int >= 1"),
    (["experiment", "--seeds", "0", "--faults", "sites"], 2, "'--seeds'"),
    (["replay"], 2, "Missing argument 'target'"),
])
def test_the_console_script_exits_with_the_drill_codes(args: list[str], code: int, named: str | None,
                                                       capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from drlab.cli import main

    monkeypatch.setattr("sys.argv", ["asr-harness", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    out, err = capsys.readouterr()
    assert exited.value.code == code
    if named is None:
        assert json.loads(out)["verdicts"] and err == ""
    else:
        assert err.count("\n") == 1 and named in err
