"""The ``asr-harness`` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from typer.exceptions import TyperException

from simcore import Delay, FaultRule, Match, Partition, Simulation

from .cli_experiments import drill, experiment, replay
from .cli_lab import lab_app
from .serve_limits import DEFAULT_HISTORY_LIMIT, ConnectionLimits, HttpParser
from .serve_time import DEFAULT_TIME_RATE, TimeMode

_LIMITS = ConnectionLimits()

app = typer.Typer(add_completion=False, no_args_is_help=True, help="asr-harness: a deterministic DR lab.")
app.add_typer(lab_app, name="lab")
app.command()(drill)
app.command()(experiment)
app.command()(replay)


@app.command()
def demo(seed: int = typer.Option(0, help="The lab's seed: the same seed prints the same history.")) -> None:
    """Run a short kernel demonstration and print its history as JSON Lines."""
    sim = Simulation(seed)
    net = sim.network
    net.add_node("hv-primary", address="10.0.1.11", fqdn="hv-primary.contoso.com")
    net.add_node("hv-replica", address="10.0.2.11", fqdn="hv-replica.fabrikam.com")
    received: list[str] = []
    net.listen("hv-replica", 443, lambda server: setattr(server, "on_message", received.append))
    link = net.connect("hv-primary", "hv-replica.fabrikam.com", 443)
    sim.faults.add(FaultRule(Delay(0.2, jitter=0.1), Match(point="net.send"), probability=0.5))
    partition = sim.faults.add(FaultRule(Partition(), Match(src="hv-primary", dst="hv-replica", bidirectional=True)))
    sim.scheduler.call_every(30, lambda: link.send(f"log at t={sim.clock.now:g}"), label="replication cycle")
    sim.scheduler.call_later(95, sim.faults.heal, partition, label="heal")
    sim.advance(150)
    sim.history.record("demo", "received", "ok", {"messages": received})
    typer.echo(sim.history.dumps(), nl=False)
    typer.echo(json.dumps({"seed": seed, "virtual_seconds": sim.clock.now, "delivered": len(received)}), err=True)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="A loopback address to listen on (127.0.0.0/8, ::1, localhost)."),
    port: int = typer.Option(0, help="The TCP port; 0 picks a free one (announced in the ready line)."),
    retry_after: int = typer.Option(0, help="Retry-After seconds on every 202; 30 is what the real service sends."),
    seed: int = typer.Option(0, help="The lab's seed: the same seed serves the same ids."),
    idle_timeout: float = typer.Option(_LIMITS.idle_timeout,
                                       help="Seconds a connection may wait before (or between) requests."),
    request_timeout: float = typer.Option(_LIMITS.request_timeout,
                                          help="Seconds from a request's first byte to its answer (else 408)."),
    handshake_timeout: float = typer.Option(_LIMITS.handshake_timeout,
                                            help="Seconds a client has to complete the TLS handshake."),
    shutdown_grace: float = typer.Option(_LIMITS.shutdown_grace,
                                         help="Seconds answers being written get on SIGINT/SIGTERM."),
    max_connections: int = typer.Option(_LIMITS.max_connections,
                                        help="Open connections; one more closes the longest-idle one."),
    history_limit: int = typer.Option(DEFAULT_HISTORY_LIMIT, help="Events the lab's history keeps in memory (the newest)."),
    history_spill: Path | None = typer.Option(None, help="Append the events let go to this JSON Lines file."),
    time_mode: TimeMode = typer.Option(TimeMode.ON_POLL.value, help="How virtual time moves: on-poll (a poll of a "
                                       "running job moves it 30 s), auto (with the wall clock while anything is "
                                       "pending) or manual."),
    time_rate: float = typer.Option(DEFAULT_TIME_RATE, help="auto mode: virtual seconds per wall second."),
    state: Path | None = typer.Option(None, help="Keep the lab in this directory across restarts: every write is "
                                      "on disk (fsync) before it is answered, so none acknowledged is lost on "
                                      "SIGTERM or SIGKILL; the CA is kept there too (give --port to keep the port). "
                                      "--seed must match the state's; --time-mode/--time-rate apply to a new one."),
    strict: bool = typer.Option(False, help="Refuse what the current ASR refuses that the lab otherwise runs: "
                                "Azure Automation runbooks in a plan between VMM sites (policy PLAN_RUNBOOKS_RUN)."),
    http: HttpParser = typer.Option(HttpParser.HTTPTOOLS.value, help="The HTTP/1.1 parser: httptools (the faster) "
                                    "or h11; the same limits and answers either way."),
) -> None:
    """Serve the default two-site lab's ASR over HTTPS, its Providers registered and synced; print one
    JSON line (base_url, ca_bundle, ids, fabrics, clouds) when ready."""
    from .serve import ServeError, ServeOptions, serve as run_server  # uvicorn and the service load only here

    try:
        try:
            limits = ConnectionLimits(idle_timeout, request_timeout, handshake_timeout, shutdown_grace,
                                      max_connections)
        except ValueError as error:
            raise ServeError("--" + str(error).replace("_", "-")) from None
        options = ServeOptions(host, port, retry_after, seed, limits, history_limit, history_spill, time_mode,
                               time_rate, state, strict, http)
        run_server(options, on_ready=lambda info: typer.echo(info.to_json()))
    except ServeError as error:
        typer.echo(f"asr-harness serve: error: {error}", err=True)
        raise typer.Exit(2) from None


@app.callback()
def _root() -> None:
    """asr-harness: emulators of ASR, SCVMM and Hyper-V Replica on a deterministic lab clock."""


def main() -> None:
    """Run the CLI; a usage error is one line on stderr (exit 2), not a help box."""
    try:
        code = app(standalone_mode=False, prog_name="asr-harness")
    except TyperException as error:
        message = error.format_message() if hasattr(error, "format_message") else str(error)
        if message:  # an empty message: the help was already shown (no arguments)
            print(f"asr-harness: error: {message}", file=sys.stderr)
        sys.exit(getattr(error, "exit_code", 2))
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
