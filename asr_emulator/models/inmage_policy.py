"""InMage replication policies (VMware VMs and physical servers to a secondary site): the settings of
``InMagePolicyInput`` and the domain of each field (vmware_fake/REFERENCE.md §6).

The SDK gives the four fields and that ``multiVmSyncStatus`` is required (``Enable`` / ``Disable``);
their domains and the defaults of the others are not documented for this scenario, so they are policy
(``INMAGE_POLICY_DEFAULTS``, ``INMAGE_POLICY_LIMITS``): the VMware-to-Azure tutorial's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import InvalidParameter, InvalidRequestContent
from ..policy import INMAGE_POLICY_DEFAULTS, INMAGE_POLICY_LIMITS, INMAGE_PROVIDER

__all__ = ["InMageSettings", "INMAGE_FIELDS"]

#: JSON field name -> JSON type of ``InMagePolicyInput`` (SDK 2.0.0).
INMAGE_FIELDS: dict[str, type] = {
    "recoveryPointThresholdInMinutes": int, "recoveryPointHistory": int, "appConsistentFrequencyInMinutes": int,
    "multiVmSyncStatus": str,
}


@dataclass(frozen=True)
class InMageSettings:
    """The validated settings of an InMage policy: minutes, and whether multi-VM groups sync."""

    recovery_point_threshold_minutes: int
    recovery_point_history_minutes: int
    app_consistent_frequency_minutes: int
    multi_vm_sync_status: str
    instance_type: str = INMAGE_PROVIDER

    @classmethod
    def from_fields(cls, fields: dict[str, Any], *, path: str) -> InMageSettings:
        """Build and validate from JSON values (type-checked by the wire); 400 naming the first bad field."""
        if fields.get("multiVmSyncStatus") is None:
            raise InvalidRequestContent(f"The request content was invalid: the field '{path}.multiVmSyncStatus' is "
                                        "required.", target=f"{path}.multiVmSyncStatus")
        values = {**INMAGE_POLICY_DEFAULTS, **{k: v for k, v in fields.items() if v is not None}}
        if values["multiVmSyncStatus"] not in ("Enable", "Disable"):
            raise InvalidParameter(f"The value {values['multiVmSyncStatus']!r} of '{path}.multiVmSyncStatus' is "
                                   "invalid: allowed values are 'Enable', 'Disable'.", target=f"{path}.multiVmSyncStatus")
        for name, (low, high) in INMAGE_POLICY_LIMITS.items():
            if not low <= values[name] <= high:
                raise InvalidParameter(f"The value {values[name]!r} of '{path}.{name}' is invalid: {low} to {high} "
                                       "minutes.", target=f"{path}.{name}")
        if values["appConsistentFrequencyInMinutes"] > values["recoveryPointHistory"]:
            raise InvalidParameter(f"The value {values['appConsistentFrequencyInMinutes']!r} of "
                                   f"'{path}.appConsistentFrequencyInMinutes' is invalid: app-consistent points must come "
                                   "at least once per retention window (recoveryPointHistory).",
                                   target=f"{path}.appConsistentFrequencyInMinutes")
        return cls(values["recoveryPointThresholdInMinutes"], values["recoveryPointHistory"],
                   values["appConsistentFrequencyInMinutes"], values["multiVmSyncStatus"])

    def to_fields(self) -> dict[str, Any]:
        """The settings as ``InMagePolicyInput`` / ``InMagePolicyDetails`` fields."""
        return {"recoveryPointThresholdInMinutes": self.recovery_point_threshold_minutes,
                "recoveryPointHistory": self.recovery_point_history_minutes,
                "appConsistentFrequencyInMinutes": self.app_consistent_frequency_minutes,
                "multiVmSyncStatus": self.multi_vm_sync_status}
