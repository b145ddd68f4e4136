"""The groups of a recovery plan's create or update body, read as the SDK sends them (asr-api.md §8).

Each group and action is checked for its shape here (typed 400s naming the field, nothing stored):
``groupType`` one of Shutdown / Failover / Boot, items as ``{id, virtualMachineId}``, actions with
``actionName``, ``failoverTypes`` (policy ``PLAN_ACTION_FAILOVER_TYPES``), ``failoverDirections``
and ``customDetails`` of a known ``instanceType`` with its required fields. What the items are (protected,
between the plan's fabrics, in one group only) is the workflow's to judge (``workflows.plan_resource``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import InvalidParameter
from ..models.recovery_plans import ACTION_KINDS, GROUP_TYPES, PlanAction
from ..policy import PLAN_ACTION_FAILOVER_TYPES
from ..wire.call import Call

__all__ = ["GroupInput", "read_groups"]

_DIRECTIONS = ("PrimaryToRecovery", "RecoveryToPrimary")
_LOCATIONS = ("Primary", "Recovery")
#: Per action kind: its required string fields (asr-api.md §8) and its optional ones.
_ACTION_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ScriptActionDetails": (("path", "fabricLocation"), ("timeout",)),
    "AutomationRunbookActionDetails": (("fabricLocation",), ("runbookId", "timeout")),
    "ManualActionDetails": ((), ("description",)),
}


@dataclass(frozen=True)
class GroupInput:
    """One group as sent: its type, its items' (id, virtualMachineId) and its actions."""

    group_type: str
    items: tuple[tuple[str, str | None], ...]
    start_actions: tuple[PlanAction, ...]
    end_actions: tuple[PlanAction, ...]
    where: str  # the JSON path of the group, for the workflow's refusals


def _strings(value: object, where: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise InvalidParameter(f"'{where}' must be a non-empty array of: {', '.join(allowed)}.", target=where)
    for entry in value:
        if entry not in allowed:
            raise InvalidParameter(f"The value {entry!r} of '{where}' is invalid: allowed values are "
                                   f"{', '.join(allowed)}.", target=where)
    return tuple(value)


def _action(raw: object, where: str) -> PlanAction:
    if not isinstance(raw, dict):
        raise InvalidParameter(f"'{where}' must be an object.", target=where)
    name = Call.field(raw, "actionName", str, where, required=True)
    types = _strings(raw.get("failoverTypes"), f"{where}.failoverTypes", PLAN_ACTION_FAILOVER_TYPES)
    directions = _strings(raw.get("failoverDirections"), f"{where}.failoverDirections", _DIRECTIONS)
    details = Call.field(raw, "customDetails", dict, where, required=True)
    kind = Call.field(details, "instanceType", str, f"{where}.customDetails", required=True)
    if kind not in ACTION_KINDS:
        raise InvalidParameter(f"The value '{kind}' of '{where}.customDetails.instanceType' is invalid: allowed values "
                               f"are {', '.join(ACTION_KINDS)}.", target=f"{where}.customDetails.instanceType")
    required, optional = _ACTION_FIELDS[kind]
    for field in required + optional:
        Call.field(details, field, str, f"{where}.customDetails", required=field in required)
    location = details.get("fabricLocation")
    if location is not None and location not in _LOCATIONS:
        raise InvalidParameter(f"The value '{location}' of '{where}.customDetails.fabricLocation' is invalid: Primary "
                               "or Recovery.", target=f"{where}.customDetails.fabricLocation")
    return PlanAction(name, types, directions, dict(details))


def _actions(group: dict[str, Any], key: str, where: str) -> tuple[PlanAction, ...]:
    raw = Call.field(group, key, list, where) or []
    return tuple(_action(entry, f"{where}.{key}[{index}]") for index, entry in enumerate(raw))


def _items(group: dict[str, Any], where: str) -> tuple[tuple[str, str | None], ...]:
    found = []
    for index, raw in enumerate(Call.field(group, "replicationProtectedItems", list, where) or []):
        at = f"{where}.replicationProtectedItems[{index}]"
        if not isinstance(raw, dict):
            raise InvalidParameter(f"'{at}' must be an object.", target=at)
        found.append((Call.field(raw, "id", str, at, required=True), Call.field(raw, "virtualMachineId", str, at)))
    return tuple(found)


def read_groups(properties: dict[str, Any]) -> list[GroupInput]:
    """``properties.groups``, each checked for its shape."""
    groups = Call.field(properties, "groups", list, "properties", required=True)
    read = []
    for index, raw in enumerate(groups):
        where = f"properties.groups[{index}]"
        if not isinstance(raw, dict):
            raise InvalidParameter(f"'{where}' must be an object.", target=where)
        group_type = Call.field(raw, "groupType", str, where, required=True)
        if group_type not in GROUP_TYPES:
            raise InvalidParameter(f"The value '{group_type}' of '{where}.groupType' is invalid: allowed values are "
                                   f"{', '.join(GROUP_TYPES)}.", target=f"{where}.groupType")
        read.append(GroupInput(group_type, _items(raw, where), _actions(raw, "startGroupActions", where),
                               _actions(raw, "endGroupActions", where), where))
    return read
