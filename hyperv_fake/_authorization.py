"""Authorization entries and trust groups of a Replica server (§1.2).

``New-VMReplicationAuthorizationEntry -AllowedPrimaryServer <fqdn|*.domain> -ReplicaStorageLocation
-TrustGroup``: only FQDNs, a wildcard only as the whole first label. "Allow replication from any
authenticated server" is modelled as one ``*`` entry with the DEFAULT trust group (§1.2 [INF]).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from simcore.pki import hostname_matches

__all__ = ["AuthorizationEntry", "AuthorizationTable", "primary_server_problem", "ANY_SERVER", "DEFAULT_TRUST_GROUP"]

ANY_SERVER = "*"
DEFAULT_TRUST_GROUP = "DEFAULT"
"""The trust group tag of replicas accepted under "allow any server" (§1.1)."""

_LABEL = re.compile(r"^[^\s.*]+$")


@dataclass(frozen=True)
class AuthorizationEntry:
    """``Msvm_ReplicationAuthorizationSettingData``: who may replicate here, to where, in which trust group."""

    allowed_primary_server: str
    replica_storage_location: str
    trust_group: str

    @property
    def is_wildcard(self) -> bool:
        return "*" in self.allowed_primary_server

    def matches(self, fqdn: str) -> bool:
        if self.allowed_primary_server == ANY_SERVER:
            return True
        return hostname_matches(self.allowed_primary_server, fqdn)


def primary_server_problem(value: object) -> str | None:
    """Why ``value`` is not an acceptable ``AllowedPrimaryServer``, or None (§1.2)."""
    if not isinstance(value, str) or not value:
        return "an FQDN is required"
    labels = value.rstrip(".").split(".")
    if len(labels) < 2:
        return "only fully qualified domain names are accepted"
    first, rest = labels[0], labels[1:]
    if first != "*" and not _LABEL.match(first):
        return "a wildcard is allowed only as the whole first label (for example *.contoso.com)"
    if not all(_LABEL.match(label) for label in rest):
        return "a wildcard is allowed only in the first label"
    if first == "*" and len(rest) < 2:
        return "a wildcard needs a domain of at least two labels"
    return None


class AuthorizationTable:
    """The entries in the order they were added (policy AUTHORIZATION_ENTRY_ORDER breaks ties).

    ``on_change`` is called after every change (the host bumps its fabric's revision, so a
    management server that reads the entries learns that they changed)."""

    def __init__(self, on_change: Callable[[], None] | None = None) -> None:
        self._entries: list[AuthorizationEntry] = []
        self._on_change = on_change or _nothing

    @property
    def entries(self) -> tuple[AuthorizationEntry, ...]:
        return tuple(self._entries)

    def find(self, allowed_primary_server: str) -> AuthorizationEntry | None:
        key = allowed_primary_server.lower()
        return next((e for e in self._entries if e.allowed_primary_server.lower() == key), None)

    def add(self, entry: AuthorizationEntry) -> None:
        self._entries.append(entry)
        self._on_change()

    def replace(self, old: AuthorizationEntry, new: AuthorizationEntry) -> None:
        self._entries[self._entries.index(old)] = new
        self._on_change()

    def remove(self, entries: list[AuthorizationEntry]) -> None:
        self._entries = [e for e in self._entries if e not in entries]
        self._on_change()

    def match(self, fqdn: str) -> list[AuthorizationEntry]:
        """Entries admitting ``fqdn``: exact names first, then wildcards, each in the order added."""
        found = [e for e in self._entries if e.matches(fqdn)]
        return sorted(found, key=lambda e: e.is_wildcard)


def _nothing() -> None:
    pass
