"""Typed errors of the ASR emulator; each renders as the ARM error envelope (asr-api.md §12).

Models raise them, the wire turns them into ``{"error": {"code", "message", "target"?, "details"?}}``
with their HTTP status. None of them is ever answered with ``Retry-After`` (§3.4: azure-core
retries any error response that carries one).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ArmError", "BadRequest", "InvalidRequestContent", "InvalidParameter", "MissingApiVersion",
    "InvalidApiVersion", "AuthenticationFailed", "ResourceNotFound", "NoRoute", "MethodNotAllowed",
    "NotImplementedOperation", "Conflict", "InvalidFilter", "JobActionNotAllowed",
    "InvalidQueryParameter", "UnsupportedQueryParameter", "InvalidResourceName", "RequestEntityTooLarge",
    "UnsupportedMediaType",
]


class ArmError(Exception):
    """An ARM error answer: ``status`` plus the envelope's ``code``, ``message``, ``target``, ``details``."""

    status = 400
    code = "BadRequest"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        target: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.target = target
        self.details = details

    def to_json(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.target is not None:
            error["target"] = self.target
        if self.details:
            error["details"] = self.details
        return {"error": error}


class BadRequest(ArmError):
    status = 400
    code = "BadRequest"


class InvalidRequestContent(BadRequest):
    """ARM's code for a body that is not JSON, not the right JSON type, or misses a required field."""

    code = "InvalidRequestContent"


class InvalidParameter(BadRequest):
    """A field is present and well-typed but outside its domain (asr-api.md §6 value domains)."""

    code = "InvalidParameter"


class InvalidFilter(BadRequest):
    """A ``$filter`` the emulator does not understand (policy: refused, never ignored)."""

    code = "InvalidFilter"


class InvalidQueryParameter(BadRequest):
    """A query parameter the operation takes, with a value outside its grammar (``target``: its name).
    Policy: the code ARM front-door errors use for bad query values, recalled, not in ``reference/``."""

    code = "InvalidQueryParameterValue"


class UnsupportedQueryParameter(BadRequest):
    """An OData system query option (``$…``) the operation does not take (policy: refused, never ignored)."""

    code = "UnsupportedQueryParameter"


class InvalidResourceName(BadRequest):
    """A name chosen in a PUT path that breaks ARM's resource-name rules (``wire.names`` cites them); the
    message states the rule. Policy: the code is ARM's as recalled, not in ``reference/``."""

    code = "InvalidResourceName"


class RequestEntityTooLarge(ArmError):
    """A request body over ``policy.MAX_REQUEST_BODY_BYTES``: refused before it is read further."""

    status = 413
    code = "RequestEntityTooLarge"


class UnsupportedMediaType(ArmError):
    """A body whose ``Content-Type`` is not JSON (``wire.body``). Policy: the code and wording are ARM's
    as recalled ("The content media type '…' is not supported. Only 'application/json' is supported."),
    not in ``reference/``."""

    status = 415
    code = "UnsupportedMediaType"


class JobActionNotAllowed(BadRequest):
    """cancel / restart / resume on a job whose ``allowedActions`` do not include it."""

    code = "JobActionNotAllowed"


class MissingApiVersion(BadRequest):
    code = "MissingApiVersionParameter"


class InvalidApiVersion(BadRequest):
    code = "InvalidApiVersionParameter"


class AuthenticationFailed(ArmError):
    status = 401
    code = "AuthenticationFailed"


class ResourceNotFound(ArmError):
    status = 404
    code = "ResourceNotFound"


class NoRoute(ArmError):
    """A path that names no operation of either SDK."""

    status = 404
    code = "InvalidResourceType"


class MethodNotAllowed(ArmError):
    status = 405
    code = "MethodNotAllowed"


class Conflict(ArmError):
    status = 409
    code = "Conflict"


class NotImplementedOperation(ArmError):
    """Principle 3: what is not emulated fails loudly, naming the SDK operation."""

    status = 501
    code = "NotImplemented"
