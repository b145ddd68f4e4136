"""Typed errors of the Provider channel; each answers with the ARM error envelope (PROTOCOL.md §Errors)."""

from __future__ import annotations

from ..errors import ArmError

__all__ = [
    "ChannelError", "RegistrationKeyMalformed", "RegistrationKeyExpired", "RegistrationKeyTampered",
    "RegistrationKeyForeign", "ClientCertificateRequired", "ProviderNotRegistered", "WorkItemNotFound",
    "WorkItemWithdrawn",
    "ChannelNotFound",
]


class ChannelError(ArmError):
    """Base of every channel refusal (status 400 unless a subclass says otherwise)."""


class RegistrationKeyMalformed(ChannelError):
    """The key file is not a registration key of this format (not JSON, fields missing or mistyped)."""

    code = "RegistrationKeyMalformed"


class RegistrationKeyExpired(ChannelError):
    """The key's 5-day validity (§5.2) ended before the registration reached the vault."""

    code = "RegistrationKeyExpired"


class RegistrationKeyTampered(ChannelError):
    """The vault issued this key id, but the file's signature no longer matches its content."""

    code = "RegistrationKeyTampered"


class RegistrationKeyForeign(ChannelError):
    """The key names a vault this service does not hold, or a key id the vault never issued."""

    code = "RegistrationKeyNotIssuedByVault"


class ClientCertificateRequired(ChannelError):
    """A channel call other than registration arrived without a client certificate."""

    status = 401
    code = "ClientCertificateRequired"


class ProviderNotRegistered(ChannelError):
    """The client certificate is valid but no registered Provider holds it (removed or purged)."""

    status = 401
    code = "ProviderNotRegistered"


class WorkItemNotFound(ChannelError):
    status = 404
    code = "WorkItemNotFound"


class WorkItemWithdrawn(ChannelError):
    """A renewal of an item whose job stopped: the Provider must abandon the work."""

    status = 409
    code = "WorkItemWithdrawn"


class ChannelNotFound(ChannelError):
    """A path under the channel prefix that names no channel operation."""

    status = 404
    code = "NotFound"
