"""``asr-harness lab …``: the control API from a shell (the client pointed at an in-process lab)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner, Result

from drlab import cli_lab
from drlab.cli import app
from drlab.control import LabControl
from drlab.httpx_transport import HttpxEmulatorTransport
from drlab.serve_lab import ServedLab

from .conftest import BASE_URL

CA = "/nonexistent/ca.pem"  # never read: the transport is in process


@pytest.fixture(autouse=True)
def in_process(served: ServedLab, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def connect(url: str, ca: str | None) -> LabControl:
        assert (url, ca) == (BASE_URL, CA)
        return LabControl(url, transport=HttpxEmulatorTransport(served))
    monkeypatch.setattr(cli_lab, "connect", connect)
    yield


def lab(*args: str) -> Result:
    return CliRunner().invoke(app, ["lab", *args, "--url", BASE_URL, "--ca", CA])


def test_advance_prints_the_clock(served: ServedLab) -> None:
    result = lab("advance", "3600")
    assert result.exit_code == 0 and result.stdout.startswith("t=3600.02 s (2026-01-01T01:00:00.021000Z), time mode manual")
    assert served.lab.now == pytest.approx(3600.021)
    assert json.loads(lab("advance", "--to", "2026-01-01T02:00:00Z", "--json").stdout)["now"] == 7200


def test_url_and_ca_come_from_the_environment_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASR_HARNESS_URL", BASE_URL)
    monkeypatch.setenv("ASR_HARNESS_CA", CA)
    assert CliRunner().invoke(app, ["lab", "clock"]).stdout.endswith("time mode manual\n")


def test_a_refusal_is_one_line_on_stderr_and_exit_1() -> None:
    result = lab("advance", "1e12")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("asr-harness lab: error: InvalidClockAdvance: 'seconds' must be")
    usage = lab("advance")
    assert usage.exit_code == 2 and usage.stderr == "asr-harness lab: error: give SECONDS or --to, one of them\n"


def test_faults_add_list_and_heal() -> None:
    added = lab("add-fault", '{"action": "partition", "match": {"src": "vmm-ny", "dst": "asr", "bidirectional": true}}')
    assert added.exit_code == 0 and added.stdout == "fault-1: partition vmm-ny<->asr, active, fired 0\n"
    lab("add-fault", '{"id": "slow", "action": "delay", "params": {"seconds": 2}, "count": 3, "duration": 60}')
    assert lab("faults").stdout.splitlines()[1] == "slow: delay, active, fired 0, 3 left, 60 s left"
    assert [fault["id"] for fault in json.loads(lab("faults", "--json").stdout)] == ["fault-1", "slow"]
    assert lab("heal", "fault-1").stdout == "healed fault-1\n"
    assert lab("heal").stdout == "healed slow\n" and lab("faults").stdout == "no faults\n"
    bad = lab("add-fault", "{not json")
    assert bad.exit_code == 2 and bad.stderr.startswith("asr-harness lab: error: the rule is not JSON")


def test_history_as_text_or_json_lines(served: ServedLab) -> None:
    lab("advance", "600")
    lines = lab("history", "--op", "provider.*", "--json").stdout.splitlines()
    assert lines and [json.loads(line)["op"] for line in lines] == [e.op for e in served.lab.history.select(op="provider.*")]
    text = lab("history", "--node", "harness")
    first = served.lab.history.select(node="harness")[0].index
    assert text.stdout.startswith(f"{first} t=0.021 harness harness.advance info {{")
    paged = lab("history", "--limit", "1")
    assert paged.stderr == "… more: --after 0\n"


def test_mode_nodes_and_reset(served: ServedLab) -> None:
    assert lab("mode", "auto", "--rate", "60").stdout.endswith("time mode auto at 60x\n")
    assert "vmm-ny" in lab("nodes").stdout.splitlines()
    lab("advance", "600")
    assert lab("reset").stdout.startswith("lab reset: seed 5, fabrics ")
    assert served.lab.now < 1


def test_a_ca_bundle_that_cannot_be_read_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_lab, "connect", None)  # the real client
    result = lab("clock")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"asr-harness lab: error: InvalidCaBundle: cannot load the CA bundle {CA}")


def test_snapshot_and_restore(served: ServedLab) -> None:
    mark = lab("snapshot")
    assert mark.exit_code == 0 and mark.stdout == "0\n"
    lab("advance", "600")
    assert json.loads(lab("snapshot", "--json").stdout) == {"id": 1}
    assert lab("restore", "0").stdout == "lab restored to snapshot 0: t=0.021 s\n" and served.lab.now < 1
    missing = lab("restore", "9")
    assert missing.exit_code == 1 and missing.stderr.startswith("asr-harness lab: error: SnapshotNotFound:")


def test_topology_commands(served: ServedLab) -> None:
    assert lab("add-host", "--site", "recovery").stdout == "host hv-chi-3 added to the recovery site\n"
    assert lab("add-cloud", "Silver").stdout == "cloud Silver added to the primary site\n"
    assert lab("add-vm", "Silver-VM1", "--cloud", "Silver").stdout.startswith("VM Silver-VM1 added to cloud Silver on ")
    refused = lab("add-vm", "Silver-VM1", "--cloud", "Silver")
    assert refused.exit_code == 1 and refused.stderr.startswith("asr-harness lab: error: InvalidTopology:")
