"""Policy: a registration key cannot take over a server that is already registered.

Before, a key alone — valid 5 days and reusable — let anyone register with a registered VMM
server's id: join its fabric, and (with its machine name) get its Provider's certificate reissued
and the real one revoked. The real Provider's re-registration is not documented beyond "download a
new vault registration key and run setup again" (hyperv-scvmm.md §5.2); this emulator's rules are
**policy**:

1. **A key registers once** (``KEYS_SINGLE_USE``). A key that registered a server is spent; any
   further registration with it is 400 ``RegistrationKeyAlreadyUsed``. A key copied after use (a
   file share, a script's log) is worth nothing.
2. **Re-registering a registered server needs proof** (``REREGISTRATION_PROOF``). A registration
   naming a VMM server id whose fabric has a registered Provider is accepted only if its TLS session
   presents the current client certificate of one of that fabric's Providers (the server renewing
   itself), or if its key was downloaded after the server's current registration (the vault's
   owner consenting anew, as the real re-registration asks for a new key). Otherwise it is 409
   ``ServerAlreadyRegistered``. A key that was already outstanding when the server registered —
   a second download, a leaked spare — cannot take it over.

Both are checked after the key itself (format, issuer, signature, validity) and before anything
changes; a refusal spends nothing, revokes nothing and creates nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography import x509

from simcore.pki import thumbprint

from .errors import ChannelError
from .keys import RegistrationKey
from .records import FabricRecord, ProviderRecord

__all__ = ["RegistrationKeyAlreadyUsed", "ServerAlreadyRegistered", "RegistrationGuard", "KEYS_SINGLE_USE",
           "REREGISTRATION_PROOF"]

#: Policy (rule 1, module docstring).
KEYS_SINGLE_USE = True
#: Policy (rule 2, module docstring): the server's current certificate, or a key newer than its registration.
REREGISTRATION_PROOF = ("current-client-certificate", "key-issued-after-registration")


class RegistrationKeyAlreadyUsed(ChannelError):
    """The key already registered a server (rule 1): download a new one."""

    code = "RegistrationKeyAlreadyUsed"


class ServerAlreadyRegistered(ChannelError):
    """The server id is registered and the registration proved neither possession nor fresh consent (rule 2)."""

    status = 409
    code = "ServerAlreadyRegistered"


@dataclass
class RegistrationGuard:
    """The two rules over what registrations have happened: which key registered which server, and
    which keys were outstanding when each fabric last registered a Provider."""

    spent: dict[str, str] = field(default_factory=dict)  # key id -> the server id it registered
    outstanding: dict[str, frozenset[str]] = field(default_factory=dict)  # fabric (lower) -> key ids then issued

    def check(self, key: RegistrationKey, server_id: str, fabric: FabricRecord | None,
              providers: Iterable[ProviderRecord], peer: x509.Certificate | None) -> None:
        """Refuse (raising, changing nothing) what rules 1 and 2 refuse."""
        if KEYS_SINGLE_USE and key.keyId in self.spent:
            raise RegistrationKeyAlreadyUsed(
                f"The registration key '{key.keyId}' was already used to register a server; a key registers once. "
                "Download a new registration key from the vault.", target="keyId")
        registered = list(providers)
        if fabric is None or not registered:
            return  # nothing registered under this server id: nothing to take over
        if peer is not None and thumbprint(peer) in {record.thumbprint for record in registered}:
            return  # the server itself, presenting its current certificate
        if key.keyId not in self.outstanding.get(fabric.name.lower(), frozenset()):
            return  # downloaded after the server's current registration: the owner's fresh consent
        raise ServerAlreadyRegistered(
            f"The VMM server '{server_id}' is already registered to vault '{key.vaultName}'. Registering it again "
            "needs the server's current client certificate on the channel, or a registration key downloaded after "
            "its current registration.", target="vmmServerId")

    def record(self, key: RegistrationKey, server_id: str, fabric: FabricRecord, issued: Iterable[str]) -> None:
        """After a registration of ``fabric`` with ``key``: the key is spent, and every key issued so
        far is one that cannot re-register this fabric without its certificate."""
        self.spent[key.keyId] = server_id
        self.outstanding[fabric.name.lower()] = frozenset(issued)
