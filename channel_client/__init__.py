"""The client side of the Provider channel, shared by every on-premises agent that registers to a vault:
the VMM server's ASR Provider (``scvmm_fake.provider``) and the VMware site's configuration server
(``vmware_fake``).

``SimulatedNetworkTransport`` carries an agent's httpx requests over the lab's network with the
channel's simulated TLS (outbound only, mutually authenticated); ``PollCadence`` is its poll timer
with idle polls stood down; ``request`` is one channel call. The wire is described once, in
``asr_emulator/channel/PROTOCOL.md``; this package may import only ``simcore``.
"""

from . import policy
from .cadence import PollCadence
from .calls import failure_details, registration_from, request
from .registration import Registration
from .errors import (
    AgentError, AlreadyRegistered, ChannelFailure, NotRegistered, ProxyAuthenticationRequired, RegistrationRefused,
    ServerCertificateRejected, TlsAlertReceived,
)
from .transport import ProxySettings, SimulatedNetworkTransport, TransportFactory, basic_authorization, judge_server_chain

__all__ = [
    "policy", "PollCadence", "Registration", "request", "registration_from", "failure_details",
    "ProxySettings", "SimulatedNetworkTransport", "TransportFactory", "basic_authorization", "judge_server_chain",
    "AgentError", "NotRegistered", "AlreadyRegistered", "RegistrationRefused", "ChannelFailure",
    "TlsAlertReceived", "ServerCertificateRejected", "ProxyAuthenticationRequired",
]
