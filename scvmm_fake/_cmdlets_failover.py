"""Planned failover and its commit, on both VMM servers (hyperv-scvmm.md §3.3, §5.5; asr-orchestration.md
§A.4.2): what ASR's ``PlannedFailover`` and commit jobs ask of each side.

On the primary: shut the VM down, then ``Start-VMFailover -Prepare`` (the final log goes to the replica).
On the recovery server: each replica NIC on a mapped network gets an address of its network's pool
(IP injection: the address the operator chose for the NIC, else the address the replica's VM object
already holds there — VMM keeps a VM object's allocation until the object goes, so a failback or a
second failover finds its own — else the primary's own where the pools match and it is free), set
as the adapter's
failover TCP/IP; then ``Start-VMFailover`` and ``Start-VM`` (the guest boots with the addresses through
KVP); the commit is ``Complete-VMFailover``. A failover that Hyper-V refuses returns its addresses.
"""

from __future__ import annotations

from typing import Any

from hyperv_fake import HyperVError, HyperVJob, ReplicationState, VMState

from ._cmdlets_test_failover import TestFailoverCmdlets
from ._ip_injection import failover_settings, primary_address
from ._pools import AllocatedIPAddress
from ._protection_record import text
from ._vms import IPv4AddressType
from .errors import IPAddressError, ReplicationFailed

__all__ = ["FailoverCmdlets"]


def _wait(host: Any, cmdlet: str, job: HyperVJob) -> None:
    done = job.wait()
    if not done.succeeded:
        raise ReplicationFailed(host.fqdn, cmdlet, str(done.error))


