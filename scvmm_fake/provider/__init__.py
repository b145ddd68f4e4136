"""The Azure Site Recovery Provider in a VMM server (hyperv-scvmm.md §5.1–5.2), client side of the channel.

``AsrProvider(vmm, trusted_roots=...)`` installs it; ``register(key_file)`` registers it to the key's
vault and starts its outbound polling on the lab clock (heartbeat, work items, inventory).
``SimulatedNetworkTransport`` carries its httpx requests over the lab's network with the channel's
simulated TLS; ``WebProxy`` is a datacenter proxy node it can go through. The wire is described in
``asr_emulator/channel/PROTOCOL.md``; the Provider reaches ASR only through it. Choices the
reference leaves open are named in ``scvmm_fake.provider.policy``.
"""

from . import policy
from .agent import AsrProvider, ProviderStore, Registration
from .errors import (
    AlreadyRegistered, ChannelFailure, NotRegistered, ProviderError, ProxyAuthenticationRequired, RegistrationRefused,
    ServerCertificateRejected, TlsAlertReceived,
)
from .proxy import WebProxy
from channel_client.transport import ProxySettings, SimulatedNetworkTransport, TransportFactory

__all__ = [
    "policy", "AsrProvider", "ProviderStore", "Registration", "ProxySettings", "SimulatedNetworkTransport", "TransportFactory",
    "WebProxy",
    "ProviderError", "NotRegistered", "AlreadyRegistered", "RegistrationRefused", "ChannelFailure",
    "TlsAlertReceived", "ServerCertificateRejected", "ProxyAuthenticationRequired",
]
