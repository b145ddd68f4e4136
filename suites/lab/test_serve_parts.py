"""The parts of ``asr-harness serve`` that need no client: the key file's mode and lifetime, cleanup on
an exception, the bounded history, and the limits' validation."""

from __future__ import annotations

import os
import ssl
import stat
from pathlib import Path
from typing import Any

import pytest
import trustme
from typer.testing import CliRunner

from asr_emulator import HttpRequest
from drlab.cli import app
from drlab.serve import ServeOptions, build_lab, serve
from drlab.serve_history import RetainedEvents, bound_history
from drlab.serve_limits import ConnectionLimits
from drlab.serve_tls import (
    CA_BUNDLE_NAME, CA_KEY_NAME, KEY_FILE_MODE, TlsStateError, kept_ca, load_identity, server_tls,
)
from simcore import History, Simulation


class _Watching(ssl.SSLContext):
    """A server context that notes what the key file looked like when it was read."""

    seen: list[tuple[str, int, list[str]]]

    def load_cert_chain(self, certfile: Any, keyfile: Any = None, password: Any = None) -> None:
        self.seen.append((str(certfile), stat.S_IMODE(os.stat(certfile).st_mode), sorted(os.listdir(Path(certfile).parent))))
        super().load_cert_chain(certfile, keyfile, password)


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_the_key_file_is_0600_whatever_the_umask_and_gone_once_loaded(tmp_path: Path, umask: int) -> None:
    context = _Watching(ssl.PROTOCOL_TLS_SERVER)
    context.seen = []
    previous = os.umask(umask)
    try:
        load_identity(context, trustme.CA().issue_cert("127.0.0.1"), tmp_path)
    finally:
        os.umask(previous)
    ((path, mode, listing),) = context.seen
    assert mode == KEY_FILE_MODE == 0o600 and listing == ["server-key.pem"]
    assert not Path(path).exists() and os.listdir(tmp_path) == []


def test_the_key_file_is_gone_even_when_loading_fails(tmp_path: Path) -> None:
    class Failing(ssl.SSLContext):
        def load_cert_chain(self, *args: Any, **kwargs: Any) -> None:
            raise ssl.SSLError("refused")

    with pytest.raises(ssl.SSLError):
        load_identity(Failing(ssl.PROTOCOL_TLS_SERVER), trustme.CA().issue_cert("127.0.0.1"), tmp_path)
    assert os.listdir(tmp_path) == []


def test_the_tls_directory_holds_only_the_ca_bundle_and_goes_on_an_exception() -> None:
    with pytest.raises(RuntimeError), server_tls("127.0.0.1") as tls:
        directory = tls.ca_bundle.parent
        assert os.listdir(directory) == ["ca.pem"] and stat.S_IMODE(directory.stat().st_mode) == 0o700
        raise RuntimeError("the server failed")
    assert not directory.exists()


@pytest.mark.sockets
def test_serve_removes_its_files_when_it_fails_after_announcing() -> None:
    seen: list[Path] = []

    def fail(info: Any) -> None:
        seen.append(Path(info.ca_bundle))
        raise RuntimeError("a failure once serving")

    with pytest.raises(RuntimeError, match="once serving"):
        serve(ServeOptions(), on_ready=fail)
    assert seen and not seen[0].parent.exists()


# -- bounded history --------------------------------------------------------------------------

def test_a_bounded_history_keeps_the_newest_events_with_global_indexes(tmp_path: Path) -> None:
    sim = Simulation(seed=1)
    for i in range(5):
        sim.history.record("n", "before", details={"i": i})
    spill = tmp_path / "spill.jsonl"
    store = bound_history(sim.history, limit=10, spill=spill)
    for i in range(45):
        sim.history.record("n", "op", details={"i": i})
    history = sim.history
    assert len(history) == 50 and store.retained() == 10 and store.first_index == 40
    assert [event.index for event in history] == list(range(40, 50))
    assert history[49].details == {"i": 44} and history[-1] is history[49] and history[40].index == 40
    with pytest.raises(IndexError, match="not retained"):
        history[39]
    assert len(history.select(op="op")) == 10 and len(history.dumps().splitlines()) == 10
    store.close()
    whole = History.loads(spill.read_text() + history.dumps())  # spilled + retained = everything, in order
    assert [event.index for event in whole] == list(range(50)) and store.spilled == 40 and store.dropped == 0


