"""Stores for the replication resources later issues fill (fabrics, providers, containers, ...).

A resource is addressed by its *kind* (the collection segments of its ARM path, e.g.
``("replicationFabrics", "replicationNetworks")``), its parents' names and its own name. This
issue only reads them (GET answers 404, lists answer empty); the Provider channel and the
pairing / protection workflows insert through ``ResourceStore.put``. Names compare
case-insensitively, as ARM names do; lists keep insertion order, so they replay with the seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["ResourceKind", "ArmResource", "StoredResource", "ResourceStore", "KINDS"]


@dataclass(frozen=True)
class ResourceKind:
    """A resource family, named by its collection segments under the vault."""

    collections: tuple[str, ...]
    type_first: bool = False  # the envelope starts with ``type`` (network mappings, §A.2.2)

    @property
    def type(self) -> str:
        """The ARM ``type`` string, e.g. ``Microsoft.RecoveryServices/vaults/replicationFabrics/replicationNetworks``."""
        return "Microsoft.RecoveryServices/vaults/" + "/".join(self.collections)

    @property
    def depth(self) -> int:
        return len(self.collections)


class ArmResource(Protocol):
    """What a store holds: a name and the ``properties`` object of its ARM envelope."""

    name: str

    def arm_properties(self) -> dict[str, Any]: ...


@dataclass
class StoredResource:
    """The simplest ``ArmResource``: a name, a properties dict, an optional ``location``."""

    name: str
    properties: dict[str, Any] = field(default_factory=dict)
    location: str | None = None

    def arm_properties(self) -> dict[str, Any]:
        return self.properties


#: The families this issue answers read-only (asr-api.md §2).
KINDS: dict[str, ResourceKind] = {
    name: ResourceKind(collections, type_first=name == "network_mapping")
    for name, collections in {
        "fabric": ("replicationFabrics",),
        "provider": ("replicationFabrics", "replicationRecoveryServicesProviders"),
        "network": ("replicationFabrics", "replicationNetworks"),
        "network_mapping": ("replicationFabrics", "replicationNetworks", "replicationNetworkMappings"),
        "logical_network": ("replicationFabrics", "replicationLogicalNetworks"),
        "container": ("replicationFabrics", "replicationProtectionContainers"),
        "container_mapping": ("replicationFabrics", "replicationProtectionContainers", "replicationProtectionContainerMappings"),
        "protectable_item": ("replicationFabrics", "replicationProtectionContainers", "replicationProtectableItems"),
        "protected_item": ("replicationFabrics", "replicationProtectionContainers", "replicationProtectedItems"),
        "recovery_point": ("replicationFabrics", "replicationProtectionContainers", "replicationProtectedItems", "recoveryPoints"),
        "recovery_plan": ("replicationRecoveryPlans",),
        "vcenter": ("replicationFabrics", "replicationvCenters"),
    }.items()
}


def _fold(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name.lower() for name in names)


class ResourceStore:
    """Every stored resource of one vault, by kind, parents and name."""

    def __init__(self) -> None:
        self._items: dict[tuple[tuple[str, ...], tuple[str, ...]], dict[str, ArmResource]] = {}

    def put(self, kind: ResourceKind, parents: tuple[str, ...], resource: ArmResource) -> None:
        """Insert or replace ``resource`` under ``parents`` (one name per enclosing collection).

        The parents must exist: a network is put under a fabric that was put before it.
        """
        if len(parents) != kind.depth - 1:
            raise ValueError(f"{kind.type} needs {kind.depth - 1} parent names, got {parents!r}")
        if parents:
            parent_kind = ResourceKind(kind.collections[:-1])
            if self.get(parent_kind, parents[:-1], parents[-1]) is None:
                raise KeyError(f"no {parent_kind.type} named {parents[-1]!r} to hold a {kind.collections[-1]} resource")
        self._items.setdefault((kind.collections, _fold(parents)), {})[resource.name.lower()] = resource

    def get(self, kind: ResourceKind, parents: tuple[str, ...], name: str) -> ArmResource | None:
        return self._items.get((kind.collections, _fold(parents)), {}).get(name.lower())

    def remove(self, kind: ResourceKind, parents: tuple[str, ...], name: str) -> ArmResource | None:
        return self._items.get((kind.collections, _fold(parents)), {}).pop(name.lower(), None)

    def children(self, kind: ResourceKind, parents: tuple[str, ...]) -> list[ArmResource]:
        return list(self._items.get((kind.collections, _fold(parents)), {}).values())

    def everywhere(self, kind: ResourceKind) -> Iterator[tuple[tuple[str, ...], ArmResource]]:
        """Every resource of ``kind`` under any parents, with the parents' names as stored."""
        for (collections, parents), items in list(self._items.items()):
            if collections == kind.collections:
                display = self._display(kind, parents)
                for resource in items.values():
                    yield display, resource

    def _display(self, kind: ResourceKind, folded: tuple[str, ...]) -> tuple[str, ...]:
        """The parents' names in the casing they were stored with."""
        names: list[str] = []
        for depth, name in enumerate(folded, start=1):
            parent_kind = ResourceKind(kind.collections[:depth])
            stored = self.get(parent_kind, tuple(names), name)
            names.append(stored.name if stored is not None else name)
        return tuple(names)

    def __bool__(self) -> bool:
        return any(self._items.values())
