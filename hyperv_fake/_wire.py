"""Replication traffic as it crosses the simulated network: a TLS-shaped handshake, then requests.

Certificate authentication follows TLS's order (§1.3, mutual machine authentication): the primary
says hello, the Replica server presents its certificate, the primary judges it and presents its
own, the replica judges that and checks its authorization entries. Kerberos is one round trip.
The primary's first request follows its credentials at once (as TLS 1.3 lets application data
follow the client's Finished); each request is answered by ``Reply`` or ``Refused``.
Messages are immutable values; certificates travel as ``x509.Certificate`` chains.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509

from ._enums import ReplicationAuthenticationType
from ._errors import Refusal
from ._image import DataImage
from ._settings import ReplicationSettings
from ._vm import Guest

__all__ = [
    "ClientHello", "ServerHello", "ClientCertificate", "Refused", "Reply",
    "ReplicaSpec", "CreateReplica", "Reconnect", "TransferStarted", "TransferComplete", "FinalLog", "Reverse",
    "Request",
]


# -- handshake ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClientHello:
    """The primary opens: which authentication, the server name it dialled, and (Kerberos) its realm."""

    authentication_type: ReplicationAuthenticationType
    server_name: str
    kerberos_realm: str | None = None


@dataclass(frozen=True)
class ServerHello:
    """The Replica server's certificate chain, leaf first."""

    chain: tuple[x509.Certificate, ...]


@dataclass(frozen=True)
class ClientCertificate:
    """The primary's certificate chain, leaf first."""

    chain: tuple[x509.Certificate, ...]


@dataclass(frozen=True)
class Refused:
    """The replica refused the handshake or a request."""

    refusal: Refusal


@dataclass(frozen=True)
class Reply:
    """A request succeeded; ``value`` is what the request returns (often None)."""

    value: object = None


# -- requests -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReplicaSpec:
    """What the Replica server needs to create the replica VM (the primary VM's shape, §2.1)."""

    vm_id: str
    vm_name: str
    generation: int
    disks: tuple[tuple[str, int], ...]
    adapters: tuple[tuple[str, str, bool], ...]
    settings: ReplicationSettings


@dataclass(frozen=True)
class CreateReplica:
    """``Enable-VMReplication``: create (or adopt, for ``-AsReplica``) the replica VM."""

    spec: ReplicaSpec


@dataclass(frozen=True)
class Reconnect:
    """Resume or re-check: is the replica VM there and accepting log?"""

    vm_id: str


@dataclass(frozen=True)
class TransferStarted:
    """Initial replication or resynchronisation (``kind``) begins."""

    vm_id: str
    kind: str


@dataclass(frozen=True)
class TransferComplete:
    """The transfer finished; the replica now holds ``image`` (as of ``at``)."""

    vm_id: str
    kind: str
    image: DataImage
    at: float
    guest: Guest


@dataclass(frozen=True)
class FinalLog:
    """``Start-VMFailover -Prepare``: the last log of a primary that is off (§3.3), zero data loss."""

    vm_id: str
    image: DataImage
    at: float
    guest: Guest


@dataclass(frozen=True)
class Reverse:
    """``Set-VMReplication -Reverse``: the old primary VM becomes the replica of ``settings``' primary."""

    vm_id: str
    settings: ReplicationSettings


Request = CreateReplica | Reconnect | TransferStarted | TransferComplete | FinalLog | Reverse
