"""The "configure host" routine of pairing (§5.3 [INF]), done with the host's own Hyper-V cmdlets.

§5.3: configuring a cloud installs the certificates replication needs, opens the firewall for
the replication ports and sets the Hyper-V Replica settings on every host. Each function here
reads the host's state first and calls a cmdlet only for what differs, so running it again
changes nothing (and records no cmdlet); a cmdlet's refusal becomes ``HostConfigurationFailed``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

from cryptography import x509

from hyperv_fake import (
    HTTP_LISTENER_RULE,
    HTTPS_LISTENER_RULE,
    ROOT_STORE,
    HyperVError,
    HyperVHost,
    RecoveryAuthenticationType,
)
from hyperv_fake._certstore import StoredCertificate
from simcore.pki import CertificateAuthority, Eku, thumbprint, validate

from ._pairing_record import AuthenticationType, CloudPairing, PairingSettings
from .errors import HostConfigurationFailed, PairingConflict
from .policy import HOST_CERTIFICATE_RENEWAL_DAYS, HOST_CERTIFICATE_VALIDITY_DAYS, PAIRING_STORAGE_LOCATION

__all__ = ["prepare_host", "pair_host", "unpair_host", "site_certificate", "authorization_patterns",
           "listener_rule", "root_certificate"]

_RENEWAL = timedelta(days=HOST_CERTIFICATE_RENEWAL_DAYS)


@contextmanager
def _step(host: HyperVHost, step: str) -> Iterator[None]:
    try:
        yield
    except HyperVError as error:
        raise HostConfigurationFailed(host.fqdn, step, str(error)) from error


def listener_rule(kind: AuthenticationType) -> str:
    """The Replica firewall rule of the listener: HTTP for Kerberos, HTTPS for certificates (§1.1)."""
    return HTTPS_LISTENER_RULE if kind is AuthenticationType.Certificate else HTTP_LISTENER_RULE


def root_certificate(root: CertificateAuthority | x509.Certificate) -> x509.Certificate:
    return root.certificate if isinstance(root, CertificateAuthority) else root


def authorization_patterns(peer_hosts: Sequence[str]) -> list[str]:
    """Policy ``PAIRING_AUTHORIZATION_SCOPE``: ``*.<domain>`` per peer DNS domain (an exact FQDN
    where the domain is too short for a wildcard), each once, in the order first seen."""
    patterns: dict[str, None] = {}
    for fqdn in peer_hosts:
        labels = fqdn.lower().rstrip(".").split(".")
        patterns.setdefault("*." + ".".join(labels[1:]) if len(labels) >= 3 else fqdn.lower(), None)
    return list(patterns)


def site_certificate(host: HyperVHost, site_ca: CertificateAuthority, at: datetime, *,
                     margin: timedelta = timedelta(0)) -> StoredCertificate | None:
    """The host's newest certificate from ``site_ca`` for its FQDN with both EKUs and its key, valid
    at ``at`` and still for ``margin`` after it, and not revoked (VMM keeps the CA, so it knows);
    None if there is none."""
    found = None
    for stored in host.certificates.personal_certificates:
        if not stored.has_private_key:
            continue
        result = validate(stored.chain, purpose=Eku.SERVER_AND_CLIENT, expected_name=host.fqdn,
                          trust_roots=[site_ca.certificate], at=at, revocation=site_ca)
        if result.ok and stored.issued.not_after - at >= margin:
            found = stored
    return found


def _ensure_root(host: HyperVHost, root: CertificateAuthority | x509.Certificate) -> bool:
    wanted = root_certificate(root)
    if any(root_certificate(have) == wanted for have in host.certificates.roots):
        return False
    with _step(host, "trust root"):
        host.import_certificate(root)
    return True


def _ensure_certificate(host: HyperVHost, site_ca: CertificateAuthority, at: datetime) -> tuple[str, bool]:
    """The thumbprint of a current site certificate, issuing and importing one if needed (policy
    ``HOST_CERTIFICATE``, ``HOST_CERTIFICATE_RENEWAL_DAYS``)."""
    stored = site_certificate(host, site_ca, at, margin=_RENEWAL)
    if stored is not None:
        return stored.thumbprint, False
    not_before = at.replace(microsecond=0)
    issued = site_ca.issue(host.fqdn, sans=[host.fqdn], eku=Eku.SERVER_AND_CLIENT, not_before=not_before,
                           not_after=not_before + timedelta(days=HOST_CERTIFICATE_VALIDITY_DAYS), key_type="ecdsa")
    with _step(host, "import host certificate"):
        return host.import_pfx_certificate(issued), True


def _ensure_firewall(host: HyperVHost, settings: PairingSettings) -> bool:
    name = listener_rule(settings.authentication_type)
    rule = host.firewall_rules.get(name)
    if rule is not None and rule.enabled and rule.local_port == settings.port:
        return False
    with _step(host, "firewall rule"):
        host.set_net_firewall_rule(name, enabled=True, local_port=settings.port)
    return True


def _ensure_server(host: HyperVHost, settings: PairingSettings, thumbprint_: str | None) -> bool:
    """``Set-VMReplicationServer`` with the pairing's authentication, port and storage, if it differs."""
    server = host.replication_server
    certificate = settings.authentication_type is AuthenticationType.Certificate
    auth = RecoveryAuthenticationType.Certificate if certificate else RecoveryAuthenticationType.Kerberos
    storage = settings.replica_storage_location or server.default_storage_location or PAIRING_STORAGE_LOCATION
    port = server.certificate_authentication_port if certificate else server.kerberos_authentication_port
    if (server.replication_enabled and server.allowed_authentication_type is auth and port == settings.port
            and not server.replication_allowed_from_any_server and server.default_storage_location == storage
            and (not certificate or server.certificate_thumbprint == thumbprint_)):
        return False
    with _step(host, "Set-VMReplicationServer"):
        host.set_vm_replication_server(
            replication_enabled=True, allowed_authentication_type=auth, replication_allowed_from_any_server=False,
            default_storage_location=storage, certificate_thumbprint=thumbprint_ if certificate else None,
            certificate_authentication_port=settings.port if certificate else None,
            kerberos_authentication_port=None if certificate else settings.port)
    return True


