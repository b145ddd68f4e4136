"""The Replica server's listeners: HTTP (Kerberos) and HTTPS (certificates) on their ports (§1.1, §1.3).

Each accepted connection is one ``_Conversation``: authenticate the primary — Kerberos where both
sides allow it, or TLS-shaped certificate exchange judged against this host's trusted roots, the
primary's FQDN as the network knows it, and revocation unless ``DisableCertRevocationCheck`` — then
check the authorization entries, then serve requests. Every refusal names its reason and closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cryptography import x509

from simcore import ConnectionClosed, ConnectionReset, Endpoint, record_traffic

from ._authorization import AuthorizationEntry
from ._enums import ReplicationAuthenticationType
from ._errors import Refusal, RefusalReason
from ._replica_service import Refuse
from ._wire import ClientCertificate, ClientHello, Refused, Reply, ServerHello

if TYPE_CHECKING:
    from ._hostbase import HostBase

__all__ = ["ReplicaListener"]


class ReplicaListener:
    """Accepts replication connections on one port for one kind of authentication."""

    def __init__(self, host: HostBase, port: int, kind: ReplicationAuthenticationType) -> None:
        self.host = host
        self.port = port
        self.kind = kind

    def accept(self, endpoint: Endpoint) -> None:
        if self.host.crashed or not self.host.firewall_allows(self.port):
            endpoint.on_message = _dropped  # FIREWALL_BLOCK_IS_SILENT, HOST_CRASH_EFFECTS: the primary times out
            return
        _Conversation(self.host, endpoint, self.kind)


def _dropped(message: object) -> None:
    del message


class _Conversation:
    def __init__(self, host: HostBase, endpoint: Endpoint, kind: ReplicationAuthenticationType) -> None:
        self.host = host
        self.endpoint = endpoint
        self.kind = kind
        node = host.fabric.sim.network.node(endpoint.peer)
        self.peer_fqdn = node.fqdn or node.name
        self.entries: list[AuthorizationEntry] = []
        self.stage = "hello"
        self.carried = False
        endpoint.on_message = self.receive
        endpoint.on_close = self._closed

    def _closed(self, why: str) -> None:
        """The primary hung up: the connection forgets this conversation (the network keeps connections)."""
        del why
        self.endpoint.on_message = self.endpoint.on_close = None

    def receive(self, message: object) -> None:
        try:
            if self.stage == "hello" and isinstance(message, ClientHello):
                self._hello(message)
            elif self.stage == "certificate" and isinstance(message, ClientCertificate):
                self._certificate(message.chain)
            elif self.stage == "ready":
                if not self.carried:  # the first request acted on over this connection (pki.traffic)
                    self.carried = True
                    record_traffic(self.host.fabric.sim, node=self.host.name, use="replication",
                                   conn=self.endpoint.connection.id)
                self.endpoint.send(Reply(self.host.replica_service.handle(message, self.entries)))
            elif self.stage != "refused":
                raise Refuse(RefusalReason.AUTHENTICATION_TYPE_NOT_ALLOWED, f"unexpected {type(message).__name__}")
        except Refuse as refusal:
            self._refuse(refusal.reason, refusal.detail)
        except (ConnectionReset, ConnectionClosed):
            pass  # the primary gave up on this exchange

    def _hello(self, hello: ClientHello) -> None:
        host = self.host
        if hello.authentication_type is not self.kind:
            raise Refuse(RefusalReason.AUTHENTICATION_TYPE_NOT_ALLOWED,
                         f"{host.fqdn}:{self.endpoint.connection.port} accepts {self.kind.name} authentication only")
        if self.kind is ReplicationAuthenticationType.Kerberos:
            if host.domain is None or hello.kerberos_realm != host.domain:  # policy KERBEROS_REALM_RULE
                raise Refuse(RefusalReason.KERBEROS_FAILED,
                             f"Kerberos authentication between {self.peer_fqdn} and {host.fqdn} failed")
            self._authorize()
            return
        thumbprint = host.replication_server.certificate_thumbprint or ""
        stored = host.certificates.personal(thumbprint)
        if stored is None or not stored.has_private_key:
            reason = RefusalReason.CERTIFICATE_NOT_FOUND if stored is None else RefusalReason.NO_PRIVATE_KEY
            raise Refuse(reason, f"the Replica server's certificate {thumbprint} is not usable")
        self.stage = "certificate"
        self.endpoint.send(ServerHello(stored.chain))

    def _certificate(self, chain: tuple[x509.Certificate, ...]) -> None:
        host = self.host
        reasons = host.judge_peer(chain, self.peer_fqdn, self.endpoint.connection.id)
        if reasons:
            raise Refuse(reasons[0],
                         f"the primary server's certificate was refused: {', '.join(r.value for r in reasons)}")
        self._authorize()

    def _authorize(self) -> None:
        self.entries = self.host.authorization_for(self.peer_fqdn)
        if not self.entries:
            raise Refuse(RefusalReason.NOT_AUTHORIZED,
                         f"{self.peer_fqdn} is not authorized to replicate to {self.host.fqdn}")
        self.stage = "ready"  # the primary's first request follows its credentials (TLS 1.3 style)

    def _refuse(self, reason: RefusalReason, detail: str) -> None:
        self.stage = "refused"  # what the primary sent behind its credentials is not acted on
        try:
            self.endpoint.send(Refused(Refusal(reason, "replica", detail)))
            self.endpoint.close()
        except (ConnectionReset, ConnectionClosed):
            pass
