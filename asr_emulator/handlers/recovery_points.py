"""Recovery points on the wire: ``recoveryPoints`` list and get under a protected item, and ChangePit
(``applyRecoveryPoint``) — asr-orchestration.md §B.5, asr-api.md §7.

The points are the replica's own, as its VMM reports them (``models.recovery_points``). ChangePit's
body names a point by its ARM id: one that is not a recovery point id of this item is 400, one of
this item that names no current point is 404 (as its GET would be), both before anything changes;
then ``_item.operate`` runs the job (or the 532 conflict job, or refuses with 150205 unless the state
allows ``ChangePit``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import InvalidParameter
from ..http import HttpResponse
from ..models.protection import ProtectedItem
from ..models.recovery_points import RecoveryPoint, points_id, recovery_points
from ..models.resources import KINDS
from ..models.vault import Vault
from ..policy import APPLY_RECOVERY_POINT_SCENARIO
from ..routing.registry import handles
from ..wire.call import Call
from ..wire.body import echo
from ..wire.render import resource_json
from ..workflows import recovery_point
from ._item import ITEMS, item_of, operate, properties_of

POINTS = "RecoveryPointsOperations"
_KIND = KINDS["recovery_point"]


def _render(vault: Vault, item: ProtectedItem) -> Callable[[RecoveryPoint], dict[str, Any]]:
    parents = (item.primary.fabric, item.primary.container, item.name)
    return lambda point: resource_json(vault, _KIND, parents, point)


def _point(vault: Vault, item: ProtectedItem, name: str, target: str) -> RecoveryPoint:
    found = next((p for p in recovery_points(item) if p.name.lower() == name.lower()), None)
    if found is None:
        raise vault.missing(f"replicationFabrics/{item.primary.fabric}/replicationProtectionContainers/"
                            f"{item.primary.container}/replicationProtectedItems/{item.name}/recoveryPoints/{echo(name)}",
                            target=target)
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


@handles(ITEMS, "begin_apply_recovery_point")
def apply_recovery_point(call: Call) -> HttpResponse:
    """``{"properties": {"recoveryPointId": "<RP ARM id>", "providerSpecificDetails": {"instanceType": …}}}``
    (§B.5; any ``instanceType`` accepted, asr-api.md §7)."""
    vault = call.vault()
    properties = properties_of(call)
    point_id = Call.field(properties, "recoveryPointId", str, "properties", required=True)
    Call.field(properties, "providerSpecificDetails", dict, "properties")
    item = item_of(call, vault)
    collection, _, name = point_id.rpartition("/")
    if collection.lower() != points_id(item).lower() or not name:
        raise InvalidParameter(f"The value '{echo(point_id)}' of 'properties.recoveryPointId' is invalid: expected the "
                               f"id of a recovery point of '{item.vm_name}'.", target="properties.recoveryPointId")
    point = _point(vault, item, name, "properties.recoveryPointId")
    return operate(call, vault, item, "ChangePit", APPLY_RECOVERY_POINT_SCENARIO, lambda request_id: (
        recovery_point.start_apply_recovery_point(call.service.channel, vault, item, point,
                                                  client_request_id=request_id)))
