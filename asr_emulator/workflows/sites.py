"""What a workflow request names, resolved against what the Providers reported: clouds, VM networks,
their fabrics and the Provider that carries out work for a fabric."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..catalogue import NO_PROVIDER
from ..channel.policy import CONNECTED
from ..channel.records import FabricRecord, ProviderRecord
from ..errors import InvalidParameter
from ..models.mappings import ContainerRef, NetworkRef
from ..models.resources import KINDS
from ..models.vault import Vault
from ..wire.render import asr_prefix

if TYPE_CHECKING:
    from ..channel.service import ChannelService

__all__ = ["fabric", "container", "network", "provider_for", "parse_child_id", "affected_objects", "FABRIC_PROVIDER_ID"]

#: Fact (asr-orchestration.md §A.1.4): ``primaryFabricProviderId`` / ``recoveryFabricProviderId``.
FABRIC_PROVIDER_ID = "VMM"


def fabric(service: ChannelService, vault: Vault, name: str) -> FabricRecord:
    record = service.vault_channel(vault).fabric(name)
    if record is None:
        raise vault.missing(f"replicationFabrics/{name}")
    return record


def container(service: ChannelService, vault: Vault, fabric_name: str, name: str) -> ContainerRef:
    record = fabric(service, vault, fabric_name)
    found = vault.resources.get(KINDS["container"], (record.name,), name)
    if found is None:
        raise vault.missing(f"replicationFabrics/{fabric_name}/replicationProtectionContainers/{name}")
    arm_id = f"{asr_prefix(vault)}/replicationFabrics/{record.name}/replicationProtectionContainers/{found.name}"
    return ContainerRef(record.name, found.name, str(found.arm_properties()["friendlyName"]), record.friendly_name,
                        arm_id)


def network(service: ChannelService, vault: Vault, fabric_name: str, name: str) -> NetworkRef:
    record = fabric(service, vault, fabric_name)
    found = vault.resources.get(KINDS["network"], (record.name,), name)
    if found is None:
        raise vault.missing(f"replicationFabrics/{fabric_name}/replicationNetworks/{name}")
    fabric_id = f"{asr_prefix(vault)}/replicationFabrics/{record.name}"
    return NetworkRef(record.name, found.name, str(found.arm_properties()["friendlyName"]), record.friendly_name,
                      f"{fabric_id}/replicationNetworks/{found.name}", fabric_id)


def parse_child_id(vault: Vault, arm_id: str, collection: str, where: str) -> tuple[str, str]:
    """(fabric, name) of ``{vault}/replicationFabrics/{fabric}/{collection}/{name}``; 400 naming ``where``
    if ``arm_id`` is not such an id of this vault."""
    prefix = asr_prefix(vault).lower() + "/replicationfabrics/"
    parts = arm_id[len(prefix):].split("/") if arm_id.lower().startswith(prefix) else []
    if len(parts) != 3 or parts[1].lower() != collection.lower() or not all(parts):
        raise InvalidParameter(f"The value '{arm_id}' of '{where}' is invalid: expected the id of a {collection} "
                               f"resource of vault '{vault.name}'.", target=where)
    return parts[0], parts[2]


def affected_objects(kind: str, primary: ContainerRef | NetworkRef, recovery: ContainerRef | NetworkRef
                     ) -> dict[str, Any]:
    """A job's ``AsrJobDetails`` with ``affectedObjectDetails`` naming both sides' ``kind`` (Cloud or
    Network) and VMM servers (asr-orchestration.md §A.1.4, §A.2.3; camelCase as in 2021)."""
    def side(ref: ContainerRef | NetworkRef) -> tuple[str, str]:
        return (ref.container if isinstance(ref, ContainerRef) else ref.network), ref.friendly_name

    details: dict[str, str] = {}
    for role, ref in (("primary", primary), ("recovery", recovery)):
        details[f"{role}{kind}Id"], details[f"{role}{kind}Name"] = side(ref)
    for role, ref in (("primary", primary), ("recovery", recovery)):
        details[f"{role}VmmId"], details[f"{role}VmmName"] = ref.fabric, ref.fabric_friendly_name
    details.update(primaryFabricProviderId=FABRIC_PROVIDER_ID, recoveryFabricProviderId=FABRIC_PROVIDER_ID)
    return {"instanceType": "AsrJobDetails", "affectedObjectDetails": details}


def provider_for(service: ChannelService, vault: Vault, record: FabricRecord) -> ProviderRecord:
    """The Provider that carries out work for ``record`` (policy: its first connected Provider in
    registration order, else its first)."""
    providers = service.vault_channel(vault).providers_of(record)
    if not providers:
        raise NO_PROVIDER.refusal(fabric=record.friendly_name)
    return next((p for p in providers if p.connection_status == CONNECTED), providers[0])
