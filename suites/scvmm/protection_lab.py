"""A paired ``PairingLab`` with networks, a network mapping and VMs, and the protection steps run as
ASR's EnableDr and DisableDr jobs would drive them: every payload and result through ``json``.

Each site gets logical networks with one site (network site) per network serving the host groups
asked for, a VM network on each, added to its cloud; ``map`` records a mapping on both servers the
way the NetworkPairing job does, and ``payload`` builds the ``CreateProtectionTarget`` payload from
what the primary server recorded (the mapped recovery network of each NIC)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hyperv_fake import ReplicationState
from scvmm_fake import NetworkAdapterSpec, SubnetVLan, VirtualMachine, VMNetwork

from .pairing_lab import CERTIFICATE, GiB, PairingLab, PairingSite, relayed

POLICY = {"instanceType": "HyperVReplica2012R2", "replicationPort": 8084, "allowedAuthenticationType": 2,
          "recoveryPoints": 2, "applicationConsistentSnapshotFrequencyInHours": 1, "compression": "Enable",
          "initialReplicationMethod": "OverNetwork", "replicaDeletion": "Required",
          "replicationFrequencyInSeconds": 30}
"""A HyperVReplica2012R2 policy's settings as ASR sends them (the PairCloud ``settings``)."""


@dataclass
class ProtectionLab:
    lab: PairingLab
    settings: dict[str, Any]
    networks: dict[str, dict[str, VMNetwork]] = field(default_factory=dict)  # site name -> network name -> network
    octet: int = 0

    @classmethod
    def build(cls, *, primary_hosts: int = 1, recovery_hosts: int = 2, groups: int = 1, seed: int = 7,
              settings: dict[str, Any] | None = None) -> ProtectionLab:
        policy = dict(settings or POLICY)
        kerberos = policy.get("allowedAuthenticationType") == 1
        lab = PairingLab.build(primary_hosts=primary_hosts, recovery_hosts=recovery_hosts, seed=seed, groups=groups,
                               settings={"allowedAuthenticationType": 1, "replicationPort": policy["replicationPort"]}
                               if kerberos else {**CERTIFICATE, "port": policy["replicationPort"]})
        lab.pair()
        return cls(lab, policy)

    @classmethod
    def with_corp(cls, **kwargs: Any) -> ProtectionLab:
        """A built lab whose primary VM network Corp is mapped to the recovery network Corp-R."""
        lab = cls.build(**kwargs)
        lab.map(lab.network(lab.primary, "Corp"), lab.network(lab.recovery, "Corp-R"))
        return lab

    @property
    def primary(self) -> PairingSite:
        return self.lab.primary

    @property
    def recovery(self) -> PairingSite:
        return self.lab.recovery

    def network(self, site: PairingSite, name: str, *, groups: Sequence[int] | None = None) -> VMNetwork:
        """Logical network ``name`` with one network site serving ``groups`` (all by default) and its
        VM network ``name``, added to the site's cloud."""
        vmm = site.vmm
        logical = vmm.new_sc_logical_network(name)
        self.octet += 1
        served = [site.groups[i] for i in (groups if groups is not None else range(len(site.groups)))]
        vmm.new_sc_logical_network_definition(f"{name}-site", logical_network=logical, vm_host_group=served,
                                              subnet_vlan=[SubnetVLan(f"10.{self.octet}.0.0/24", 0)])
        network = vmm.new_sc_vm_network(name, logical_network=logical)
        vmm.set_sc_cloud(site.cloud, add_cloud_resource=[logical])
        self.networks.setdefault(site.vmm.name, {})[name] = network
        return network

    def map(self, source: VMNetwork, target: VMNetwork, name: str | None = None) -> None:
        """The NetworkPairing job's VMM steps: Forward on the primary, Reverse on the recovery server."""
        mapping = name or f"{source.name}-to-{target.name}"
        self.primary.vmm.map_vm_network(source.id, relayed({"mappingName": mapping, "peerVmNetworkId": target.id,
                                                             "direction": "Forward"}))
        if self.recovery.vmm.network_mapping(target.id) is None:  # the recovery server keeps one Reverse
            self.recovery.vmm.map_vm_network(target.id, relayed({  # record per network (see the report)
                "mappingName": mapping, "peerVmNetworkId": source.id, "direction": "Reverse"}))

    def vm(self, name: str, *networks: VMNetwork, disk_bytes: int = GiB, start: bool = True) -> VirtualMachine:
        vmm = self.primary.vmm
        vm = vmm.new_sc_virtual_machine(name, cloud=self.primary.cloud, disk_size_bytes=[disk_bytes],
                                        virtual_network_adapters=[NetworkAdapterSpec(n) for n in networks])
        host = vm.vm_host.host
        host.set_vm_workload(name, writes_per_second=5.0)
        if start:
            host.start_vm(name)
        return vm

    # -- the payloads ASR's EnableDr job sends --------------------------------------------------

    def payload(self, vm: VirtualMachine, *, job: str = "job-1") -> dict[str, Any]:
        """``CreateProtectionTarget``'s payload for ``vm``: each NIC with its mapped recovery network."""
        vmm = self.primary.vmm
        adapters = []
        for nic in vm.virtual_network_adapters:
            mapping = vmm.network_mapping(nic.vm_network.id)
            adapters.append({"id": nic.id, "vmNetworkId": nic.vm_network.id,
                             "recoveryVmNetworkId": mapping["peerVmNetworkId"] if mapping else None})
        return relayed({"jobName": job, "vmmVmId": vm.id, "vmId": vm.vm_id, "vmName": vm.name,
                        "primaryCloudId": self.primary.cloud.id, "recoveryCloudId": self.recovery.cloud.id,
                        "disks": [{"path": d.path, "sizeBytes": d.size_bytes} for d in vm.disks],
                        "networkAdapters": adapters, "settings": self.settings})

    def target(self, vm: VirtualMachine) -> dict[str, Any]:
        return relayed(self.recovery.vmm.create_protection_target(self.payload(vm)))

    def enable(self, vm: VirtualMachine, recovery_host: str) -> dict[str, Any]:
        """``EnableProtection`` run again until Hyper-V's job ended (as the Provider does, poll by poll)."""
        payload = relayed({"jobName": "job-1", "vmmVmId": vm.id, "vmName": vm.name, "recoveryHost": recovery_host,
                           "settings": self.settings})
        for _ in range(100):
            result = self.primary.vmm.enable_protection(payload)
            if result is not None:
                return relayed(result)
            self.lab.sim.advance(1.0)
        raise AssertionError("Enable-VMReplication never ended")

    def start_ir(self, vm: VirtualMachine, *, method: str = "OverNetwork", start_time: str | None = None,
                 export_path: str | None = None) -> dict[str, Any]:
        return relayed(self.primary.vmm.start_initial_replication(relayed({
            "jobName": "job-1", "vmmVmId": vm.id, "method": method, "startTime": start_time,
            "exportPath": export_path})))

    def protect(self, vm: VirtualMachine) -> str:
        """Target, enable, initial replication over the network to its end; the recovery host's FQDN."""
        host = self.target(vm)["recoveryHost"]
        self.enable(vm, host)
        self.start_ir(vm)
        primary = vm.vm_host.host
        self.lab.sim.run_until(lambda: primary.get_vm_replication(vm.name).state is ReplicationState.Replicating,
                               within=3600)
        return str(host)

    def disable(self, vm: VirtualMachine, *, delete: bool) -> dict[str, Any]:
        self.primary.vmm.disable_protection_on_primary(relayed({"jobName": "job-2", "vmmVmId": vm.id}))
        return relayed(self.recovery.vmm.disable_protection_on_secondary(relayed({
            "jobName": "job-2", "vmId": vm.vm_id, "vmName": vm.name, "deleteReplica": delete})))

    # -- reading the inventories ------------------------------------------------------------------

    def reported(self, site: PairingSite, vm_id: str) -> Any:
        """The inventory entry (an ``InventoryVM``) of the VM with Hyper-V ID ``vm_id`` in the site's
        cloud, after the server's next reconcile; None if it is not reported."""
        site.vmm.reconcile_protection()
        for cloud in site.vmm.dr_inventory().clouds:
            for vm in cloud.vms:
                if vm.vm_id == vm_id and cloud.id == site.cloud.id:
                    return vm
        return None
