"""The pairing predicate: what a paired host must look like, read from the host's own state.

``pairing_problems(host, record)`` names every defect (empty when the host is configured as the
pairing promises, DESIGN.md "Pairing auto-configuration"): a Replica server with the pairing's
authentication and port, its firewall rule open, a valid certificate for its FQDN with both EKUs
chained to its site's root (certificate authentication), the peer site's root trusted, and the
peer cloud's hosts authorized. Suites and ``drlab`` checkers use the same function.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography import x509

from hyperv_fake import HyperVHost, ReplicationAuthenticationType
from simcore.pki import Eku, validate

from ._pairing_hosts import listener_rule, root_certificate
from ._pairing_record import AuthenticationType, CloudPairing

__all__ = ["pairing_problems"]


def pairing_problems(host: HyperVHost, record: CloudPairing | Mapping[str, Any]) -> list[str]:
    """Every defect of ``host`` for the pairing ``record`` (a ``CloudPairing`` or its ``to_json``), in a
    fixed order; empty when the host can replicate to and from the peer cloud's hosts."""
    if not isinstance(record, CloudPairing):
        record = CloudPairing.from_json(record)
    problems: list[str] = []
    server = host.replication_server
    certificate = record.settings.authentication_type is AuthenticationType.Certificate
    if not server.replication_enabled:
        problems.append("not a Replica server")
    wanted = ReplicationAuthenticationType.Certificate if certificate else ReplicationAuthenticationType.Kerberos
    allowed = server.allowed_authentication_type
    if allowed is None or not allowed.allows(wanted):
        problems.append(f"authentication {allowed.name if allowed else None}, not {wanted.name}")
    port = server.certificate_authentication_port if certificate else server.kerberos_authentication_port
    if port != record.settings.port:
        problems.append(f"listens on {port}, not {record.settings.port}")
    rule = host.firewall_rules.get(listener_rule(record.settings.authentication_type))
    if rule is None or not rule.enabled or rule.local_port != record.settings.port:
        problems.append("firewall rule for the listener not open")
    if certificate:
        problems.extend(_certificate_problems(host, record))
    elif host.domain is None:
        problems.append("not joined to a domain: Kerberos cannot authenticate")
    authorized = [fqdn for fqdn in record.peer_hosts if host.authorization_for(fqdn)]
    if len(authorized) != len(record.peer_hosts):
        missing = sorted(set(record.peer_hosts) - set(authorized))
        problems.append(f"peer hosts not authorized: {', '.join(missing)}")
    return problems


def _certificate_problems(host: HyperVHost, record: CloudPairing) -> list[str]:
    problems: list[str] = []
    site_root = x509.load_pem_x509_certificate(record.site_root_certificate.encode("ascii"))
    stored = host.certificates.personal(host.replication_server.certificate_thumbprint or "")
    if stored is None or not stored.has_private_key:
        problems.append("no configured certificate with its private key")
    else:
        result = validate(stored.chain, purpose=Eku.SERVER_AND_CLIENT, expected_name=host.fqdn,
                          trust_roots=[site_root], at=host.fabric.sim.clock.utcnow(), check_revocation=False)
        if not result.ok:
            problems.append("certificate not valid: " + ", ".join(reason.name for reason in result.reasons))
    if record.peer_root_certificate:
        peer = x509.load_pem_x509_certificate(record.peer_root_certificate.encode("ascii"))
        if not any(root_certificate(have) == peer for have in host.certificates.roots):
            problems.append("peer site root not trusted")
        if not host.disable_cert_revocation_check:  # the peer root has no CRL (policy PAIRING_REVOCATION_CHECK)
            problems.append("revocation check enabled: the peer site's certificates cannot be checked")
    return problems
