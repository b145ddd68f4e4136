"""Replica server cmdlets: ``Set-VMReplicationServer``, authorization entries, certificates, firewall (§1.1–1.3).

A change to what this host trusts or authorizes makes its active relationships authenticate
again (policy SESSION_PER_OPERATION), so a removed root or entry is refused with its reason.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from typing import Any

from cryptography import x509

from simcore.pki import CertificateAuthority, IssuedCertificate, thumbprint

from ._authorization import ANY_SERVER, DEFAULT_TRUST_GROUP, AuthorizationEntry, primary_server_problem
from ._cmdlet import cmdlet
from ._enums import RecoveryAuthenticationType
from ._errors import InvalidParameterError, InvalidStateError, ObjectNotFoundError, enum_parameter
from ._hostbase import HostBase
from ._listener import ReplicaListener
from ._server import FirewallRule, VMReplicationServer, check_server_settings

__all__ = ["ServerCmdlets", "MY_STORE", "ROOT_STORE"]

MY_STORE = "Cert:\\LocalMachine\\My"
ROOT_STORE = "Cert:\\LocalMachine\\Root"


class ServerCmdlets(HostBase):
    """The host as a Replica server: settings, authorization, certificates, firewall, registry."""

    @cmdlet("Set-VMReplicationServer")
    def set_vm_replication_server(
        self,
        *,
        replication_enabled: bool | None = None,
        allowed_authentication_type: RecoveryAuthenticationType | str | None = None,
        replication_allowed_from_any_server: bool | None = None,
        default_storage_location: str | None = None,
        certificate_thumbprint: str | None = None,
        kerberos_authentication_port: int | None = None,
        certificate_authentication_port: int | None = None,
        monitoring_interval: int | None = None,
        monitoring_start_time: time | None = None,
    ) -> VMReplicationServer:
        given: dict[str, Any] = {
            "replication_enabled": replication_enabled,
            "allowed_authentication_type": None if allowed_authentication_type is None else enum_parameter(
                RecoveryAuthenticationType, allowed_authentication_type, "AllowedAuthenticationType"),
            "replication_allowed_from_any_server": replication_allowed_from_any_server,
            "default_storage_location": default_storage_location,
            "certificate_thumbprint": certificate_thumbprint.upper() if certificate_thumbprint else None,
            "kerberos_authentication_port": kerberos_authentication_port,
            "certificate_authentication_port": certificate_authentication_port,
            "monitoring_interval": monitoring_interval,
            "monitoring_start_time": monitoring_start_time,
        }
        settings = replace(self.replication_server, **{k: v for k, v in given.items() if v is not None})
        check_server_settings(settings, certificate_port_given=certificate_authentication_port is not None,
                              cmdlet="Set-VMReplicationServer")
        if settings.replication_enabled and settings.uses_certificate:
            self._check_own_certificate(settings.certificate_thumbprint or "")
        for vm in self.vms:  # statistics so far belong to the old monitoring interval
            self._settle(vm)
        self.replication_server = settings
        self.fabric.revision += 1  # health's monitoring interval, listeners: what replication reads moved
        self._listen(settings)
        self.record("hyperv.replication-server", "info", {
            "enabled": settings.replication_enabled,
            "auth": settings.allowed_authentication_type.name if settings.allowed_authentication_type else None,
            "listeners": [port for port, _ in settings.listeners()],
            "any_server": settings.replication_allowed_from_any_server,
        })
        self._revalidate_links()
        return settings

    def get_vm_replication_server(self) -> VMReplicationServer:
        return self.replication_server

    def _listen(self, settings: VMReplicationServer) -> None:
        network = self.fabric.sim.network
        wanted = settings.listeners()
        for port, kind in self._listening:
            if (port, kind) not in wanted:
                network.unlisten(self.name, port)
        for port, kind in wanted:
            if (port, kind) not in self._listening:
                network.listen(self.name, port, ReplicaListener(self, port, kind).accept)
        self._listening = wanted

    # -- authorization entries (§1.2) -------------------------------------------------------------------

    @cmdlet("New-VMReplicationAuthorizationEntry")
    def new_vm_replication_authorization_entry(self, allowed_primary_server: str, replica_storage_location: str,
                                               trust_group: str) -> AuthorizationEntry:
        if self.replication_server.replication_allowed_from_any_server:
            raise InvalidStateError("Authorization entries cannot be added while the Replica server accepts "
                                    "replication from any authenticated server.")
        problem = primary_server_problem(allowed_primary_server)
        if problem is not None:
            raise InvalidParameterError(f"The value '{allowed_primary_server}' for parameter 'AllowedPrimaryServer' "
                                        f"is not valid: {problem}.")
        if not replica_storage_location or not trust_group:
            raise InvalidParameterError("'ReplicaStorageLocation' and 'TrustGroup' must not be empty.")
        if self.authorization.find(allowed_primary_server) is not None:
            raise InvalidParameterError(f"An authorization entry for '{allowed_primary_server}' already exists.")
        entry = AuthorizationEntry(allowed_primary_server, replica_storage_location, trust_group)
        self.authorization.add(entry)
        return entry

    def get_vm_replication_authorization_entry(self, allowed_primary_server: str | None = None, *,
                                               trust_group: str | None = None) -> list[AuthorizationEntry]:
        server = self.replication_server
        if server.replication_allowed_from_any_server:
            entries = [AuthorizationEntry(ANY_SERVER, server.default_storage_location or "", DEFAULT_TRUST_GROUP)]
        else:
            entries = list(self.authorization.entries)
        server_name = allowed_primary_server.lower() if allowed_primary_server is not None else None
        return [e for e in entries if server_name in (None, e.allowed_primary_server.lower())
                and trust_group in (None, e.trust_group)]

    @cmdlet("Set-VMReplicationAuthorizationEntry")
    def set_vm_replication_authorization_entry(self, allowed_primary_server: str, *,
                                               replica_storage_location: str | None = None,
                                               trust_group: str | None = None) -> AuthorizationEntry:
        """Change an entry; replicas that exist keep their location (§1.2: only later ones use the new one)."""
        entry = self.authorization.find(allowed_primary_server)
        if entry is None:
            raise ObjectNotFoundError(f"No authorization entry exists for '{allowed_primary_server}'.")
        if replica_storage_location == "" or trust_group == "":
            raise InvalidParameterError("'ReplicaStorageLocation' and 'TrustGroup' must not be empty.")
        changed = replace(entry, replica_storage_location=replica_storage_location or entry.replica_storage_location,
                          trust_group=trust_group or entry.trust_group)
        self.authorization.replace(entry, changed)
        self._revalidate_links()
        return changed

    @cmdlet("Remove-VMReplicationAuthorizationEntry")
    def remove_vm_replication_authorization_entry(self, allowed_primary_server: str | None = None, *,
                                                  trust_group: str | None = None) -> None:
        """Remove by server or by trust group (§1.2)."""
        if (allowed_primary_server is None) == (trust_group is None):
            raise InvalidParameterError("Specify either 'AllowedPrimaryServer' or 'TrustGroup'.")
        server_name = allowed_primary_server.lower() if allowed_primary_server is not None else None
        doomed = [e for e in self.authorization.entries
                  if e.allowed_primary_server.lower() == server_name or e.trust_group == trust_group]
        if not doomed:
            raise ObjectNotFoundError("No matching authorization entry was found.")
        self.authorization.remove(doomed)
        self._revalidate_links()

    # -- certificates (§1.3) --------------------------------------------------------------------------

    @cmdlet("Import-PfxCertificate")
    def import_pfx_certificate(self, certificate: IssuedCertificate, *, cert_store_location: str = MY_STORE) -> str:
        """Import a certificate with its private key into LocalMachine\\My; returns its thumbprint."""
        if cert_store_location != MY_STORE:
            raise InvalidParameterError(f"Replica certificates belong in {MY_STORE}.")
        return self.certificates.add_personal(certificate).thumbprint

    @cmdlet("Import-Certificate")
    def import_certificate(self, certificate: IssuedCertificate | CertificateAuthority | x509.Certificate, *,
                           cert_store_location: str = ROOT_STORE) -> str:
        """Import a certificate without its key: a trusted root into Root, or a bare .cer into My."""
        if cert_store_location == ROOT_STORE:
            if isinstance(certificate, IssuedCertificate):
                certificate = certificate.certificate
            self.certificates.add_root(certificate)
            return thumbprint(certificate.certificate if isinstance(certificate, CertificateAuthority) else certificate)
        if cert_store_location == MY_STORE and isinstance(certificate, IssuedCertificate):
            return self.certificates.add_personal(certificate, has_private_key=False).thumbprint
        raise InvalidParameterError(f"Cannot import that certificate into '{cert_store_location}'.")

    @cmdlet("Remove-Certificate")
    def remove_certificate(self, certificate_thumbprint: str, *, cert_store_location: str) -> None:
        """``Remove-Item Cert:\\LocalMachine\\<store>\\<thumbprint>``."""
        wanted = certificate_thumbprint.upper()
        if cert_store_location == MY_STORE and self.certificates.personal(wanted) is not None:
            self.certificates.remove_personal(wanted)
        elif cert_store_location == ROOT_STORE:
            root = next((r for r in self.certificates.roots
                         if thumbprint(r.certificate if isinstance(r, CertificateAuthority) else r) == wanted), None)
            if root is None:
                raise ObjectNotFoundError(f"No certificate {wanted} in {cert_store_location}.")
            self.certificates.remove_root(root)
        else:
            raise ObjectNotFoundError(f"No certificate {wanted} in {cert_store_location}.")
        self._revalidate_links()

    def import_crl(self, crl: x509.CertificateRevocationList) -> None:
        """``certutil -addstore CA <file>.crl``: cache a CA's CRL, so a revocation check of what that
        CA issued is answered (until the CRL's ``nextUpdate``) although the root was imported bare."""
        self.certificates.add_crl(crl)
        self.record("hyperv.crl", "info", {"issuer": crl.issuer.rfc4514_string(),
                                           "nextUpdate": None if crl.next_update_utc is None
                                           else crl.next_update_utc.isoformat()})
        self._revalidate_links()

    def set_disable_cert_revocation_check(self, disabled: bool) -> None:
        """``HKLM\\...\\Virtualization\\Replication\\DisableCertRevocationCheck`` = 1 or 0 (§1.3)."""
        self.disable_cert_revocation_check = bool(disabled)
        self.record("hyperv.registry", "info", {"DisableCertRevocationCheck": int(disabled)})
        self._revalidate_links()

    # -- firewall (§1.1) ----------------------------------------------------------------------------------

    @cmdlet("Set-NetFirewallRule")
    def set_net_firewall_rule(self, display_name: str, *, enabled: bool | None = None,
                              local_port: int | None = None) -> FirewallRule:
        rule = self.firewall_rules.get(display_name)
        if rule is None:
            raise ObjectNotFoundError(f"No firewall rule with display name '{display_name}' was found.")
        if local_port is not None and not 0 < local_port < 65536:
            raise InvalidParameterError(f"The value {local_port!r} for parameter 'LocalPort' is not a valid port.")
        changed = replace(rule, enabled=rule.enabled if enabled is None else enabled,
                          local_port=rule.local_port if local_port is None else local_port)
        self.firewall_rules[display_name] = changed
        self._configuration_changed()
        self._revalidate_links()
        return changed

    def enable_net_firewall_rule(self, display_name: str) -> FirewallRule:
        return self.set_net_firewall_rule(display_name, enabled=True)

    def disable_net_firewall_rule(self, display_name: str) -> FirewallRule:
        return self.set_net_firewall_rule(display_name, enabled=False)
