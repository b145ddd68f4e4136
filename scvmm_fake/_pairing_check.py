"""The pairing predicate: what a paired host must look like, read from the host's own state.

``pairing_problems(host, record)`` names every defect (empty when the host is configured as the
pairing promises, DESIGN.md "Pairing auto-configuration"): a Replica server with the pairing's
authentication and port, its firewall rule open, a valid, unrevoked certificate for its FQDN with
both EKUs chained to its site's root (certificate authentication), the peer site's root trusted,
a revocation check that can be answered (or is off), and the peer cloud's hosts authorized.
Suites and ``drlab`` checkers use the same function.

``pairing_defects`` is the same judgement as typed items (``PairingDefect``: a ``DefectKind`` and
the problem in words), one per certificate reason: what VMM's DR inventory reports, per paired
cloud, so that ASR can show each as a health error of the pairing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import lru_cache
from typing import Any

from cryptography import x509

from hyperv_fake import HyperVHost, ReplicationAuthenticationType, current_crls
from simcore.pki import CertificateAuthority, Eku, Reason, validate

from ._pairing_hosts import listener_rule, root_certificate
from ._pairing_record import AuthenticationType, CloudPairing

__all__ = ["pairing_problems", "pairing_defects", "PairingDefect", "DefectKind", "load_root"]


class DefectKind(str, Enum):
    """What is wrong with a paired host, as VMM reports it (PROTOCOL.md §5.2 ``pairings``)."""

    NotReplicaServer = "NotReplicaServer"
    AuthenticationType = "AuthenticationType"
    Port = "Port"
    FirewallClosed = "FirewallClosed"
    CertificateMissing = "CertificateMissing"
    CertificateBrokenChain = "CertificateBrokenChain"
    CertificateUntrustedRoot = "CertificateUntrustedRoot"
    CertificateRevoked = "CertificateRevoked"
    CertificateNotYetValid = "CertificateNotYetValid"
    CertificateExpired = "CertificateExpired"
    CertificateWeakKey = "CertificateWeakKey"
    CertificateWrongEku = "CertificateWrongEku"
    CertificateNameMismatch = "CertificateNameMismatch"
    PeerRootNotTrusted = "PeerRootNotTrusted"
    RevocationCheckUnanswerable = "RevocationCheckUnanswerable"
    NoDomain = "NoDomain"
    PeerHostsNotAuthorized = "PeerHostsNotAuthorized"


_BY_REASON = {
    Reason.BROKEN_CHAIN: DefectKind.CertificateBrokenChain, Reason.UNTRUSTED_ROOT: DefectKind.CertificateUntrustedRoot,
    Reason.REVOKED: DefectKind.CertificateRevoked, Reason.NOT_YET_VALID: DefectKind.CertificateNotYetValid,
    Reason.EXPIRED: DefectKind.CertificateExpired, Reason.WEAK_KEY: DefectKind.CertificateWeakKey,
    Reason.WRONG_EKU: DefectKind.CertificateWrongEku, Reason.NAME_MISMATCH: DefectKind.CertificateNameMismatch,
}


@dataclass(frozen=True)
class PairingDefect:
    """One defect of one host: its kind and what is wrong, in words."""

    kind: DefectKind
    detail: str


_Finding = tuple[str, list[PairingDefect]]  # a problem as ``pairing_problems`` words it, and its defects


@lru_cache(maxsize=64)
def load_root(pem: str) -> x509.Certificate:
    """A root certificate from a pairing record's PEM text (parsed once per text)."""
    return x509.load_pem_x509_certificate(pem.encode("ascii"))


def pairing_problems(host: HyperVHost, record: CloudPairing | Mapping[str, Any], *,
                     site_ca: CertificateAuthority | None = None) -> list[str]:
    """Every defect of ``host`` for the pairing ``record`` (a ``CloudPairing`` or its ``to_json``), in a
    fixed order; empty when the host can replicate to and from the peer cloud's hosts. ``site_ca``:
    the site CA that answers whether the host's certificate is revoked (by default, the site root
    as the host's store holds it, if it is held as a CA)."""
    return [problem for problem, _ in _findings(host, record, site_ca)]


def pairing_defects(host: HyperVHost, record: CloudPairing | Mapping[str, Any], *,
                    site_ca: CertificateAuthority | None = None) -> list[PairingDefect]:
    """``pairing_problems`` as typed defects, one per certificate reason, in the same order."""
    return [defect for _, defects in _findings(host, record, site_ca) for defect in defects]


