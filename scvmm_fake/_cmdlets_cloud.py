"""Cloud cmdlets: ``New/Set/Get/Remove-SCCloud``, and the pairing state the ASR side sets (§4)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from simcore import Phase

from ._clouds import Cloud
from ._core import ServerCore, set_given
from ._hostgroups import HostGroup
from ._networks import LogicalNetwork
from .errors import (
    CloudPairedError,
    DisasterRecoveryNotEnabled,
    InvalidParameter,
    NotEmulated,
    ObjectInUse,
)

__all__ = ["CloudCmdlets"]


class CloudCmdlets(ServerCore):
    """Clouds of host groups, their network resources, capability profiles and DR flag."""

    def new_sc_cloud(
        self,
        name: str,
        *,
        vm_host_group: Sequence[HostGroup],
        description: str = "",
        disaster_recovery_supported: bool = False,
    ) -> Cloud:
        """``New-SCCloud -Name -VMHostGroup [-DisasterRecoverySupported]`` [D:VMM-NewSCCloud]."""
        def plan() -> Callable[[], Cloud]:
            self._check_name(name, "Cloud")
            groups = self._require_all("HostGroup", vm_host_group)
            if not groups:
                raise InvalidParameter("VMHostGroup: at least one host group is required")
            _check_distinct(groups, "VMHostGroup")
            self._check_unique(name, "cloud", self._all("Cloud"))
            return lambda: self._add("Cloud", Cloud(
                self._new_id(), name, list(groups), description, bool(disaster_recovery_supported)))
        return self._change("New-SCCloud", {
            "name": name, "vm_host_group": list(vm_host_group),
            "disaster_recovery_supported": disaster_recovery_supported}, plan)

    def set_sc_cloud(
        self,
        cloud: Cloud,
        *,
        name: str | None = None,
        description: str | None = None,
        add_vm_host_group: Sequence[HostGroup] = (),
        remove_vm_host_group: Sequence[HostGroup] = (),
        add_cloud_resource: Sequence[LogicalNetwork] = (),
        remove_cloud_resource: Sequence[LogicalNetwork] = (),
        add_capability_profile: Sequence[str] = (),
        remove_capability_profile: Sequence[str] = (),
        disaster_recovery_supported: bool | None = None,
    ) -> Cloud:
        """``Set-SCCloud`` [D:VMM-SetSCCloud]. Clearing ``DisasterRecoverySupported`` on a paired
        cloud is refused with ``CloudPairedError`` ("you cannot disable this option", §4)."""
        def plan() -> Callable[[], Cloud]:
            self._require("Cloud", cloud)
            if name is not None:
                self._check_name(name, "Cloud")
                self._check_unique(name, "cloud", [c for c in self._all("Cloud") if c is not cloud])
            if disaster_recovery_supported is False and cloud.paired:
                raise CloudPairedError(
                    f"cloud {cloud.name!r} is paired: DisasterRecoverySupported cannot be disabled"
                )
            groups = self._plan_host_groups(cloud, list(add_vm_host_group), list(remove_vm_host_group))
            networks = self._plan_resources(cloud, list(add_cloud_resource), list(remove_cloud_resource))
            profiles = _plan_members(cloud.capability_profiles, list(add_capability_profile),
                                   list(remove_capability_profile), "CapabilityProfile")
            return lambda: set_given(
                cloud, host_groups=groups, logical_networks=networks, capability_profiles=profiles, name=name,
                description=description, disaster_recovery_supported=disaster_recovery_supported)
        return self._change("Set-SCCloud", {
            "cloud": cloud, "name": name, "add_vm_host_group": list(add_vm_host_group),
            "remove_vm_host_group": list(remove_vm_host_group), "add_cloud_resource": list(add_cloud_resource),
            "remove_cloud_resource": list(remove_cloud_resource), "add_capability_profile": list(add_capability_profile),
            "remove_capability_profile": list(remove_capability_profile),
            "disaster_recovery_supported": disaster_recovery_supported}, plan)

    def get_sc_cloud(self, name: str | None = None, *, id: str | None = None) -> list[Cloud]:
        """``Get-SCCloud [-Name] [-ID]``."""
        return self._get("Get-SCCloud", "Cloud", name, id)

    def remove_sc_cloud(self, cloud: Cloud) -> None:
        """``Remove-SCCloud``; refused for a paired cloud (policy ``PAIRED_CLOUD_NOT_REMOVABLE``) or
        one that still holds VMs."""
        def plan() -> Callable[[], None]:
            self._require("Cloud", cloud)
            if cloud.paired:
                raise CloudPairedError(f"cloud {cloud.name!r} is paired and cannot be removed")
            if any(vm.cloud is cloud for vm in self._all("VirtualMachine")):
                raise ObjectInUse(f"cloud {cloud.name!r} still holds virtual machines")
            return lambda: self._drop("Cloud", cloud)
        self._change("Remove-SCCloud", {"cloud": cloud}, plan)

    def set_cloud_paired(self, cloud: Cloud, paired: bool) -> None:
        """Mark the cloud paired or unpaired. Not a cmdlet: the ASR Provider calls this when the
        service pairs or unpairs the cloud (§5.3). Pairing needs ``DisasterRecoverySupported``
        (policy ``PAIRING_NEEDS_DR_FLAG``)."""
        self._require("Cloud", cloud)
        if paired and not cloud.disaster_recovery_supported:
            raise DisasterRecoveryNotEnabled(f"cloud {cloud.name!r} does not have DisasterRecoverySupported")
        cloud.paired = bool(paired)
        self._touch()
        self.sim.history.record(self.name, "vmm.cloud.paired", Phase.INFO, {"cloud": cloud.name, "paired": cloud.paired})

    # -- validation -----------------------------------------------------------------------------

    def _plan_host_groups(self, cloud: Cloud, add: list[HostGroup], remove: list[HostGroup]) -> list[HostGroup]:
        """The cloud's host groups after the change; a group holding the cloud's VMs stays, and the
        last one stays (policy ``CLOUD_KEEPS_A_HOST_GROUP``)."""
        self._require_all("HostGroup", add + remove)
        result = _plan_members(cloud.host_groups, add, remove, "VMHostGroup")
        if not result:
            raise InvalidParameter(f"cloud {cloud.name!r} must keep at least one host group")
        for vm in self._all("VirtualMachine"):
            if vm.cloud is cloud and not any(vm.vm_host.vm_host_group.is_within(group) for group in result):
                raise ObjectInUse(f"VM {vm.name!r} of cloud {cloud.name!r} runs in a host group being removed")
        return result

    def _plan_resources(self, cloud: Cloud, add: list[Any], remove: list[Any]) -> list[LogicalNetwork]:
        for resource in add + remove:
            if not isinstance(resource, LogicalNetwork):
                raise NotEmulated(f"cloud resource {resource!r}: only logical networks are emulated")
        self._require_all("LogicalNetwork", add + remove)
        result = _plan_members(cloud.logical_networks, add, remove, "CloudResource")
        for vm in self._all("VirtualMachine"):
            if vm.cloud is cloud and any(nic.vm_network.logical_network not in result for nic in vm.virtual_network_adapters):
                raise ObjectInUse(f"VM {vm.name!r} of cloud {cloud.name!r} uses a logical network being removed")
        return result


def _check_distinct(items: list[Any], what: str) -> None:
    if any(item == later for index, item in enumerate(items) for later in items[index + 1:]):
        raise InvalidParameter(f"{what}: an item is given twice")


def _plan_members(current: list[Any], add: list[Any], remove: list[Any], what: str) -> list[Any]:
    """``current`` with ``add`` appended and ``remove`` taken out; adding a member or removing a
    non-member is refused."""
    _check_distinct(add + remove, what)
    for item in add:
        if item in current:
            raise InvalidParameter(f"Add{what}: {getattr(item, 'name', item)!r} is already there")
        if isinstance(item, str) and not item:
            raise InvalidParameter(f"Add{what}: an empty name")
    for item in remove:
        if item not in current:
            raise InvalidParameter(f"Remove{what}: {getattr(item, 'name', item)!r} is not there")
    return [member for member in current if member not in remove] + add
