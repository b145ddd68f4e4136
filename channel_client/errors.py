"""Typed errors of an on-premises agent's channel client, and the TLS failures its transport raises as
httpx errors (PROTOCOL.md §2).

The transport's errors are httpx exceptions (so any httpx caller handles them as usual) with the
detail a person needs: the TLS alert the server sent, or why the server's certificate was refused.
An agent turns every failed call into a ``ChannelFailure`` naming the operation. ``AgentError`` is
the base of the agent's own errors (the VMM Provider calls it ``ProviderError``).
"""

from __future__ import annotations

import httpx

__all__ = [
    "TlsAlertReceived", "ServerCertificateRejected", "ProxyAuthenticationRequired",
    "AgentError", "NotRegistered", "AlreadyRegistered", "RegistrationRefused", "ChannelFailure",
]


class TlsAlertReceived(httpx.ConnectError):
    """The server ended the handshake with a TLS alert (e.g. ``certificate_revoked`` for our certificate)."""

    def __init__(self, description: str, reasons: list[str], message: str, *, request: httpx.Request) -> None:
        super().__init__(f"TLS alert from the server: {description} ({', '.join(reasons) or 'no reason given'}): "
                         f"{message}", request=request)
        self.description = description
        self.reasons = reasons


class ServerCertificateRejected(httpx.ConnectError):
    """The server's certificate failed validation: the agent refuses to talk to it (an impostor)."""

    def __init__(self, host: str, reasons: list[str], *, request: httpx.Request) -> None:
        super().__init__(f"[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed for {host}: "
                         f"{', '.join(reasons)}", request=request)
        self.host = host
        self.reasons = reasons


class ProxyAuthenticationRequired(httpx.ProxyError):
    """The proxy answered 407: its credentials (``DRAProxyAccount``) are missing or wrong."""


class AgentError(Exception):
    """Base of an agent's own errors."""


class NotRegistered(AgentError):
    """The agent has no registration (never registered, or the vault removed it)."""


class AlreadyRegistered(AgentError):
    """The server is registered to another vault; unregister it first."""


class RegistrationRefused(AgentError):
    """The vault refused the registration (expired, tampered or foreign key): ``code`` says which."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"({code}) {message}")
        self.code = code
        self.message = message


class ChannelFailure(AgentError):
    """A channel call failed: ``cause`` is the httpx error, or ``code`` the service's refusal."""

    def __init__(self, operation: str, message: str, *, code: str | None = None, status: int | None = None,
                 cause: Exception | None = None) -> None:
        super().__init__(f"{operation} failed: {message}")
        self.operation = operation
        self.code = code
        self.status = status
        self.cause = cause
