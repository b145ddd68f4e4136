"""The primary's side of one conversation with a Replica server over the simulated network.

The first ``request`` connects to the replica's listener port and authenticates both ways (§1.3:
the primary judges the replica's certificate — chain to its own trusted roots, EKU, validity on
the virtual clock, the name it dialled, revocation unless disabled — and presents its own); every
request waits for its reply. Any failure — refused connection, silence beyond the reply
timeout, a reset, a refusal by either side — ends the exchange once, through ``on_failure``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from cryptography import x509

from simcore import ConnectionClosed, ConnectionRefused, ConnectionReset, ConnectTimeout, Endpoint, Timer, UnknownNode

from ._enums import ReplicationAuthenticationType
from ._errors import Refusal, RefusalReason
from ._wire import ClientCertificate, ClientHello, Refused, Reply, Request, ServerHello

if TYPE_CHECKING:
    from ._hostbase import HostBase

__all__ = ["Exchange"]


class Exchange:
    """One authenticated conversation; after ``open`` succeeds, ``expires_at`` is when a certificate lapses."""

    def __init__(
        self,
        host: HostBase,
        *,
        server_name: str,
        port: int,
        authentication_type: ReplicationAuthenticationType,
        certificate_thumbprint: str | None,
        on_failure: Callable[[Refusal], None],
    ) -> None:
        self.host = host
        self.server_name = server_name
        self.port = port
        self.authentication_type = authentication_type
        self.certificate_thumbprint = certificate_thumbprint
        self.on_failure = on_failure
        self.expires_at = math.inf
        self.expiry_refusal = Refusal(RefusalReason.EXPIRED, "replica", "")
        self._endpoint: Endpoint | None = None
        self._timer: Timer | None = None
        self._waiting: Callable[[object], None] | None = None
        self._pending: Request | None = None  # the first request, sent once the handshake allows
        self._own_chain: tuple[x509.Certificate, ...] = ()
        self.finished = False

    # -- driving ------------------------------------------------------------------------------------

    def request(self, message: Request, on_reply: Callable[[object], None]) -> None:
        """Send ``message`` (connecting and authenticating first if need be); ``on_reply(value)`` gets the answer.

        As in TLS 1.3, the first request follows the client's certificate without waiting for the
        server: a refusal of the handshake arrives instead of the reply.
        """
        self._waiting = on_reply
        if self._endpoint is not None:
            self._send(message)
        elif self._connect():
            self._pending = message
            realm = self.host.domain if self.authentication_type is ReplicationAuthenticationType.Kerberos else None
            self._send(ClientHello(self.authentication_type, self.server_name, realm))
            if self.authentication_type is ReplicationAuthenticationType.Kerberos:
                self._flush()

    def _connect(self) -> bool:
        if self.authentication_type is ReplicationAuthenticationType.Certificate:
            stored = self.host.certificates.personal(self.certificate_thumbprint or "")
            if stored is None:
                self._fail(RefusalReason.CERTIFICATE_NOT_FOUND, "primary",
                           f"certificate {self.certificate_thumbprint} is not in LocalMachine\\My")
                return False
            if not stored.has_private_key:
                self._fail(RefusalReason.NO_PRIVATE_KEY, "primary",
                           f"certificate {self.certificate_thumbprint} has no associated private key")
                return False
            self._own_chain = stored.chain
        network = self.host.fabric.sim.network
        try:
            self._endpoint = network.connect(self.host.name, self.server_name, self.port)
        except (ConnectionRefused, UnknownNode) as exc:
            self._fail(RefusalReason.CONNECTION_REFUSED, "primary", str(exc))
            return False
        except ConnectTimeout as exc:
            self._fail(RefusalReason.CONNECTION_TIMED_OUT, "primary", str(exc))
            return False
        self._endpoint.on_message = self._receive
        self._endpoint.on_close = self._closed
        return True

    def _flush(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            self._send(pending)

    def close(self) -> None:
        """End the conversation; the connection forgets this exchange (the network keeps connections)."""
        self.finished = True
        self._disarm()
        self._waiting = None
        if self._endpoint is not None:
            self._endpoint.close()
            self._endpoint.on_message = self._endpoint.on_close = None

    # -- receiving ----------------------------------------------------------------------------------

    def _receive(self, message: object) -> None:
        if self.finished:
            return
        self._disarm()
        if isinstance(message, ServerHello):
            self._judge_server(message.chain)
        elif isinstance(message, Reply):
            self._answered(message.value)
        elif isinstance(message, Refused):
            self._fail(message.refusal.reason, message.refusal.side, message.refusal.detail)

    def _answered(self, value: object) -> None:
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            waiting(value)

    def _judge_server(self, chain: tuple[x509.Certificate, ...]) -> None:
        host = self.host
        clock = host.fabric.sim.clock
        reasons = host.judge_peer(chain, self.server_name, self._connection())
        if reasons:
            detail = f"the Replica server's certificate was refused: {', '.join(r.value for r in reasons)}"
            self._fail(reasons[0], "primary", detail)
            return
        own = min(clock.to_seconds(c.not_valid_after_utc) for c in self._own_chain)
        peer = min(clock.to_seconds(c.not_valid_after_utc) for c in chain)
        self.expires_at = min(own, peer) - host.fabric.sim.skews.offset(host.name)  # as this host's clock reads
        side, whose = ("replica", "the primary's") if own <= peer else ("primary", "the Replica server's")
        self.expiry_refusal = Refusal(RefusalReason.EXPIRED, side, f"{whose} certificate expired")
        self._send(ClientCertificate(self._own_chain))
        self._flush()

    def _connection(self) -> int | None:
        return None if self._endpoint is None else self._endpoint.connection.id

    def _closed(self, why: str) -> None:
        if not self.finished:
            self._fail(RefusalReason.CONNECTION_RESET, "primary", f"the connection was {why}")

    # -- plumbing -----------------------------------------------------------------------------------

    def _send(self, message: object) -> None:
        if self.finished or self._endpoint is None:
            return
        try:
            self._endpoint.send(message)
        except (ConnectionReset, ConnectionClosed) as exc:
            self._fail(RefusalReason.CONNECTION_RESET, "primary", str(exc))
            return
        self._disarm()  # one timer: for the answer to what was sent last
        timeout = self.host.fabric.policy.retry.reply_timeout
        self._timer = self.host.fabric.sim.scheduler.call_later(timeout, self._timed_out, label="hyperv.reply-timeout")

    def _timed_out(self) -> None:
        self._timer = None
        endpoint = self._endpoint
        self._fail(RefusalReason.CONNECTION_TIMED_OUT, "primary",
                   f"no answer from {self.server_name}:{self.port} within "
                   f"{self.host.fabric.policy.retry.reply_timeout:g} s")
        if endpoint is not None:
            endpoint.connection.reset()  # what a partition still holds must not be acted on later

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fail(self, reason: RefusalReason, side: str, detail: str) -> None:
        if self.finished:
            return
        self.close()
        self.on_failure(Refusal(reason, side, detail))
