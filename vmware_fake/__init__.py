"""A VMware site for the InMage (Scout) scenario: VMware VMs and physical servers replicated to a
secondary VMware site (REFERENCE.md beside this file holds the facts and their sources).

``VCenter`` holds ESXi hosts, datastores, port groups and VMs (with NICs and a workload);
``ConfigurationServer`` is the Scout management server, with its built-in process server, run-as
accounts, scale-out process servers, master targets on the secondary site, the vCenters it
discovered, physical servers and the Mobility service on each machine; ``VaultAgent`` registers
it to a vault and reports its inventory over the Provider channel (``channel_client``), outbound
only. Replication itself (continuous, with crash- and app-consistent points) is a later slice:
each machine's ``Workload`` is the closed-form source it will read. Choices the reference leaves
open are in ``vmware_fake.policy``; refusals are ``vmware_fake.errors``.
"""

from . import errors, policy
from ._configuration_server import ConfigurationServer, DiscoveredVCenter
from ._inventory import take_inventory
from ._machines import Machine, MobilityService, Nic, PhysicalServer, VirtualDisk, VirtualMachine
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
    "VmwareError", "ObjectNotFound", "DuplicateName", "InvalidParameter", "InvalidState", "ComponentNotRegistered",
    "NotEmulated",
]
