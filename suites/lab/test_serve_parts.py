"""The parts of ``asr-harness serve`` that need no client: the key file's mode and lifetime, cleanup on
an exception, and the limits' validation."""

from __future__ import annotations

import os
import ssl
import stat
from pathlib import Path
from typing import Any

import pytest
import trustme
from typer.testing import CliRunner

from drlab.cli import app
from drlab.serve import ServeOptions, serve
from drlab.serve_limits import ConnectionLimits
from drlab.serve_tls import KEY_FILE_MODE, load_identity, server_tls


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


# -- limits -------------------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["idle_timeout", "request_timeout", "handshake_timeout", "shutdown_grace"])
@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf"), True])
def test_timeouts_are_positive_finite_seconds(field: str, value: Any) -> None:
    with pytest.raises(ValueError, match=field):
        ConnectionLimits(**{field: value})


@pytest.mark.parametrize(("args", "named"), [
    (("--idle-timeout", "0"), "--idle-timeout"), (("--request-timeout", "-1"), "--request-timeout"),
    (("--max-connections", "0"), "--max-connections"),
])
def test_bad_limits_are_one_line_naming_the_option(args: tuple[str, ...], named: str) -> None:
    result = CliRunner().invoke(app, ["serve", *args])
    assert result.exit_code == 2 and result.stdout == "" and result.stderr.count("\n") == 1
    assert result.stderr.startswith("asr-harness serve: error: ") and named in result.stderr
