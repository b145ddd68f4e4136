"""``asr-harness serve`` against bad clients, over real sockets on 127.0.0.1 (a subprocess per server).

What the wire sends that the sans-IO suites cannot: a ``Host`` header, malformed HTTP, oversized
declared bodies, clients that idle, drip or stop half way, more connections than the cap, and a
SIGTERM while all of them hang on. The server runs with short limits so the suite stays fast; each
wait below is the limit under test plus slack, never a sleep for its own sake.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.mgmt.recoveryservicessiterecovery import SiteRecoveryManagementClient

from drlab.azure_transport import FakeCredential
from drlab.serve_limits import ConnectionLimits, HttpParser
from drlab.serve_process import ServeProcess
from simcore import History

from .serve_wire import Wire, closed_within, parse, read_answer

pytestmark = pytest.mark.sockets

API = "api-version=2025-08-01"
IDLE, REQUEST, HANDSHAKE = 0.5, 1.0, 1.0
SHORT = ("--idle-timeout", str(IDLE), "--request-timeout", str(REQUEST), "--handshake-timeout", str(HANDSHAKE),
         "--shutdown-grace", "0.5")
SLACK = 2.0  # on top of a limit: a loaded machine's scheduling, never a reason to pass a hung server
POLICY = json.dumps({"properties": {"providerSpecificInput": {
    "instanceType": "HyperVReplica2012R2", "replicationPort": 8083, "authentication": 1,
    "applicationConsistentSnapshotFrequencyInHours": 0, "initialReplicationMethod": "OverNetwork",
    "allowedAuthenticationType": 1, "replicaDeletion": "Required", "recoveryPoints": 0, "compression": "Enable",
    "replicationFrequencyInSeconds": 300}}}).encode()
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module", params=[parser.value for parser in HttpParser])
def served(request: pytest.FixtureRequest) -> Iterator[ServeProcess]:
    """A server per parser: every bound below holds over httptools (the default) and h11 alike."""
    with ServeProcess.start(*SHORT, "--http", request.param) as process:
        yield process
        stopped = process.stop(signal.SIGTERM)
        assert stopped.returncode == 0, stopped.stderr


@pytest.fixture
def wire(served: ServeProcess) -> Wire:
    return Wire(served.info)


def policies(wire: Wire) -> list[str]:
    return [p["name"] for p in wire.request("GET", f"{wire.vault}/replicationPolicies?{API}").json()["value"]]


# -- 5. Location, Azure-AsyncOperation and nextLink never come from Host ---------------------------

def test_a_host_header_never_reaches_a_response(wire: Wire) -> None:
    evil = {"Host": "evil.example", **JSON}
    accepted = wire.request("PUT", f"{wire.vault}/replicationPolicies/host-check?{API}", POLICY, evil)
    assert accepted.status == 202, accepted.raw
    assert b"evil.example" not in accepted.raw
    for header in ("location", "azure-asyncoperation"):
        assert accepted.headers[header].startswith(wire.info.base_url + "/")
    location = accepted.headers["location"].removeprefix(wire.info.base_url)
    polled = wire.request("GET", location, headers={"Host": "evil.example"})
    assert polled.status in (200, 202) and b"evil.example" not in polled.raw


def test_next_link_is_on_the_served_base_url_whatever_host_says(wire: Wire) -> None:
    for i in range(11):
        assert wire.request("PUT", f"{wire.vault}/replicationPolicies/page{i:02}?{API}", POLICY, JSON).status == 202
    listed = wire.request("GET", f"{wire.vault}/replicationJobs?{API}", headers={"Host": "evil.example:1"})
    assert listed.json()["nextLink"].startswith(wire.info.base_url + "/") and b"evil.example" not in listed.raw


# -- 1-4. The request checks, over the wire ------------------------------------------------------

def test_deep_json_is_400_not_500(wire: Wire) -> None:
    answer = wire.request("PUT", f"{wire.vault}/replicationPolicies/deep?{API}", b"[" * 5000 + b"]" * 5000, JSON)
    assert (answer.status, answer.error()["code"]) == (400, "InvalidRequestContent")


def test_a_5000_digit_skiptoken_is_400_not_500(wire: Wire) -> None:
    answer = wire.request("GET", f"{wire.vault}/replicationPolicies?{API}&$skiptoken={'9' * 5000}")
    assert (answer.status, answer.error()["target"]) == (400, "$skiptoken")


def test_a_percent_encoded_slash_in_a_name_is_400_and_not_stored(wire: Wire) -> None:
    answer = wire.request("PUT", f"{wire.vault}/replicationPolicies/a%2Fb?{API}", POLICY, JSON)
    assert (answer.status, answer.error()["code"]) == (400, "InvalidResourceName")
    assert "a/b" not in policies(wire)


def test_a_text_plain_body_is_415(wire: Wire) -> None:
    answer = wire.request("PUT", f"{wire.vault}/replicationPolicies/text?{API}", POLICY, {"Content-Type": "text/plain"})
    assert (answer.status, answer.error()["code"]) == (415, "UnsupportedMediaType")
    assert "text" not in policies(wire)


def test_a_declared_body_over_the_limit_is_413_before_it_is_sent(wire: Wire) -> None:
    head = wire.head("PUT", f"{wire.vault}/replicationPolicies/big?{API}", {**JSON, "Content-Length": str(5 << 20)})
    answer = wire.exchange(head)  # no body follows: the answer must not wait for it
    assert (answer.status, answer.error()["code"]) == (413, "RequestEntityTooLarge")
    assert answer.headers["connection"] == "close"


def test_a_large_body_within_the_limit_is_read_whole(wire: Wire) -> None:
    padded = POLICY + b" " * (3 << 20)  # 3 MiB of whitespace: legal JSON, under the 4 MiB bound
    assert wire.request("PUT", f"{wire.vault}/replicationPolicies/large?{API}", padded, JSON).status == 202


def test_a_streamed_body_over_the_limit_is_413(wire: Wire) -> None:
    head = wire.head("PUT", f"{wire.vault}/replicationPolicies/big?{API}", {**JSON, "Transfer-Encoding": "chunked"})
    with wire.tls() as sock:
        sock.sendall(head)
        chunk = b"x" * (1 << 20)
        try:
            for _ in range(5):
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        except (ConnectionResetError, BrokenPipeError):
            pass  # the server answered and closed before the rest arrived
        received, _ = closed_within(sock, 10)
    answer = parse(received)
    assert (answer.status, answer.error()["code"]) == (413, "RequestEntityTooLarge")


# -- 6. Malformed HTTP gets an ARM error where the server can answer ------------------------------

@pytest.mark.parametrize("raw", [b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
                                 b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nContent-Length: x\r\n\r\n",
                                 b"GET /\xff HTTP/1.1\r\nHost: a\r\n\r\n"])
def test_malformed_http_is_an_arm_error(wire: Wire, raw: bytes) -> None:
    answer = wire.exchange(raw)
    assert (answer.status, answer.error()["code"]) == (400, "InvalidHttpRequest")


def test_oversized_headers_are_431_as_an_arm_error(wire: Wire) -> None:
    answer = wire.exchange(b"GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n")
    assert (answer.status, answer.error()["code"]) == (431, "RequestHeaderFieldsTooLarge")


def test_headers_that_never_end_are_431_once_past_the_limit_not_408_at_the_timeout(wire: Wire) -> None:
    limit = ConnectionLimits().max_header_bytes
    with wire.tls() as sock:
        try:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + b"a" * (limit + 4096))
        except (ConnectionResetError, BrokenPipeError):
            pass  # answered and closed before the rest arrived
        received, took = closed_within(sock, REQUEST + SLACK)
    answer = parse(received)
    assert (answer.status, answer.error()["code"]) == (431, "RequestHeaderFieldsTooLarge") and took < REQUEST


def test_many_small_headers_over_the_limit_are_431(wire: Wire) -> None:
    headers = b"".join(b"X-H%04d: %s\r\n" % (i, b"v" * 10) for i in range(ConnectionLimits().max_header_bytes // 20))
    answer = wire.exchange(b"GET / HTTP/1.1\r\nHost: a\r\n" + headers + b"\r\n")
    assert (answer.status, answer.error()["code"]) == (431, "RequestHeaderFieldsTooLarge")


def test_headers_just_within_the_limit_are_served(wire: Wire) -> None:
    pad = "a" * (ConnectionLimits().max_header_bytes - 2048)
    answer = wire.request("GET", f"{wire.vault}/replicationPolicies?{API}", headers={"X-Pad": pad})
    assert answer.status == 200, answer.raw[:300]


def test_plain_http_on_the_tls_port_is_disconnected_quickly(wire: Wire) -> None:
    """What cannot be answered in HTTP: there is no TLS session to write an answer on."""
    with wire.tcp() as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        _, took = closed_within(sock, HANDSHAKE + SLACK)
    assert took < HANDSHAKE + SLACK


# -- 7. Idle, slow and half-sent clients ------------------------------------------------------------

def test_a_tls_client_that_never_sends_is_closed_after_the_idle_timeout(wire: Wire) -> None:
    with wire.tls() as sock:
        received, took = closed_within(sock, IDLE + SLACK)
    assert received == b"" and IDLE * 0.8 <= took


def test_a_tcp_client_that_never_starts_tls_is_closed_after_the_handshake_timeout(wire: Wire) -> None:
    with wire.tcp() as sock:
        _, took = closed_within(sock, HANDSHAKE + SLACK)
    assert HANDSHAKE * 0.8 <= took


def test_half_sent_headers_get_408_after_the_request_timeout(wire: Wire) -> None:
    with wire.tls() as sock:
        sock.sendall(f"GET {wire.vault}/replicationPolicies?{API} HTTP/1.1\r\nHost: a\r\n".encode())
        received, took = closed_within(sock, REQUEST + SLACK)
    answer = parse(received)
    assert (answer.status, answer.error()["code"]) == (408, "RequestTimeout") and took >= REQUEST * 0.8


def test_a_half_sent_body_gets_408_and_changes_nothing(wire: Wire) -> None:
    head = wire.head("PUT", f"{wire.vault}/replicationPolicies/half?{API}", {**JSON, "Content-Length": str(len(POLICY))})
    with wire.tls() as sock:
        sock.sendall(head + POLICY[:20])
        received, _ = closed_within(sock, REQUEST + SLACK)
    assert parse(received).status == 408
    assert "half" not in policies(wire)


def test_a_client_dripping_one_byte_at_a_time_is_cut_off_at_the_request_timeout(wire: Wire) -> None:
    started = time.monotonic()
    with wire.tls() as sock:
        try:
            for byte in f"GET {wire.vault}/replicationPolicies?{API} HTTP/1.1\r\nHost: a\r\nX-Slow: {'a' * 100}":
                sock.sendall(byte.encode())
                sock.settimeout(0.1)
                try:
                    if sock.recv(65536):
                        break  # the 408 arrived
                except TimeoutError:
                    pass
            else:
                raise AssertionError("the server read a dripping request for 10 s without ending it")
        except (ConnectionResetError, BrokenPipeError):
            pass
    assert time.monotonic() - started < REQUEST + SLACK


def test_a_new_client_is_served_while_others_idle_and_keep_alive_works(wire: Wire) -> None:
    idle = [wire.tls() for _ in range(20)]
    try:
        with wire.tls() as sock:  # two requests on one connection: keep-alive still works
            for _ in range(2):
                sock.sendall(wire.head("GET", f"{wire.vault}/replicationPolicies?{API}", {"Connection": "keep-alive"}))
                assert read_answer(sock).status == 200
    finally:
        for sock in idle:
            sock.close()


def test_a_flood_of_1500_silent_sockets_neither_starves_a_new_client_nor_fills_stderr() -> None:
    """The issue's ~1,000 idle connections exhausted the descriptors: new clients timed out and asyncio
    logged a traceback per accept. 1,500 TCP clients that never say hello, held open: a new client is
    still answered, at once, and the server says nothing about it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    with ServeProcess.start() as process:
        wire = Wire(process.info)
        held = [socket.create_connection(("127.0.0.1", wire.port), timeout=5) for _ in range(1500)]
        try:
            started = time.monotonic()
            assert wire.request("GET", f"{wire.vault}/replicationPolicies?{API}").status == 200
            assert time.monotonic() - started < SLACK
        finally:
            for sock in held:
                sock.close()
        stopped = process.stop()
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert stopped.returncode == 0 and stopped.stderr == ""


