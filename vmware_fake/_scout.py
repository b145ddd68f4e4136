"""The Scout components besides the configuration server (REFERENCE.md §1–2): process servers, which
receive the machines' replication data and discover vCenters, and master targets, which hold the
replicated data and its retention points on the secondary site; and the configuration server's
run-as accounts.

Each component is a node of the lab's network: replication flows machine → process server → master
target, and a partition between a pair's process server and master target stalls it (``_replication``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simcore import Node, Simulation

from .errors import InvalidParameter
from .policy import MASTER_TARGET_THRESHOLD_PERCENT, OS_TYPES, SCOUT_VERSION

__all__ = ["RunAsAccount", "ProcessServer", "RetentionVolume", "MasterTarget"]


@dataclass(frozen=True)
class RunAsAccount:
    """A CS account (``cspsconfigtool``): what a process server uses to discover a vCenter or push the
    Mobility service (SDK ``RunAsAccount``: ``accountId``, ``accountName``)."""

    account_id: str
    name: str
    user_name: str
    password: str = field(repr=False)


@dataclass(eq=False)
class ProcessServer:
    """A process server: ``id`` is its host id; ``node`` its place on the lab's network (the built-in
    one shares the configuration server's node)."""

    id: str
    name: str
    node: Node
    os_type: str = "Windows"
    version: str = SCOUT_VERSION

    @property
    def ip_address(self) -> str:
        return self.node.address or self.node.name


@dataclass
class RetentionVolume:
    """A master target volume holding retention points (SDK ``RetentionVolume``)."""

    volume_name: str
    capacity_bytes: int
    free_bytes: int
    threshold_percent: int = MASTER_TARGET_THRESHOLD_PERCENT


class MasterTarget:
    """A master target server on the secondary site: a VM of ``vcenter`` there (it creates the replica
    VMs on that vCenter's datastores), with its retention volumes."""

    def __init__(self, sim: Simulation, name: str, *, id: str, vcenter: str, fqdn: str | None = None,
                 address: str | None = None, os_type: str = "Windows", os_version: str = "Windows Server 2012 R2",
                 retention: tuple[tuple[str, int], ...] = ()) -> None:
        if os_type not in OS_TYPES:
            raise InvalidParameter(f"os_type must be one of {OS_TYPES}, not {os_type!r}")
        if not retention:
            raise InvalidParameter(f"master target {name} needs a retention volume (InMageEnableProtectionInput."
                                   "retentionDrive is required)")
        self.id = id
        self.name = name
        self.vcenter = vcenter
        self.os_type = os_type
        self.os_version = os_version
        self.version = SCOUT_VERSION
        self.node = sim.network.add_node(name, address=address, fqdn=fqdn)
        self.retention_volumes = {volume.lower(): RetentionVolume(volume, size, size) for volume, size in retention}

    def __repr__(self) -> str:
        return f"MasterTarget({self.name!r}, vcenter={self.vcenter!r})"

    @property
    def ip_address(self) -> str:
        return self.node.address or self.node.name
