"""``asr-harness serve`` refuses bad options with one line on stderr and a non-zero status."""

from __future__ import annotations

import socket

import pytest
from typer.testing import CliRunner

from drlab.cli import app, main


def refused(*args: str) -> str:
    result = CliRunner().invoke(app, ["serve", *args])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("asr-harness serve: error: ")
    return result.stderr


@pytest.mark.parametrize(("args", "named"), [
    (("--port", "65536"), "--port"),
    (("--port", "-1"), "--port"),
    (("--retry-after", "-1"), "--retry-after"),
    (("--host", "10.0.0.1"), "'10.0.0.1'"),  # a real interface would expose the lab beyond loopback
    (("--host", "0.0.0.0"), "'0.0.0.0'"),
    (("--host", "example.com"), "'example.com'"),  # names are not looked up: no DNS
])
def test_bad_option_is_one_line_naming_it(args: tuple[str, ...], named: str) -> None:
    assert named in refused(*args)


@pytest.mark.sockets
def test_port_in_use_is_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert f"cannot listen on 127.0.0.1 port {port}" in refused("--port", str(port))


@pytest.mark.parametrize(("args", "named"), [
    (["serve", "--port", "abc"], "'--port'"),
    (["serve", "--no-such-option"], "--no-such-option"),
    (["no-such-command"], "no-such-command"),
])
def test_usage_errors_are_one_line_too(args: list[str], named: str, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["asr-harness", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    out, err = capsys.readouterr()
    assert exited.value.code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("asr-harness: error: ") and named in err
