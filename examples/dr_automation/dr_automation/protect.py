"""Setting DR up: a replication policy, the clouds paired, the networks mapped, the tagged VMs
protected. Each step leaves alone what is already in place, so the runbook can run again."""

from __future__ import annotations

import logging
from collections.abc import Callable

from azure.core.exceptions import ResourceNotFoundError

from .config import DrConfig
from .retry import Retry
from .vault import Vault, friendly_name

log = logging.getLogger(__name__)


def sites(vault: Vault, config: DrConfig) -> tuple[str, str]:
    """(primary fabric, recovery fabric): the VMM servers of the first cloud pair."""
    primary, recovery = min(config.clouds.items())
    return vault.cloud(primary)[0], vault.cloud(recovery)[0]


def ensure_policy(vault: Vault, config: DrConfig, retry: Retry) -> str:
    """The Hyper-V Replica policy (certificate authentication, hourly app-consistent points), created
    unless it exists (a policy in use by a pairing cannot be rewritten); its ARM id."""
    policy_id = vault.arm_id("replicationPolicies", config.policy)
    try:
        retry(f"policy {config.policy}", lambda: vault.asr.replication_policies.get(*vault.ids, config.policy))
        return policy_id
    except ResourceNotFoundError:
        pass
    body = {"properties": {"providerSpecificInput": {
        "instanceType": "HyperVReplica2012R2", "replicationPort": config.replication_port,
        "allowedAuthenticationType": 2, "recoveryPoints": 4, "applicationConsistentSnapshotFrequencyInHours": 1,
        "compression": "Enable", "initialReplicationMethod": "OverNetwork", "replicaDeletion": "Required",
        "replicationFrequencyInSeconds": 300}}}
    retry(f"policy {config.policy}",
          lambda: vault.asr.replication_policies.begin_create(*vault.ids, config.policy, body).result())
    log.info("created replication policy %s", config.policy)
    return policy_id


def pair_clouds(vault: Vault, config: DrConfig, retry: Retry) -> list[str]:
    """Pair each primary cloud with its recovery cloud under the policy; the mappings created."""
    policy_id = ensure_policy(vault, config, retry)
    created = []
    for primary, recovery in sorted(config.clouds.items()):
        fabric, container = vault.cloud(primary)
        target_fabric, target = vault.cloud(recovery)
        mappings = vault.asr.replication_protection_container_mappings
        if any(m.properties is not None and m.properties.target_protection_container_friendly_name == recovery
               for m in mappings.list_by_replication_protection_containers(*vault.ids, fabric, container)):
            continue
        name = f"{primary}-to-{recovery}".lower()
        body = {"properties": {
            "targetProtectionContainerId": vault.arm_id("replicationFabrics", target_fabric,
                                                        "replicationProtectionContainers", target),
            "policyId": policy_id,
            "providerSpecificInput": {"instanceType": "ReplicationProviderSpecificContainerMappingInput"}}}
        retry(f"pairing {primary} with {recovery}",
              lambda: mappings.begin_create(*vault.ids, fabric, container, name, body).result())
        log.info("paired cloud %s with %s", primary, recovery)
        created.append(name)
    return created


def map_networks(vault: Vault, config: DrConfig, retry: Retry) -> list[str]:
    """Map each primary network to its recovery network; the mappings created."""
    primary_fabric, recovery_fabric = sites(vault, config)
    created = []
    for primary, recovery in sorted(config.networks.items()):
        network, target = vault.network(primary_fabric, primary), vault.network(recovery_fabric, recovery)
        mappings = vault.asr.replication_network_mappings
        if any(True for _ in mappings.list_by_replication_networks(*vault.ids, primary_fabric, network)):
            continue
        name = f"{primary}-to-{recovery}".lower()
        body = {"properties": {
            "recoveryFabricName": recovery_fabric,
            "recoveryNetworkId": vault.arm_id("replicationFabrics", recovery_fabric, "replicationNetworks", target),
            "fabricSpecificDetails": {"instanceType": "VmmToVmm"}}}
        retry(f"mapping network {primary} to {recovery}",
              lambda: mappings.begin_create(*vault.ids, primary_fabric, network, name, body).result())
        log.info("mapped network %s to %s", primary, recovery)
        created.append(name)
    return created


def protect_tagged(vault: Vault, config: DrConfig, retry: Retry) -> list[str]:
    """Enable protection for every tagged VM of the primary clouds not protected yet; their names."""
    policy_id = vault.arm_id("replicationPolicies", config.policy)
    started = []
    for cloud in sorted(config.clouds):
        fabric, container = vault.cloud(cloud)
        protected = vault.protected(cloud)
        for vm in vault.protectable(cloud):
            name = friendly_name(vm)
            if name is None or not config.tagged(name) or name in protected:
                continue
            body = {"properties": {
                "protectableItemId": vm.id, "policyId": policy_id,
                "providerSpecificDetails": {"instanceType": "EnableProtectionProviderSpecificInput"}}}
            retry(f"protecting {name}", lambda: vault.asr.replication_protected_items.begin_create(
                *vault.ids, fabric, container, vm.name, body).result())
            log.info("protection enabled for %s", name)
            started.append(name)
    return sorted(started)


def wait_until_protected(vault: Vault, config: DrConfig, vms: list[str], *, sleep: Callable[[float], None],
                         timeout: float = 6 * 3600, every: float = 300) -> None:
    """Wait (polling every ``every`` seconds) until initial replication of ``vms`` is done."""
    waited = 0.0
    while True:
        states = {name: item.properties.protection_state for cloud in config.clouds
                  for name, item in vault.protected(cloud).items() if name in vms}
        if len(states) == len(vms) and all(state == "Protected" for state in states.values()):
            return
        if waited >= timeout:
            raise TimeoutError(f"not protected after {timeout:g} s: {states}")
        sleep(every)
        waited += every
