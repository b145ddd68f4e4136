"""Typed errors of the ASR Provider: the channel client's (``channel_client.errors``), under the
Provider's own name for their base, ``ProviderError``.

The transport's errors are httpx exceptions with the TLS alert the server sent or why the server's
certificate was refused; the agent turns every failed call into a ``ChannelFailure`` naming the
operation.
"""

from __future__ import annotations

from channel_client.errors import (
    AgentError, AlreadyRegistered, ChannelFailure, NotRegistered, ProxyAuthenticationRequired, RegistrationRefused,
    ServerCertificateRejected, TlsAlertReceived,
)

__all__ = [
    "TlsAlertReceived", "ServerCertificateRejected", "ProxyAuthenticationRequired",
    "ProviderError", "NotRegistered", "AlreadyRegistered", "RegistrationRefused", "ChannelFailure",
]

#: The base of the Provider's errors: every agent on the channel shares it.
ProviderError = AgentError
