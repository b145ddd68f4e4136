"""Typed errors carrying the WMI return codes (§1.5), and the reasons replication traffic is refused.

A cmdlet refused for bad input or a bad state raises one of these *before* changing anything
(DESIGN "Trust": a refused operation changes no state). A job that fails later (the peer refused,
the network failed) carries one as ``job.error``; its ``refusal`` says which side refused and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import ClassVar, TypeVar

from ._enums import ReturnCode
from .policy import NOT_FOUND_CODE, REFUSAL_CODES

__all__ = [
    "RefusalReason", "Refusal",
    "HyperVError", "OperationFailedError", "NotSupportedError",
    "InvalidParameterError", "CertificateRejectedError", "ObjectNotFoundError", "SystemInUseError", "InvalidStateError",
    "ReplicationRefusedError", "error_class", "enum_parameter",
]


class RefusalReason(str, Enum):
    """Why a replication exchange failed. Certificate reasons share ``simcore.pki.Reason``'s values.

    ``recoverable`` follows §3.6: network errors are retried (and, by policy REPLICA_PAUSE_BLOCKS_PRIMARY,
    a paused replica; and "low disk", §3.6); authentication, authorization, invalid replica state and VM-not-found are
    not (the VM goes to Error and waits for an admin).
    """

    BROKEN_CHAIN = "BROKEN_CHAIN"
    UNTRUSTED_ROOT = "UNTRUSTED_ROOT"
    REVOKED = "REVOKED"
    NOT_YET_VALID = "NOT_YET_VALID"
    EXPIRED = "EXPIRED"
    WEAK_KEY = "WEAK_KEY"
    WRONG_EKU = "WRONG_EKU"
    NAME_MISMATCH = "NAME_MISMATCH"
    REVOCATION_OFFLINE = "REVOCATION_OFFLINE"
    NO_PRIVATE_KEY = "NO_PRIVATE_KEY"
    CERTIFICATE_NOT_FOUND = "CERTIFICATE_NOT_FOUND"
    KERBEROS_FAILED = "KERBEROS_FAILED"
    AUTHENTICATION_TYPE_NOT_ALLOWED = "AUTHENTICATION_TYPE_NOT_ALLOWED"
    NOT_AUTHORIZED = "NOT_AUTHORIZED"
    TRUST_GROUP_MISMATCH = "TRUST_GROUP_MISMATCH"
    REPLICATION_PAUSED = "REPLICATION_PAUSED"
    INVALID_REPLICA_STATE = "INVALID_REPLICA_STATE"
    VM_NOT_FOUND = "VM_NOT_FOUND"
    CONNECTION_REFUSED = "CONNECTION_REFUSED"
    CONNECTION_TIMED_OUT = "CONNECTION_TIMED_OUT"
    CONNECTION_RESET = "CONNECTION_RESET"
    INSUFFICIENT_DISK_SPACE = "INSUFFICIENT_DISK_SPACE"

    @property
    def recoverable(self) -> bool:
        return self in _RECOVERABLE


_RECOVERABLE = frozenset({
    RefusalReason.CONNECTION_REFUSED, RefusalReason.CONNECTION_TIMED_OUT, RefusalReason.CONNECTION_RESET,
    RefusalReason.REPLICATION_PAUSED, RefusalReason.INSUFFICIENT_DISK_SPACE,
})


@dataclass(frozen=True)
class Refusal:
    """One refused exchange: which side said no (``"primary"`` or ``"replica"``), why, and the detail."""

    reason: RefusalReason
    side: str
    detail: str

    @property
    def recoverable(self) -> bool:
        return self.reason.recoverable

    def describe(self) -> dict[str, str]:
        return {"reason": self.reason.value, "side": self.side, "detail": self.detail}


class HyperVError(Exception):
    """Base of every Hyper-V error; ``return_code`` is the WMI code, ``str()`` reads like the cmdlet's error."""

    return_code: ClassVar[ReturnCode] = ReturnCode.Failed

    def __init__(self, message: str, *, cmdlet: str = "", vm_name: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.cmdlet = cmdlet  # filled in by the cmdlet that raised it, if the raiser did not
        self.vm_name = vm_name

    def __str__(self) -> str:
        return f"{self.cmdlet} : {self.message}" if self.cmdlet else self.message

    def describe(self) -> dict[str, object]:
        return {"code": int(self.return_code), "error": type(self).__name__, "message": str(self)}


class OperationFailedError(HyperVError):
    """32768: the operation failed (a job's generic failure)."""

    return_code = ReturnCode.Failed


class NotSupportedError(HyperVError):
    """32770: not supported (here also: what the emulator does not model, loudly)."""

    return_code = ReturnCode.NotSupported


class InvalidParameterError(HyperVError):
    """32773: "The value specified in one of the parameters is not supported"."""

    return_code = ReturnCode.InvalidParameter


class CertificateRejectedError(InvalidParameterError):
    """A host's own certificate cannot serve Hyper-V Replica (§1.3); ``reasons`` says why."""

    def __init__(self, message: str, reasons: tuple[RefusalReason, ...], *, vm_name: str | None = None) -> None:
        super().__init__(message, vm_name=vm_name)
        self.reasons = reasons

    def describe(self) -> dict[str, object]:
        return {**super().describe(), "reasons": [reason.value for reason in self.reasons]}


class ObjectNotFoundError(InvalidParameterError):
    """A named VM, adapter, switch, certificate or entry does not exist (policy NOT_FOUND_CODE)."""

    return_code = NOT_FOUND_CODE


class SystemInUseError(HyperVError):
    """32774: another operation on the same virtual machine is still running."""

    return_code = ReturnCode.SystemInUse


class InvalidStateError(HyperVError):
    """32775: "invalid state for this operation"."""

    return_code = ReturnCode.InvalidState


class ReplicationRefusedError(HyperVError):
    """A replication exchange failed: the peer (or this host judging the peer) refused, or the network
    failed. Its ``return_code`` depends on why (policy REFUSAL_CODES): 32769 access denied, 32772
    timeout, else 32768 failed."""

    def __init__(self, message: str, refusal: Refusal, *, cmdlet: str = "", vm_name: str | None = None) -> None:
        super().__init__(message, cmdlet=cmdlet, vm_name=vm_name)
        self.refusal = refusal
        self.return_code = REFUSAL_CODES.get(refusal.reason.value, ReturnCode.Failed)  # type: ignore[misc]

    @classmethod
    def of(cls, refusal: Refusal, vm_name: str, operation: str) -> ReplicationRefusedError:
        """The error a job carries when ``operation`` failed because of ``refusal``."""
        who = "the Replica server" if refusal.side == "replica" else "the primary server"
        return cls(f"Hyper-V failed to {operation} for virtual machine '{vm_name}': {refusal.detail} "
                   f"({refusal.reason.value}, refused by {who}).", refusal, vm_name=vm_name)

    @property
    def reason(self) -> RefusalReason:
        return self.refusal.reason

    def describe(self) -> dict[str, object]:
        return {**super().describe(), **self.refusal.describe()}


def error_class(code: ReturnCode) -> type[HyperVError]:
    """The error class that carries ``code`` (for the codes a policy chooses)."""
    return next(cls for cls in (InvalidParameterError, SystemInUseError, InvalidStateError, NotSupportedError,
                                OperationFailedError) if cls.return_code is code)


E = TypeVar("E", bound=Enum)


def enum_parameter(kind: type[E], value: E | str, parameter: str) -> E:
    """``value`` as a member of ``kind`` (given as a member, its name or its value), or 32773 naming the choices."""
    if isinstance(value, kind):
        return value
    for member in kind:
        if value in (member.name, member.value):
            return member
    choices = ", ".join(member.name for member in kind)
    raise InvalidParameterError(f"The value '{value}' for parameter '{parameter}' is not valid. Valid values are "
                                f"{choices}.")
