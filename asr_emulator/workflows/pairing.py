"""Cloud pairing (``replicationProtectionContainerMappings``): the jobs ``AssociateProtectionProfile``
and ``DissociateProtectionProfile`` with their recorded tasks (asr-orchestration.md §A.1, §B.4.3).

Pairing sends work to **both** Providers, in the recorded order: prepare each VMM server (it answers
with its site's root certificate), prepare each cloud (every host becomes a Replica server; the
answer lists the hosts), then pair the clouds (each side trusts the other's root and authorizes its
hosts). ASR only carries what one side reports to the other; the VMM servers do the work on their
hosts. The vault's mapping and the containers' ``pairingStatus`` / ``role`` change when the last
task succeeds. Unpairing asks both VMM servers to undo it, then drops the records; a purge drops
the records only (policy ``PURGE_SKIPS_PROVIDERS``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..catalogue import (
    CLOUD_ALREADY_PAIRED, MAPPING_EXISTS, PAIRING_HAS_PROTECTED_ITEMS, PAIRING_SAME_CLOUD, PAIRING_SAME_FABRIC,
    POLICY_WRONG_PROVIDER,
)
from ..channel.pairing_health import pairing_id, refresh_mapping
from ..channel.work import Send, wait_for_work
from ..channel.workitems import WorkItem
from ..models.jobs import Job
from ..models.mappings import ContainerMapping, ContainerRef
from ..models.policies import Policy
from ..models.resources import KINDS, StoredResource
from ..models.tasks import Skipped, Task
from ..models.vault import Vault
from ..policy import ASSOCIATE_SCENARIO, DISSOCIATE_SCENARIO, PAIRING_PROVIDERS, PURGE_SKIPS_PROVIDERS
from ..wire.render import asr_prefix
from . import sites

if TYPE_CHECKING:
    from ..channel.service import ChannelService

__all__ = ["check_pairing", "start_pairing", "start_unpairing", "mapping_of"]


def mapping_of(vault: Vault, ref: ContainerRef) -> ContainerMapping | None:
    """The pairing ``ref``'s cloud is in, as primary or as recovery."""
    for _, mapping in vault.resources.everywhere(KINDS["container_mapping"]):
        if isinstance(mapping, ContainerMapping) and ref.arm_id.lower() in (
                mapping.primary.arm_id.lower(), mapping.recovery.arm_id.lower()):
            return mapping
    return None


def check_pairing(vault: Vault, name: str, primary: ContainerRef, recovery: ContainerRef, policy: Policy) -> None:
    """The pairing rules (hyperv-scvmm.md §5.3); each refusal is a coded ARM error."""
    if vault.resources.get(KINDS["container_mapping"], (primary.fabric, primary.container), name) is not None:
        raise MAPPING_EXISTS.refusal(name=name, target="mappingName")
    if primary.arm_id.lower() == recovery.arm_id.lower():
        raise PAIRING_SAME_CLOUD.refusal(cloud=primary.friendly_name, target="properties.targetProtectionContainerId")
    if primary.fabric.lower() == recovery.fabric.lower():
        raise PAIRING_SAME_FABRIC.refusal(first=primary.friendly_name, second=recovery.friendly_name,
                                          target="properties.targetProtectionContainerId")
    if policy.settings.instance_type not in PAIRING_PROVIDERS:
        raise POLICY_WRONG_PROVIDER.refusal(policy=policy.name, provider=policy.settings.instance_type,
                                            target="properties.policyId")
    for ref in (primary, recovery):
        existing = mapping_of(vault, ref)
        if existing is not None:
            raise CLOUD_ALREADY_PAIRED.refusal(cloud=ref.friendly_name, mapping=existing.name)


def _set_container(vault: Vault, ref: ContainerRef, status: str, role: str) -> None:
    stored = vault.resources.get(KINDS["container"], (ref.fabric,), ref.container)
    if isinstance(stored, StoredResource):
        stored.properties.update(pairingStatus=status, role=role)


