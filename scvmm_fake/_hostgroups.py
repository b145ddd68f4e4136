"""Host groups (a tree under "All Hosts") and the Hyper-V hosts VMM manages in them.

Facts (§4, [D:VMM-NewSCVMHostGroup]): the root host group is "All Hosts"; host groups form a
tree; a host group holds hosts and child host groups; a host group's ``Path`` is the names from
the root joined by backslashes (``All Hosts\\HostGroup02\\Production``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hyperv_fake import HyperVHost

    from ._accounts import RunAsAccount

__all__ = ["ROOT_HOST_GROUP_NAME", "HostGroup", "VMHost"]

#: The root of every VMM server's host group tree [D:VMM-NewSCVMHostGroup].
ROOT_HOST_GROUP_NAME = "All Hosts"


@dataclass(eq=False)
class HostGroup:
    """A node of the host group tree (``Microsoft.SystemCenter.VirtualMachineManager.HostGroup``)."""

    id: str
    name: str
    parent_host_group: HostGroup | None = field(default=None, repr=False)
    description: str = ""
    child_host_groups: list[HostGroup] = field(default_factory=list, repr=False)
    hosts: list[VMHost] = field(default_factory=list, repr=False)

    @property
    def path(self) -> str:
        names = [group.name for group in self.lineage()]
        return "\\".join(reversed(names))

    def lineage(self) -> Iterator[HostGroup]:
        """This group, then its parent, up to the root."""
        group: HostGroup | None = self
        while group is not None:
            yield group
            group = group.parent_host_group

    def subtree(self) -> Iterator[HostGroup]:
        """This group and every descendant, depth first in creation order."""
        yield self
        for child in self.child_host_groups:
            yield from child.subtree()

    def all_child_hosts(self) -> list[VMHost]:
        """Hosts of this group and of every descendant group (VMM's ``AllChildHosts``)."""
        return [host for group in self.subtree() for host in group.hosts]

    def is_within(self, other: HostGroup) -> bool:
        """True if this group is ``other`` or one of its descendants."""
        return any(group is other for group in self.lineage())

    def related_to(self, other: HostGroup) -> bool:
        """True if one group is within the other (the scope of the subnet-overlap rule, §4)."""
        return self.is_within(other) or other.is_within(self)


@dataclass(eq=False)
class VMHost:
    """A Hyper-V host under VMM management: VMM's record around a ``hyperv_fake`` host object."""

    id: str
    computer_name: str
    host: HyperVHost = field(repr=False)
    vm_host_group: HostGroup = field(repr=False)
    credential: RunAsAccount = field(repr=False)
    description: str = ""

    @property
    def name(self) -> str:
        return self.computer_name
