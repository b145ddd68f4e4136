"""The inventory report on the wire: VMM's DR inventory (``VMMServer.dr_inventory()``) as JSON.

PROTOCOL.md §Inventory: the snapshot's fields in camelCase (``vm_networks`` → ``vmNetworks``),
tuples as arrays, plus the Provider's ``sequence``. ``digest`` says whether anything ASR sees
changed (the snapshot's time is left out), so an unchanged inventory is not sent again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from .. import Inventory

__all__ = ["inventory_json", "digest"]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


_FIELDS: dict[type, tuple[tuple[str, str], ...]] = {}  # snapshot class -> (field, wire name) in field order


def _wire(value: Any) -> Any:
    """``value`` as JSON: a snapshot dataclass as an object of its fields in camelCase (as
    ``dataclasses.asdict`` would give them, read straight from the fields and with each class's
    names worked out once: a report has thousands of VMs), tuples as arrays."""
    kind = type(value)
    names = _FIELDS.get(kind)
    if names is None and dataclasses.is_dataclass(kind):
        names = _FIELDS[kind] = tuple((field.name, _camel(field.name)) for field in dataclasses.fields(kind))
    if names is not None:
        return {wire: _wire(getattr(value, name)) for name, wire in names}
    if isinstance(value, dict):
        return {_camel(key): _wire(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_wire(item) for item in value]
    return value


def inventory_json(inventory: Inventory) -> dict[str, Any]:
    """The report body, without ``sequence`` (the agent adds it)."""
    body: dict[str, Any] = _wire(inventory)
    return body


def digest(body: dict[str, Any]) -> str:
    """A fingerprint of what ASR would see (everything but ``takenAt`` and ``sequence``)."""
    seen = {key: value for key, value in body.items() if key not in ("takenAt", "sequence")}
    return hashlib.sha256(json.dumps(seen, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
