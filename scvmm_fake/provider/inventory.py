"""The inventory report on the wire: VMM's DR inventory (``VMMServer.dr_inventory()``) as JSON.

PROTOCOL.md §Inventory: the snapshot's fields in camelCase (``vm_networks`` → ``vmNetworks``),
tuples as arrays, plus the Provider's ``sequence``. ``InventoryEncoder`` keeps each VM's entry from
one report to the next, so a rebuild encodes only the VMs whose snapshot changed; ``unstamped``
is what says whether anything ASR sees changed (the snapshot's time is left out), so an unchanged
inventory is not sent again.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import Inventory, InventoryVM

__all__ = ["inventory_json", "unstamped", "InventoryEncoder"]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


_FIELDS: dict[type, tuple[tuple[str, str], ...]] = {}  # snapshot class -> (field, wire name) in field order


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _wire(value: Any, vms: InventoryEncoder | None = None) -> Any:
    """``value`` as JSON: a snapshot dataclass as an object of its fields in camelCase (as
    ``dataclasses.asdict`` would give them, read straight from the fields and with each class's
    names worked out once: a report has thousands of VMs), tuples as arrays; a VM's entry from
    ``vms`` when it has one for an equal snapshot. Scalars and tuples, most of a report, are
    told by their exact type first."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is tuple or kind is list:
        return [item if type(item) in _SCALARS else _wire(item, vms) for item in value]
    if kind is InventoryVM and vms is not None:
        return vms.entry(value)
    names = _FIELDS.get(kind)
    if names is None and dataclasses.is_dataclass(kind):
        names = _FIELDS[kind] = tuple((field.name, _camel(field.name)) for field in dataclasses.fields(kind))
    if names is not None:
        return {wire: _wire(getattr(value, name), vms) for name, wire in names}
    if isinstance(value, dict):
        return {_camel(key): _wire(item, vms) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_wire(item, vms) for item in value]
    return value


class InventoryEncoder:
    """A Provider's inventory bodies, one after another: each VM's entry is kept, keyed by its
    snapshot (a frozen value), until a body no longer holds an equal one — so a rebuild costs what
    changed (a hash and comparison per unchanged VM), and what it keeps is one body's VMs."""

    def __init__(self) -> None:
        self._kept: dict[InventoryVM, Any] = {}  # the last body's VM entries
        self._next: dict[InventoryVM, Any] = {}  # this body's, as it is built

    def entry(self, vm: InventoryVM) -> Any:
        found = self._next.get(vm)
        if found is None:
            found = self._kept.get(vm)
            if found is None:
                found = _wire(vm)
            self._next[vm] = found
        return found

    def encode(self, inventory: Inventory) -> dict[str, Any]:
        """The report body of ``inventory`` (without ``sequence``), sharing unchanged VMs' entries with
        the last body (they are never mutated)."""
        self._next = {}
        body: dict[str, Any] = _wire(inventory, self)
        self._kept, self._next = self._next, {}
        return body


def inventory_json(inventory: Inventory, encoder: InventoryEncoder | None = None) -> dict[str, Any]:
    """The report body, without ``sequence`` (the agent adds it); ``encoder`` reuses its kept VM entries."""
    if encoder is not None:
        return encoder.encode(inventory)
    body: dict[str, Any] = _wire(inventory)
    return body


def unstamped(inventory: Inventory) -> Inventory:
    """What ASR would see of ``inventory`` (everything but the time it was taken), comparable by value."""
    return dataclasses.replace(inventory, taken_at=0.0)
