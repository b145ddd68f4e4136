"""Recovery points on the wire: ``recoveryPoints`` list and get under a protected item
(asr-orchestration.md §B.5, asr-api.md §7): the replica's own, as its VMM reports them
(``models.recovery_points``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import ResourceNotFound
from ..http import HttpResponse
from ..models.protection import ProtectedItem
from ..models.recovery_points import RecoveryPoint, recovery_points
from ..models.resources import KINDS
from ..models.vault import Vault
from ..routing.registry import handles
from ..wire.call import Call
from ..wire.body import echo
from ..wire.render import resource_json
from ._item import item_of

POINTS = "RecoveryPointsOperations"
_KIND = KINDS["recovery_point"]


def _render(vault: Vault, item: ProtectedItem) -> Callable[[RecoveryPoint], dict[str, Any]]:
    parents = (item.primary.fabric, item.primary.container, item.name)
    return lambda point: resource_json(vault, _KIND, parents, point)


def _point(vault: Vault, item: ProtectedItem, name: str, target: str) -> RecoveryPoint:
    found = next((p for p in recovery_points(item) if p.name.lower() == name.lower()), None)
    if found is None:
        raise ResourceNotFound(
            f"The Resource 'Microsoft.RecoveryServices/vaults/{vault.name}/replicationFabrics/{item.primary.fabric}/"
            f"replicationProtectionContainers/{item.primary.container}/replicationProtectedItems/{item.name}/"
            f"recoveryPoints/{echo(name)}' under resource group '{vault.resource_group}' was not found.", target=target)
    return found


@handles(POINTS, "list_by_replication_protected_items")
def list_recovery_points(call: Call) -> HttpResponse:
    vault = call.vault()
    item = item_of(call, vault)
    return call.page(recovery_points(item), _render(vault, item))


@handles(POINTS, "get")
def get_recovery_point(call: Call) -> HttpResponse:
    vault = call.vault()
    item = item_of(call, vault)
    point = _point(vault, item, call.params["recoveryPointName"], "recoveryPointName")
    return call.json(_render(vault, item)(point))
