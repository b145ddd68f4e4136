"""Replica server settings (``Set-VMReplicationServer``, §1.1, §1.5) and the Replica firewall rules.

The settings are one immutable value; a change builds the next value, ``check_server_settings``
refuses it (32773) if the reference rules it out, and only then does the host apply it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from ._enums import RecoveryAuthenticationType, ReplicationAuthenticationType
from ._errors import InvalidParameterError
from ._statistics import DEFAULT_MONITORING_INTERVAL, DEFAULT_MONITORING_START, MONITORING_INTERVALS

__all__ = ["VMReplicationServer", "FirewallRule", "check_server_settings",
           "HTTP_LISTENER_RULE", "HTTPS_LISTENER_RULE", "default_firewall_rules"]

HTTP_LISTENER_RULE = "Hyper-V Replica HTTP Listener (TCP-In)"
HTTPS_LISTENER_RULE = "Hyper-V Replica HTTPS Listener (TCP-In)"


@dataclass(frozen=True)
class FirewallRule:
    """An inbound firewall rule; the Replica rules exist with the Hyper-V role but start disabled (§1.1)."""

    display_name: str
    local_port: int
    enabled: bool = False


def default_firewall_rules() -> dict[str, FirewallRule]:
    """The two rules the Hyper-V role creates: HTTP on 80, HTTPS on 443, both disabled (§1.1)."""
    return {HTTP_LISTENER_RULE: FirewallRule(HTTP_LISTENER_RULE, 80),
            HTTPS_LISTENER_RULE: FirewallRule(HTTPS_LISTENER_RULE, 443)}


@dataclass(frozen=True)
class VMReplicationServer:
    """What ``Get-VMReplicationServer`` shows; defaults are ``Msvm_ReplicationServiceSettingData``'s (§1.1)."""

    replication_enabled: bool = False
    allowed_authentication_type: RecoveryAuthenticationType | None = None
    replication_allowed_from_any_server: bool = False
    default_storage_location: str | None = None
    certificate_thumbprint: str | None = None
    kerberos_authentication_port: int = 80
    certificate_authentication_port: int = 443
    monitoring_interval: int = DEFAULT_MONITORING_INTERVAL
    monitoring_start_time: time = DEFAULT_MONITORING_START

    def listeners(self) -> tuple[tuple[int, ReplicationAuthenticationType], ...]:
        """The (port, authentication) pairs the server listens on: HTTP for Kerberos, HTTPS for certificates."""
        auth = self.allowed_authentication_type
        if not self.replication_enabled or auth is None:
            return ()
        found = []
        if auth.allows(ReplicationAuthenticationType.Kerberos):
            found.append((self.kerberos_authentication_port, ReplicationAuthenticationType.Kerberos))
        if auth.allows(ReplicationAuthenticationType.Certificate):
            found.append((self.certificate_authentication_port, ReplicationAuthenticationType.Certificate))
        return tuple(found)

    @property
    def uses_certificate(self) -> bool:
        auth = self.allowed_authentication_type
        return auth is not None and auth.allows(ReplicationAuthenticationType.Certificate)


def _valid_port(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536


def check_server_settings(settings: VMReplicationServer, *, certificate_port_given: bool, cmdlet: str) -> None:
    """Refuse what §1.1 rules out: 32773 with the cmdlet's wording."""

    def refuse(message: str) -> None:
        raise InvalidParameterError(message, cmdlet=cmdlet)

    auth = settings.allowed_authentication_type
    if settings.replication_enabled and auth is None:
        refuse("The parameter 'AllowedAuthenticationType' must be specified to enable the Replica server.")
    if certificate_port_given and not settings.uses_certificate:
        refuse("'CertificateAuthenticationPort' can be set only when 'AllowedAuthenticationType' is 'Certificate' "
               "or 'CertificateAndKerberos'.")
    for name, port in (("KerberosAuthenticationPort", settings.kerberos_authentication_port),
                       ("CertificateAuthenticationPort", settings.certificate_authentication_port)):
        if not _valid_port(port):
            refuse(f"The value {port!r} for parameter '{name}' is not a valid port.")
    if auth is RecoveryAuthenticationType.CertificateAndKerberos and \
            settings.kerberos_authentication_port == settings.certificate_authentication_port:
        refuse("The Kerberos and certificate authentication ports must differ.")
    if settings.replication_allowed_from_any_server and not settings.default_storage_location:
        refuse("'DefaultStorageLocation' must be specified when 'ReplicationAllowedFromAnyServer' is true.")
    if settings.replication_enabled and settings.uses_certificate and not settings.certificate_thumbprint:
        refuse("'CertificateThumbprint' is required when certificate-based authentication is allowed.")
    if settings.monitoring_interval not in MONITORING_INTERVALS:
        refuse(f"The value {settings.monitoring_interval!r} for parameter 'MonitoringInterval' is not valid. "
               "Valid values are 1, 2, 3, 4, 6, 8, 12 or 24 hours, or 2 to 7 days.")
