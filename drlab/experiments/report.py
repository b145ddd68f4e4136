"""HTML reports of a drill and of a campaign, drawn with plotly (plotly.js embedded: they open offline).

A drill's report: the verdicts and their violations, each step's outcome, the per-VM timeline
(RPO, RTO), a Gantt chart of the plan's execution (groups, VM steps, actions) with the fault windows
over it, the RPO/RTO distribution, and a link to the history (JSON Lines beside it). A campaign's:
runs and violations by invariant, the RPO/RTO distributions, every run's fault windows, and links
to each failing run's file and history. The report's data is also embedded as JSON
(``<script id="report-data">``); nothing in either comes from the wall clock.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

__all__ = ["drill_html", "campaign_html", "write_drill_report"]

_STYLE = ("body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
          "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.ok{color:#17813b}.bad{color:#b3261e;"
          "font-weight:bold}")
_COLOURS = {"TestFailover": "#4c78a8", "TestFailoverCleanup": "#9ecae9", "PlannedFailover": "#f58518",
            "UnplannedFailover": "#e45756", "fault": "#b3261e"}


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = "".join("<tr>" + "".join(f"<td>{html.escape('' if c is None else str(c))}</td>" for c in row) + "</tr>"
                    for row in rows)
    return "<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + f"</tr>{cells}</table>"


def _figure(fig: go.Figure, div_id: str) -> str:
    return str(pio.to_html(fig, include_plotlyjs=False, full_html=False, div_id=div_id,
                           config={"displaylogo": False}))


def _page(title: str, body: str, data: dict[str, Any]) -> str:
    embedded = json.dumps(data, sort_keys=True).replace("</", "<\\/")
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{_STYLE}</style><script>{get_plotlyjs()}</script></head><body><h1>{html.escape(title)}</h1>"
            f"{body}<script type=\"application/json\" id=\"report-data\">{embedded}</script></body></html>\n")


def _verdicts(data: dict[str, Any]) -> str:
    rows = [(v["checker"], "holds" if v["ok"] else "VIOLATED", v["checked"], v["violations"]) for v in data["verdicts"]]
    listed = "".join(f"<li class=\"bad\">[{html.escape(v['rule'])}] {html.escape(v['message'])} (events "
                     f"{', '.join(map(str, v['events'])) or '-'})</li>" for v in data["violations"])
    verdict = "every invariant holds" if not data["violations"] else f"{len(data['violations'])} violation(s)"
    return (f"<h2>Verdicts: <span class=\"{'ok' if not listed else 'bad'}\">{verdict}</span></h2>"
            + _table(("checker", "verdict", "checked", "violations"), rows) + (f"<ul>{listed}</ul>" if listed else ""))


def gantt_figure(bars: Sequence[dict[str, Any]], faults: Sequence[dict[str, Any]]) -> go.Figure:
    """The plan's execution, one row per group, VM step and action; fault windows shaded over it."""
    fig = go.Figure()
    for operation in dict.fromkeys(bar["operation"] for bar in bars):
        mine = [bar for bar in bars if bar["operation"] == operation]
        rows = [f"{b['operation']} · {b['group']}" + (f" · {b['vm']}" if b["vm"] else "")
                + (f" · action {b['action']}" if b["action"] else "") for b in mine]
        fig.add_trace(go.Bar(name=operation, orientation="h", y=rows, base=[b["start"] for b in mine],
                             x=[max(b["end"] - b["start"], 1.0) for b in mine], marker_color=_COLOURS.get(operation),
                             customdata=[b["state"] for b in mine],
                             hovertemplate="%{y}<br>%{base:.1f} s → %{x:.1f} s long<br>%{customdata}<extra></extra>"))
    if faults:
        fig.add_trace(go.Bar(name="faults", orientation="h", y=[f"fault {f['rule']} ({f['action']})" for f in faults],
                             base=[f["start"] for f in faults], x=[max(f["end"] - f["start"], 1.0) for f in faults],
                             marker_color=_COLOURS["fault"], customdata=[f["fired"] for f in faults],
                             hovertemplate="%{y}<br>fired %{customdata} times<extra></extra>"))
    for fault in faults:
        fig.add_vrect(x0=fault["start"], x1=fault["end"], fillcolor=_COLOURS["fault"], opacity=0.12, line_width=0)
    fig.update_layout(title="Recovery plan execution (seconds from the drill's start)", barmode="overlay",
                      xaxis_title="virtual seconds", yaxis={"autorange": "reversed"},
                      height=max(300, 26 * (len(bars) + len(faults)) + 120))
    return fig


def distribution_figure(rpo: Sequence[float], rto: Sequence[float], title: str) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Histogram(x=list(rto), name="RTO (s)", marker_color="#4c78a8", opacity=0.75))
    fig.add_trace(go.Histogram(x=list(rpo), name="RPO (s)", marker_color="#f58518", opacity=0.75))
    fig.update_layout(title=title, barmode="overlay", xaxis_title="seconds", yaxis_title="VMs", height=360)
    return fig


