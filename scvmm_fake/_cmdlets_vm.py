"""VM cmdlets: ``New/Get/Set/Remove-SCVirtualMachine`` and ``Read-SCVMHost`` (host refresh).

VMM creates the VM on the chosen ``hyperv_fake`` host with that host's cmdlets (``New-VM``,
``Add-VMHardDiskDrive``, ``Add-VMNetworkAdapter``). The plan checks everything those cmdlets
would refuse, so the commit does not fail half-way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hyperv_fake import VMState

from ._addresses import AddressSet, IPAddress
from ._clouds import Cloud
from ._cmdlets_pools import PoolCmdlets
from ._hostgroups import VMHost
from ._networks import VMNetwork, VMSubnet
from ._placement import choose_host, pools_serving, reaches
from ._pools import AllocatedIPAddress, AllocatedToObjectType, StaticIPAddressPool
from ._vms import IPv4AddressType, NetworkAdapterSpec, VirtualMachine, VirtualNetworkAdapter
from .errors import DuplicateName, InvalidParameter, InvalidVMState, NoStaticIPAddressPool, PlacementError
from .policy import DEFAULT_DISK_SIZE_BYTES, VM_ADAPTER_NAMES, VM_DISK_PATH

__all__ = ["VMCmdlets"]

_NIC = AllocatedToObjectType.VirtualNetworkAdapter


@dataclass(frozen=True)
class _Nic:
    """A NIC as planned: where it connects, and the pool and address it will be granted."""

    vm_network: VMNetwork
    vm_subnet: VMSubnet
    address_type: IPv4AddressType
    requested_pool: StaticIPAddressPool | None
    pool: StaticIPAddressPool | None = None
    address: IPAddress | None = None


class VMCmdlets(PoolCmdlets):
    """VMs placed on the hosts of a cloud (or a named host), with their NICs and static addresses."""

    def new_sc_virtual_machine(
        self,
        name: str,
        *,
        cloud: Cloud | None = None,
        vm_host: VMHost | None = None,
        operating_system: str = "",
        generation: int = 2,
        disk_size_bytes: Sequence[int] = (DEFAULT_DISK_SIZE_BYTES,),
        virtual_network_adapters: Sequence[NetworkAdapterSpec] = (),
    ) -> VirtualMachine:
        """``New-SCVirtualMachine -Name (-Cloud | -VMHost)``: place the VM (policy ``PLACEMENT``),
        create it on the host, connect its NICs and grant static addresses (``STATIC_NIC_ADDRESSES``)."""
        def plan() -> Callable[[], VirtualMachine]:
            self._check_name(name, "VirtualMachine")
            if cloud is None and vm_host is None:
                raise InvalidParameter("Cloud or VMHost is required")
            if cloud is not None:
                self._require("Cloud", cloud)
            if vm_host is not None:
                self._require("VMHost", vm_host)
            if generation not in (1, 2):
                raise InvalidParameter(f"Generation: {generation!r} is not 1 or 2")
            sizes = list(disk_size_bytes)
            if any(isinstance(size, bool) or not isinstance(size, int) or size <= 0 for size in sizes):
                raise InvalidParameter(f"disk sizes must be positive ints (bytes), got {sizes!r}")
            nics = [self._check_nic(spec, cloud) for spec in virtual_network_adapters]
            host = self._place(name, cloud, vm_host, nics)
            nics = self._plan_addresses(host, nics)
            return lambda: self._create_vm(name, host, cloud, operating_system, generation, sizes, nics)
        return self._change("New-SCVirtualMachine", {
            "name": name, "cloud": cloud, "vm_host": vm_host, "generation": generation,
            "virtual_network_adapters": [spec.vm_network for spec in virtual_network_adapters]}, plan)

    def get_sc_virtual_machine(
        self, name: str | None = None, *, cloud: Cloud | None = None, vm_host: VMHost | None = None
    ) -> list[VirtualMachine]:
        """``Get-SCVirtualMachine [-Name] [-Cloud] [-VMHost]``."""
        def query() -> list[VirtualMachine]:
            return [vm for vm in self._find("VirtualMachine", name)
                    if (cloud is None or vm.cloud is cloud) and (vm_host is None or vm.vm_host is vm_host)]
        return self._read("Get-SCVirtualMachine", {"name": name, "cloud": cloud, "vm_host": vm_host}, query)

    def set_sc_virtual_machine(self, vm: VirtualMachine, *, cloud: Cloud) -> VirtualMachine:
        """``Set-SCVirtualMachine -Cloud``: put a VM (say, one found by a host refresh) in a cloud
        whose host groups hold its host and whose logical networks its NICs use."""
        def plan() -> Callable[[], VirtualMachine]:
            self._require("VirtualMachine", vm)
            self._require("Cloud", cloud)
            if not cloud.contains(vm.vm_host.vm_host_group):
                raise PlacementError(f"host {vm.vm_host.name!r} is not in cloud {cloud.name!r}")
            for nic in vm.virtual_network_adapters:
                _check_cloud_network(cloud, nic.vm_network)

            def commit() -> VirtualMachine:
                vm.cloud = cloud
                return vm
            return commit
        return self._change("Set-SCVirtualMachine", {"vm": vm, "cloud": cloud}, plan)

    def remove_sc_virtual_machine(self, vm: VirtualMachine) -> None:
        """``Remove-SCVirtualMachine``: off and not replicating (Hyper-V's ``Remove-VM`` rules); its
        static addresses return to their pools (§4 [3P:Savill-MWS2016])."""
        def plan() -> Callable[[], None]:
            self._require("VirtualMachine", vm)
            if vm.vm.state is not VMState.Off or vm.vm.replication is not None:
                raise InvalidVMState(f"VM {vm.name!r} must be off and not replicating to be removed")
            revokes = [self._plan_revoke(nic.allocation, True) for nic in vm.virtual_network_adapters if nic.allocation]

            def commit() -> None:
                for revoke in revokes:
                    revoke()
                vm.vm_host.host.remove_vm(vm.name)
                self._drop("VirtualMachine", vm)
            return commit
        self._change("Remove-SCVirtualMachine", {"vm": vm}, plan)

    def read_sc_vm_host(self, vm_host: VMHost) -> list[VirtualMachine]:
        """``Read-SCVMHost``: learn the host's VMs as they are (policy ``HOST_REFRESH``); returns the
        VMs found that VMM did not know."""
        def plan() -> Callable[[], list[VirtualMachine]]:
            self._require("VMHost", vm_host)
            known = [vm for vm in self._all("VirtualMachine") if vm.vm_host is vm_host]
            on_host = list(vm_host.host.vms)
            gone = [vm for vm in known if not any(hv is vm.vm for hv in on_host)]
            new = [hv for hv in on_host if not any(vm.vm is hv for vm in known)]
            revokes = [self._plan_revoke(nic.allocation, True)
                       for vm in gone for nic in vm.virtual_network_adapters if nic.allocation]

            def commit() -> list[VirtualMachine]:
                for revoke in revokes:
                    revoke()
                for vm in gone:
                    self._drop("VirtualMachine", vm)
                return [self._add("VirtualMachine", VirtualMachine(self._new_id(), hv.name, vm_host, hv)) for hv in new]
            return commit
        return self._change("Read-SCVMHost", {"vm_host": vm_host}, plan)

    # -- planning -------------------------------------------------------------------------------

    def _check_nic(self, spec: NetworkAdapterSpec, cloud: Cloud | None) -> _Nic:
        if not isinstance(spec, NetworkAdapterSpec):
            raise InvalidParameter(f"{spec!r} is not a NetworkAdapterSpec")
        self._require("VMNetwork", spec.vm_network)
        if cloud is not None:
            _check_cloud_network(cloud, spec.vm_network)
        subnets = spec.vm_network.vm_subnets
        subnet = spec.vm_subnet if spec.vm_subnet is not None else (subnets[0] if subnets else None)
        if subnet is None or subnet not in subnets:
            raise InvalidParameter(f"VMSubnet: no subnet {getattr(spec.vm_subnet, 'name', '')!r} in VM network "
                                   f"{spec.vm_network.name!r}")
        try:
            address_type = IPv4AddressType(spec.ipv4_address_type)
        except ValueError as exc:
            raise InvalidParameter(f"IPv4AddressType: {spec.ipv4_address_type!r} is not Dynamic or Static") from exc
        if spec.ipv4_address_pool is not None:
            self._require("StaticIPAddressPool", spec.ipv4_address_pool)
        return _Nic(spec.vm_network, subnet, address_type, spec.ipv4_address_pool)

    def _place(self, name: str, cloud: Cloud | None, vm_host: VMHost | None, nics: list[_Nic]) -> VMHost:
        if vm_host is not None:
            if cloud is not None and not cloud.contains(vm_host.vm_host_group):
                raise PlacementError(f"host {vm_host.name!r} is not in cloud {cloud.name!r}")
            if vm_host.host.find_vm(name) is not None:
                raise DuplicateName(f"host {vm_host.name!r} already has a VM named {name!r}")
            candidates = [vm_host]
        else:
            assert cloud is not None
            candidates = [host for host in cloud.hosts() if host.host.find_vm(name) is None]
        eligible = [host for host in candidates if all(reaches(host, nic.vm_network) for nic in nics)]
        chosen = choose_host(eligible)
        if chosen is None:
            where = f"host {vm_host.name!r}" if vm_host is not None else f"cloud {cloud.name!r}"  # type: ignore[union-attr]
            raise PlacementError(f"no host of {where} can run VM {name!r} on its VM networks")
        return chosen

    def _plan_addresses(self, host: VMHost, nics: list[_Nic]) -> list[_Nic]:
        """Each static NIC's pool and address (distinct within the VM); refused if there is no pool
        (§5.5: "No static pool ... IP allocation fails")."""
        planned: list[_Nic] = []
        for nic in nics:
            if nic.address_type is IPv4AddressType.Dynamic:
                planned.append(nic)
                continue
            serving = pools_serving(nic.vm_subnet, host, self._all("StaticIPAddressPool"))
            if nic.requested_pool is not None and nic.requested_pool not in serving:
                raise InvalidParameter(f"pool {nic.requested_pool.name!r} does not serve VM subnet "
                                       f"{nic.vm_subnet.name!r} on host {host.name!r}")
            pool = nic.requested_pool or (serving[0] if serving else None)
            if pool is None:
                raise NoStaticIPAddressPool(f"no static IP address pool serves VM subnet {nic.vm_subnet.name!r} "
                                            f"on host {host.name!r}")
            taken = AddressSet.of([p.address for p in planned if p.pool is pool and p.address], pool.subnet.version)
            address = pool.check_grant(None, _NIC, excluding=taken)
            planned.append(_Nic(nic.vm_network, nic.vm_subnet, nic.address_type, nic.requested_pool, pool, address))
        return planned

    def _create_vm(
        self, name: str, host: VMHost, cloud: Cloud | None, operating_system: str, generation: int,
        sizes: list[int], nics: list[_Nic],
    ) -> VirtualMachine:
        hv = host.host.new_vm(name, generation=generation)
        for index, size in enumerate(sizes):
            host.host.add_vm_hard_disk_drive(name, VM_DISK_PATH.format(vm=name, index=index), size_bytes=size)
        vm = VirtualMachine(self._new_id(), name, host, hv, cloud, operating_system)
        for index, nic in enumerate(nics):
            adapter_name = VM_ADAPTER_NAMES[0] if index == 0 else VM_ADAPTER_NAMES[1].format(n=index + 1)
            host.host.add_vm_network_adapter(name, name=adapter_name)
            record = VirtualNetworkAdapter(self._new_id(), adapter_name, nic.vm_network, nic.vm_subnet, nic.address_type)
            if nic.pool is not None and nic.address is not None:
                record.allocation = AllocatedIPAddress(self._new_id(), nic.address, nic.pool, _NIC, record.id, name)
                nic.pool.allocate(record.allocation)
                self._add("AllocatedIPAddress", record.allocation)
            vm.virtual_network_adapters.append(record)
        return self._add("VirtualMachine", vm)


def _check_cloud_network(cloud: Cloud, vm_network: VMNetwork) -> None:
    """Policy ``CLOUD_NETWORKS``: a VM of a cloud connects only to the cloud's logical networks."""
    if vm_network.logical_network not in cloud.logical_networks:
        raise PlacementError(f"VM network {vm_network.name!r} is on logical network {vm_network.logical_network.name!r}, "
                             f"which is not a resource of cloud {cloud.name!r}")