# -- the connection cap ------------------------------------------------------------------------------

def test_over_the_cap_the_longest_idle_connection_makes_room() -> None:
    with ServeProcess.start("--max-connections", "4", "--idle-timeout", "30", "--request-timeout", "30") as process:
        wire = Wire(process.info)
        oldest = wire.tls()
        oldest.sendall(b"")  # completed its handshake: an open HTTP connection
        time.sleep(0.05)  # it is the longest idle by a margin the server's clock can see
        others = [wire.tls() for _ in range(3)]
        try:
            answer = wire.request("GET", f"{wire.vault}/replicationPolicies?{API}")  # the fifth: served
            assert answer.status == 200
            received, took = closed_within(oldest, SLACK)  # made room for it, at once, not at 30 s
            assert received == b"" and took < SLACK
            for sock in others:  # the younger ones are still open
                sock.settimeout(0.05)
                with pytest.raises(TimeoutError):
                    sock.recv(1)
        finally:
            for sock in [oldest, *others]:
                sock.close()
        stopped = process.stop()
    assert stopped.returncode == 0 and "Exceeded concurrency" not in stopped.stderr


# -- SIGTERM within 2 s whatever clients do; key files ------------------------------------------------

def test_sigterm_ends_the_server_within_2_s_whatever_its_clients_do() -> None:
    process = ServeProcess.start("--idle-timeout", "60", "--request-timeout", "60", "--handshake-timeout", "60")
    wire = Wire(process.info)
    directory = Path(process.info.ca_bundle).parent
    sdk = SiteRecoveryManagementClient(FakeCredential(), process.info.subscription_id, base_url=process.info.base_url,
                                       connection_verify=process.info.ca_bundle, polling_interval=0)
    attached: list[socket.socket] = []
    try:
        assert sorted(os.listdir(directory)) == ["ca.pem"]  # no key file on disk while serving
        list(sdk.replication_policies.list(process.info.resource_group, process.info.vault))  # a pooled connection
        attached.append(wire.tcp())  # never starts TLS
        attached.append(wire.tls())  # idle after its handshake
        half = wire.tls()
        half.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n")  # half the headers
        attached.append(half)
        body = wire.tls()
        body.sendall(wire.head("PUT", f"{wire.vault}/replicationPolicies/x?{API}",
                               {**JSON, "Content-Length": "1000"}) + b'{"properties":')  # half a body
        attached.append(body)
        deaf = wire.tls()
        deaf.sendall(wire.head("GET", f"{wire.vault}/replicationJobs?{API}", {"Connection": "keep-alive"}) * 50)
        attached.append(deaf)  # pipelines requests and never reads the answers
        time.sleep(0.2)  # every one of them has reached the server
        started = time.monotonic()
        stopped = process.stop(signal.SIGTERM, timeout=15)
        took = time.monotonic() - started
    finally:
        sdk.close()
        for sock in attached:
            sock.close()
        if process.process.poll() is None:
            process.stop(signal.SIGKILL)
    assert stopped.returncode == 0, stopped.stderr
    assert took < 2.0, f"SIGTERM took {took:.2f} s"
    assert not directory.exists()


