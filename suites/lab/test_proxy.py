"""``drlab.proxy.ConnectProxy``: a real CONNECT proxy on loopback, judged from its own log."""

from __future__ import annotations

import base64
import http.server
import socket
import ssl
import threading
from collections.abc import Iterator

import httpx
import pytest
import trustme

from drlab.proxy import ConnectProxy, ProxyError, ProxyLogEntry

pytestmark = pytest.mark.sockets


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        body = b"hello through " + self.path.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def https_port(ca: trustme.CA) -> Iterator[int]:
    """A tiny HTTPS server on loopback that says where it was asked."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _trust(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


def raw_connect(proxy: ConnectProxy, target: str, *, user: str | None = None, password: str = "") -> bytes:
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
        auth = ""
        if user is not None:
            auth = f"Proxy-Authorization: Basic {base64.b64encode(f'{user}:{password}'.encode()).decode()}\r\n"
        sock.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n{auth}\r\n".encode())
        return sock.recv(4096)


def test_https_tunnels_through_with_credentials_and_every_connect_is_logged(ca: trustme.CA, https_port: int) -> None:
    with ConnectProxy(credentials=("dra", "s3cret")) as proxy:
        url = f"http://dra:s3cret@127.0.0.1:{proxy.port}"
        with httpx.Client(proxy=url, verify=_trust(ca), timeout=10) as http:
            assert http.get(f"https://127.0.0.1:{https_port}/one").text == "hello through /one"
        with httpx.Client(proxy=url, verify=_trust(ca), timeout=10) as http:
            assert http.get(f"https://127.0.0.1:{https_port}/two").text == "hello through /two"
        assert proxy.log == (ProxyLogEntry("CONNECT", f"127.0.0.1:{https_port}", 200, "dra"),) * 2
        assert proxy.tunnels == (f"127.0.0.1:{https_port}",) * 2


@pytest.mark.parametrize(("user", "password"), [("dra", "wrong"), ("other", "s3cret"), (None, "")])
def test_wrong_or_missing_credentials_are_407_and_nothing_is_tunneled(
    ca: trustme.CA, https_port: int, user: str | None, password: str
) -> None:
    with ConnectProxy(credentials=("dra", "s3cret")) as proxy:
        answer = raw_connect(proxy, f"127.0.0.1:{https_port}", user=user, password=password)
        assert answer.startswith(b"HTTP/1.1 407 ")
        assert b'Proxy-Authenticate: Basic realm="asr-harness"' in answer
        auth = "" if user is None else f"{user}:{password}@"
        with httpx.Client(proxy=f"http://{auth}127.0.0.1:{proxy.port}", verify=_trust(ca), timeout=10) as http:
            with pytest.raises(httpx.ProxyError, match="407"):
                http.get(f"https://127.0.0.1:{https_port}/")
        assert [entry.status for entry in proxy.log] == [407, 407] and proxy.tunnels == ()


@pytest.mark.parametrize(("target", "status"), [
    ("example.com:443", 403),   # names are never resolved: no DNS, no way out of loopback
    ("10.0.0.1:443", 403),
    ("127.0.0.1", 400),
    ("127.0.0.1:0", 400),
])
def test_only_loopback_targets_are_tunneled(target: str, status: int) -> None:
    with ConnectProxy() as proxy:
        assert raw_connect(proxy, target).startswith(f"HTTP/1.1 {status} ".encode())
        assert proxy.log == (ProxyLogEntry("CONNECT", target, status, None),)


def test_other_methods_are_405_and_an_unreachable_target_is_502() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        free_port = closed.getsockname()[1]
    with ConnectProxy() as proxy:
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
            sock.sendall(b"GET http://127.0.0.1/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert sock.recv(4096).startswith(b"HTTP/1.1 405 ")
        assert raw_connect(proxy, f"127.0.0.1:{free_port}").startswith(b"HTTP/1.1 502 ")
        assert [entry.status for entry in proxy.log] == [405, 502]


def test_stop_closes_the_listener_and_a_proxy_stops_by_itself_after_its_lifetime() -> None:
    proxy = ConnectProxy().start()
    port = proxy.port
    proxy.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    assert not proxy.running
    short = ConnectProxy(lifetime=0.05).start()
    assert short.wait(10)  # bounded wait on the proxy's own deadline, not a sleep in the test
    assert not short.running


def test_refuses_to_listen_beyond_loopback_or_to_start_twice() -> None:
    with pytest.raises(ProxyError, match="loopback"):
        ConnectProxy(host="0.0.0.0")
    with ConnectProxy() as proxy, pytest.raises(ProxyError, match="already"):
        proxy.start()
    with pytest.raises(ProxyError, match="not started"):
        ConnectProxy().url
