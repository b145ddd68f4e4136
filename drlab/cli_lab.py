"""``asr-harness lab …``: steer a served lab from a shell through its control API (``drlab.control``).

    asr-harness lab advance 3600 --url https://127.0.0.1:8443 --ca /tmp/…/ca.pem
    asr-harness lab add-fault '{"action": "partition", "match": {"src": "vmm-ny", "dst": "asr"}}'
    asr-harness lab faults --json
    asr-harness lab heal fault-1          # or no id: every fault
    asr-harness lab history --op 'provider.*' --limit 20
    asr-harness lab snapshot              # prints an id; later: asr-harness lab restore ID
    asr-harness lab add-vm Gold-VM3 --cloud Gold   # also add-host, add-cloud

``--url``/``--ca`` default to ``$ASR_HARNESS_URL``/``$ASR_HARNESS_CA`` (the ready line's ``base_url`` and
``ca_bundle``). Text by default, the API's JSON with ``--json`` (history: JSON Lines). A refusal or an
unreachable server is one line on stderr, exit status 1.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

from .serve_time import TimeMode

if TYPE_CHECKING:
    from .control import ClockState, Fault, LabControl

__all__ = ["lab_app"]

lab_app = typer.Typer(no_args_is_help=True, help="Steer a served lab (asr-harness serve) through /_harness/.")

_URL = typer.Option(..., "--url", envvar="ASR_HARNESS_URL", help="The served lab's base_url (its ready line's).")
_CA = typer.Option(None, "--ca", envvar="ASR_HARNESS_CA", help="The CA bundle to trust (its ready line's ca_bundle).")
_JSON = typer.Option(False, "--json", help="Print the API's JSON instead of text.")

#: How the commands make their client (``None``: ``LabControl``); a test points it at an in-process transport.
connect: Callable[[str, str | None], LabControl] | None = None


@contextmanager
def _control(url: str, ca: str | None) -> Iterator[LabControl]:
    """A client of ``url``; a ``ControlError`` inside ends the command with one line (exit 1)."""
    from .control import ControlError, LabControl  # httpx and the control API's codec load only here

    try:
        with (connect or LabControl)(url, ca) as control:
            yield control
    except ControlError as error:
        typer.echo(f"asr-harness lab: error: {error}", err=True)
        raise typer.Exit(1) from None


def _echo(as_json: bool, raw: Any, text: str) -> None:
    typer.echo(json.dumps(raw) if as_json else text)


def _clock_text(clock: ClockState) -> str:
    text = f"t={clock.now:g} s ({clock.raw['utc']}), time mode {clock.mode.value}"
    return text + (f" at {clock.rate:g}x" if clock.mode is TimeMode.AUTO else "")


def _fault_text(fault: Fault) -> str:
    match = fault.raw.get("match", {})
    ends = f" {match.get('src', '*')}{'<->' if match.get('bidirectional') else '->'}{match.get('dst', '*')}"
    where = f" at {match['point']}" if "point" in match else ""
    left = "" if fault.remaining_count is None else f", {fault.remaining_count} left"
    window = "" if fault.remaining_seconds is None else f", {fault.remaining_seconds:g} s left"
    return (f"{fault.id}: {fault.action}{ends if 'src' in match or 'dst' in match else ''}{where}, "
            f"{'active' if fault.active else 'waiting'}, fired {fault.fired}{left}{window}")


@lab_app.command()
def clock(url: str = _URL, ca: str | None = _CA, as_json: bool = _JSON) -> None:
    """Show the lab's virtual time and time mode."""
    with _control(url, ca) as control:
        state = control.clock()
    _echo(as_json, state.raw, _clock_text(state))


@lab_app.command()
def advance(seconds: float | None = typer.Argument(None, help="Virtual seconds to run."),
            to: str | None = typer.Option(None, "--to", help="Run until this instant (seconds or ISO 8601)."),
            url: str = _URL, ca: str | None = _CA, as_json: bool = _JSON) -> None:
    """Move the lab's virtual time forward, running everything due."""
    if (seconds is None) == (to is None):
        typer.echo("asr-harness lab: error: give SECONDS or --to, one of them", err=True)
        raise typer.Exit(2)
    with _control(url, ca) as control:
        state = control.advance(seconds) if seconds is not None else control.advance_to(_instant(to or ""))
    _echo(as_json, state.raw, _clock_text(state))


