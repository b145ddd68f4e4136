"""The channel's TLS termination on the simulated network (PROTOCOL.md §Transport).

Each connection accepted on the ASR node is a session: ``ClientHello`` is answered with the server
certificate chain and a certificate request; the client's ``ClientCertificate`` chain, when not
empty, is judged by ``judge`` — by default ``judge_client_chain`` at virtual now against
``trust_roots``; the channel passes ``ChannelService.judge_client_certificate``, the one rule socket
mode applies too — and a defect ends the session with a TLS alert
named after it (RFC 5246 §7.2.2) — the request pipelined behind it is never seen. Then each
``Request`` frame goes to ``handler(request, peer_certificate)`` and its answer back as a
``Response`` frame. The listener only answers: it never connects anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from simcore import Endpoint, NetworkError, Simulation
from simcore.pki import CertificateAuthority, Eku, IssuedCertificate, Reason, Validation, validate

from ..http import HttpRequest, HttpResponse

__all__ = ["ChannelListener", "ALERTS", "Judge", "judge_client_chain", "pem_chain"]

#: How each validation defect is told to the client: RFC 5246 §7.2.2 alert descriptions, as
#: OpenSSL maps the matching X509 verify errors (``certificate_expired`` covers "expired or not
#: currently valid").
ALERTS: dict[Reason, str] = {
    Reason.BROKEN_CHAIN: "bad_certificate",
    Reason.UNTRUSTED_ROOT: "unknown_ca",
    Reason.REVOKED: "certificate_revoked",
    Reason.NOT_YET_VALID: "certificate_expired",
    Reason.EXPIRED: "certificate_expired",
    Reason.WEAK_KEY: "bad_certificate",
    Reason.WRONG_EKU: "unsupported_certificate",
    Reason.NAME_MISMATCH: "bad_certificate",
}

Handler = Callable[[HttpRequest, "x509.Certificate | None"], HttpResponse]
#: Judges a client's certificate chain (leaf first) as the server would.
Judge = Callable[[Sequence[x509.Certificate]], Validation]


def judge_client_chain(chain: Sequence[x509.Certificate],
                       trust_roots: Sequence[CertificateAuthority | x509.Certificate], at: datetime) -> Validation:
    """The channel's rule for a client certificate chain (PROTOCOL.md §2 step 6): client-auth
    purpose, chaining to ``trust_roots``, valid at ``at`` (virtual), revocation checked."""
    return validate(chain, purpose=Eku.CLIENT_AUTH, expected_name=None, trust_roots=trust_roots, at=at,
                    check_revocation=True)


def pem_chain(credential: IssuedCertificate) -> list[str]:
    """A leaf and its intermediates as PEM texts, leaf first (how chains travel in frames)."""
    return [cert.public_bytes(serialization.Encoding.PEM).decode() for cert in credential.chain]


class ChannelListener:
    """Terminate the channel's TLS on ``node``:``port`` and hand requests to ``handler``.

    ``credential`` is the server certificate (with its chain) presented to every client; an
    impostor service is simply a listener with another credential. ``judge`` replaces the default
    judgment of client chains (``judge_client_chain`` against ``trust_roots`` at virtual now).
    """

    def __init__(self, sim: Simulation, node: str, port: int, *, credential: IssuedCertificate,
                 trust_roots: Sequence[CertificateAuthority | x509.Certificate] = (), handler: Handler,
                 judge: Judge | None = None) -> None:
        self.sim = sim
        self.node = node
        self.port = port
        self.credential = credential
        self.trust_roots = list(trust_roots)
        self.handler = handler
        self.judge: Judge = judge or (lambda chain: judge_client_chain(chain, self.trust_roots, sim.clock.utcnow()))
        sim.network.listen(node, port, self._accept)

    def close(self) -> None:
        """Stop listening (new connections are refused)."""
        self.sim.network.unlisten(self.node, self.port)

    def _accept(self, endpoint: Endpoint) -> None:
        _Session(self, endpoint)


class _Session:
    """One accepted connection: hello → certificate → requests."""

    def __init__(self, listener: ChannelListener, endpoint: Endpoint) -> None:
        self.listener = listener
        self.endpoint = endpoint
        self.state = "hello"
        self.peer: x509.Certificate | None = None
        endpoint.on_message = self.receive

    def send(self, frame: dict[str, Any]) -> None:
        try:
            self.endpoint.send(frame)
        except NetworkError:
            self.state = "closed"  # the client is gone; nothing to tell

    def alert(self, description: str, reasons: list[str], why: str) -> None:
        self.listener.sim.history.record(self.listener.node, "channel.tls", "fail", {
            "peer": self.endpoint.peer, "conn": self.endpoint.connection.id, "alert": description,
            "reasons": reasons})
        self.send({"type": "Alert", "description": description, "reasons": reasons, "message": why})
        self.state = "closed"
        self.endpoint.close()

    def receive(self, frame: Any) -> None:
        kind = frame.get("type") if isinstance(frame, dict) else None
        if self.state == "closed":
            return
        if self.state == "hello" and kind == "ClientHello":
            self.state = "certificate"
            self.send({"type": "ServerHello", "certificateChain": pem_chain(self.listener.credential),
                       "certificateRequest": True})
        elif self.state == "certificate" and kind == "ClientCertificate":
            self._check_client(frame.get("certificateChain") or [])
        elif self.state == "open" and kind == "Request":
            self._answer(frame)
        else:
            self.alert("unexpected_message", [], f"frame {kind!r} is not expected in state {self.state!r}")

    def _check_client(self, pems: list[Any]) -> None:
        if not pems:
            self.state = "open"  # registration needs no certificate; the handler refuses everything else
            return
        try:
            chain = [x509.load_pem_x509_certificate(str(text).encode()) for text in pems]
        except ValueError:
            self.alert("bad_certificate", [Reason.BROKEN_CHAIN.value], "the client certificate chain is not PEM")
            return
        result = self.listener.judge(chain)
        if not result.ok:
            self.alert(ALERTS[result.reasons[0]], [r.value for r in result.reasons], str(result))
            return
        self.peer = chain[0]
        self.state = "open"

    def _answer(self, frame: dict[str, Any]) -> None:
        body = frame.get("body") or ""
        request = HttpRequest(str(frame.get("method", "")), str(frame.get("url", "")),
                              dict(frame.get("headers") or {}), body.encode() if isinstance(body, str) else b"")
        response = self.listener.handler(request, self.peer)
        self.send({"type": "Response", "id": frame.get("id"), "status": response.status,
                   "headers": dict(response.headers), "body": response.body.decode()})