def drill_html(data: dict[str, Any], history_name: str) -> str:
    """A drill's report page for its ``results.summarise`` data; ``history_name``: the JSONL beside it."""
    rows = [(r["operation"], r["vm"], r["start"], r["failedOver"], r["booted"], r["failed"], r["rpo"], r["rto"])
            for r in data["timeline"]]
    planned = [r for r in data["timeline"] if r["operation"] == "PlannedFailover"]
    body = (_verdicts(data)
            + f"<p>seed {data['seed']} · scenario {html.escape(json.dumps(data['scenario'], sort_keys=True))} · "
              f"{len(data['plan'])} fault rule(s) · history: <a href=\"{html.escape(history_name)}\">"
              f"{html.escape(history_name)}</a> ({data['history']['events']} events, sha256 "
              f"{data['history']['sha256'][:16]}…)</p>"
            + "<h2>Steps</h2>" + _table(("operation", "outcome"), list(data["steps"].items()))
            + "<h2>Timeline</h2>" + _table(("operation", "VM", "start", "failed over", "booted", "failed", "RPO (s)",
                                            "RTO (s)"), rows)
            + _figure(gantt_figure(data["gantt"], data["faults"]), "gantt")
            + _figure(distribution_figure([r["rpo"] for r in planned if r["rpo"] is not None],
                                          [r["rto"] for r in planned if r["rto"] is not None],
                                          "Planned failover: RPO and RTO per VM"), "distribution")
            + "<h2>Fault windows</h2>" + _table(("rule", "action", "start", "end", "healed", "fired"), [
                (f["rule"], f["action"], f["start"], f["end"], f["healed"], f["fired"]) for f in data["faults"]]))
    return _page(f"asr-harness drill — seed {data['seed']}", body, data)


def _fault_runs_figure(results: Sequence[dict[str, Any]]) -> go.Figure:
    fig = go.Figure()
    windows = [(r["seed"], f) for r in results for f in r["faults"]]
    fig.add_trace(go.Bar(orientation="h", y=[f"seed {seed}" for seed, _ in windows], base=[f["start"] for _, f in windows],
                         x=[max(f["end"] - f["start"], 1.0) for _, f in windows], marker_color=_COLOURS["fault"],
                         customdata=[f"{f['action']} fired {f['fired']}" for _, f in windows],
                         hovertemplate="%{y}: %{customdata}<extra></extra>", name="fault windows"))
    fig.update_layout(title="Fault windows of every run (seconds from the drill's start)", yaxis={"autorange": "reversed"},
                      xaxis_title="virtual seconds", height=max(300, 14 * len(results) + 120))
    return fig


def campaign_html(summary: dict[str, Any], results: Sequence[dict[str, Any]], options: dict[str, Any]) -> str:
    """A campaign's report page: its ``campaign.summary``, every run's result and the campaign's options."""
    by_rule = summary["violations"]
    bars = go.Figure(go.Bar(x=list(by_rule), y=list(by_rule.values()), marker_color=_COLOURS["fault"]))
    bars.update_layout(title="Runs violating each invariant", yaxis_title="runs", height=320)
    failing = [(r["seed"], ", ".join(sorted({v["rule"] for v in r["violations"]})), len(r["plan"]),
                len(r["minimal"] or ()), f"failures/seed-{r['seed']}.json") for r in results if r["violations"]]
    links = "".join(f"<li><a href=\"failures/seed-{s}.json\">seed {s}</a> · <a href=\"failures/seed-{s}.history.jsonl\">"
                    f"history</a></li>" for s, *_ in failing)
    steps = [(step, ", ".join(f"{k}: {v}" for k, v in counts.items())) for step, counts in summary["steps"].items()]
    body = (f"<h2 class=\"{'ok' if not failing else 'bad'}\">runs: {summary['runs']}, failing: {len(failing)}</h2>"
            f"<p>{html.escape(json.dumps(options, sort_keys=True))}</p>"
            + _table(("invariant", "runs violating"), list(by_rule.items()) or [("every invariant", "held")])
            + _table(("step", "outcomes"), steps)
            + (_figure(bars, "violations") if by_rule else "")
            + _figure(distribution_figure(summary["rpo"]["values"], summary["rto"]["values"],
                                          "Planned failover: RPO and RTO over all runs"), "distribution")
            + _figure(_fault_runs_figure(results), "fault-windows")
            + ("<h2>Failing runs</h2>" + _table(("seed", "invariants", "rules", "minimal rules", "file"), failing)
               + f"<ul>{links}</ul>" if failing else ""))
    return _page("asr-harness experiment", body, {"summary": summary, "options": options, "results": list(results)})


def write_drill_report(data: dict[str, Any], history: str, directory: Path) -> Path:
    """Write ``drill-seed-N.html``, its ``.json`` data and its ``.history.jsonl`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"drill-seed-{data['seed']}"
    (directory / f"{stem}.history.jsonl").write_text(history)
    (directory / f"{stem}.json").write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    page = directory / f"{stem}.html"
    page.write_text(drill_html(data, f"{stem}.history.jsonl"))
    return page
