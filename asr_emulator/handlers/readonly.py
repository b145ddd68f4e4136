"""GET and list for the families later issues fill (fabrics, providers, networks, mappings,
containers, protectable / protected items, recovery plans, vCenters; recovery points have their own module).

One generic handler per shape: the resource kind and which names are parents come from the
operation's path template, so each family answers exactly its SDK paths. A missing resource or
parent is a 404; an empty store lists as ``{"value": []}``. ``$filter`` on these lists is not
emulated yet and says so (501), rather than being ignored.
"""

from __future__ import annotations

from ..errors import NotImplementedOperation, ResourceNotFound
from ..http import HttpResponse
from ..models.resources import KINDS, ResourceKind
from ..models.vault import Vault
from ..routing.registry import handles
from ..routing.table import OperationSpec
from ..wire.call import Call
from ..wire.render import resource_json

_READS = {
    "ReplicationFabricsOperations": ("get", "list"),
    "ReplicationRecoveryServicesProvidersOperations": ("get", "list_by_replication_fabrics", "list"),
    "ReplicationNetworksOperations": ("get", "list_by_replication_fabrics", "list"),
    "ReplicationNetworkMappingsOperations": ("get", "list_by_replication_networks", "list"),
    "ReplicationLogicalNetworksOperations": ("get", "list_by_replication_fabrics"),
    "ReplicationProtectionContainersOperations": ("get", "list_by_replication_fabrics", "list"),
    "ReplicationProtectionContainerMappingsOperations": ("get", "list_by_replication_protection_containers", "list"),
    "ReplicationProtectableItemsOperations": ("get", "list_by_replication_protection_containers"),
    "ReplicationProtectedItemsOperations": ("get", "list_by_replication_protection_containers", "list"),
    "ReplicationRecoveryPlansOperations": ("get", "list"),
    "ReplicationvCentersOperations": ("get", "list_by_replication_fabrics", "list"),
}


def _shape(spec: OperationSpec) -> tuple[ResourceKind, int, bool]:
    """(kind, how many of its names the path gives, whether the path names the resource itself)."""
    below = spec.path.split("/{resourceName}/", 1)[1].split("/")
    last = [segment for segment in below if not segment.startswith("{")][-1]
    kind = next(kind for kind in KINDS.values() if kind.collections[-1] == last)  # vault-wide lists skip the parents
    named = sum(1 for segment in below if segment.startswith("{"))
    return kind, named, below[-1].startswith("{")


def _not_found(vault: Vault, kind: ResourceKind, names: tuple[str, ...]) -> ResourceNotFound:
    path = "/".join(f"{collection}/{name}" for collection, name in zip(kind.collections, names))
    return vault.missing(path)


def _names(call: Call) -> tuple[str, ...]:
    """The path's names below the vault, in order (params follow the path: subscription, group, vault first)."""
    return tuple(call.params.values())[3:]


def _check_parents(vault: Vault, kind: ResourceKind, names: tuple[str, ...]) -> None:
    for depth in range(1, len(names) + 1):
        parent = ResourceKind(kind.collections[:depth])
        if vault.resources.get(parent, names[:depth - 1], names[depth - 1]) is None:
            raise _not_found(vault, parent, names[:depth])


def read(call: Call) -> HttpResponse:
    vault = call.vault()
    if call.query.get("$filter"):
        raise NotImplementedOperation(f"$filter on {call.spec.sdk_name} is not implemented by asr-harness.",
                                      target="$filter")
    kind, named, is_item = _shape(call.spec)
    names = _names(call)
    if is_item:
        _check_parents(vault, kind, names[:-1])
        resource = vault.resources.get(kind, names[:-1], names[-1])
        if resource is None:
            raise _not_found(vault, kind, names)
        return call.json(resource_json(vault, kind, names[:-1], resource))
    if named == kind.depth - 1:  # one parent's children: no per-item pairs to build for every page
        _check_parents(vault, kind, names)
        children = vault.resources.children(kind, names)
        return call.page(children, lambda resource: resource_json(vault, kind, names, resource))
    items = list(vault.resources.everywhere(kind))
    return call.page(items, lambda item: resource_json(vault, kind, item[0], item[1]))


for _group, _methods in _READS.items():
    handles(_group, *_methods)(read)