def test_sigkill_leaves_only_the_public_ca_bundle() -> None:
    """SIGKILL cannot be caught: the directory stays, but no key is in it (none is on disk while serving)."""
    process = ServeProcess.start()
    directory = Path(process.info.ca_bundle).parent
    try:
        stopped = process.stop(signal.SIGKILL)
        assert stopped.returncode == -signal.SIGKILL
        assert sorted(os.listdir(directory)) == ["ca.pem"]
        assert b"PRIVATE KEY" not in (directory / "ca.pem").read_bytes()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


# -- 8. Bounded history ---------------------------------------------------------------------------

def test_the_served_history_keeps_its_limit_and_spills_the_rest(tmp_path: Path) -> None:
    spill = tmp_path / "history.jsonl"
    with ServeProcess.start("--history-limit", "50", "--history-spill", str(spill)) as process:
        wire = Wire(process.info)
        for _ in range(40):
            assert wire.request("GET", f"{wire.vault}/replicationPolicies?{API}").status == 200
        stopped = process.stop()
    assert stopped.returncode == 0, stopped.stderr
    spilled = History.loads(spill.read_text())  # contiguous indexes from 0: nothing lost, nothing repeated
    assert len(spilled) > 2 * 40 - 50
    assert [event.index for event in spilled] == list(range(len(spilled)))
    assert spilled.select(op="arm.ReplicationPolicies_List", phase="ok")