def _one(problem: str, kind: DefectKind) -> _Finding:
    return problem, [PairingDefect(kind, problem)]


def _findings(host: HyperVHost, record: CloudPairing | Mapping[str, Any],
              site_ca: CertificateAuthority | None) -> list[_Finding]:
    if not isinstance(record, CloudPairing):
        record = CloudPairing.from_json(record)
    found: list[_Finding] = []
    server = host.replication_server
    certificate = record.settings.authentication_type is AuthenticationType.Certificate
    if not server.replication_enabled:
        found.append(_one("not a Replica server", DefectKind.NotReplicaServer))
    wanted = ReplicationAuthenticationType.Certificate if certificate else ReplicationAuthenticationType.Kerberos
    allowed = server.allowed_authentication_type
    if allowed is None or not allowed.allows(wanted):
        found.append(_one(f"authentication {allowed.name if allowed else None}, not {wanted.name}",
                          DefectKind.AuthenticationType))
    port = server.certificate_authentication_port if certificate else server.kerberos_authentication_port
    if port != record.settings.port:
        found.append(_one(f"listens on {port}, not {record.settings.port}", DefectKind.Port))
    rule = host.firewall_rules.get(listener_rule(record.settings.authentication_type))
    if rule is None or not rule.enabled or rule.local_port != record.settings.port:
        found.append(_one("firewall rule for the listener not open", DefectKind.FirewallClosed))
    if certificate:
        found.extend(_certificate_findings(host, record, site_ca))
    elif host.domain is None:
        found.append(_one("not joined to a domain: Kerberos cannot authenticate", DefectKind.NoDomain))
    authorized = [fqdn for fqdn in record.peer_hosts if host.authorization_for(fqdn)]
    if len(authorized) != len(record.peer_hosts):
        missing = sorted(set(record.peer_hosts) - set(authorized))
        found.append(_one(f"peer hosts not authorized: {', '.join(missing)}", DefectKind.PeerHostsNotAuthorized))
    return found


def _certificate_findings(host: HyperVHost, record: CloudPairing, site_ca: CertificateAuthority | None) -> list[_Finding]:
    found: list[_Finding] = []
    site_root = load_root(record.site_root_certificate)
    at = host.fabric.sim.clock.utcnow()
    thumbprint = host.replication_server.certificate_thumbprint or ""
    stored = host.certificates.personal(thumbprint)
    if stored is None or not stored.has_private_key:
        found.append(_one("no configured certificate with its private key", DefectKind.CertificateMissing))
    else:
        sources = [site_ca] if site_ca is not None else [
            root for root in host.certificates.roots
            if isinstance(root, CertificateAuthority) and root.certificate == site_root]
        result = validate(stored.chain, purpose=Eku.SERVER_AND_CLIENT, expected_name=host.fqdn,
                          trust_roots=[site_root], at=at, check_revocation=True, revocation=sources)
        if not result.ok:
            found.append(("certificate not valid: " + ", ".join(reason.name for reason in result.reasons),
                          [PairingDefect(_BY_REASON[reason], f"certificate {thumbprint} of {host.fqdn}: {reason.name}")
                           for reason in result.reasons]))
    if record.peer_root_certificate:
        peer = load_root(record.peer_root_certificate)
        if not any(root_certificate(have) == peer for have in host.certificates.roots):
            found.append(_one("peer site root not trusted", DefectKind.PeerRootNotTrusted))
        if not host.disable_cert_revocation_check and not _revocation_answerable(host, peer, at):
            # the peer root has no CRL (policy PAIRING_REVOCATION_CHECK) unless one is cached
            found.append(_one("revocation check enabled: the peer site's certificates cannot be checked",
                              DefectKind.RevocationCheckUnanswerable))
    return found


def _revocation_answerable(host: HyperVHost, peer: x509.Certificate, at: datetime) -> bool:
    """Can the host answer a revocation check of what the peer site CA issued (hyperv_fake's rule:
    the root held as a CA, or a current CRL of it cached in the store)?"""
    held = any(isinstance(root, CertificateAuthority) and root.certificate == peer for root in host.certificates.roots)
    return held or any(crl.issuer == peer.subject for crl in current_crls(host.certificates.crls, at))
