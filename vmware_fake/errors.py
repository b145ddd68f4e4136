"""The VMware site emulator's error hierarchy: one base, one precise class per kind of refusal.

Every call validates everything before it changes anything, so a caller that catches one of these
carries on with the site exactly as it was. Neither vSphere fault names nor Scout error numbers
are in the reference (REFERENCE.md §7), so none are invented: a class names the kind of error,
its message says what was wrong.
"""

from __future__ import annotations

__all__ = [
    "VmwareError", "ObjectNotFound", "DuplicateName", "InvalidParameter", "InvalidState",
    "ComponentNotRegistered", "NotEmulated",
]


class VmwareError(Exception):
    """Base of every refusal by the VMware site emulator."""


class ObjectNotFound(VmwareError):
    """No host, datastore, port group, machine, account or Scout component by that name or id."""


class DuplicateName(VmwareError):
    """A name that must be unique in its scope is already taken."""


class InvalidParameter(VmwareError):
    """A value out of range or of the wrong kind (a size, a rate, an address)."""


class InvalidState(VmwareError):
    """The object is not in a state that allows the call (a powered-off VM, say)."""


class ComponentNotRegistered(VmwareError):
    """A Scout component (process server, master target, vCenter) the configuration server does not know."""



class NotEmulated(VmwareError):
    """Something the real product does that this emulator does not (yet): refused loudly, never faked."""
