"""Pairing a configuration server's container with an InMage policy (policy ``INMAGE_ASSOCIATE_SCENARIO``):
the container is paired with itself — one configuration server manages both sites (vmware_fake/
REFERENCE.md §1) — by the recorded ``AssociateProtectionProfile`` job's prerequisites check and its
commit task; no server is sent work. Unpairing is the VMM workflow's (``workflows.pairing``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...catalogue import CLOUD_ALREADY_PAIRED, INMAGE_PAIRING_TARGET, INMAGE_POLICY_ONLY, MAPPING_EXISTS
from ...models.jobs import Job
from ...models.mappings import ContainerMapping, ContainerRef
from ...models.policies import Policy
from ...models.resources import KINDS, StoredResource
from ...models.vault import Vault
from ...policy import INMAGE_ASSOCIATE_SCENARIO, INMAGE_ASSOCIATE_SECONDS, INMAGE_PROVIDER
from ...wire.render import asr_prefix
from .. import sites
from ..pairing import mapping_of
from ._tasks import local

if TYPE_CHECKING:
    from ...channel.service import ChannelService

__all__ = ["start_pairing"]


def start_pairing(service: ChannelService, vault: Vault, name: str, primary: ContainerRef, recovery: ContainerRef,
                  policy: Policy, *, client_request_id: str | None = None) -> Job:
    """Validate (each refusal a coded error, nothing stored), then pair ``primary`` with itself."""
    if vault.resources.get(KINDS["container_mapping"], (primary.fabric, primary.container), name) is not None:
        raise MAPPING_EXISTS.refusal(name=name, target="mappingName")
    if policy.settings.instance_type != INMAGE_PROVIDER:
        raise INMAGE_POLICY_ONLY.refusal(policy=policy.name, server=primary.fabric_friendly_name,
                                         provider=policy.settings.instance_type, target="properties.policyId")
    if recovery.arm_id.lower() != primary.arm_id.lower():
        raise INMAGE_PAIRING_TARGET.refusal(cloud=primary.friendly_name, other=recovery.arm_id,
                                            server=primary.fabric_friendly_name,
                                            target="properties.targetProtectionContainerId")
    existing = mapping_of(vault, primary)
    if existing is not None:
        raise CLOUD_ALREADY_PAIRED.refusal(cloud=primary.friendly_name, mapping=existing.name)

    def preflight() -> None:
        found = mapping_of(vault, primary)
        if found is not None:
            raise CLOUD_ALREADY_PAIRED.failure(cloud=primary.friendly_name, mapping=found.name)

    def commit() -> ContainerMapping:
        preflight()
        mapping = ContainerMapping(name, primary, primary, f"{asr_prefix(vault)}/replicationPolicies/{policy.name}",
                                   policy.name)
        vault.resources.put(KINDS["container_mapping"], (primary.fabric, primary.container), mapping)
        stored = vault.resources.get(KINDS["container"], (primary.fabric,), primary.container)
        if isinstance(stored, StoredResource):
            stored.properties.update(pairingStatus="Paired", role="Primary")
        service.sim.history.record(service.node, "pairing.paired", "info", {
            "mapping": name, "primary": primary.container, "recovery": primary.container, "policy": policy.name})
        return mapping

    check, pair = INMAGE_ASSOCIATE_SCENARIO.tasks
    tasks = [local(service, check, preflight), local(service, pair, commit, seconds=INMAGE_ASSOCIATE_SECONDS)]
    return service.backend.start_job(vault, INMAGE_ASSOCIATE_SCENARIO, target_object_id=policy.internal_id,
                                     target_object_name=policy.name, tasks=tasks,
                                     custom_details=sites.affected_objects("Cloud", primary, primary),
                                     client_request_id=client_request_id)
