"""What ASR discovered through its Providers, as the official SDK lists it: a compact view for assertions.

``discovered(client, resource_group, vault)`` walks fabrics → protection containers → protectable
items with a ``SiteRecoveryManagementClient`` (in-process or over HTTPS) and returns
``{fabric friendly name: {container friendly name: [protectable item names, sorted]}}``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["discovered"]


def discovered(client: Any, resource_group: str, vault: str) -> dict[str, dict[str, list[str]]]:
    found: dict[str, dict[str, list[str]]] = {}
    for fabric in client.replication_fabrics.list(resource_group, vault):
        containers = found.setdefault(fabric.properties.friendly_name, {})
        for container in client.replication_protection_containers.list_by_replication_fabrics(
                resource_group, vault, fabric.name):
            items = client.replication_protectable_items.list_by_replication_protection_containers(
                resource_group, vault, fabric.name, container.name)
            containers[container.properties.friendly_name] = sorted(item.properties.friendly_name for item in items)
    return found
