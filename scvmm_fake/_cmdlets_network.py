"""Network cmdlets: ``New/Get-SCLogicalNetwork``, ``New/Get-SCLogicalNetworkDefinition``,
``New/Get-SCVMNetwork``, ``New/Get-SCVMSubnet`` (§4)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ._core import ServerCore
from ._hostgroups import HostGroup
from ._networks import (
    IsolationType,
    LogicalNetwork,
    LogicalNetworkDefinition,
    SubnetVLan,
    VMNetwork,
    VMSubnet,
    check_subnet_vlans,
)
from .errors import InvalidParameter, IsolationMismatch, NotEmulated

__all__ = ["NetworkCmdlets"]


class NetworkCmdlets(ServerCore):
    """Logical networks and their sites; VM networks and their subnets."""

    def new_sc_logical_network(
        self,
        name: str,
        *,
        description: str = "",
        enable_network_virtualization: bool = False,
        use_gre: bool = False,
        is_pvlan: bool = False,
        logical_network_definition_isolation: bool = False,
    ) -> LogicalNetwork:
        """``New-SCLogicalNetwork``; the name is unique in the installation [D:VMM-NewSCLogicalNetwork]."""
        def plan() -> Callable[[], LogicalNetwork]:
            self._check_name(name, "LogicalNetwork")
            self._check_unique(name, "logical network", self._all("LogicalNetwork"))
            return lambda: self._add("LogicalNetwork", LogicalNetwork(
                self._new_id(), name, description, enable_network_virtualization, use_gre, is_pvlan,
                logical_network_definition_isolation,
            ))
        return self._change("New-SCLogicalNetwork", {
            "name": name, "enable_network_virtualization": enable_network_virtualization,
            "logical_network_definition_isolation": logical_network_definition_isolation,
        }, plan)

    def get_sc_logical_network(self, name: str | None = None, *, id: str | None = None) -> list[LogicalNetwork]:
        """``Get-SCLogicalNetwork [-Name] [-ID]``."""
        return self._get("Get-SCLogicalNetwork", "LogicalNetwork", name, id)

    def new_sc_logical_network_definition(
        self,
        name: str,
        *,
        logical_network: LogicalNetwork,
        subnet_vlan: Sequence[SubnetVLan],
        vm_host_group: Sequence[HostGroup],
    ) -> LogicalNetworkDefinition:
        """``New-SCLogicalNetworkDefinition -Name -LogicalNetwork -SubnetVLan -VMHostGroup``: a
        network site [D:VMM-NewSCLogicalNetworkDefinition]."""
        def plan() -> Callable[[], LogicalNetworkDefinition]:
            self._check_name(name, "LogicalNetworkDefinition")
            self._require("LogicalNetwork", logical_network)
            groups = self._require_all("HostGroup", vm_host_group)
            if not groups or len({group.id for group in groups}) != len(groups):
                raise InvalidParameter("VMHostGroup: one or more distinct host groups are required")
            subnet_vlans = check_subnet_vlans(subnet_vlan, "SubnetVLan")
            self._check_unique(name, "network site", logical_network.logical_network_definitions,
                               f" in logical network {logical_network.name!r}")

            def commit() -> LogicalNetworkDefinition:
                site = LogicalNetworkDefinition(self._new_id(), name, logical_network, subnet_vlans, tuple(groups))
                logical_network.logical_network_definitions.append(site)
                return self._add("LogicalNetworkDefinition", site)
            return commit
        return self._change("New-SCLogicalNetworkDefinition", {
            "name": name, "logical_network": logical_network, "subnet_vlan": [str(item) for item in subnet_vlan],
            "vm_host_group": list(vm_host_group),
        }, plan)

    def get_sc_logical_network_definition(
        self, name: str | None = None, *, logical_network: LogicalNetwork | None = None, vm_host_group: HostGroup | None = None
    ) -> list[LogicalNetworkDefinition]:
        """``Get-SCLogicalNetworkDefinition [-Name] [-LogicalNetwork] [-VMHostGroup]``."""
        def query() -> list[LogicalNetworkDefinition]:
            sites = self._find("LogicalNetworkDefinition", name)
            if logical_network is not None:
                sites = [site for site in sites if site.logical_network is logical_network]
            if vm_host_group is not None:
                sites = [site for site in sites if vm_host_group in site.host_groups]
            return sites
        return self._read("Get-SCLogicalNetworkDefinition", {
            "name": name, "logical_network": logical_network, "vm_host_group": vm_host_group}, query)

    def new_sc_vm_network(
        self,
        name: str,
        *,
        logical_network: LogicalNetwork,
        isolation_type: IsolationType | str | None = None,
        description: str = "",
    ) -> VMNetwork:
        """``New-SCVMNetwork -Name -LogicalNetwork [-IsolationType]`` [D:VMM-NewSCVMNetwork]; a
        ``NoIsolation`` network gets its one VM subnet at once (policy ``NO_ISOLATION_SUBNET``)."""
        def plan() -> Callable[[], VMNetwork]:
            self._check_name(name, "VMNetwork")
            self._require("LogicalNetwork", logical_network)
            kind = _isolation_for(logical_network, isolation_type)
            self._check_unique(name, "VM network", self._all("VMNetwork"))

            def commit() -> VMNetwork:
                network = self._add("VMNetwork", VMNetwork(self._new_id(), name, logical_network, kind, description))
                if kind is IsolationType.NoIsolation:
                    network.vm_subnets.append(self._add("VMSubnet", VMSubnet(self._new_id(), name, network)))
                return network
            return commit
        return self._change("New-SCVMNetwork", {
            "name": name, "logical_network": logical_network, "isolation_type": isolation_type}, plan)

    def get_sc_vm_network(self, name: str | None = None, *, id: str | None = None) -> list[VMNetwork]:
        """``Get-SCVMNetwork [-Name] [-ID]``."""
        return self._get("Get-SCVMNetwork", "VMNetwork", name, id)

    def new_sc_vm_subnet(
        self,
        name: str,
        *,
        vm_network: VMNetwork,
        subnet_vlan: Sequence[SubnetVLan],
        logical_network_definition: LogicalNetworkDefinition | None = None,
        description: str = "",
    ) -> VMSubnet:
        """``New-SCVMSubnet -Name -VMNetwork -SubnetVLan [-LogicalNetworkDefinition]``: the
        ``WindowsNetworkVirtualization`` set (no site) or the ``Vlan`` set (a site holding the
        SubnetVLans) [D:VMM-NewSCVMSubnet]."""
        def plan() -> Callable[[], VMSubnet]:
            self._check_name(name, "VMSubnet")
            self._require("VMNetwork", vm_network)
            items = check_subnet_vlans(subnet_vlan, "SubnetVLan")
            if not items or any(item.subnet is None for item in items):
                raise InvalidParameter("SubnetVLan: one or more SubnetVLans with a subnet are required")
            _check_vm_subnet_site(self, vm_network, logical_network_definition, items)
            self._check_unique(name, "VM subnet", vm_network.vm_subnets, f" in VM network {vm_network.name!r}")

            def commit() -> VMSubnet:
                subnet = VMSubnet(self._new_id(), name, vm_network, items, logical_network_definition, description)
                vm_network.vm_subnets.append(subnet)
                return self._add("VMSubnet", subnet)
            return commit
        return self._change("New-SCVMSubnet", {
            "name": name, "vm_network": vm_network, "subnet_vlan": [str(item) for item in subnet_vlan],
            "logical_network_definition": logical_network_definition}, plan)

    def get_sc_vm_subnet(self, name: str | None = None, *, vm_network: VMNetwork | None = None) -> list[VMSubnet]:
        """``Get-SCVMSubnet [-Name] [-VMNetwork]``."""
        def query() -> list[VMSubnet]:
            subnets = self._find("VMSubnet", name)
            return [subnet for subnet in subnets if vm_network is None or subnet.vm_network is vm_network]
        return self._read("Get-SCVMSubnet", {"name": name, "vm_network": vm_network}, query)


def _isolation_for(logical_network: LogicalNetwork, requested: IsolationType | str | None) -> IsolationType:
    """The VM network's isolation type, or the reason the logical network refuses it (policy
    ``ISOLATION_RULES``)."""
    if requested is None:
        if logical_network.network_virtualization_enabled:
            return IsolationType.WindowsNetworkVirtualization
        if logical_network.logical_network_definition_isolation:
            return IsolationType.VLANNetwork
        return IsolationType.NoIsolation
    try:
        kind = IsolationType(requested)
    except ValueError as exc:
        accepted = ", ".join(item.value for item in IsolationType)
        raise InvalidParameter(f"IsolationType: {requested!r} is not one of {accepted}") from exc
    if kind is IsolationType.External:
        raise NotEmulated("IsolationType External (networks of a network service) is not emulated")
    allowed = {
        IsolationType.WindowsNetworkVirtualization: logical_network.network_virtualization_enabled,
        IsolationType.VLANNetwork: logical_network.logical_network_definition_isolation,
        IsolationType.NoIsolation: not logical_network.logical_network_definition_isolation,
    }[kind]
    if not allowed:
        raise IsolationMismatch(f"logical network {logical_network.name!r} does not support {kind.value} VM networks")
    return kind


def _check_vm_subnet_site(
    server: ServerCore,
    vm_network: VMNetwork,
    site: LogicalNetworkDefinition | None,
    items: tuple[SubnetVLan, ...],
) -> None:
    """A VLAN VM subnet names a site of its logical network holding its SubnetVLans; a network
    virtualization one names none; a ``NoIsolation`` network has only its automatic subnet."""
    kind = vm_network.isolation_type
    if kind is IsolationType.NoIsolation:
        raise IsolationMismatch(f"VM network {vm_network.name!r} has no isolation; its subnet is the logical network's")
    if kind is IsolationType.WindowsNetworkVirtualization:
        if site is not None:
            raise InvalidParameter("LogicalNetworkDefinition: not taken for a network virtualization VM subnet")
        return
    if site is None:
        raise InvalidParameter(f"LogicalNetworkDefinition: required for a subnet of VLAN network {vm_network.name!r}")
    server._require("LogicalNetworkDefinition", site)
    if site.logical_network is not vm_network.logical_network:
        raise InvalidParameter(f"network site {site.name!r} is not a site of {vm_network.logical_network.name!r}")
    missing = [str(item) for item in items if item not in site.subnet_vlans]
    if missing:
        raise InvalidParameter(f"network site {site.name!r} does not hold {missing}")
