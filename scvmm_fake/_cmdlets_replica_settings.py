"""The recovery settings of a replica VM on the recovery VMM server: what ASR's update of a protected
item asks (asr-orchestration.md §A.7; hyperv-scvmm.md §5.5).

The replica's name (``Set-SCVirtualMachine -Name``, Hyper-V ``Rename-VM`` on its host: the VM that
fails over carries it) and, per NIC, the VM network its virtual network adapter connects to — where
network mapping connects it unless the operator chose another one. A failover then takes the NIC's
address from **that** network's pool (``_cmdlets_failover``). ``None`` as a NIC's network leaves it
unconnected (as an unmapped NIC). Every value is checked before anything changes.
"""

from __future__ import annotations

from typing import Any

from hyperv_fake import HyperVError

from ._cmdlets_test_failover import TestFailoverCmdlets
from ._networks import VMNetwork
from ._protection_record import text
from ._vms import IPv4AddressType, VirtualNetworkAdapter
from .errors import InvalidParameter, ObjectNotFound, ReplicationFailed

__all__ = ["ReplicaSettingsCmdlets"]


class ReplicaSettingsCmdlets(TestFailoverCmdlets):
    """``update_replica_vm`` (not a cmdlet: the Provider calls it)."""

    def _network_for(self, network_id: object, where: str) -> VMNetwork | None:
        if network_id is None:
            return None
        network = self._registry("VMNetwork").get(str(network_id))
        if not isinstance(network, VMNetwork):
            raise ObjectNotFound(f"{where}: no VM network with id {network_id!r} on {self.name}")
        if not network.vm_subnets:
            raise InvalidParameter(f"{where}: VM network {network.name!r} has no VM subnet to connect to")
        return network

    def update_replica_vm(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Name the replica of ``vmId`` ``vmName`` (when given) and connect its ``index``-th adapter to
        ``nics[index].recoveryVmNetworkId`` (an entry without the key leaves its adapter as it is);
        ``{vmName, nics: [{adapter, vmNetworkId}]}``."""
        record = self._replica_record(text(payload, "vmId"))
        host, hv = record.vm_host.host, record.vm
        name = payload.get("vmName")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise InvalidParameter(f"vmName: a non-empty name is required, got {name!r}")
        given = [nic for nic in payload.get("nics") or [] if isinstance(nic, dict)]
        changes = [(adapter, self._network_for(nic["recoveryVmNetworkId"], f"nics[{index}]"))
                   for index, (adapter, nic) in enumerate(zip(hv.adapters, given)) if "recoveryVmNetworkId" in nic]
        by_adapter = {vnic.adapter_name: vnic for vnic in record.virtual_network_adapters}
        for adapter, network in changes:
            vnic = by_adapter.get(adapter.name)
            if vnic is not None and vnic.allocation is not None and vnic.vm_network is not network:
                raise InvalidParameter(f"adapter {adapter.name!r} of {hv.name!r} holds the failover address "
                                       f"{vnic.allocation.address}: its VM network cannot change")
        if name is not None and name != hv.name:
            try:
                host.rename_vm(hv.name, name)
            except HyperVError as error:
                raise ReplicationFailed(host.fqdn, "Rename-VM", str(error)) from error
            record.name = name
        for adapter, network in changes:
            vnic = by_adapter.get(adapter.name)
            if network is None:
                if vnic is not None:
                    record.virtual_network_adapters.remove(vnic)
            elif vnic is None:
                record.virtual_network_adapters.append(VirtualNetworkAdapter(
                    self._new_id(), adapter.name, network, network.vm_subnets[0], IPv4AddressType.Dynamic))
            elif vnic.vm_network is not network:
                vnic.vm_network, vnic.vm_subnet = network, network.vm_subnets[0]
        self._touch()
        connected = {vnic.adapter_name: vnic.vm_network.id for vnic in record.virtual_network_adapters}
        nics = [{"adapter": adapter.name, "vmNetworkId": connected.get(adapter.name)} for adapter in hv.adapters]
        self._record("vmm.replica.updated", {"vm": hv.name, "nics": nics})
        return {"vmName": hv.name, "nics": nics}