class FailoverCmdlets(TestFailoverCmdlets):
    """``ShutdownPrimaryVm``, ``PrepareForFailover``, ``Failover``, ``StartReplicaVm``, ``CommitFailover``,
    ``ReverseReplication``."""

    # -- on the primary server ----------------------------------------------------------------------

    def shutdown_primary_vm(self, payload: dict[str, Any]) -> dict[str, Any]:
        """``Stop-SCVirtualMachine -Shutdown`` of the protected VM (done already: nothing to do)."""
        vm = self._vm_with_id(text(payload, "vmmVmId"))
        if vm.vm.state is not VMState.Off:
            try:
                vm.vm_host.host.stop_vm(vm.vm.name)
            except HyperVError as error:
                raise ReplicationFailed(vm.vm_host.host.fqdn, "Stop-VM", str(error)) from error
            self._touch()
        self._record("vmm.failover.shutdown", {"vm": vm.name})
        return {}

    def prepare_for_failover(self, payload: dict[str, Any]) -> dict[str, Any]:
        """``Start-VMFailover -Prepare``: the changes not yet replicated go to the replica."""
        vm = self._vm_with_id(text(payload, "vmmVmId"))
        host = vm.vm_host.host
        try:
            _wait(host, "Start-VMFailover -Prepare", host.start_vm_failover(vm.vm.name, prepare=True))
        except HyperVError as error:
            raise ReplicationFailed(host.fqdn, "Start-VMFailover -Prepare", str(error)) from error
        self._touch()
        self._record("vmm.failover.prepared", {  # what the VM wrote, all of it now sent to the replica
            "vm": vm.name, "image": vm.vm.workload.image(self.sim.clock.now).describe()})
        return {}

    # -- on the recovery server ---------------------------------------------------------------------

    def failover(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Inject the addresses, then ``Start-VMFailover`` on the replica of ``vmId``;
        ``{nics: [{adapter, vmNetworkId, ipAddresses}]}``."""
        record = self._replica_record(text(payload, "vmId"))
        host, hv = record.vm_host.host, record.vm
        given = [nic for nic in payload.get("nics") or [] if isinstance(nic, dict)]
        primary_addresses = {str(nic.get("id")): list(nic.get("ipAddresses") or []) for nic in given}
        chosen = [nic.get("recoveryIpAddress") for nic in given]
        grants: list[AllocatedIPAddress] = []  # granted by this failover: returned if it fails
        assigned: list[tuple[Any, AllocatedIPAddress]] = []
        nics: list[dict[str, Any]] = []
        try:
            for index, adapter in enumerate(hv.adapters):
                vnic = next((n for n in record.virtual_network_adapters if n.adapter_name == adapter.name), None)
                if vnic is None:  # not on a mapped network: the replica is not connected (§7.1)
                    nics.append({"adapter": adapter.name, "vmNetworkId": None, "ipAddresses": []})
                    continue
                pool = self._pool_of(vnic.vm_network)
                pick = chosen[index] if index < len(chosen) else None
                own = vnic.allocation
                if own is not None and own.allocating_address_pool is pool and (not pick or str(own.address) == pick):
                    grant = own  # the VM object's own address, held since it last ran here (policy)
                else:
                    grant = (self._grant_chosen(pool, str(pick), f"failover of {hv.name}") if pick else
                             self._grant(pool, next(iter(primary_address(primary_addresses, index)), None),
                                         f"failover of {hv.name}"))
                    grants.append(grant)
                assigned.append((vnic, grant))
                host.set_vm_network_adapter_failover_configuration(hv.name, vm_network_adapter_name=adapter.name,
                                                                   **failover_settings(pool, grant))
                nics.append({"adapter": adapter.name, "vmNetworkId": vnic.vm_network.id,
                             "ipAddresses": [str(grant.address)]})
            point = hv.replication.latest_point() if hv.replication is not None else None
            _wait(host, "Start-VMFailover", host.start_vm_failover(hv.name))
        except (HyperVError, IPAddressError, ReplicationFailed) as error:
            self._release(grants)
            if isinstance(error, HyperVError):
                raise ReplicationFailed(host.fqdn, "Start-VMFailover", str(error)) from error
            raise
        for vnic, grant in assigned:
            if vnic.allocation is not None and vnic.allocation is not grant:
                self._release([vnic.allocation])  # replaced by the address chosen for this failover
            vnic.allocation, vnic.ipv4_address_type = grant, IPv4AddressType.Static
        self._touch()
        now = self.sim.clock.now
        self._record("vmm.failover", {  # the RPO: how far behind now the point failed over to is
            "vm": hv.name, "addresses": [a for n in nics for a in n["ipAddresses"]],
            "pointTime": None if point is None else point.time,
            "rpoSeconds": None if point is None else round(now - point.time, 6),
            "image": hv.workload.image(now).describe()})  # what the VM holds now (checkers.data_loss)
        return {"nics": nics}

    def start_replica_vm(self, payload: dict[str, Any]) -> dict[str, Any]:
        record = self._replica_record(text(payload, "vmId"))
        host, hv = record.vm_host.host, record.vm
        if hv.state is not VMState.Running:
            try:
                host.start_vm(hv.name)
            except HyperVError as error:
                raise ReplicationFailed(host.fqdn, "Start-VM", str(error)) from error
            self._touch()
        return {}

    def commit_failover(self, payload: dict[str, Any]) -> dict[str, Any]:
        """``Complete-VMFailover``: the other recovery points go; no cancelling after this."""
        record = self._replica_record(text(payload, "vmId"))
        host = record.vm_host.host
        try:
            _wait(host, "Complete-VMFailover", host.complete_vm_failover(record.vm.name))
        except HyperVError as error:
            raise ReplicationFailed(host.fqdn, "Complete-VMFailover", str(error)) from error
        self._touch()
        self._record("vmm.failover.committed", {"vm": record.vm.name})
        return {}

    def reverse_replication(self, payload: dict[str, Any]) -> dict[str, Any]:
        """``Set-VMReplication -Reverse`` on the failed-over replica of ``vmId``: it becomes the primary,
        replicating to the old primary's host (both configured by the pairing); after an unplanned
        failover the old primary needs a new initial replication, started here."""
        record = self._replica_record(text(payload, "vmId"))
        host, hv = record.vm_host.host, record.vm
        try:
            _wait(host, "Set-VMReplication -Reverse", host.set_vm_replication(hv.name, reverse=True))
            rel = hv.replication
            if rel is not None and rel.state is ReplicationState.ReadyForInitialReplication:
                _wait(host, "Start-VMInitialReplication", host.start_vm_initial_replication(hv.name))
        except HyperVError as error:
            raise ReplicationFailed(host.fqdn, "Set-VMReplication -Reverse", str(error)) from error
        self._touch()
        self._record("vmm.failover.reversed", {"vm": hv.name, "to": None if hv.replication is None
                                               else hv.replication.settings.replica_server_name})
        return {"primaryServer": host.fqdn}
