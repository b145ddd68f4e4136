"""Recovery Services vaults and the registry that holds them, keyed as ARM keys them.

moto's ``BackendDict`` lesson (anchors.md §1.2): all state of a vault lives on the ``Vault``
object, the registry maps ``(subscription, resource group, name)`` — compared case-insensitively,
as ARM does — to vaults, and ``reset()`` drops everything at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import ResourceNotFound
from .events import Event
from .jobs import Job
from .policies import Policy
from .resources import ResourceStore

__all__ = ["VaultKey", "Operation", "Vault", "VaultRegistry", "vault_not_found"]

VaultKey = tuple[str, str, str]


def _key(subscription_id: str, resource_group: str, name: str) -> VaultKey:
    return (subscription_id.lower(), resource_group.lower(), name.lower())


@dataclass(eq=False)
class Operation:
    """A long-running operation: the job behind an ``operationresults/{id}`` URL. ``Vault.operations``
    keys it by the resource it acts on plus its id (``wire.call.operation_key``).

    ``kind`` says how its poll ends: ``resource`` (200 + ``render(job.output)``), ``delete``
    (204), ``job`` (200 + the job itself, for export) or ``action`` (200 + the job, for
    cancel/restart/resume of an existing job). ``status_id``: its ``replicationOperationStatus``
    id, the job name unless the operation acts on a job another operation created.
    """

    id: str
    job: Job
    kind: str
    render: Callable[[Any], dict[str, Any]] | None = None
    status_id: str = ""

    def __post_init__(self) -> None:
        if not self.status_id:
            self.status_id = self.id


@dataclass(eq=False)
class Vault:
    """A ``Microsoft.RecoveryServices/vaults`` resource and every replication resource in it."""

    subscription_id: str
    resource_group: str
    name: str
    location: str
    tags: dict[str, str] = field(default_factory=dict)
    sku: dict[str, Any] | None = None
    identity: dict[str, Any] | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    policies: dict[str, Policy] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    operations: dict[str, Operation] = field(default_factory=dict)
    resources: ResourceStore = field(default_factory=ResourceStore)
    channel: Any = None  # the Provider channel's state (asr_emulator.channel.state.VaultChannel), made on first use

    @property
    def key(self) -> VaultKey:
        return _key(self.subscription_id, self.resource_group, self.name)

    @property
    def holds_replication_resources(self) -> bool:
        """What stops a vault delete (policy.VAULT_NOT_EMPTY_CODE): policies or any stored resource."""
        return bool(self.policies) or bool(self.resources)

    def missing(self, path: str, *, target: str | None = None) -> ResourceNotFound:
        """ARM's 404 for ``path`` (below this vault, e.g. ``replicationFabrics/{name}``) naming nothing: the
        one wording of every read or action on a missing replication resource; ``target`` names the field."""
        return ResourceNotFound(f"The Resource 'Microsoft.RecoveryServices/vaults/{self.name}/{path}' under resource group "
                                f"'{self.resource_group}' was not found.", target=target)


def vault_not_found(resource_group: str, name: str) -> ResourceNotFound:
    """ARM's own answer for a missing vault, before any request reaches the resource provider."""
    return ResourceNotFound(
        f"The Resource 'Microsoft.RecoveryServices/vaults/{name}' under resource group '{resource_group}' was not found. "
        "For more details please go to https://aka.ms/ARMResourceNotFoundFix")


class VaultRegistry:
    """All vaults of a service, by (subscription, resource group, name)."""

    def __init__(self) -> None:
        self._vaults: dict[VaultKey, Vault] = {}

    def find(self, subscription_id: str, resource_group: str, name: str) -> Vault | None:
        return self._vaults.get(_key(subscription_id, resource_group, name))

    def get(self, subscription_id: str, resource_group: str, name: str) -> Vault:
        vault = self.find(subscription_id, resource_group, name)
        if vault is None:
            raise vault_not_found(resource_group, name)
        return vault

    def add(self, vault: Vault) -> Vault:
        self._vaults[vault.key] = vault
        return vault

    def remove(self, vault: Vault) -> None:
        del self._vaults[vault.key]

    def in_subscription(self, subscription_id: str, resource_group: str | None = None) -> list[Vault]:
        sub = subscription_id.lower()
        rg = resource_group.lower() if resource_group is not None else None
        return [v for (s, g, _), v in self._vaults.items() if s == sub and (rg is None or g == rg)]

    def __iter__(self) -> Iterator[Vault]:
        return iter(list(self._vaults.values()))

    def __len__(self) -> int:
        return len(self._vaults)

    def reset(self) -> None:
        self._vaults.clear()
