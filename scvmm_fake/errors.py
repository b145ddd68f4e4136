"""The VMM emulator's error hierarchy: one base, one precise class per kind of refusal.

Every cmdlet validates everything before it changes anything, so a caller that catches one of
these can carry on with the VMM server exactly as it was (the suites test this per cmdlet).

VMM error *numbers* (the ``Error (NNNN)`` of the console) are not given by the reference
(hyperv-scvmm.md §4 quotes none), so none are invented here: a class names the kind of error,
its message says what was wrong.
"""

from __future__ import annotations

__all__ = [
    "VmmError",
    "ObjectNotFound",
    "ScriptNotFound",
    "InvalidParameter",
    "DuplicateName",
    "ObjectInUse",
    "CloudPairedError",
    "DisasterRecoveryNotEnabled",
    "IsolationMismatch",
    "SubnetNotInScope",
    "SubnetOverlap",
    "IPAddressError",
    "IPAddressOutOfRange",
    "IPAddressReserved",
    "IPAddressInUse",
    "IPAddressPoolExhausted",
    "NoStaticIPAddressPool",
    "AddressNotAllocated",
    "PlacementError",
    "InvalidVMState",
    "HostAlreadyManaged",
    "JobStateError",
    "NotEmulated",
    "InjectedFault",
    "JobFailed",
    "PairingError",
    "PairingConflict",
    "HostConfigurationFailed",
    "NetworkAlreadyMapped",
    "ProtectionError",
    "ReplicationFailed",
]


class VmmError(Exception):
    """Base of every refusal or failure a VMM cmdlet reports."""


class ObjectNotFound(VmmError, LookupError):
    """An object (host group, cloud, pool, library script, ...) is unknown to this VMM server."""


class ScriptNotFound(ObjectNotFound):
    """No script at that path of the library share (a recovery-plan script step, §5.7)."""


class InvalidParameter(VmmError, ValueError):
    """A parameter value is malformed or out of its range (bad CIDR, VLAN, address set, ...)."""


class DuplicateName(VmmError, ValueError):
    """An object of that kind and name already exists where names must be unique."""


class ObjectInUse(VmmError):
    """The object is still referenced (a host group with VMs of the cloud, a pool with addresses)."""


class CloudPairedError(VmmError):
    """``DisasterRecoverySupported`` cannot be cleared while the cloud is paired (§4, [D:VMM-SetSCCloud])."""


class DisasterRecoveryNotEnabled(VmmError):
    """The cloud does not send its configuration to ASR (``DisasterRecoverySupported`` is off), so it cannot be paired."""


class IsolationMismatch(VmmError, ValueError):
    """A VM network's ``IsolationType`` does not fit its logical network (§4, [D:VMM-NewSCVMSubnet])."""


class SubnetNotInScope(VmmError, ValueError):
    """A pool's subnet is not one the network site or VM subnet holds (§4, [D:VMM-NewSCStaticIPAddressPool])."""


class SubnetOverlap(VmmError, ValueError):
    """"An IP subnet cannot overlap with any other subnet in a host group or child host groups." (§4)"""


class IPAddressError(VmmError):
    """Base of the errors of granting and revoking addresses."""


class IPAddressOutOfRange(IPAddressError, ValueError):
    """The address is outside the pool's range (``IPAddressRangeStart``..``IPAddressRangeEnd``)."""


class IPAddressReserved(IPAddressError, ValueError):
    """The address is in the pool's ``IPAddressReservedSet`` (or its ``VIPAddressSet`` for a non-VIP grant)."""


class IPAddressInUse(IPAddressError):
    """The address is already allocated from the pool, or withheld by a revoke without return."""


class IPAddressPoolExhausted(IPAddressError):
    """No free address is left in the pool."""


class NoStaticIPAddressPool(IPAddressError):
    """A static NIC's VM subnet has no pool serving it (§5.5: "No static pool ... IP allocation fails")."""


class AddressNotAllocated(IPAddressError, LookupError):
    """The allocated-address object was already revoked, or belongs to another server."""


class PlacementError(VmmError):
    """No host of the cloud can run the VM (none reachable for its VM networks, host not in cloud)."""


class InvalidVMState(VmmError):
    """The VM's Hyper-V state forbids the operation (removing a running or replicating VM)."""


class HostAlreadyManaged(VmmError):
    """The Hyper-V host is already managed by this VMM server."""


class JobStateError(VmmError):
    """The job is not in a state that allows the operation (``Restart-SCJob`` of a completed job)."""


class NotEmulated(VmmError, NotImplementedError):
    """A real VMM option the emulator does not implement; refused loudly, never silently accepted."""


class InjectedFault(VmmError):
    """A fault rule at ``vmm.cmdlet`` failed the call before it did anything."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class JobFailed(VmmError):
    """The cmdlet's job failed (a fault at ``vmm.job``); nothing changed and ``Restart-SCJob`` may rerun it."""

    def __init__(self, job: object, message: str) -> None:
        super().__init__(message)
        self.job = job


class PairingError(VmmError):
    """Base of the refusals of cloud pairing and network mapping (§5.3, §5.5)."""


class PairingConflict(PairingError):
    """A host already serves another pairing with a different authentication type or port
    (policy ``PAIRING_HOST_CONFLICT``)."""


class HostConfigurationFailed(PairingError):
    """A Hyper-V cmdlet refused while a host was being configured for a pairing; the host's own
    error is the ``__cause__``, ``host`` names the host, ``step`` what was being done."""

    def __init__(self, host: str, step: str, message: str) -> None:
        super().__init__(f"{host}: {step}: {message}")
        self.host = host
        self.step = step


class NetworkAlreadyMapped(PairingError):
    """The source VM network is already mapped to a target (policy ``NETWORK_MAPPING_CARDINALITY``)."""


class ProtectionError(VmmError):
    """Base of the refusals of enabling and disabling protection of a VM (§5.4): the VM, its cloud
    or its host is not in a state that allows it (not paired, not replicating, no certificate)."""


class ReplicationFailed(ProtectionError):
    """A Hyper-V replication cmdlet (or its job) refused or failed; the host's own error is the
    message (and ``__cause__`` when raised at once), ``host`` names the host, ``step`` the cmdlet —
    what ASR wraps as "Protection couldn't be enabled" (§5.4, [3P:GH-azure-docs#68695])."""

    def __init__(self, host: str, step: str, message: str) -> None:
        super().__init__(f"{host}: {step}: {message}")
        self.host = host
        self.step = step
