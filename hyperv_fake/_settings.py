"""Per-relationship replication settings (``Msvm_ReplicationSettingData``, §1.5, §2.1) and their rules.

``check_settings`` raises ``InvalidParameterError`` (32773) naming the parameter as the cmdlet
does, before anything changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._enums import ReplicationAuthenticationType
from ._errors import InvalidParameterError

__all__ = ["ReplicationSettings", "check_settings", "REPLICATION_FREQUENCIES", "MAX_RECOVERY_HISTORY"]

REPLICATION_FREQUENCIES = (30, 300, 900)
"""``ReplicationInterval`` ∈ {30, 300, 900} s, default 300 (§1.5, §6)."""

MAX_RECOVERY_HISTORY = 24
"""Additional recovery points 0–24, hourly (§2.8, §6)."""

MAX_VSS_FREQUENCY_HOURS = 12
"""``ApplicationConsistentSnapshotInterval`` 1–12 h (§1.5, §6); 0 means disabled (§2.1)."""


@dataclass(frozen=True)
class ReplicationSettings:
    """What ``Enable-VMReplication``/``Set-VMReplication`` configure; field names are the cmdlets' parameters."""

    replica_server_name: str
    replica_server_port: int
    authentication_type: ReplicationAuthenticationType
    primary_server_name: str
    certificate_thumbprint: str | None = None
    replication_frequency_sec: int = 300
    recovery_history: int = 0
    vss_snapshot_frequency_hour: int = 0
    compression_enabled: bool = True
    excluded_vhd_path: tuple[str, ...] = ()
    auto_resynchronize_enabled: bool = False

    def describe(self) -> dict[str, object]:
        return {
            "replica_server_name": self.replica_server_name, "replica_server_port": self.replica_server_port,
            "authentication_type": self.authentication_type.name, "primary_server_name": self.primary_server_name,
            "replication_frequency_sec": self.replication_frequency_sec, "recovery_history": self.recovery_history,
            "vss_snapshot_frequency_hour": self.vss_snapshot_frequency_hour,
            "compression_enabled": self.compression_enabled, "excluded_vhd_path": list(self.excluded_vhd_path),
        }


def check_settings(settings: ReplicationSettings, *, cmdlet: str, vm_name: str, disk_paths: tuple[str, ...]) -> None:
    """Refuse settings the reference rules out (§2.1, §1.5, §6); returns only if all hold."""

    def refuse(message: str) -> None:
        raise InvalidParameterError(message, cmdlet=cmdlet, vm_name=vm_name)

    if not isinstance(settings.replica_server_port, int) or not 0 < settings.replica_server_port < 65536:
        refuse(f"The value {settings.replica_server_port!r} for parameter 'ReplicaServerPort' is not a valid port.")
    if not settings.replica_server_name:
        refuse("The parameter 'ReplicaServerName' cannot be empty.")
    certificate = settings.authentication_type is ReplicationAuthenticationType.Certificate
    if certificate and not settings.certificate_thumbprint:
        refuse("The parameter 'CertificateThumbprint' is required when 'AuthenticationType' is 'Certificate'.")
    if settings.replication_frequency_sec not in REPLICATION_FREQUENCIES:
        refuse(f"The value {settings.replication_frequency_sec!r} for parameter 'ReplicationFrequencySec' is not "
               f"valid. Valid values are 30, 300 and 900.")
    if not isinstance(settings.recovery_history, int) or not 0 <= settings.recovery_history <= MAX_RECOVERY_HISTORY:
        refuse(f"The value {settings.recovery_history!r} for parameter 'RecoveryHistory' is out of range (0-24).")
    vss = settings.vss_snapshot_frequency_hour
    if not isinstance(vss, int) or not 0 <= vss <= MAX_VSS_FREQUENCY_HOURS:
        refuse(f"The value {vss!r} for parameter 'VSSSnapshotFrequencyHour' is out of range (1-12).")
    if vss and not settings.recovery_history:
        refuse("Application-consistent snapshots ('VSSSnapshotFrequencyHour') require additional recovery points "
               "('RecoveryHistory' must not be 0).")
    unknown = [path for path in settings.excluded_vhd_path if path not in disk_paths]
    if unknown:
        refuse(f"The virtual hard disk '{unknown[0]}' is not attached to virtual machine '{vm_name}'.")
