"""A VMware site for the InMage (Scout) scenario: VMware VMs and physical servers replicated to a
secondary VMware site (REFERENCE.md beside this file holds the facts and their sources).

``VCenter`` holds ESXi hosts, datastores, port groups and VMs (with NICs and a workload);
``ConfigurationServer`` is the Scout management server, with its built-in process server, run-as
accounts, scale-out process servers, master targets on the secondary site, the vCenters it
discovered, physical servers and the Mobility service on each machine; ``VaultAgent`` registers
it to a vault and reports its inventory over the Provider channel (``channel_client``), outbound
only, and runs the vault's work: protection, failovers, reprotect. Replication is in closed form
(``_replication``): each pair's stages, held data and crash- and app-consistent tags follow from its
start, its policy and the partitions between its process server and master target; each machine's
``Workload`` is the source a recovery point is read from. Choices the reference leaves
open are in ``vmware_fake.policy``; refusals are ``vmware_fake.errors``.
"""

from . import errors, policy
from ._configuration_server import ConfigurationServer, DiscoveredVCenter
from ._inventory import take_inventory
from ._machines import Machine, MobilityService, Nic, PhysicalServer, VirtualDisk, VirtualMachine
from ._protection import Protection
from ._replication import Failover, PairSettings, RecoveryPoint, ReplicationPair
from ._scout import MasterTarget, ProcessServer, RetentionVolume, RunAsAccount
from ._vcenter import GIB, Datastore, EsxiHost, PortGroup, VCenter
from ._workload import Workload
from .agent import FABRIC_TYPE, Registration, VaultAgent
from .errors import (
    ComponentNotRegistered, DuplicateName, InvalidParameter, InvalidState, NotEmulated, ObjectNotFound, VmwareError,
)

__all__ = [
    "errors", "policy", "VCenter", "EsxiHost", "Datastore", "PortGroup", "GIB",
    "Machine", "VirtualMachine", "PhysicalServer", "VirtualDisk", "Nic", "MobilityService", "Workload",
    "ConfigurationServer", "DiscoveredVCenter", "ProcessServer", "MasterTarget", "RetentionVolume", "RunAsAccount",
    "take_inventory", "VaultAgent", "Registration", "FABRIC_TYPE",
    "Protection", "ReplicationPair", "PairSettings", "RecoveryPoint", "Failover",
    "VmwareError", "ObjectNotFound", "DuplicateName", "InvalidParameter", "InvalidState", "ComponentNotRegistered",
    "NotEmulated",
]