def test_without_a_spill_file_old_events_are_dropped_and_counted() -> None:
    sim = Simulation(seed=1)
    store = bound_history(sim.history, limit=3)
    for _ in range(7):
        sim.history.record("n", "op")
    assert (len(sim.history), store.retained(), store.dropped) == (7, 3, 4)


def test_a_history_not_kept_in_a_list_is_refused_not_bounded_twice() -> None:
    sim = Simulation(seed=1)
    bound_history(sim.history, limit=3)
    with pytest.raises(TypeError, match="list of events"):
        bound_history(sim.history, limit=3)


@pytest.mark.parametrize("limit", [0, -1, True, 1.5])
def test_the_limit_is_a_positive_int(limit: Any) -> None:
    with pytest.raises(ValueError):
        RetainedEvents(limit)


def test_the_served_lab_keeps_at_most_its_history_limit_however_many_requests() -> None:
    lab = build_lab(ServeOptions(history_limit=200))
    vault = f"/subscriptions/{lab.subscription_id}/resourceGroups/{lab.resource_group}/providers/Microsoft.RecoveryServices/vaults/{lab.vault_name}"
    for _ in range(500):
        response = lab.service.handle(HttpRequest("GET", f"{vault}/replicationPolicies?api-version=2025-08-01",
                                                  {"Authorization": "Bearer t"}))
        assert response.status == 200
    assert len(list(lab.history)) == 200 and len(lab.history) >= 1000
    lab.close()


def test_tls_read_buffers_are_lean_while_serving_and_restored_after() -> None:
    import asyncio.sslproto

    from drlab.serve_server import TLS_READ_BUFFER, lean_tls_buffers

    before = asyncio.sslproto.SSLProtocol.max_size
    with pytest.raises(RuntimeError), lean_tls_buffers():
        assert asyncio.sslproto.SSLProtocol.max_size == TLS_READ_BUFFER < before
        raise RuntimeError("the server failed")
    assert asyncio.sslproto.SSLProtocol.max_size == before


# -- limits -------------------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["idle_timeout", "request_timeout", "handshake_timeout", "shutdown_grace"])
@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf"), True])
def test_timeouts_are_positive_finite_seconds(field: str, value: Any) -> None:
    with pytest.raises(ValueError, match=field):
        ConnectionLimits(**{field: value})


@pytest.mark.parametrize(("args", "named"), [
    (("--idle-timeout", "0"), "--idle-timeout"), (("--request-timeout", "-1"), "--request-timeout"),
    (("--max-connections", "0"), "--max-connections"), (("--history-limit", "0"), "--history-limit"),
])
def test_bad_limits_are_one_line_naming_the_option(args: tuple[str, ...], named: str) -> None:
    result = CliRunner().invoke(app, ["serve", *args])
    assert result.exit_code == 2 and result.stdout == "" and result.stderr.count("\n") == 1
    assert result.stderr.startswith("asr-harness serve: error: ") and named in result.stderr


def test_a_state_keeps_one_ca_its_key_0600_and_refuses_a_key_others_may_read(tmp_path: Path) -> None:
    with server_tls("127.0.0.1", tmp_path) as first:
        bundle = first.ca_bundle.read_bytes()
    assert first.ca_bundle == tmp_path / CA_BUNDLE_NAME and first.ca_bundle.exists(), "the state's bundle stays"
    key = tmp_path / CA_KEY_NAME
    assert stat.S_IMODE(key.stat().st_mode) == KEY_FILE_MODE
    with server_tls("127.0.0.1", tmp_path) as second:
        assert second.ca_bundle.read_bytes() == bundle, "the same CA: a client's old bundle still verifies"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([CA_BUNDLE_NAME, CA_KEY_NAME]), "no server key left"
    key.chmod(0o644)
    with pytest.raises(TlsStateError, match="may be read by others"):
        kept_ca(tmp_path)
