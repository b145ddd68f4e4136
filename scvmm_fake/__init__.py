"""scvmm_fake — an in-process emulator of a System Center VMM server's object model.

``VMMServer(sim, name, fqdn=...)`` is a node of a ``simcore.Simulation``. Its methods are VMM's
cmdlets in snake_case with the cmdlets' parameter names (``new_sc_vm_host_group``,
``add_sc_vm_host``, ``new_sc_cloud``, ``set_sc_cloud(disaster_recovery_supported=...)``,
``new_sc_static_ip_address_pool``, ``grant_sc_ip_address``, ...). Each cmdlet is recorded in the
lab's history (``vmm.<Cmdlet-Name>``: invoke, then ok or fail), has the fault point
``vmm.cmdlet``, and, if it changes state, runs as a job (``vmm.job`` events and fault point).
A refused cmdlet raises a ``VmmError`` and changes nothing.

``VMMServer.dr_inventory()`` is what the ASR Provider reports for clouds with
``DisasterRecoverySupported``. Where the reference is silent the emulator follows the named
policies of ``scvmm_fake.policy``. The ASR Provider itself lives in ``scvmm_fake.provider``.
"""

from ._accounts import DRA_PROXY_ACCOUNT_NAME, Credential, RunAsAccount
from ._addresses import AddressSet
from ._clouds import Cloud
from ._hostgroups import ROOT_HOST_GROUP_NAME, HostGroup, VMHost
from ._inventory import (
    Inventory,
    InventoryCloud,
    InventoryDisk,
    InventoryNetworkAdapter,
    InventoryPairing,
    InventoryPairingDefect,
    InventoryReplication,
    InventorySubnet,
    InventoryVM,
    InventoryVMNetwork,
)
from ._jobs import Job, JobStatus
from ._library import LibraryScript, LibraryShare
from ._scripts import DeclaredScript, ScriptBody, ScriptContext
from ._pairing_check import DefectKind, PairingDefect, pairing_defects, pairing_problems
from ._pairing_record import AuthenticationType, CloudPairing, PairingRole, PairingSettings
from ._protection_record import ProtectionSettings, ProtectionTarget
from ._networks import IsolationType, LogicalNetwork, LogicalNetworkDefinition, SubnetVLan, VMNetwork, VMSubnet
from ._pools import AllocatedIPAddress, AllocatedToObjectType, DefaultGateway, StaticIPAddressPool
from ._server import VMMServer
from ._vms import IPv4AddressType, NetworkAdapterSpec, VirtualMachine, VirtualNetworkAdapter
from .errors import (
    AddressNotAllocated,
    CloudPairedError,
    DisasterRecoveryNotEnabled,
    DuplicateName,
    HostAlreadyManaged,
    HostConfigurationFailed,
    NetworkAlreadyMapped,
    PairingConflict,
    PairingError,
    InjectedFault,
    InvalidParameter,
    InvalidVMState,
    IPAddressError,
    IPAddressInUse,
    IPAddressOutOfRange,
    IPAddressPoolExhausted,
    IPAddressReserved,
    IsolationMismatch,
    JobFailed,
    JobStateError,
    NoStaticIPAddressPool,
    NotEmulated,
    ObjectInUse,
    ObjectNotFound,
    ScriptNotFound,
    PlacementError,
    ProtectionError,
    ReplicationFailed,
    SubnetNotInScope,
    SubnetOverlap,
    VmmError,
)
from .policy import VmmPolicy

__all__ = [
    "VMMServer", "VmmPolicy",
    "ROOT_HOST_GROUP_NAME", "HostGroup", "VMHost",
    "DRA_PROXY_ACCOUNT_NAME", "Credential", "RunAsAccount",
    "LibraryShare", "LibraryScript", "DeclaredScript", "ScriptBody", "ScriptContext",
    "IsolationType", "SubnetVLan", "LogicalNetwork", "LogicalNetworkDefinition", "VMNetwork", "VMSubnet",
    "AddressSet", "AllocatedToObjectType", "DefaultGateway", "StaticIPAddressPool", "AllocatedIPAddress",
    "Cloud",
    "pairing_problems", "pairing_defects", "PairingDefect", "DefectKind",
    "CloudPairing", "PairingSettings", "PairingRole", "AuthenticationType",
    "PairingError", "PairingConflict", "HostConfigurationFailed", "NetworkAlreadyMapped",
    "IPv4AddressType", "NetworkAdapterSpec", "VirtualMachine", "VirtualNetworkAdapter",
    "Job", "JobStatus",
    "Inventory", "InventoryCloud", "InventoryVMNetwork", "InventorySubnet", "InventoryVM", "InventoryDisk",
    "InventoryNetworkAdapter", "InventoryPairing", "InventoryPairingDefect", "InventoryReplication",
    "ProtectionSettings", "ProtectionTarget", "ProtectionError", "ReplicationFailed",
    "VmmError", "ObjectNotFound", "ScriptNotFound", "InvalidParameter", "DuplicateName", "ObjectInUse", "CloudPairedError",
    "DisasterRecoveryNotEnabled", "IsolationMismatch", "SubnetNotInScope", "SubnetOverlap",
    "IPAddressError", "IPAddressOutOfRange", "IPAddressReserved", "IPAddressInUse", "IPAddressPoolExhausted",
    "NoStaticIPAddressPool", "AddressNotAllocated", "PlacementError", "InvalidVMState", "HostAlreadyManaged",
    "JobStateError", "NotEmulated",
    "InjectedFault", "JobFailed",
]
