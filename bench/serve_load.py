"""Benchmark: ``asr-harness serve`` under load over HTTPS, beside moto's ``ThreadedMotoServer`` measured in
the same run (the peer a user would pick for another cloud).

* keep-alive GET latency p50/p99 and throughput with 1 and 4 clients (each client its own process and
  connection, so the clients' GIL is not what is measured): asr-harness answers ``GET`` of a fabric
  (~1.5 KB of JSON), moto an S3 ``GetObject`` of a ~700-byte object; the ratios asr-harness / moto;
* then an idle-connection flood against asr-harness: ``FLOOD`` TCP sockets that connect and send
  nothing (a TLS client that never says hello), held while new clients each connect, handshake, GET
  and close; their p50/p99, beside the same without the flood.

moto runs in its own process as ``ThreadedMotoServer`` runs it (werkzeug's threaded server), with TLS
(a trustme certificate, as asr-harness serves) and its per-request log lines silenced; and once more
over plain HTTP ("moto-http", ThreadedMotoServer's own wire), for what the handshakes cost it. It cannot keep
a connection alive: werkzeug answers every request with ``Connection: close`` (its ``run_wsgi``: "Always
close the connection"), so each of its "keep-alive" GETs pays a new TCP connection and TLS handshake —
what a client of it gets. The like-for-like figure on the asr-harness side is "new client". Run by hand (needs the ``bench`` extra):
``python bench/serve_load.py [--requests N] [--runs R] [--http httptools h11]``; prints each run, then min
and median per figure. Each ``--http`` parser (default: both) is its own server, measured beside the
others in every run, so the comparison holds on a shared machine.
Targets (issue 13): p50 <= 0.35 ms with 1 client; p99 for a new client <= 50 ms under the flood.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import resource
import signal
import socket
import ssl
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drlab.serve_limits import HttpParser
from drlab.serve_process import ServeProcess

AUTH = {"Authorization": "Bearer bench"}
S3_AUTH = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/s3/aws4_request, "
                            "SignedHeaders=host, Signature=0"}
FLOOD = 2_000
NEW_CLIENTS = 200
WARMUP = 200


@dataclass(frozen=True)
class Target:
    name: str
    host: str
    port: int
    path: str
    headers: dict[str, str]
    cafile: str
    keeps_alive: bool = True  # moto closes every connection (module docstring)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _connect(target: Target) -> http.client.HTTPConnection:
    """A connection to ``target``: HTTPS trusting its CA, plain HTTP if it has none."""
    connection = http.client.HTTPConnection(target.host, target.port, timeout=30) if not target.cafile else \
        http.client.HTTPSConnection(target.host, target.port, timeout=30,
                                    context=ssl.create_default_context(cafile=target.cafile))
    connection.connect()
    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return connection


def _get(connection: http.client.HTTPConnection, target: Target) -> None:
    connection.request("GET", target.path, headers=target.headers)
    response = connection.getresponse()
    body = response.read()
    closed = response.getheader("connection", "").lower() == "close"
    if response.status != 200 or closed and target.keeps_alive:
        raise RuntimeError(f"{target.name}: {response.status} {response.getheader('connection')} {body[:200]!r}")


def _client(target: Target, requests: int, barrier: Any, results: Any) -> None:
    """One client process: warm up, wait for the others, then ``requests`` GETs on one connection."""
    connection = _connect(target)
    for _ in range(WARMUP):
        _get(connection, target)
    barrier.wait()
    latencies = []
    started = time.perf_counter()
    for _ in range(requests):
        before = time.perf_counter()
        _get(connection, target)
        latencies.append(time.perf_counter() - before)
    results.put((started, time.perf_counter(), latencies))
    connection.close()


def keep_alive(target: Target, clients: int, requests: int) -> dict[str, float]:
    """p50/p99 (ms) and throughput (requests/s, all clients) of keep-alive GETs."""
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(clients), context.Queue()
    workers = [context.Process(target=_client, args=(target, requests, barrier, results)) for _ in range(clients)]
    for worker in workers:
        worker.start()
    runs = [results.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join()
    latencies = [value for _, _, values in runs for value in values]
    elapsed = max(end for _, end, _ in runs) - min(start for start, _, _ in runs)
    return {"p50_ms": 1e3 * _percentile(latencies, 0.5), "p99_ms": 1e3 * _percentile(latencies, 0.99),
            "rps": len(latencies) / elapsed}


def new_clients(target: Target, count: int = NEW_CLIENTS) -> dict[str, float]:
    """p50/p99 (ms) of a new client: connect, TLS handshake, one GET, close."""
    latencies = []
    for _ in range(count):
        before = time.perf_counter()
        connection = _connect(target)
        _get(connection, target)
        connection.close()
        latencies.append(time.perf_counter() - before)
    return {"p50_ms": 1e3 * _percentile(latencies, 0.5), "p99_ms": 1e3 * _percentile(latencies, 0.99)}


def flooded(target: Target, sockets: int = FLOOD) -> dict[str, float]:
    """``new_clients`` while ``sockets`` idle TCP connections (nothing sent) are held open."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, sockets + 1_024)), hard))
    held = []
    try:
        for _ in range(sockets):
            held.append(socket.create_connection((target.host, target.port), timeout=10))
        figures = new_clients(target)
        figures["held"] = float(sum(1 for sock in held if _open(sock)))
        return figures
    finally:
        for sock in held:
            sock.close()


