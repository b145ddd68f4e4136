"""Removing a Provider or a VMM fabric through the API: ``remove`` (POST .../remove) and ``purge`` (DELETE).

Both run as a job (asr-api.md §3.2: 202 then 204). The job's task revokes each removed Provider's
client certificate, so its next call is refused at the TLS handshake, and drops its records. A
VMM fabric exists only through its Providers (policy ``FABRIC_NAMING``): when the last one goes,
the fabric and everything discovered under it go too. ``remove`` fails its job while a cloud of
the fabric is paired or a VM protected (``catalogue.PROVIDER_REMOVE_BLOCKED``); ``purge`` does not ask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..catalogue import PROVIDER_REMOVE_BLOCKED
from ..models.jobs import Job
from ..models.resources import KINDS
from ..models.vault import Vault
from ..wire.render import asr_prefix
from .policy import PURGE_SCENARIO, REMOVE_FABRIC_SCENARIO, REMOVE_PROVIDER_SCENARIO
from .records import FabricRecord, ProviderRecord

if TYPE_CHECKING:
    from .service import ChannelService

__all__ = ["start_removal"]

_IN_USE = ("container_mapping", "protected_item", "network_mapping")
#: The kinds under a fabric, deepest first (children go before their parents).
_UNDER_FABRIC = sorted((kind for kind in KINDS.values() if kind.collections[0] == "replicationFabrics" and kind.depth > 1),
                       key=lambda kind: -kind.depth)


def _uses(vault: Vault, fabric: FabricRecord) -> list[str]:
    found = []
    for name in _IN_USE:
        if any(parents[0].lower() == fabric.name.lower() for parents, _ in vault.resources.everywhere(KINDS[name])):
            found.append(KINDS[name].collections[-1])
    return found


def _drop_fabric(vault: Vault, fabric: FabricRecord) -> None:
    for kind in _UNDER_FABRIC:
        for parents, resource in list(vault.resources.everywhere(kind)):
            if parents[0].lower() == fabric.name.lower():
                vault.resources.remove(kind, parents, resource.name)
    vault.resources.remove(KINDS["fabric"], (), fabric.name)


def start_removal(service: ChannelService, vault: Vault, fabric: FabricRecord, record: ProviderRecord | None, *,
                  purge: bool, client_request_id: str | None = None) -> Job:
    channel = service.vault_channel(vault)
    targets = [record] if record is not None else channel.providers_of(fabric)
    scenario = PURGE_SCENARIO if purge else REMOVE_PROVIDER_SCENARIO if record is not None else REMOVE_FABRIC_SCENARIO
    target = record if record is not None else fabric

    def act() -> None:
        uses = _uses(vault, fabric)
        if uses and not purge:
            raise PROVIDER_REMOVE_BLOCKED.failure(fabric=fabric.name, what=", ".join(uses))
        for provider in targets:
            channel.ca.revoke(provider.certificate)
            service.forget_certificate(provider)
            channel.forget_provider(provider)
            vault.resources.remove(KINDS["provider"], (fabric.name,), provider.name)
        if not channel.providers_of(fabric) and channel.fabrics.pop(fabric.name.lower(), None) is not None:
            channel.inventories.pop(fabric.name.lower(), None)
            _drop_fabric(vault, fabric)
        service.sim.history.record(service.node, "channel.remove", "info", {
            "fabric": fabric.name, "providers": [p.name for p in targets], "purge": purge})

    return service.backend.start_job(
        vault, scenario, target_object_id=f"{asr_prefix(vault)}/replicationFabrics/{fabric.name}",
        target_object_name=target.friendly_name, actions={scenario.tasks[0].name: act},
        fabric_id=f"{asr_prefix(vault)}/replicationFabrics/{fabric.name}", client_request_id=client_request_id)