def start_pairing(service: ChannelService, vault: Vault, name: str, primary: ContainerRef, recovery: ContainerRef,
                  policy: Policy, *, client_request_id: str | None = None) -> Job:
    """Validate, then start ``AssociateProtectionProfile``; its output is the mapping."""
    check_pairing(vault, name, primary, recovery, policy)
    backend = service.backend
    providers = {"Primary": sites.provider_for(service, vault, sites.fabric(service, vault, primary.fabric)),
                 "Recovery": sites.provider_for(service, vault, sites.fabric(service, vault, recovery.fabric))}
    clouds = {"Primary": primary, "Recovery": recovery}
    peer = {"Primary": "Recovery", "Recovery": "Primary"}
    settings = {"instanceType": policy.settings.instance_type, **policy.settings.to_fields()}
    reports: dict[str, dict[str, dict[str, Any]]] = {}

    def keep(step: str) -> Any:
        def collect(items: Sequence[WorkItem]) -> None:
            reports[step] = {role: item.result for role, item in zip(providers, items)}
        return collect

    def preflight() -> None:
        for ref in (primary, recovery):
            existing = mapping_of(vault, ref)
            if existing is not None:
                raise CLOUD_ALREADY_PAIRED.failure(cloud=ref.friendly_name, mapping=existing.name)

    def pair_payload(role: str) -> dict[str, Any]:
        other = peer[role]
        return {"cloudId": clouds[role].container, "pairing": {
            "pairingId": pairing_id(vault, primary, name),
            "role": role, "peerCloudId": clouds[other].container,
            "peerRootCertificate": reports["site"][other].get("rootCertificate"),
            "peerHosts": reports["cloud"][other].get("hosts", []), "settings": settings}}

    def commit(_items: Sequence[WorkItem]) -> ContainerMapping:
        mapping = ContainerMapping(name, primary, recovery, f"{asr_prefix(vault)}/replicationPolicies/{policy.name}",
                                   policy.name)
        refresh_mapping(vault, mapping, service.sim.clock)  # what the Providers reported before it existed
        vault.resources.put(KINDS["container_mapping"], (primary.fabric, primary.container), mapping)
        _set_container(vault, primary, "Paired", "Primary")
        _set_container(vault, recovery, "Paired", "Recovery")
        service.sim.history.record(service.node, "pairing.paired", "info", {
            "mapping": name, "primary": primary.container, "recovery": recovery.container, "policy": policy.name})
        return mapping

    (check, site, cloud, pair) = ASSOCIATE_SCENARIO.tasks
    tasks: list[Task] = [
        backend.step(check.name, check.friendly_name, seconds=backend.timings.seconds(check), action=preflight,
                     task_id=check.task_id),
        wait_for_work(service, vault, task_id=site.task_id, name=site.name, friendly_name=site.friendly_name,
                      timeout=backend.timings.seconds(site),
                      sends=lambda: [Send(p, "PrepareSiteForPairing", {}) for p in providers.values()],
                      collect=keep("site")),
        wait_for_work(service, vault, task_id=cloud.task_id, name=cloud.name, friendly_name=cloud.friendly_name,
                      timeout=backend.timings.seconds(cloud),
                      sends=lambda: [Send(p, "PrepareCloudForPairing", {"cloudId": clouds[role].container,
                                                                        "settings": settings})
                                     for role, p in providers.items()],
                      collect=keep("cloud")),
        wait_for_work(service, vault, task_id=pair.task_id, name=pair.name, friendly_name=pair.friendly_name,
                      timeout=backend.timings.seconds(pair),
                      sends=lambda: [Send(p, "PairCloud", pair_payload(role)) for role, p in providers.items()],
                      collect=commit),
    ]
    return backend.start_job(vault, ASSOCIATE_SCENARIO, target_object_id=policy.internal_id,
                             target_object_name=policy.name, tasks=tasks, custom_details=sites.affected_objects("Cloud", primary, recovery),
                             client_request_id=client_request_id)


def start_unpairing(service: ChannelService, vault: Vault, mapping: ContainerMapping, *, purge: bool,
                    client_request_id: str | None = None) -> Job:
    """Start ``DissociateProtectionProfile``: refused while the pairing protects VMs. A configuration
    server's pairing (with itself, ``workflows.inmage.pairing``) has no VMM work to undo: skipped."""
    primary, recovery = mapping.primary, mapping.recovery
    protected = vault.resources.children(KINDS["protected_item"], (primary.fabric, primary.container))
    if protected and not purge:
        raise PAIRING_HAS_PROTECTED_ITEMS.refusal(mapping=mapping.name, count=len(protected),
                                                  cloud=primary.friendly_name)
    backend = service.backend
    roles = {"Primary": primary, "Recovery": recovery}
    providers = {role: sites.provider_for(service, vault, sites.fabric(service, vault, ref.fabric))
                 for role, ref in roles.items()}
    unpairing = pairing_id(vault, primary, mapping.name)

    def drop() -> None:
        vault.resources.remove(KINDS["container_mapping"], (primary.fabric, primary.container), mapping.name)
        for ref in roles.values():
            _set_container(vault, ref, "NotPaired", "")
        service.sim.history.record(service.node, "pairing.unpaired", "info", {"mapping": mapping.name, "purge": purge})

    (check, unpair, clean_clouds, clean_site) = DISSOCIATE_SCENARIO.tasks
    undo: Task
    if (purge and PURGE_SKIPS_PROVIDERS) or primary.arm_id.lower() == recovery.arm_id.lower():
        undo = Skipped(task_id=unpair.task_id, name=unpair.name, friendly_name=unpair.friendly_name)
    else:
        undo = wait_for_work(
            service, vault, task_id=unpair.task_id, name=unpair.name, friendly_name=unpair.friendly_name,
            timeout=backend.timings.seconds(unpair), sends=lambda: [Send(p, "UnpairCloud", {"cloudId": roles[role].container, "pairingId": unpairing})
                           for role, p in providers.items()])
    tasks: list[Task] = [
        backend.step(check.name, check.friendly_name, seconds=backend.timings.seconds(check), task_id=check.task_id),
        undo,
        backend.step(clean_clouds.name, clean_clouds.friendly_name, seconds=backend.timings.seconds(clean_clouds),
                     action=drop, task_id=clean_clouds.task_id),
        backend.step(clean_site.name, clean_site.friendly_name, seconds=backend.timings.seconds(clean_site),
                     task_id=clean_site.task_id),
    ]
    policy_name = mapping.policy_name
    policy = vault.policies.get(policy_name.lower())
    return backend.start_job(vault, DISSOCIATE_SCENARIO, target_object_id=policy.internal_id if policy else policy_name,
                             target_object_name=policy_name, tasks=tasks, custom_details=sites.affected_objects("Cloud", primary, recovery),
                             client_request_id=client_request_id)
