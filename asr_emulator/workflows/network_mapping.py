"""Network mapping (``replicationNetworkMappings``, VmmToVmm): the jobs ``NetworkPairing`` and
``NetworkUnPairing`` with their recorded tasks (asr-orchestration.md §A.2, §B.4.2).

Both VMM servers record the mapping (the primary maps its network to the recovery one, the recovery
server the way back, for failback; placement and IP injection read it). The "Attach network (N)" /
"Detach network (N)" group re-attaches the NICs of replica VMs on the network; with no protected
VMs it ends Skipped, as recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..catalogue import MAPPING_EXISTS, NETWORK_ALREADY_MAPPED, NETWORK_MAPPING_SAME_FABRIC
from ..channel.work import Send, wait_for_work
from ..channel.workitems import WorkItem
from ..models.jobs import Job
from ..models.mappings import NetworkMapping, NetworkRef
from ..models.resources import KINDS
from ..models.tasks import Skipped, Task
from ..models.vault import Vault
from ..policy import NETWORK_PAIRING_SCENARIO, NETWORK_UNPAIRING_SCENARIO, Scenario
from . import sites

if TYPE_CHECKING:
    from ..channel.service import ChannelService

__all__ = ["check_mapping", "start_network_mapping", "start_network_unmapping"]


def _mapping_of(vault: Vault, ref: NetworkRef) -> NetworkMapping | None:
    found = vault.resources.children(KINDS["network_mapping"], (ref.fabric, ref.network))
    return next((m for m in found if isinstance(m, NetworkMapping)), None)


def check_mapping(vault: Vault, name: str, primary: NetworkRef, recovery: NetworkRef, *, replacing: bool) -> None:
    """The mapping rules (hyperv-scvmm.md §5.5); each refusal is a coded ARM error."""
    if primary.fabric.lower() == recovery.fabric.lower():
        raise NETWORK_MAPPING_SAME_FABRIC.refusal(first=primary.friendly_name, second=recovery.friendly_name,
                                                  target="properties.recoveryNetworkId")
    existing = _mapping_of(vault, primary)
    if existing is not None and not replacing:
        if existing.name.lower() == name.lower():
            raise MAPPING_EXISTS.refusal(name=name, target="networkMappingName")
        raise NETWORK_ALREADY_MAPPED.refusal(network=primary.friendly_name, mapping=existing.name)


def _job(service: ChannelService, vault: Vault, scenario: Scenario, kind: str, primary: NetworkRef,
         recovery: NetworkRef, name: str, commit: Any, client_request_id: str | None) -> Job:
    backend = service.backend
    sides = [(sites.provider_for(service, vault, sites.fabric(service, vault, primary.fabric)), primary, recovery),
             (sites.provider_for(service, vault, sites.fabric(service, vault, recovery.fabric)), recovery, primary)]
    (record, nics) = scenario.tasks

    def sends() -> list[Send]:
        return [Send(provider, kind, {"mappingName": name, "vmNetworkId": local.network, "peerVmNetworkId": peer.network,
                                      "direction": "Forward" if local is primary else "Reverse"})
                for provider, local, peer in sides]

    def done(_items: Sequence[WorkItem]) -> Any:
        return commit()

    tasks: list[Task] = [
        wait_for_work(service, vault, task_id=backend.new_id(), name=record.name, friendly_name=record.friendly_name,
                      timeout=backend.timings.seconds(record), sends=sends, collect=done),
        Skipped(task_id=backend.new_id(), name=nics.name, friendly_name=nics.friendly_name.format(count=0), group=True),
    ]
    return backend.start_job(vault, scenario, target_object_id=primary.network, target_object_name=primary.friendly_name,
                             tasks=tasks, custom_details=sites.affected_objects("Network", primary, recovery),
                             client_request_id=client_request_id)


def start_network_mapping(service: ChannelService, vault: Vault, name: str, primary: NetworkRef, recovery: NetworkRef,
                          *, replacing: bool = False, client_request_id: str | None = None) -> Job:
    """Validate, then start ``NetworkPairing``; its output is the mapping (a PATCH replaces the target)."""
    check_mapping(vault, name, primary, recovery, replacing=replacing)

    def commit() -> NetworkMapping:
        mapping = NetworkMapping(name, primary, recovery)
        vault.resources.put(KINDS["network_mapping"], (primary.fabric, primary.network), mapping)
        service.sim.history.record(service.node, "network.mapped", "info", {
            "mapping": name, "primary": primary.network, "recovery": recovery.network})
        return mapping

    return _job(service, vault, NETWORK_PAIRING_SCENARIO, "MapNetwork", primary, recovery, name, commit,
                client_request_id)


def start_network_unmapping(service: ChannelService, vault: Vault, mapping: NetworkMapping, *,
                            client_request_id: str | None = None) -> Job:
    """Start ``NetworkUnPairing``; the mapping goes when both VMM servers dropped it."""
    def commit() -> None:
        vault.resources.remove(KINDS["network_mapping"], (mapping.primary.fabric, mapping.primary.network),
                               mapping.name)
        service.sim.history.record(service.node, "network.unmapped", "info", {"mapping": mapping.name})

    return _job(service, vault, NETWORK_UNPAIRING_SCENARIO, "UnmapNetwork", mapping.primary, mapping.recovery,
                mapping.name, commit, client_request_id)
