"""One channel call and what an agent keeps from its answers (PROTOCOL.md §5): shared by every agent.

``request`` sends one operation under the channel's paths and turns every failure into a
``ChannelFailure`` naming it (the httpx error as ``cause``, or the service's ARM error ``code``);
``registration_from`` reads the registration and the client certificate a registration answer issues; ``failure_details``
is what an agent records in the history about a failure.
"""

from __future__ import annotations

from typing import Any

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from simcore.pki import IssuedCertificate

from .errors import ChannelFailure
from .policy import CHANNEL_PREFIX
from .registration import Registration

__all__ = ["request", "registration_from", "failure_details"]


def request(client: httpx.Client, operation: str, method: str, path: str, body: dict[str, Any],
            idempotency_key: str | None = None) -> dict[str, Any]:
    """Send ``operation`` to ``{CHANNEL_PREFIX}/{path}``; its JSON answer, or ``ChannelFailure``."""
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    try:
        response = client.request(method, f"{CHANNEL_PREFIX}/{path}", json=body, headers=headers)
    except httpx.HTTPError as error:
        raise ChannelFailure(operation, str(error), cause=error) from error
    if response.status_code >= 400:
        try:
            detail = response.json()["error"]
            code, message = str(detail["code"]), str(detail["message"])
        except (ValueError, KeyError, TypeError):
            code, message = f"HTTP{response.status_code}", response.text
        raise ChannelFailure(operation, message, code=code, status=response.status_code)
    answer: dict[str, Any] = response.json()
    return answer


def registration_from(answer: dict[str, Any], vault_id: str, endpoint: str) -> tuple[Registration, IssuedCertificate]:
    """What a ``Register`` answer gives the agent: the registration and its client certificate (chain and
    key); ``ChannelFailure`` if the answer lacks either or does not parse."""
    try:
        chain = tuple(x509.load_pem_x509_certificate(str(text).encode()) for text in answer["certificateChain"])
        key = serialization.load_pem_private_key(str(answer["privateKey"]).encode(), password=None)
        registration = Registration(vault_id, endpoint, str(answer["fabricName"]), str(answer["providerName"]),
                                    str(answer["providerId"]))
        credential = IssuedCertificate(certificate=chain[0], private_key=key, chain=chain)  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise ChannelFailure("register", f"the registration answer cannot be read: {error!r}") from None
    return registration, credential


def failure_details(failure: ChannelFailure) -> dict[str, Any]:
    """A failure's history details: the service's code and status, or the transport's error and reasons."""
    if failure.code is not None:
        return {"operation": failure.operation, "code": failure.code, "status": failure.status}
    return {"operation": failure.operation, "error": type(failure.cause).__name__,
            "reasons": list(getattr(failure.cause, "reasons", []))}
