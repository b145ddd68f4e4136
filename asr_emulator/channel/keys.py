"""Registration key files: what the vault's "Download registration key" hands out (§5.2).

A key names the vault and the channel endpoint, carries its validity window (5 days, fact) and an
HMAC-SHA256 signature by a per-vault secret (policy ``KEY_SIGNATURE``). ``issue`` makes one,
``RegistrationKey.dumps`` is the file, ``parse`` reads it back refusing anything malformed, and
``verify`` refuses expired, tampered or foreign keys with a typed error, changing nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from typing import Any

from .errors import RegistrationKeyExpired, RegistrationKeyForeign, RegistrationKeyMalformed, RegistrationKeyTampered
from .policy import KEY_FORMAT_VERSION, KEY_VALIDITY_SECONDS

__all__ = ["RegistrationKey", "sign", "issue", "parse", "verify"]

_FIELDS: dict[str, type | tuple[type, ...]] = {
    "format": str, "keyId": str, "subscriptionId": str, "resourceGroup": str, "vaultName": str,
    "vaultId": str, "location": str, "serviceEndpoint": str, "validFrom": (int, float), "validTo": (int, float),
    "signature": str,
}


@dataclass(frozen=True)
class RegistrationKey:
    """One key file's content. Times are virtual seconds since the lab epoch (also shown as text by
    the Provider); ``signature`` covers every other field."""

    format: str
    keyId: str
    subscriptionId: str
    resourceGroup: str
    vaultName: str
    vaultId: str
    location: str
    serviceEndpoint: str
    validFrom: float
    validTo: float
    signature: str = ""

    def dumps(self) -> str:
        """The file's text: canonical JSON."""
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    def signed_content(self) -> bytes:
        fields = {key: value for key, value in asdict(self).items() if key != "signature"}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def sign(key: RegistrationKey, secret: bytes) -> str:
    return hmac.new(secret, key.signed_content(), hashlib.sha256).hexdigest()


def issue(secret: bytes, *, key_id: str, now: float, **fields: Any) -> RegistrationKey:
    """A key valid from ``now`` for ``KEY_VALIDITY_SECONDS``, signed with ``secret``."""
    unsigned = RegistrationKey(format=KEY_FORMAT_VERSION, keyId=key_id, validFrom=now,
                               validTo=now + KEY_VALIDITY_SECONDS, **fields)
    return RegistrationKey(**{**asdict(unsigned), "signature": sign(unsigned, secret)})


def parse(value: Any) -> RegistrationKey:
    """A key from the file's text (or its JSON object); ``RegistrationKeyMalformed`` otherwise."""
    if isinstance(value, (str, bytes)):
        try:
            value = json.loads(value)
        except (ValueError, UnicodeDecodeError):
            raise RegistrationKeyMalformed("The registration key file is not valid JSON.") from None
    if not isinstance(value, dict):
        raise RegistrationKeyMalformed("The registration key must be a JSON object.")
    for name, kind in _FIELDS.items():
        item = value.get(name)
        if item is None or not isinstance(item, kind) or isinstance(item, bool):
            raise RegistrationKeyMalformed(f"The registration key has no valid '{name}' field.", target=name)
    extra = sorted(set(value) - set(_FIELDS))
    if extra:
        raise RegistrationKeyMalformed(f"The registration key has unknown fields: {', '.join(extra)}.", target=extra[0])
    if value["format"] != KEY_FORMAT_VERSION:
        raise RegistrationKeyMalformed(f"The registration key format '{value['format']}' is not supported.",
                                       target="format")
    return RegistrationKey(**value)


def verify(key: RegistrationKey, issued: dict[str, RegistrationKey], secret: bytes, now: float) -> None:
    """Refuse a key this vault did not issue (foreign), whose signature fails (tampered), or outside
    its validity (both ends inclusive, policy ``KEY_VALIDITY_SECONDS``)."""
    if key.keyId not in issued:
        raise RegistrationKeyForeign(
            f"The registration key '{key.keyId}' was not issued by vault '{key.vaultName}'. Download a new key "
            "from the vault you are registering to.", target="keyId")
    if not hmac.compare_digest(sign(key, secret), key.signature):
        raise RegistrationKeyTampered(
            "The registration key file was modified after it was downloaded: its signature does not match. "
            "Download the key again.", target="signature")
    if now > key.validTo or now < key.validFrom:
        raise RegistrationKeyExpired(
            "The registration key has expired (a key is valid for 5 days after download). Download a new key "
            "from the vault.", target="validTo")
