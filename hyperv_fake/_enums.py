"""The enums of Hyper-V Replica, named and valued as Hyper-V names them (reference §1.5, §2.3–2.8).

Member names are the PowerShell names (``ReplicationState.Replicating``), so code written against
the real cmdlets reads the same here. ``None`` is a Python keyword, so the PowerShell value
``None`` is spelt ``None_`` (its ``.value`` is still ``"None"``).
"""

from __future__ import annotations

from enum import Enum, IntEnum

__all__ = [
    "ReturnCode", "JobState", "OperatingSystemVersion", "VMState",
    "ReplicationState", "ReplicationMode", "ReplicationHealth", "ReplicationRelationshipType",
    "RecoveryAuthenticationType", "ReplicationAuthenticationType", "ReplicationType", "SnapshotType",
    "IntegrationService",
]


class ReturnCode(IntEnum):
    """``Msvm_ReplicationService`` method return values (§1.5)."""

    Completed = 0
    JobStarted = 4096
    Failed = 32768
    AccessDenied = 32769
    NotSupported = 32770
    StatusUnknown = 32771
    Timeout = 32772
    InvalidParameter = 32773
    SystemInUse = 32774
    InvalidState = 32775
    IncorrectDataType = 32776
    SystemNotAvailable = 32777
    OutOfMemory = 32778
    FileNotFound = 32779


class JobState(IntEnum):
    """``CIM_ConcreteJob.JobState`` (DMTF), the job a WMI method returns with 4096."""

    New = 2
    Running = 4
    Completed = 7
    Exception = 10


class OperatingSystemVersion(str, Enum):
    """The host versions in scope (§5.1: ASR VMM-to-VMM supports WS2012 R2 and WS2016 hosts)."""

    WindowsServer2012R2 = "6.3.9600"
    WindowsServer2016 = "10.0.14393"


class VMState(str, Enum):
    """``Microsoft.HyperV.PowerShell.VMState``, the power states the emulator models."""

    Off = "Off"
    Running = "Running"
    Saved = "Saved"
    Paused = "Paused"


class ReplicationState(str, Enum):
    """PowerShell ``VMReplicationState`` (§2.3); ``.wmi`` is ``Msvm_ReplicationRelationship.ReplicationState``.

    The PowerShell integers are not documented (§7 gap 7), so members carry their names as values.
    """

    Disabled = "Disabled"
    ReadyForInitialReplication = "ReadyForInitialReplication"
    InitialReplicationInProgress = "InitialReplicationInProgress"
    WaitingForInitialReplication = "WaitingForInitialReplication"
    Replicating = "Replicating"
    PreparedForFailover = "PreparedForFailover"
    FailedOverWaitingCompletion = "FailedOverWaitingCompletion"
    FailedOver = "FailedOver"
    Suspended = "Suspended"
    Error = "Error"
    WaitingForStartResynchronize = "WaitingForStartResynchronize"
    Resynchronizing = "Resynchronizing"
    ResynchronizeSuspended = "ResynchronizeSuspended"
    RecoveryInProgress = "RecoveryInProgress"
    FailbackInProgress = "FailbackInProgress"
    FailbackComplete = "FailbackComplete"
    WaitingForUpdateCompletion = "WaitingForUpdateCompletion"
    UpdateError = "UpdateError"
    WaitingForRepurposeCompletion = "WaitingForRepurposeCompletion"
    PreparedForSyncReplication = "PreparedForSyncReplication"
    PreparedForGroupReverseReplication = "PreparedForGroupReverseReplication"
    FiredrillInProgress = "FiredrillInProgress"

    @property
    def wmi(self) -> int:
        """The WMI value (§2.3 table); InitialReplicationInProgress maps to 2 by policy (§7 gap 7)."""
        return _WMI_STATE[self]


_WMI_STATE = {
    ReplicationState.Disabled: 0,
    ReplicationState.ReadyForInitialReplication: 1,
    ReplicationState.InitialReplicationInProgress: 2,
    ReplicationState.WaitingForInitialReplication: 2,
    ReplicationState.Replicating: 3,
    ReplicationState.PreparedForFailover: 4,
    ReplicationState.FailedOverWaitingCompletion: 5,
    ReplicationState.FailedOver: 6,
    ReplicationState.Suspended: 7,
    ReplicationState.Error: 8,
    ReplicationState.WaitingForStartResynchronize: 9,
    ReplicationState.Resynchronizing: 10,
    ReplicationState.ResynchronizeSuspended: 11,
    ReplicationState.RecoveryInProgress: 12,
    ReplicationState.FailbackInProgress: 13,
    ReplicationState.FailbackComplete: 14,
    ReplicationState.WaitingForUpdateCompletion: 15,
    ReplicationState.UpdateError: 16,
    ReplicationState.WaitingForRepurposeCompletion: 18,
    ReplicationState.PreparedForSyncReplication: 19,
    ReplicationState.PreparedForGroupReverseReplication: 20,
    ReplicationState.FiredrillInProgress: 21,
}


class ReplicationMode(str, Enum):
    """``ReplicationMode`` (§2.4): 0 None, 1 Primary, 2 Replica, 3 Test Replica, 4 Extended Replica."""

    None_ = "None"
    Primary = "Primary"
    Replica = "Replica"
    TestReplica = "TestReplica"
    ExtendedReplica = "ExtendedReplica"


class ReplicationHealth(str, Enum):
    """PowerShell ``VMReplicationHealthState`` (§2.5); WMI 0 Not applicable, 1 Ok, 2 Warning, 3 Critical."""

    NotApplicable = "NotApplicable"
    Normal = "Normal"
    Warning = "Warning"
    Critical = "Critical"


class ReplicationRelationshipType(str, Enum):
    """``-ReplicationRelationshipType`` (§2.3, §2.4)."""

    Simple = "Simple"
    Extended = "Extended"


class RecoveryAuthenticationType(IntEnum):
    """What a Replica server accepts (``AllowedAuthenticationType``, §1.1, §1.5)."""

    Kerberos = 1
    Certificate = 2
    CertificateAndKerberos = 3

    def allows(self, kind: ReplicationAuthenticationType) -> bool:
        return self is RecoveryAuthenticationType.CertificateAndKerberos or self.value == kind.value


class ReplicationAuthenticationType(IntEnum):
    """What one relationship uses (``Msvm_ReplicationSettingData.AuthenticationType``, §1.5, §2.1)."""

    Kerberos = 1
    Certificate = 2


class ReplicationType(str, Enum):
    """``LastReplicationType`` / a recovery point's kind (§2.8): 0 None, 1 Regular, 2 App-consistent, 3 Planned."""

    None_ = "None"
    Regular = "Regular"
    ApplicationConsistent = "ApplicationConsistent"
    Planned = "Planned"


class SnapshotType(str, Enum):
    """``Get-VMSnapshot -SnapshotType``: recovery points are ``Replica`` snapshots (§2.8)."""

    Replica = "Replica"
    AppConsistentReplica = "AppConsistentReplica"


class IntegrationService(str, Enum):
    """Integration service names as ``Get-VMIntegrationService`` lists them (§3.7 needs KVP; §2.8 needs VSS)."""

    KeyValuePairExchange = "Key-Value Pair Exchange"
    VolumeShadowCopy = "Backup (volume shadow copy)"
    Heartbeat = "Heartbeat"
    Shutdown = "Shutdown"
    TimeSynchronization = "Time Synchronization"
    GuestServiceInterface = "Guest Service Interface"
