"""hyperv_fake — an in-process emulator of Hyper-V Replica hosts on the simcore kernel.

Hosts replicate VMs to each other over ``sim.network`` with Kerberos or certificate
authentication, keep recovery points, fail over (test, planned, unplanned), reverse, and inject
failover TCP/IP — with Hyper-V's names, WMI states and return codes (reference hyperv-scvmm.md §1–3).
Where the reference is silent the emulator follows a named policy (``hyperv_fake.policy``).

    sim = Simulation(seed=1)
    fabric = HyperVFabric(sim)
    hv1 = fabric.add_host("hv1", fqdn="hv1.contoso.com", domain="contoso.com")
"""

from ._authorization import AuthorizationEntry
from ._enums import (
    IntegrationService,
    JobState,
    OperatingSystemVersion,
    RecoveryAuthenticationType,
    ReplicationAuthenticationType,
    ReplicationHealth,
    ReplicationMode,
    ReplicationRelationshipType,
    ReplicationState,
    ReplicationType,
    ReturnCode,
    SnapshotType,
    VMState,
)
from ._errors import (
    CertificateRejectedError,
    HyperVError,
    InvalidParameterError,
    InvalidStateError,
    NotSupportedError,
    ObjectNotFoundError,
    OperationFailedError,
    Refusal,
    RefusalReason,
    ReplicationRefusedError,
    SystemInUseError,
)
from ._fabric import HyperVFabric
from ._host import HyperVHost
from ._image import DataImage
from ._ipconfig import FailoverIPConfiguration, GuestNetworkConfiguration
from ._jobs import HyperVJob
from ._outlook import InitialReplicationStatus, ReplicationOutlook
from ._points_outlook import PointsOutlook
from ._points import RecoveryPoint
from ._relationship import VMReplication
from ._replication_cmdlets import ExportedReplica
from ._server import HTTP_LISTENER_RULE, HTTPS_LISTENER_RULE, FirewallRule, VMReplicationServer
from ._server_cmdlets import MY_STORE, ROOT_STORE
from ._statistics import ReplicationStatistics
from ._trust import current_crls
from ._vm import VM, Guest, HardDiskDrive, VMNetworkAdapter
from .policy import HyperVPolicy, RetryPolicy, TransferPolicy, TrustPolicy

__all__ = [
    # the fabric and its hosts
    "HyperVFabric", "HyperVHost", "HyperVJob",
    # what cmdlets return
    "VM", "VMNetworkAdapter", "HardDiskDrive", "Guest", "VMReplication", "ReplicationStatistics", "RecoveryPoint",
    "VMReplicationServer", "AuthorizationEntry", "FirewallRule", "FailoverIPConfiguration",
    "GuestNetworkConfiguration", "DataImage", "ExportedReplica", "ReplicationOutlook", "PointsOutlook",
    "InitialReplicationStatus",
    "HTTP_LISTENER_RULE", "HTTPS_LISTENER_RULE", "MY_STORE", "ROOT_STORE",
    # how a host judges trust
    "current_crls",
    # Hyper-V's enums
    "ReplicationState", "ReplicationMode", "ReplicationHealth", "ReplicationRelationshipType",
    "RecoveryAuthenticationType", "ReplicationAuthenticationType", "ReplicationType",
    "SnapshotType", "IntegrationService", "VMState", "OperatingSystemVersion", "JobState", "ReturnCode",
    # errors
    "HyperVError", "OperationFailedError", "NotSupportedError", "InvalidParameterError",
    "CertificateRejectedError", "ObjectNotFoundError", "SystemInUseError", "InvalidStateError",
    "ReplicationRefusedError", "Refusal", "RefusalReason",
    # policy
    "HyperVPolicy", "TrustPolicy", "RetryPolicy", "TransferPolicy",
]
