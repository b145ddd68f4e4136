"""``asr-harness drill``, ``experiment`` and ``replay``: fault-injection experiments from the command line.

Exit 0 when every verdict holds, 1 on a violation (or a replay whose history differs from the one
recorded), 2 on a usage error (one line on stderr). ``--json`` prints one JSON document instead of
tables; the progress bar shows only on a terminal. The emulators load when a command runs.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from .experiments.categories import CATEGORIES

if TYPE_CHECKING:
    from rich.table import Table

    from .experiments.scenario import Drill

__all__ = ["drill", "experiment", "replay"]

#: Policy: tables are laid out 120 columns wide when the output is not a terminal (a pipe, a file, a
#: test), so the timeline's columns are not cut to an 80-column guess.
PIPE_WIDTH = 120


class _Out:
    """stdout as a rich console, made on first use (rich loads only for a command that prints)."""

    def print(self, *objects: Any, markup: bool | None = None) -> None:
        from rich.console import Console

        Console(highlight=False, width=None if sys.stdout.isatty() else PIPE_WIDTH).print(*objects, markup=markup)


_OUT = _Out()


def _usage(command: str, message: str) -> typer.Exit:
    typer.echo(f"asr-harness {command}: error: {message}", err=True)
    return typer.Exit(2)


def _table(title: str, head: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for name in head:
        table.add_column(name)
    for row in rows:
        table.add_row(*("-" if cell is None else str(cell) for cell in row))
    return table


def _seconds(value: float | None) -> str | None:
    return None if value is None else f"{value:.1f}"


def _show_drill(data: dict[str, Any]) -> None:
    _OUT.print(f"drill: seed {data['seed']}, {len(data['plan'])} fault rule(s), history {data['history']['events']} "
               f"events, sha256 {data['history']['sha256']}")
    _OUT.print(_table("Steps", ("operation", "outcome"), list(data["steps"].items())))
    _OUT.print(_table("Timeline (seconds from the drill's start)",
                      ("operation", "VM", "start", "failed over", "booted", "failed", "RPO (s)", "RTO (s)"),
                      [(r["operation"], r["vm"], *map(_seconds, (r["start"], r["failedOver"], r["booted"])),
                        r["failed"], *map(_seconds, (r["rpo"], r["rto"]))) for r in data["timeline"]]))
    if data["faults"]:
        _OUT.print(_table("Faults", ("rule", "action", "start", "end", "healed", "fired"),
                          [(f["rule"], f["action"], f["start"], f["end"], f["healed"], f["fired"]) for f in data["faults"]]))
    _OUT.print(_table("Verdicts", ("checker", "verdict", "checked"),
                      [(v["checker"], "holds" if v["ok"] else "VIOLATED", v["checked"]) for v in data["verdicts"]]))
    for violation in data["violations"]:
        _OUT.print(f"[{violation['rule']}] {violation['message']} (events {violation['events']})", markup=False)


def _report(drill_run: Drill, data: dict[str, Any], directory: Path | None) -> Path | None:
    if directory is None:
        return None
    from .experiments.report import write_drill_report

    return write_drill_report(data, drill_run.lab.history.dumps(), directory)


def drill(
    seed: int = typer.Option(1, help="The lab's seed: the same seed gives the same history and report."),
    vms: int = typer.Option(2, help="VMs in the Gold cloud, protected and in the recovery plan."),
    faults: Path | None = typer.Option(None, help="A JSON fault plan: rules as the control API takes them, times "
                                       "in seconds from the drill's start."),
    report: Path | None = typer.Option(None, help="Write an HTML report, its data and the history into this folder."),
    json_output: bool = typer.Option(False, "--json", help="Print the drill's data as one JSON document."),
) -> None:
    """Protect the default lab's VMs, run a recovery plan's test failover, cleanup and planned failover
    (under a fault plan if given), check every invariant, and print the timeline and verdicts."""
    from .experiments.fault_plans import FaultPlanError, load_plan
    from .experiments.results import summarise
    from .experiments.scenario import Scenario, run_drill

    try:
        plan = None if faults is None else load_plan(faults.read_text())
        ran = run_drill(seed, Scenario(vms=vms), plan or [])
    except OSError as error:
        raise _usage("drill", f"cannot read the fault plan: {error}") from None
    except (FaultPlanError, ValueError) as error:
        raise _usage("drill", str(error)) from None
    data = summarise(ran)
    page = _report(ran, data, report)
    if json_output:
        typer.echo(json.dumps(data, sort_keys=True))
    else:
        _show_drill(data)
        if page is not None:
            _OUT.print(f"report: {page}")
    raise typer.Exit(0 if ran.ok else 1)


def _campaign_scenario(vms: int) -> Any:
    """The campaign's scenario (``scenario.CAMPAIGN_SCENARIO``) with ``vms`` VMs."""
    from dataclasses import replace

    from .experiments.scenario import CAMPAIGN_SCENARIO

    return replace(CAMPAIGN_SCENARIO, vms=vms)