def _open(sock: socket.socket) -> bool:
    """The server has not closed ``sock`` (nothing to read, no EOF)."""
    sock.setblocking(False)
    try:
        return sock.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


# -- moto, in its own process ------------------------------------------------------------------------

def _moto(cert: str | None, key: str | None, ready: Any) -> None:
    import logging

    from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    context = None
    if cert is not None and key is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
    server = make_server("127.0.0.1", 0, DomainDispatcherApplication(create_backend_app), True,
                         request_handler=MotoRequestHandler, ssl_context=context)
    ready.put(server.server_address[1])
    server.serve_forever()


def start_moto(directory: Path | None) -> tuple[Target, Callable[[], None]]:
    """moto over HTTPS with a certificate kept in ``directory``; ``None``: over plain HTTP."""
    import trustme

    cafile = cert = key = None
    if directory is not None:
        ca = trustme.CA()
        leaf = ca.issue_cert("127.0.0.1")
        cafile, cert, key = directory / "moto-ca.pem", directory / "moto-cert.pem", directory / "moto-key.pem"
        ca.cert_pem.write_to_path(str(cafile))
        leaf.cert_chain_pems[0].write_to_path(str(cert))
        leaf.private_key_pem.write_to_path(str(key))
    context = multiprocessing.get_context("spawn")
    ready = context.Queue()
    process = context.Process(target=_moto, args=(cert and str(cert), key and str(key), ready), daemon=True)
    process.start()
    port = ready.get(timeout=60)
    name = "moto" if cafile is not None else "moto-http"
    target = Target(name, "127.0.0.1", port, "/bench/object.json", S3_AUTH, str(cafile or ""), keeps_alive=False)
    for path, body in (("/bench", b""), ("/bench/object.json", b'{"bench": true, "padding": "' + b"x" * 660 + b'"}')):
        connection = _connect(target)
        connection.request("PUT", path, body=body, headers=S3_AUTH)
        connection.getresponse().read()
        connection.close()
    return target, process.terminate


def start_harness(http: HttpParser) -> tuple[Target, Callable[[], None]]:
    process = ServeProcess.start("--seed", "1", "--http", http.value)
    info = process.info
    host, port = info.base_url.removeprefix("https://").rsplit(":", 1)
    path = (f"/subscriptions/{info.subscription_id}/resourceGroups/{info.resource_group}/providers/"
            f"Microsoft.RecoveryServices/vaults/{info.vault}/replicationFabrics/{info.fabrics[0]}"
            "?api-version=2025-08-01")
    return Target(f"asr-harness[{http.value}]", host, int(port), path, AUTH, info.ca_bundle), lambda: _stop(process)


def _stop(process: ServeProcess) -> None:
    stopped = process.stop(signal.SIGTERM)
    if stopped.returncode != 0:
        print(f"asr-harness serve exited {stopped.returncode}: {stopped.stderr[-500:]}")


def one_run(harnesses: list[Target], moto: Target, plain: Target, requests: int,
            moto_requests: int) -> dict[str, float]:
    """Every figure once, the servers measured one after the other for each (so a busy moment of a
    shared machine falls on all of them alike)."""
    figures: dict[str, float] = {}
    for clients in (1, 4):
        for target in (*harnesses, moto, plain):
            count = moto_requests if target in (moto, plain) else requests
            for name, value in keep_alive(target, clients, count).items():
                figures[f"{target.name} {clients}c {name}"] = value
        for harness in harnesses:
            for name in ("p50_ms", "p99_ms", "rps"):
                figures[f"ratio {harness.name}/moto {clients}c {name}"] = (figures[f"{harness.name} {clients}c {name}"]
                                                                          / figures[f"moto {clients}c {name}"])
    for harness in harnesses:
        for name, value in new_clients(harness).items():
            figures[f"{harness.name} new client {name}"] = value
    for harness in harnesses:
        for name, value in flooded(harness).items():
            figures[f"{harness.name} new client, {FLOOD} idle sockets held, {name}"] = value
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3_000, help="GETs per asr-harness client per measurement")
    parser.add_argument("--moto-requests", type=int, default=300, help="GETs per moto client (a connection each)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--http", nargs="+", choices=[p.value for p in HttpParser], default=[p.value for p in HttpParser],
                        help="serve's parsers to measure, each its own server, side by side in every run")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        started = [start_harness(HttpParser(http)) for http in arguments.http]
        harnesses = [target for target, _ in started]
        moto, stop_moto = start_moto(Path(directory))
        plain, stop_plain = start_moto(None)
        try:
            runs = []
            for number in range(arguments.runs):
                runs.append(one_run(harnesses, moto, plain, arguments.requests, arguments.moto_requests))
                print(f"run {number + 1}: " + ", ".join(f"{name} {value:.3g}" for name, value in runs[-1].items()),
                      flush=True)
        finally:
            stop_plain()
            stop_moto()
            for _, stop_harness in started:
                stop_harness()
    print(f"\n{'figure':70} {'min':>10} {'median':>10}")
    for name in runs[0]:
        values = [run[name] for run in runs]
        print(f"{name:70} {min(values):10.3f} {statistics.median(values):10.3f}")


if __name__ == "__main__":
    main()
