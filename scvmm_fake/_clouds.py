"""Private clouds: host groups offered as one pool of capacity, and the DR flag ASR relies on.

Facts (§4, [D:VMM-NewSCCloud] [D:VMM-SetSCCloud] [D:HRM-ConfigureVault]): ``New-SCCloud -Name
-VMHostGroup [-DisasterRecoverySupported]``; ``Set-SCCloud`` adds and removes host groups, cloud
resources (logical networks among them) and capability profiles and sets
``DisasterRecoverySupported``, the cmdlet form of "Send configuration data about this cloud to
Hyper-V Recovery Manager"; "after you pair this cloud to a recovery cloud ... you cannot disable
this option". ASR requires the Hyper-V capability profile and at least one host group
[D:ASR-VMM2VMM-2016].
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ._hostgroups import HostGroup, VMHost
from ._networks import LogicalNetwork

__all__ = ["Cloud"]


@dataclass(eq=False)
class Cloud:
    """``Microsoft.SystemCenter.VirtualMachineManager.Cloud``; ``paired`` is set by the ASR side."""

    id: str
    name: str
    host_groups: list[HostGroup] = field(default_factory=list, repr=False)
    description: str = ""
    disaster_recovery_supported: bool = False
    capability_profiles: list[str] = field(default_factory=list)
    logical_networks: list[LogicalNetwork] = field(default_factory=list, repr=False)
    paired: bool = False

    def hosts(self) -> list[VMHost]:
        """Every host in the cloud's host groups and their children, each once, in tree order."""
        seen: dict[str, VMHost] = {}
        for group in self.host_groups:
            for host in group.all_child_hosts():
                seen.setdefault(host.id, host)
        return list(seen.values())

    def contains(self, group: HostGroup) -> bool:
        """True if ``group`` is one of the cloud's host groups or below one."""
        return any(group.is_within(member) for member in self.host_groups)
