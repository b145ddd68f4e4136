"""Raw clients of a served lab for the hardening suites: TLS or bare TCP sockets on 127.0.0.1,
requests written byte for byte, answers parsed just enough to check status, headers and body."""

from __future__ import annotations

import json
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any

from drlab.serve import ServeInfo

__all__ = ["Wire", "Answer", "closed_within", "read_answer", "parse"]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    raw: bytes = field(repr=False, default=b"")

    def json(self) -> Any:
        return json.loads(self.body)

    def error(self) -> dict[str, Any]:
        """The ARM error envelope, checked to be one (JSON ``{"error": {"code", "message"}}``)."""
        assert self.headers["content-type"].startswith("application/json"), self.headers
        error: dict[str, Any] = self.json()["error"]
        assert isinstance(error["code"], str) and error["code"] and isinstance(error["message"], str)
        return error


def parse(raw: bytes) -> Answer:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Answer(int(status_line.split()[1]), headers, body, raw)


def read_answer(sock: socket.socket, timeout: float = 5.0) -> Answer:
    """One answer from a kept-alive connection: headers, then ``content-length`` bytes of body."""
    sock.settimeout(timeout)
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed mid-answer: {received!r}"
        received += chunk
    answer = parse(received)
    while len(answer.body) < int(answer.headers.get("content-length", "0")):
        chunk = sock.recv(65536)
        assert chunk, "the connection closed mid-body"
        answer.body += chunk
    return answer


def closed_within(sock: socket.socket, seconds: float) -> tuple[bytes, float]:
    """Read until the server closes ``sock`` (EOF or reset); what it sent and how long that took.
    Fails if it is still open after ``seconds``."""
    started = time.monotonic()
    sock.settimeout(seconds)
    received = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
        pass
    except TimeoutError:
        raise AssertionError(f"the server kept the connection open past {seconds} s; received {received[:200]!r}")
    return received, time.monotonic() - started


class Wire:
    """Sockets to one served lab, and the vault's path prefix."""

    def __init__(self, info: ServeInfo) -> None:
        self.info = info
        self.port = int(info.base_url.rsplit(":", 1)[1])
        self.context = ssl.create_default_context(cafile=info.ca_bundle)
        self.vault = (f"/subscriptions/{info.subscription_id}/resourceGroups/{info.resource_group}"
                      f"/providers/Microsoft.RecoveryServices/vaults/{info.vault}")

    def tcp(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=10)

    def tls(self) -> ssl.SSLSocket:
        return self.context.wrap_socket(self.tcp(), server_hostname="127.0.0.1")

    def exchange(self, raw: bytes, *, within: float = 10.0) -> Answer:
        """Send ``raw`` on a new TLS connection and read until the server closes it."""
        with self.tls() as sock:
            sock.sendall(raw)
            received, _ = closed_within(sock, within)
        return parse(received)

    @staticmethod
    def head(method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
        """A request's bytes: ``Host``, bearer ``Authorization`` and ``Connection: close`` unless given."""
        sent = {"Host": "127.0.0.1", "Authorization": "Bearer t", "Connection": "close", **(headers or {})}
        if body and "Content-Length" not in sent:
            sent["Content-Length"] = str(len(body))
        lines = [f"{method} {target} HTTP/1.1", *(f"{name}: {value}" for name, value in sent.items())]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    def request(self, method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None) -> Answer:
        return self.exchange(self.head(method, target, headers, body))
