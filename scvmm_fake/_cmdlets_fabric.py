"""Host group and host cmdlets: ``New/Get/Remove-SCVMHostGroup``, ``Add/Get-SCVMHost`` (§4)."""

from __future__ import annotations

from collections.abc import Callable

from hyperv_fake import HyperVHost

from ._accounts import RunAsAccount
from ._core import ServerCore
from ._hostgroups import HostGroup, VMHost
from ._networks import LogicalNetwork
from .errors import HostAlreadyManaged, InvalidParameter, ObjectInUse

__all__ = ["FabricCmdlets"]


class FabricCmdlets(ServerCore):
    """The host group tree and the Hyper-V hosts in it."""

    root_host_group: HostGroup

    def new_sc_vm_host_group(
        self, name: str, *, parent_host_group: HostGroup | None = None, description: str = ""
    ) -> HostGroup:
        """``New-SCVMHostGroup -Name [-ParentHostGroup] [-Description]``; the parent defaults to
        "All Hosts" [D:VMM-NewSCVMHostGroup]."""
        parent = parent_host_group or self.root_host_group

        def plan() -> Callable[[], HostGroup]:
            self._check_name(name, "HostGroup")
            self._require("HostGroup", parent)
            if "\\" in name:
                raise InvalidParameter(f"Name: {name!r} may not contain a backslash (it separates a host group path)")
            self._check_unique(name, "host group", parent.child_host_groups, f" under {parent.path!r}")

            def commit() -> HostGroup:
                group = HostGroup(self._new_id(), name, parent, description)
                parent.child_host_groups.append(group)
                return self._add("HostGroup", group)
            return commit
        return self._change("New-SCVMHostGroup", {"name": name, "parent_host_group": parent}, plan)

    def get_sc_vm_host_group(self, name: str | None = None, *, id: str | None = None) -> list[HostGroup]:
        """``Get-SCVMHostGroup [-Name] [-ID]``."""
        return self._get("Get-SCVMHostGroup", "HostGroup", name, id)

    def remove_sc_vm_host_group(self, vm_host_group: HostGroup) -> None:
        """``Remove-SCVMHostGroup``: only an empty group no cloud or network site uses; never the root."""
        def plan() -> Callable[[], None]:
            self._require("HostGroup", vm_host_group)
            if vm_host_group is self.root_host_group:
                raise InvalidParameter("the root host group cannot be removed")
            if vm_host_group.hosts or vm_host_group.child_host_groups:
                raise ObjectInUse(f"host group {vm_host_group.path!r} still holds hosts or host groups")
            users = [cloud.name for cloud in self._all("Cloud") if vm_host_group in cloud.host_groups]
            users += [site.name for site in self._all("LogicalNetworkDefinition") if vm_host_group in site.host_groups]
            if users:
                raise ObjectInUse(f"host group {vm_host_group.path!r} is used by {users}")

            def commit() -> None:
                parent = vm_host_group.parent_host_group
                assert parent is not None
                parent.child_host_groups.remove(vm_host_group)
                self._drop("HostGroup", vm_host_group)
            return commit
        self._change("Remove-SCVMHostGroup", {"vm_host_group": vm_host_group}, plan)

    def add_sc_vm_host(
        self,
        host: HyperVHost,
        *,
        credential: RunAsAccount,
        vm_host_group: HostGroup | None = None,
        description: str = "",
    ) -> VMHost:
        """``Add-SCVMHost -ComputerName -Credential [-VMHostGroup]``: bring a ``hyperv_fake`` host under
        management, by default in "All Hosts" [D:VMM-AddSCVMHost]; once per server (policy
        ``ONE_VMM_PER_HOST``)."""
        group = vm_host_group or self.root_host_group

        def plan() -> Callable[[], VMHost]:
            self._require("HostGroup", group)
            self._require("RunAsAccount", credential)
            computer_name = _computer_name(host)
            if any(managed.host is host for managed in self._all("VMHost")):
                raise HostAlreadyManaged(f"host {computer_name!r} is already managed by VMM server {self.name!r}")

            def commit() -> VMHost:
                managed = VMHost(self._new_id(), computer_name, host, group, credential, description)
                group.hosts.append(managed)
                self._watch_fabric(host.fabric)
                self._auto_create_logical_network(computer_name)
                return self._add("VMHost", managed)
            return commit
        return self._change("Add-SCVMHost", {"host": host, "vm_host_group": group, "credential": credential}, plan)

    def get_sc_vm_host(self, computer_name: str | None = None, *, vm_host_group: HostGroup | None = None) -> list[VMHost]:
        """``Get-SCVMHost [-ComputerName] [-VMHostGroup]`` (hosts of the group and its children)."""
        def query() -> list[VMHost]:
            hosts = self._find("VMHost", computer_name)
            if vm_host_group is not None:
                self._require("HostGroup", vm_host_group)
                hosts = [host for host in hosts if host.vm_host_group.is_within(vm_host_group)]
            return hosts
        return self._read("Get-SCVMHost", {"computer_name": computer_name, "vm_host_group": vm_host_group}, query)

    def _auto_create_logical_network(self, computer_name: str) -> None:
        """§4 [D:VMM-about-Networking]: a logical network named after the first DNS-suffix label
        (policy ``VmmPolicy.auto_create_logical_networks``)."""
        labels = computer_name.split(".")
        if not self.policy.auto_create_logical_networks or len(labels) < 2:
            return
        name = labels[1]
        if not any(network.name.casefold() == name.casefold() for network in self._all("LogicalNetwork")):
            self._add("LogicalNetwork", LogicalNetwork(self._new_id(), name))


def _computer_name(host: HyperVHost) -> str:
    """The host's FQDN, as ``-ComputerName`` gives it."""
    if not isinstance(host, HyperVHost):
        raise InvalidParameter(f"{host!r} is not a Hyper-V host")
    return host.fqdn
