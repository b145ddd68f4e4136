"""The steps of a DR runbook through the official SDK, as an automation author scripts them, with the
ids each takes: a policy, cloud pairing, network mapping, protection, jobs — on an in-process
``Lab`` (``Runbook.of(lab)``) or over HTTPS against ``asr-harness serve`` (``Runbook.served(...)``).
Consumers build their own steps on it; the harness's suites, benches and ``drlab.machines`` use it."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .lab import Lab

__all__ = ["Runbook", "hyperv_policy"]


def hyperv_policy(*, auth: int = 2, port: int = 8084, **fields: Any) -> dict[str, Any]:
    """A HyperVReplica2012R2 policy input (``auth`` 1 = Kerberos, 2 = Certificate)."""
    body = {"instanceType": "HyperVReplica2012R2", "replicationPort": port, "allowedAuthenticationType": auth,
            "recoveryPoints": 2, "applicationConsistentSnapshotFrequencyInHours": 1, "compression": "Enable",
            "initialReplicationMethod": "OverNetwork", "replicaDeletion": "Required",
            "replicationFrequencyInSeconds": 30}
    body.update(fields)
    return body


@dataclass
class Runbook:
    """The steps of a DR runbook through the official SDK ``asr`` (in-process or over HTTPS), with the
    ids they need: the vault's subscription, group and name, and the two sites' fabric names."""

    asr: Any
    subscription: str
    rg: str
    vault: str
    fabrics: dict[str, str]
    lab: Any = None

    @classmethod
    def of(cls, lab: Lab) -> Runbook:
        from drlab import Role
        fabrics = {role.value: lab.providers[role].registration.fabric_name for role in Role}  # type: ignore[union-attr]
        return cls(lab.azure_client(), lab.subscription_id, lab.resource_group, lab.vault_name, fabrics, lab)

    @classmethod
    @contextlib.contextmanager
    def served(cls, *options: str) -> Iterator[Runbook]:
        """A runbook over HTTPS against ``asr-harness serve *options`` in a subprocess, stopped with
        SIGTERM afterwards (and checked to have ended cleanly)."""
        from azure.mgmt.recoveryservicessiterecovery import SiteRecoveryManagementClient

        from drlab.azure_transport import FakeCredential
        from drlab.serve_process import ServeProcess
        process = ServeProcess.start(*options)
        info = process.info
        with SiteRecoveryManagementClient(FakeCredential(), info.subscription_id, base_url=info.base_url,
                                          connection_verify=info.ca_bundle, polling_interval=0) as client:
            yield cls(client, info.subscription_id, info.resource_group, info.vault,
                      {"primary": info.fabrics[0], "recovery": info.fabrics[1]})
        stopped = process.stop(signal.SIGTERM)
        assert stopped.returncode == 0, stopped.stderr

    def prefix(self) -> str:
        return (f"/Subscriptions/{self.subscription}/resourceGroups/{self.rg}/providers/"
                f"Microsoft.RecoveryServices/vaults/{self.vault}")

    def fabric(self, site: str) -> str:
        """The fabric name of the ``primary`` or ``recovery`` VMM server."""
        return self.fabrics[site]

    def container(self, cloud: str) -> tuple[str, str]:
        """(fabric, container) of the lab cloud named ``cloud``."""
        for site in ("primary", "recovery"):
            fabric = self.fabric(site)
            for found in self.asr.replication_protection_containers.list_by_replication_fabrics(
                    self.rg, self.vault, fabric):
                if found.properties.friendly_name == cloud:
                    return fabric, found.name
        raise LookupError(cloud)

    def network(self, site: str, name: str) -> tuple[str, str]:
        fabric = self.fabric(site)
        for found in self.asr.replication_networks.list_by_replication_fabrics(self.rg, self.vault, fabric):
            if found.properties.friendly_name == name:
                return fabric, found.name
        raise LookupError(name)

    def create_policy(self, name: str = "pol1", **fields: Any) -> Any:
        return self.asr.replication_policies.begin_create(
            self.rg, self.vault, name, {"properties": {"providerSpecificInput": hyperv_policy(**fields)}}).result()

    def pair_poller(self, primary: str = "Gold", recovery: str = "Gold-Recovery", *, policy: str = "pol1",
                    name: str = "pairing1") -> Any:
        fabric, container = self.container(primary)
        target_fabric, target = self.container(recovery)
        body = {"properties": {
            "targetProtectionContainerId": f"{self.prefix()}/replicationFabrics/{target_fabric}/"
                                           f"replicationProtectionContainers/{target}",
            "policyId": f"{self.prefix()}/replicationPolicies/{policy}",
            "providerSpecificInput": {"instanceType": "ReplicationProviderSpecificContainerMappingInput"}}}
        return self.asr.replication_protection_container_mappings.begin_create(
            self.rg, self.vault, fabric, container, name, body)

    def pair(self, *args: Any, **kwargs: Any) -> Any:
        return self.pair_poller(*args, **kwargs).result()

    def map_poller(self, network: str = "Corp", *, name: str = "map1", recovery: str | None = None) -> Any:
        fabric, primary = self.network("primary", network)
        target_fabric, target = self.network("recovery", recovery or network)
        body = {"properties": {
            "recoveryFabricName": target_fabric,
            "recoveryNetworkId": f"{self.prefix()}/replicationFabrics/{target_fabric}/replicationNetworks/{target}",
            "fabricSpecificDetails": {"instanceType": "VmmToVmm"}}}
        return self.asr.replication_network_mappings.begin_create(self.rg, self.vault, fabric, primary, name, body)

    def protectable(self, cloud: str = "Gold") -> list[Any]:
        fabric, container = self.container(cloud)
        return list(self.asr.replication_protectable_items.list_by_replication_protection_containers(
            self.rg, self.vault, fabric, container))

    def enable_poller(self, vm: str, *, cloud: str = "Gold", policy: str | None = "pol1", name: str | None = None,
                      item: str | None = None) -> Any:
        """``New-AzRecoveryServicesAsrReplicationProtectedItem``'s request (§A.3.2) for the VM named ``vm``."""
        fabric, container = self.container(cloud)
        found = next(p for p in self.protectable(cloud) if p.properties.friendly_name == vm)
        properties: dict[str, Any] = {"protectableItemId": item or found.id,
                                      "providerSpecificDetails": {"instanceType": "EnableProtectionProviderSpecificInput"}}
        if policy is not None:
            properties["policyId"] = f"{self.prefix()}/replicationPolicies/{policy}"
        return self.asr.replication_protected_items.begin_create(
            self.rg, self.vault, fabric, container, name or found.name, {"properties": properties})

    def protect(self, vm: str) -> str:
        """Pair the clouds, map the network, protect ``vm`` and let an hour pass (in process: initial
        replication is done); the protected item's name."""
        self.pair()
        self.map_poller().result()
        name: str = self.enable_poller(vm).result().name
        self.lab.advance(3_600)
        return name

    def planned_failover(self, name: str, *, cloud: str = "Gold") -> Any:
        """Fail the protected item ``name`` of ``cloud`` over (planned) from the site it is active at
        (no ``failoverDirection``: the item's own); the item once the job ended."""
        fabric, container = self.container(cloud)
        return self.asr.replication_protected_items.begin_planned_failover(self.rg, self.vault, fabric, container, name, {
            "properties": {"providerSpecificDetails": {"instanceType": "ProviderSpecificFailoverInput"}}}).result()

    # -- the VMware scenario (vmware_fake/REFERENCE.md) ---------------------------------------------------

    def vmware_container(self) -> tuple[str, Any]:
        """(fabric name, container) of the lab's configuration server (``Lab.add_vmware_site``)."""
        site = self.lab.vmware if self.lab is not None else None
        if site is None or site.agent.registration is None:
            raise LookupError("the lab has no registered VMware site")
        fabric = site.agent.registration.fabric_name
        (container,) = self.asr.replication_protection_containers.list_by_replication_fabrics(self.rg, self.vault,
                                                                                               fabric)
        return fabric, container

    def protect_vmware(self, policy: dict[str, Any] | None = None, *, name: str = "inm", group: str = "app") -> Any:
        """The InMage ``policy`` (default: multi-VM sync on, the service's defaults) created as ``name``, the
        configuration server's container paired with itself under it, and every machine it reports
        protected to the site's master target through its process server (retention drive E:, run-as
        account 1, multi-VM group ``group``); the policy, once every enable job ended."""
        fabric, container = self.vmware_container()
        site = self.lab.vmware
        created = self.asr.replication_policies.begin_create(self.rg, self.vault, name, {"properties": {
            "providerSpecificInput": policy or {"instanceType": "InMage", "multiVmSyncStatus": "Enable"}}}).result()
        self.asr.replication_protection_container_mappings.begin_create(
            self.rg, self.vault, fabric, container.name, f"{name}-map", {"properties": {
                "targetProtectionContainerId": container.id, "policyId": created.id}}).result()
        pollers = [self.asr.replication_protected_items.begin_create(
            self.rg, self.vault, fabric, container.name, machine.name, {"properties": {
                "policyId": created.id, "protectableItemId": machine.id, "providerSpecificDetails": {
                    "instanceType": "InMage", "masterTargetId": site.master_target.id,
                    "processServerId": site.process_server.id, "retentionDrive": "E:", "runAsAccountId": "1",
                    "multiVmGroupId": group, "multiVmGroupName": group}}})
            for machine in self.asr.replication_protectable_items.list_by_replication_protection_containers(
                self.rg, self.vault, fabric, container.name)]
        for poller in pollers:
            poller.result()
        return created

    # -- recovery plans (asr-api.md §8, asr-orchestration.md §A.5.1) ------------------------------------

    def item_ids(self, cloud: str = "Gold") -> dict[str, tuple[str, str]]:
        """VM name -> (ARM id, name) of the protected items of ``cloud``."""
        fabric, container = self.container(cloud)
        return {item.properties.friendly_name: (item.id, item.name) for item in
                self.asr.replication_protected_items.list_by_replication_protection_containers(
                    self.rg, self.vault, fabric, container)}

    def boot_group(self, *vms: str, start: Sequence[dict[str, Any]] = (), end: Sequence[dict[str, Any]] = (),
                   cloud: str = "Gold") -> dict[str, Any]:
        """A Boot group of the protected VMs ``vms`` as the SDK sends it, with its start and end actions."""
        ids = self.item_ids(cloud)
        return {"groupType": "Boot", "replicationProtectedItems": [
            {"id": ids[vm][0], "virtualMachineId": ids[vm][1]} for vm in vms],
            "startGroupActions": list(start), "endGroupActions": list(end)}

    def plan_body(self, groups: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """A recovery plan's create body: primary to recovery fabric, ``groups`` in order."""
        fabrics = f"{self.prefix()}/replicationFabrics"
        return {"properties": {"primaryFabricId": f"{fabrics}/{self.fabric('primary')}",
                               "recoveryFabricId": f"{fabrics}/{self.fabric('recovery')}",
                               "failoverDeploymentModel": "NotApplicable", "groups": list(groups)}}

    def create_plan(self, name: str, groups: Sequence[dict[str, Any]]) -> Any:
        """Create the recovery plan ``name`` of ``groups``; the plan once the operation ended."""
        return self.asr.replication_recovery_plans.begin_create(self.rg, self.vault, name,
                                                                self.plan_body(groups)).result()

    def jobs(self, scenario: str) -> list[Any]:
        return [job for job in self.asr.replication_jobs.list(self.rg, self.vault)
                if job.properties.scenario_name == scenario]
