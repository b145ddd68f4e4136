"""``asr-harness experiment`` and ``replay`` (issue 12): a campaign's summary and report, failing runs
saved with a minimal plan and replayed byte for byte (from the file and from the seed), the same
results on local processes and on a Dask cluster as in one process, and one-line errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drlab.cli import app
from drlab.experiments.campaign import run_campaign, summary
from drlab.experiments.categories import CATEGORIES
from drlab.experiments.engines import CampaignEngineError

from . import plants

RUNNER = CliRunner()
SEEDS = range(1, 3)


def test_a_failing_campaign_saves_each_failing_run_and_replay_shows_where_it_broke(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plants.pool_regrants(monkeypatch)
    result = RUNNER.invoke(app, ["experiment", "--seeds", "1", "--faults", "sites,channel", "--report", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "runs: 1, failing: 1" in result.output and "ip-injection" in result.output
    assert "0:00:0" not in result.output  # no progress bar when not on a terminal
    saved = json.loads((tmp_path / "failures" / "seed-1.json").read_text())
    assert set(saved) == {"seed", "scenario", "categories", "plan", "minimal", "violations", "history"}
    assert saved["minimal"] == [] and saved["violations"][0]["rule"] == "ip-injection"
    history = (tmp_path / "failures" / "seed-1.history.jsonl").read_text()
    assert len(history.splitlines()) == saved["history"]["events"]
    page = (tmp_path / "campaign.html").read_text()
    assert 'href="failures/seed-1.json"' in page and 'href="failures/seed-1.history.jsonl"' in page
    assert 'id="violations"' in page and 'id="fault-windows"' in page and "runs: 1, failing: 1" in page
    data = json.loads((tmp_path / "campaign.json").read_text())
    assert data["summary"]["violations"] == {"ip-injection": 1} and data["summary"]["failing"] == [1]

    replayed = RUNNER.invoke(app, ["replay", str(tmp_path / "failures" / "seed-1.json")])
    assert replayed.exit_code == 1
    assert "history: the same as recorded" in replayed.output
    assert "broke at: [ip-injection]" in replayed.output and '"op":"vmm.test-failover"' in replayed.output
    by_seed = RUNNER.invoke(app, ["replay", "1", "--faults", "sites,channel", "--json"])
    assert json.loads(by_seed.output)["history"]["sha256"] == saved["history"]["sha256"]
    minimal = RUNNER.invoke(app, ["replay", str(tmp_path / "failures" / "seed-1.json"), "--minimal", "--json"])
    assert json.loads(minimal.output)["first_violation"]["rule"] == "ip-injection"


def test_a_clean_campaign_exits_0_with_its_summary() -> None:
    result = RUNNER.invoke(app, ["experiment", "--seeds", "2", "--faults", "channel", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["summary"]["runs"], data["summary"]["failing"], data["failing"]) == (2, [], [])
    assert data["summary"]["rto"]["count"] == 4 and data["summary"]["rto"]["min"] > 0
    assert data["options"]["scenario"] == {"vms": 2, "groups": 2, "hosts_per_site": 1, "small": True}


def test_local_processes_and_a_dask_cluster_give_the_results_of_one_process() -> None:
    from distributed import LocalCluster

    here = run_campaign(SEEDS, ["sites", "channel"])
    assert run_campaign(SEEDS, ["sites", "channel"], workers=2) == here
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        assert run_campaign(SEEDS, ["sites", "channel"], scheduler=cluster.scheduler_address) == here
    assert summary(here)["runs"] == 2 and [r["seed"] for r in here] == list(SEEDS)


def test_without_the_campaign_extra_scheduler_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(CampaignEngineError, match=r"asr-harness\[campaign\]"):
        run_campaign(SEEDS, ["sites"], scheduler="tcp://127.0.0.1:8786")
    result = RUNNER.invoke(app, ["experiment", "--seeds", "1", "--faults", "sites", "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 2 and "pip install 'asr-harness[campaign]'" in result.output


@pytest.mark.parametrize("args, message", [
    (["experiment", "--seeds", "2", "--faults", "bogus"], "fault categories are sites, channel, network, api, identity, component, time, data; got bogus"),
    (["replay", "nowhere.json"], "cannot read nowhere.json"),
    (["replay", "1", "--faults", "wan"], "fault categories are"),
])
def test_usage_errors_exit_2_with_one_line(args: list[str], message: str) -> None:
    result = RUNNER.invoke(app, args)
    assert result.exit_code == 2 and message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_campaign_over_every_fault_category_keeps_every_promise() -> None:
    """The CI size of the 200-run campaign (bench: ``asr-harness experiment --seeds 200`` over every
    category): every category drawn, on two workers, and no invariant broken."""
    runs = run_campaign(range(1, 17), list(CATEGORIES), workers=2)
    assert len(runs) == 16 and summary(runs)["failing"] == []
    drawn = {rule["match"].get("point") or "net" for run in runs for rule in run["plan"]}
    assert len(drawn) >= 5, drawn  # the plans reach several components, not only the network
