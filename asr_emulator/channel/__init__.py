"""The Provider channel, server side: how the ASR Provider on a VMM server registers to a vault and
then talks to ASR, outbound only, over the lab's simulated network.

The wire protocol is this project's own (the real one is not public) and is described in ONE place:
``PROTOCOL.md`` beside this file. ``AsrService.channel`` (a ``ChannelService``) hands out
registration keys, registers Providers (fabric + Provider resources, a client certificate from the
vault's CA), takes heartbeats, leases work items and applies inventory reports (containers,
networks, protectable items). ``ChannelListener`` terminates the simulated TLS. Choices the
reference leaves open are named in ``channel.policy``.
"""

from . import policy
from .errors import (
    ChannelError, ChannelNotFound, ClientCertificateRequired, ProviderNotRegistered, RegistrationKeyExpired,
    RegistrationKeyForeign, RegistrationKeyMalformed, RegistrationKeyTampered, WorkItemNotFound,
)
from .keys import RegistrationKey
from .listener import ALERTS, ChannelListener, pem_chain
from .records import FabricRecord, ProviderRecord
from .service import ChannelService
from .state import VaultChannel
from .workitems import WorkItem, WorkQueue

__all__ = [
    "policy", "ChannelService", "ChannelListener", "ALERTS", "pem_chain", "RegistrationKey",
    "FabricRecord", "ProviderRecord", "VaultChannel", "WorkItem", "WorkQueue",
    "ChannelError", "RegistrationKeyMalformed", "RegistrationKeyExpired", "RegistrationKeyTampered",
    "RegistrationKeyForeign", "ClientCertificateRequired", "ProviderNotRegistered", "WorkItemNotFound", "ChannelNotFound",
]