def prepare_host(host: HyperVHost, site_ca: CertificateAuthority, settings: PairingSettings,
                 at: datetime) -> list[str]:
    """"Prepare for configuring protection" on one host: site root and host certificate (certificate
    authentication), the listener's firewall rule, the Replica server. The steps that changed."""
    changed: list[str] = []
    thumb = None
    if settings.authentication_type is AuthenticationType.Certificate:
        if _ensure_root(host, site_ca):
            changed.append("site root")
        thumb, issued = _ensure_certificate(host, site_ca, at)
        if issued:
            changed.append("host certificate")
    if _ensure_firewall(host, settings):
        changed.append("firewall")
    if _ensure_server(host, settings, thumb):
        changed.append("replica server")
    return changed


def _check_conflicts(host: HyperVHost, record: CloudPairing, others: Sequence[CloudPairing]) -> None:
    for other in others:
        if other.settings.authentication_type != record.settings.authentication_type \
                or other.settings.port != record.settings.port:
            raise PairingConflict(
                f"host {host.fqdn} already serves pairing {other.pairing_id} with "
                f"{other.settings.authentication_type.value} on port {other.settings.port}; pairing "
                f"{record.pairing_id} asks for {record.settings.authentication_type.value} on port {record.settings.port}")


def ensure_authorization(host: HyperVHost, record: CloudPairing) -> bool:
    """An entry per peer pattern with the pairing's trust group, unless one for the pattern exists."""
    changed = False
    storage = host.replication_server.default_storage_location or PAIRING_STORAGE_LOCATION
    for pattern in authorization_patterns(record.peer_hosts):
        if host.authorization.find(pattern) is None:
            with _step(host, "New-VMReplicationAuthorizationEntry"):
                host.new_vm_replication_authorization_entry(pattern, storage, record.trust_group)
            changed = True
    return changed


def pair_host(host: HyperVHost, record: CloudPairing, site_ca: CertificateAuthority, at: datetime,
              others: Sequence[CloudPairing]) -> list[str]:
    """"Configure the protection settings" on one host: ``prepare_host``, then trust of the peer
    root, ``DisableCertRevocationCheck`` (policy ``PAIRING_REVOCATION_CHECK``) and the
    authorization entries. ``others``: the other pairings that configure this host."""
    _check_conflicts(host, record, others)
    changed = prepare_host(host, site_ca, record.settings, at)
    if record.settings.authentication_type is AuthenticationType.Certificate and record.peer_root_certificate:
        peer = x509.load_pem_x509_certificate(record.peer_root_certificate.encode("ascii"))
        if _ensure_root(host, peer):
            changed.append("peer root")
        if not host.disable_cert_revocation_check:
            with _step(host, "DisableCertRevocationCheck"):
                host.set_disable_cert_revocation_check(True)
            if host.fqdn not in record.revocation_check_disabled_on:
                record.revocation_check_disabled_on.append(host.fqdn)
            changed.append("revocation check")
    if ensure_authorization(host, record):
        changed.append("authorization")
    return changed


def unpair_host(host: HyperVHost, record: CloudPairing, others: Sequence[CloudPairing]) -> list[str]:
    """Undo ``pair_host`` for ``record`` (policy ``UNPAIR_UNDOES``); ``others`` still configure the host."""
    changed: list[str] = []
    if host.get_vm_replication_authorization_entry(trust_group=record.trust_group):
        with _step(host, "Remove-VMReplicationAuthorizationEntry"):
            host.remove_vm_replication_authorization_entry(trust_group=record.trust_group)
        changed.append("authorization")
    for other in others:  # a pattern this pairing wrote may have served another one too
        if ensure_authorization(host, other):
            changed.append("authorization of " + other.pairing_id)
    if record.peer_root_certificate and all(o.peer_root_certificate != record.peer_root_certificate for o in others):
        peer = x509.load_pem_x509_certificate(record.peer_root_certificate.encode("ascii"))
        if any(root_certificate(have) == peer for have in host.certificates.roots):
            with _step(host, "remove peer root"):
                host.remove_certificate(thumbprint(peer), cert_store_location=ROOT_STORE)
            changed.append("peer root")
    if others:
        return changed
    if host.fqdn in record.revocation_check_disabled_on and host.disable_cert_revocation_check:
        with _step(host, "DisableCertRevocationCheck"):
            host.set_disable_cert_revocation_check(False)
        changed.append("revocation check")
    if host.replication_server.replication_enabled:
        with _step(host, "Set-VMReplicationServer"):
            host.set_vm_replication_server(replication_enabled=False)
        changed.append("replica server")
    rule = host.firewall_rules.get(listener_rule(record.settings.authentication_type))
    if rule is not None and rule.enabled:
        with _step(host, "firewall rule"):
            host.set_net_firewall_rule(rule.display_name, enabled=False)
        changed.append("firewall")
    return changed
