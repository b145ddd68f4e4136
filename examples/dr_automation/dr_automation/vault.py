"""The vault as the runbook sees it: the client, the vault's ids, and look-ups by the names people
use (clouds, networks, VMs) rather than the service's generated ones."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from azure.mgmt.recoveryservicessiterecovery import SiteRecoveryManagementClient


def friendly_name(resource: Any) -> str | None:
    """The name people gave it (VMM's cloud, network or VM name); the SDK's models may omit properties."""
    return resource.properties.friendly_name if resource.properties is not None else None


class NotFound(LookupError):
    """A cloud, network or VM the configuration names is not in the vault."""


@dataclass
class Vault:
    asr: SiteRecoveryManagementClient
    subscription_id: str
    resource_group: str
    name: str

    @property
    def ids(self) -> tuple[str, str]:
        """(resource group, vault name): the first two arguments of every SDK call."""
        return self.resource_group, self.name

    def arm_id(self, *path: str) -> str:
        """The ARM id of a resource under the vault (``arm_id("replicationPolicies", "p")``)."""
        return (f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}/providers/"
                f"Microsoft.RecoveryServices/vaults/{self.name}/" + "/".join(path))

    def fabrics(self) -> list[str]:
        return [str(fabric.name) for fabric in self.asr.replication_fabrics.list(*self.ids)]

    def cloud(self, name: str) -> tuple[str, str]:
        """(fabric, protection container) of the VMM cloud ``name``."""
        for fabric in self.fabrics():
            for container in self.asr.replication_protection_containers.list_by_replication_fabrics(*self.ids, fabric):
                if friendly_name(container) == name:
                    return fabric, str(container.name)
        raise NotFound(f"no cloud {name!r} in vault {self.name}")

    def network(self, fabric: str, name: str) -> str:
        """The replication network of the VM network ``name`` on ``fabric``."""
        for network in self.asr.replication_networks.list_by_replication_fabrics(*self.ids, fabric):
            if friendly_name(network) == name:
                return str(network.name)
        raise NotFound(f"no network {name!r} on fabric {fabric}")

    def protectable(self, cloud: str) -> Iterator[Any]:
        fabric, container = self.cloud(cloud)
        yield from self.asr.replication_protectable_items.list_by_replication_protection_containers(
            *self.ids, fabric, container)

    def protected(self, cloud: str) -> dict[str, Any]:
        """VM name -> protected item, for the VMs of ``cloud`` under protection."""
        fabric, container = self.cloud(cloud)
        return {str(friendly_name(item)): item for item in
                self.asr.replication_protected_items.list_by_replication_protection_containers(
                    *self.ids, fabric, container)}