def _categories(command: str, text: str) -> list[str]:
    from .experiments.categories import UnknownCategory, check_categories

    try:
        return list(check_categories([name.strip() for name in text.split(",") if name.strip()]))
    except UnknownCategory as error:
        raise _usage(command, str(error)) from None


def _save(results: list[dict[str, Any]], summary: dict[str, Any], options: dict[str, Any], directory: Path) -> Path:
    """The campaign's report, its data, and each failing run's file with its history (re-run: same bytes)."""
    from .experiments.campaign import save_failures
    from .experiments.report import campaign_html
    from .experiments.scenario import Scenario, run_drill

    directory.mkdir(parents=True, exist_ok=True)
    for path in save_failures(results, directory / "failures"):
        saved = json.loads(path.read_text())
        again = run_drill(saved["seed"], Scenario(**saved["scenario"]), saved["plan"])
        path.with_suffix(".history.jsonl").write_text(again.lab.history.dumps())
    (directory / "campaign.json").write_text(json.dumps({"summary": summary, "options": options}, indent=1,
                                                        sort_keys=True) + "\n")
    page = directory / "campaign.html"
    page.write_text(campaign_html(summary, results, options))
    return page


def experiment(
    seeds: int = typer.Option(..., min=1, help="How many runs: seeds first-seed .. first-seed + seeds - 1."),
    faults: str = typer.Option(..., help="Fault categories to draw each run's plan from, comma-separated "
                               f"({', '.join(CATEGORIES)})."),
    workers: int = typer.Option(1, min=1, help="Local processes to run on."),
    scheduler: str | None = typer.Option(None, help="A Dask scheduler's address (tcp://host:8786): run there."),
    report: Path | None = typer.Option(None, help="Write the HTML report, its data and the failing runs here."),
    json_output: bool = typer.Option(False, "--json", help="Print the summary and failing runs as JSON."),
    vms: int = typer.Option(2, min=1, help="VMs of each run's lab (one host a site, no non-DR cloud)."),
    first_seed: int = typer.Option(1, help="The first run's seed."),
) -> None:
    """A campaign: generated fault plans x the drill scenario, every run checked; a summary, and each
    failing run saved with a minimal fault plan."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .experiments.campaign import failing_run, run_campaign, summary as summarise_runs
    from .experiments.engines import CampaignEngineError

    categories = _categories("experiment", faults)
    scenario = _campaign_scenario(vms)
    options = {"seeds": seeds, "first_seed": first_seed, "faults": categories, "scenario": scenario.to_json()}
    shown = not json_output and sys.stderr.isatty()
    with Progress(TextColumn("runs"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), disable=not shown) as progress:
        task = progress.add_task("runs", total=seeds)
        try:
            results = run_campaign(range(first_seed, first_seed + seeds), categories, scenario, workers=workers,
                                   scheduler=scheduler, done=lambda: progress.advance(task))
        except CampaignEngineError as error:
            raise _usage("experiment", str(error)) from None
    summary = summarise_runs(results)
    page = None if report is None else _save(results, summary, options, report)
    if json_output:
        typer.echo(json.dumps({"summary": summary, "options": options,
                               "failing": [failing_run(r) for r in results if r["violations"]]}, sort_keys=True))
    else:
        _show_campaign(summary, results, page)
    raise typer.Exit(1 if summary["failing"] else 0)


def _show_campaign(summary: dict[str, Any], results: list[dict[str, Any]], page: Path | None) -> None:
    _OUT.print(f"experiment: runs: {summary['runs']}, failing: {len(summary['failing'])}")
    _OUT.print(_table("Violations by invariant", ("invariant", "runs"),
                      list(summary["violations"].items()) or [("none violated", 0)]))
    _OUT.print(_table("Steps", ("operation", "outcomes"), [
        (step, ", ".join(f"{k}: {v}" for k, v in counts.items())) for step, counts in summary["steps"].items()]))
    _OUT.print(_table("Planned failover (s)", ("", "VMs", "min", "median", "p95", "max"), [
        (name, d["count"], *(_seconds(d.get(key)) for key in ("min", "median", "p95", "max")))
        for name, d in (("RPO", summary["rpo"]), ("RTO", summary["rto"]))]))
    for result in results:
        if result["violations"]:
            first = result["violations"][0]
            _OUT.print(f"seed {result['seed']}: [{first['rule']}] {first['message']} — minimal plan "
                       f"{len(result['minimal'] or ())} of {len(result['plan'])} rule(s)", markup=False)
    if page is not None:
        _OUT.print(f"report: {page}")


def replay(
    target: str = typer.Argument(..., help="A campaign run's seed, or a saved failing run's JSON file."),
    faults: str = typer.Option("", help="With a seed: the campaign's fault categories (comma-separated)."),
    vms: int = typer.Option(2, min=1, help="With a seed: the campaign's VMs a run."),
    minimal: bool = typer.Option(False, help="With a file: replay its minimal fault plan instead of the full one."),
    report: Path | None = typer.Option(None, help="Write the replay's HTML report, data and history here."),
    json_output: bool = typer.Option(False, "--json", help="Print the replay's data as one JSON document."),
) -> None:
    """Re-run one experiment byte for byte and show where it broke: the first violation and its events."""
    from .experiments.campaign import RunFileError, load_run
    from .experiments.results import first_violation, summarise
    from .experiments.scenario import Scenario, run_drill

    expected = None
    if target.lstrip("-").isdigit():
        categories = _categories("replay", faults) if faults else []
        ran = run_drill(int(target), _campaign_scenario(vms), categories=categories)
    else:
        try:
            saved = load_run(Path(target))
        except RunFileError as error:
            raise _usage("replay", str(error)) from None
        plan = saved.get("minimal") if minimal else saved["plan"]
        expected = None if minimal else saved.get("history", {}).get("sha256")
        ran = run_drill(saved["seed"], Scenario(**saved["scenario"]), plan or [])
    data = summarise(ran)
    page = _report(ran, data, report)
    same = expected is None or expected == data["history"]["sha256"]
    first = first_violation(data)
    if json_output:
        typer.echo(json.dumps({**data, "same_history": same if expected else None, "first_violation": first},
                              sort_keys=True))
    else:
        _show_drill(data)
        if expected is not None:
            _OUT.print("history: the same as recorded" if same else f"history: DIFFERENT from the recorded {expected}")
        if first is not None:
            _OUT.print(f"broke at: [{first['rule']}] {first['message']}", markup=False)
            for index in first["events"]:
                _OUT.print(f"  {ran.lab.history[index].to_json()}", markup=False)
        if page is not None:
            _OUT.print(f"report: {page}")
    raise typer.Exit(0 if ran.ok and same else 1)