def _instant(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text  # an ISO 8601 date-time: the server parses and checks it


@lab_app.command()
def mode(time_mode: TimeMode = typer.Argument(..., help="manual, on-poll or auto."),
         rate: float | None = typer.Option(None, help="auto mode: virtual seconds per wall second."),
         url: str = _URL, ca: str | None = _CA, as_json: bool = _JSON) -> None:
    """Switch the lab's time mode."""
    with _control(url, ca) as control:
        state = control.set_mode(time_mode, rate)
    _echo(as_json, state.raw, _clock_text(state))


@lab_app.command()
def faults(url: str = _URL, ca: str | None = _CA, as_json: bool = _JSON) -> None:
    """List the lab's fault rules: ids, what they do, what is left of them."""
    with _control(url, ca) as control:
        found = control.faults()
    _echo(as_json, [fault.raw for fault in found], "\n".join(_fault_text(f) for f in found) or "no faults")


@lab_app.command("add-fault")
def add_fault(rule: str = typer.Argument(..., help="The rule as JSON (CONTROL.md, faults)."),
              url: str = _URL, ca: str | None = _CA, as_json: bool = _JSON) -> None:
    """Add a fault rule (partition, drop, delay, duplicate, reset, refuse, fail)."""
    try:
        body = json.loads(rule)
    except ValueError as error:
        typer.echo(f"asr-harness lab: error: the rule is not JSON: {error}", err=True)
        raise typer.Exit(2) from None
    if not isinstance(body, dict):
        typer.echo("asr-harness lab: error: the rule must be a JSON object", err=True)
        raise typer.Exit(2)
    with _control(url, ca) as control:
        fault = control.add_fault(body)
    _echo(as_json, fault.raw, _fault_text(fault))


@lab_app.command()
def heal(fault_id: str | None = typer.Argument(None, help="The fault's id; none: heal every fault."),
         url: str = _URL, ca: str | None = _CA, as_json: bool = _JSON) -> None:
    """Heal one fault, or all of them."""
    with _control(url, ca) as control:
        healed = control.heal(fault_id)
    _echo(as_json, {"healed": healed}, f"healed {', '.join(healed)}" if healed else "nothing to heal")


@lab_app.command()
def history(op: str | None = typer.Option(None, help="An op, or a prefix ending in * (provider.*)."),
            node: str | None = typer.Option(None, help="Only this node's events."),
            phase: str | None = typer.Option(None, help="invoke, ok, fail or info."),
            since: str | None = typer.Option(None, help="From this instant (seconds or ISO 8601)."),
            until: str | None = typer.Option(None, help="Up to this instant."),
            after: int | None = typer.Option(None, help="Only events after this index (paging)."),
            limit: int | None = typer.Option(None, help="At most this many events."),
            url: str = _URL, ca: str | None = _CA, as_json: bool = _JSON) -> None:
    """Print the lab's history, filtered: text, or JSON Lines with --json."""
    with _control(url, ca) as control:
        page = control.history(op=op, node=node, phase=phase, since=_instant(since) if since else None,
                               until=_instant(until) if until else None, after=after, limit=limit)
    for event in page.events:
        typer.echo(event.to_json() if as_json else
                   f"{event.index} t={event.time:g} {event.node} {event.op} {event.phase.value} "
                   f"{json.dumps(event.details, sort_keys=True)}")
    if page.more and not as_json:
        typer.echo(f"… more: --after {page.next_after}", err=True)


@lab_app.command()
def nodes(url: str = _URL, ca: str | None = _CA, as_json: bool = _JSON) -> None:
    """The lab's node names (what a fault's src and dst name)."""
    with _control(url, ca) as control:
        names = control.nodes()
    _echo(as_json, names, "\n".join(names))


@lab_app.command()
def reset(seed: int | None = typer.Option(None, help="A new seed; default: the served one."),
          url: str = _URL, ca: str | None = _CA, as_json: bool = _JSON) -> None:
    """Rebuild the served lab afresh, in place (same seed: the same ids)."""
    with _control(url, ca) as control:
        info = control.reset(seed)
    _echo(as_json, vars(info), f"lab reset: seed {info.seed}, fabrics {', '.join(info.fabrics)}")


@lab_app.command()
def snapshot(url: str = _URL, ca: str | None = _CA, as_json: bool = _JSON) -> None:
    """Print an id for the lab as it is now, for ``restore``."""
    with _control(url, ca) as control:
        snapshot_id = control.snapshot()
    _echo(as_json, {"id": snapshot_id}, str(snapshot_id))


@lab_app.command()
def restore(snapshot_id: int = typer.Argument(..., help="What snapshot printed."),
            url: str = _URL, ca: str | None = _CA, as_json: bool = _JSON) -> None:
    """Serve the lab as it was at a snapshot, rebuilt by replay."""
    with _control(url, ca) as control:
        info = control.restore(snapshot_id)
    _echo(as_json, vars(info), f"lab restored to snapshot {snapshot_id}: t={info.now:g} s")


@lab_app.command("add-host")
def add_host(site: str = typer.Option("primary", help="primary or recovery."),
             url: str = _URL, ca: str | None = _CA, as_json: bool = _JSON) -> None:
    """Add the site's next Hyper-V host (Add-SCVMHost), in every cloud of the site."""
    with _control(url, ca) as control:
        host = control.add_host(site)
    _echo(as_json, host, f"host {host['name']} added to the {host['site']} site")


@lab_app.command("add-cloud")
def add_cloud(name: str = typer.Argument(..., help="The cloud's name."),
              site: str = typer.Option("primary", help="primary or recovery."),
              disaster_recovery: bool = typer.Option(True, help="Flag it for DR (ASR then sees it)."),
              url: str = _URL, ca: str | None = _CA, as_json: bool = _JSON) -> None:
    """Add a cloud over the site's hosts (New-SCCloud), synced to ASR."""
    with _control(url, ca) as control:
        cloud = control.add_cloud(name, site, disaster_recovery=disaster_recovery)
    _echo(as_json, cloud, f"cloud {cloud['name']} added to the {cloud['site']} site")


@lab_app.command("add-vm")
def add_vm(name: str = typer.Argument(..., help="The VM's name."),
           cloud: str = typer.Option(..., help="The cloud to place it in."),
           url: str = _URL, ca: str | None = _CA, as_json: bool = _JSON) -> None:
    """Add a running VM to a cloud (New-SCVirtualMachine), synced to ASR."""
    with _control(url, ca) as control:
        vm = control.add_vm(name, cloud)
    _echo(as_json, vm, f"VM {vm['name']} added to cloud {vm['cloud']} on {vm['host']}")
