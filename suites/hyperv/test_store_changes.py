"""What a management server can rely on when it reads a host's trust configuration.

* Every change to a host's certificates, trusted roots, CRLs, Replica server settings, revocation
  flag, firewall rules or authorization entries moves its fabric's ``revision`` (VMM's Provider
  rebuilds its inventory only when it moves); reading them does not.
* A CRL cached in the host's store (``certutil -addstore CA``) answers the revocation check for its
  issuer's certificates while it is current: REVOKED for a listed certificate, accepted otherwise,
  REVOCATION_OFFLINE once past its ``nextUpdate`` (policy ``TrustPolicy.revocation_needs_crl``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from hyperv_fake import HTTPS_LISTENER_RULE, ROOT_STORE, HyperVHost, RefusalReason
from hyperv_fake.testing import ReplicaPair, host_certificate
from simcore.pki import CertificateAuthority, thumbprint

DAY = 24 * 3600.0


@pytest.fixture(scope="module")
def ca() -> CertificateAuthority:
    return CertificateAuthority.root("Store Changes Root")


def _changes(ca: CertificateAuthority) -> list[tuple[str, Callable[[HyperVHost], object]]]:
    def import_pfx(host: HyperVHost) -> object:
        return host.import_pfx_certificate(host_certificate(ca, host.fqdn, host.fabric.sim.clock.utcnow()))

    other = CertificateAuthority.root("Another Root")
    return [
        ("Import-PfxCertificate", import_pfx),
        ("Import-Certificate (root)", lambda host: host.import_certificate(other)),
        ("Remove-Certificate (root)", lambda host: host.remove_certificate(
            thumbprint(ca.certificate), cert_store_location=ROOT_STORE)),
        ("certutil -addstore CA", lambda host: host.import_crl(ca.crl(last_update=host.fabric.sim.clock.utcnow()))),
        ("Set-VMReplicationServer", lambda host: host.set_vm_replication_server(certificate_authentication_port=8443)),
        ("DisableCertRevocationCheck", lambda host: host.set_disable_cert_revocation_check(True)),
        ("Set-NetFirewallRule", lambda host: host.set_net_firewall_rule(HTTPS_LISTENER_RULE, enabled=False)),
        ("New-VMReplicationAuthorizationEntry", lambda host: (
            host.set_vm_replication_server(replication_allowed_from_any_server=False,
                                           default_storage_location="D:\\R"),
            host.new_vm_replication_authorization_entry("*.contoso.com", "D:\\R", "G"))),
    ]


@pytest.mark.parametrize("index", range(8))
def test_every_trust_configuration_change_moves_the_fabric_revision(ca: CertificateAuthority, index: int) -> None:
    pair = ReplicaPair.build(ca=ca)
    name, change = _changes(ca)[index]
    before = pair.fabric.revision
    change(pair.replica)
    assert pair.fabric.revision > before, name


def test_reading_the_configuration_leaves_the_revision_alone(ca: CertificateAuthority) -> None:
    pair = ReplicaPair.build(ca=ca)
    host = pair.replica
    before = pair.fabric.revision
    host.get_vm_replication_server()
    host.get_vm_replication_authorization_entry()
    _ = (host.certificates.roots, host.certificates.crls, host.certificates.personal_certificates,
         host.disable_cert_revocation_check, host.firewall_rules, host.authorization_for("hv1.contoso.com"))
    assert pair.fabric.revision == before
    pair.add_vm("vm")
    pair.protect("vm")
    pair.sim.advance(600)
    before = pair.fabric.revision
    pair.sim.advance(3600)  # steady replication: its cycles judge certificates, and change nothing read
    assert pair.fabric.revision == before


def _bare_root_pair(ca: CertificateAuthority) -> ReplicaPair:
    """A pair whose replica trusts the CA as a bare certificate (no CRL) and checks revocation."""
    pair = ReplicaPair.build(ca=ca)
    replica = pair.replica
    replica.remove_certificate(thumbprint(ca.certificate), cert_store_location=ROOT_STORE)
    replica.import_certificate(ca.certificate)
    return pair


def _enable(pair: ReplicaPair, name: str) -> RefusalReason | None:
    pair.add_vm(name)
    job = pair.enable(name)
    job.wait()
    return None if job.succeeded else job.error.reason


def test_a_bare_root_cannot_answer_revocation_until_a_current_crl_is_cached(ca: CertificateAuthority) -> None:
    pair = _bare_root_pair(ca)
    assert _enable(pair, "offline") is RefusalReason.REVOCATION_OFFLINE
    now = pair.sim.clock.utcnow()
    pair.replica.import_crl(ca.crl(last_update=now, next_update=now + timedelta(days=7)))
    assert _enable(pair, "answered") is None


def test_a_cached_crl_that_lists_the_certificate_refuses_it_revoked(ca: CertificateAuthority) -> None:
    issuing = ca.create_intermediate("Revoking Issuer")
    pair = _bare_root_pair(ca)
    primary, now = pair.primary, pair.sim.clock.utcnow()
    revoked = host_certificate(issuing, primary.fqdn, now)
    primary.import_pfx_certificate(revoked)
    issuing.revoke(revoked)
    for authority in (ca, issuing):
        pair.replica.import_crl(authority.crl(last_update=now, next_update=now + timedelta(days=7)))
    pair.add_vm("vm")
    job = primary.enable_vm_replication("vm", pair.replica.fqdn, 443, "Certificate",
                                        certificate_thumbprint=revoked.thumbprint)
    job.wait()
    assert job.error is not None and (job.error.reason, job.error.refusal.side) == (RefusalReason.REVOKED, "replica")


def test_a_stale_crl_answers_nothing_and_a_newer_one_replaces_it(ca: CertificateAuthority) -> None:
    pair = _bare_root_pair(ca)
    now = pair.sim.clock.utcnow()
    pair.replica.import_crl(ca.crl(last_update=now, next_update=now + timedelta(days=1)))
    older = ca.crl(last_update=now - timedelta(days=1), next_update=now + timedelta(days=30))
    pair.replica.import_crl(older)  # older than the one kept: ignored
    assert len(pair.replica.certificates.crls) == 1 and pair.replica.certificates.crls[0] is not older
    pair.sim.advance(2 * DAY)
    assert _enable(pair, "stale") is RefusalReason.REVOCATION_OFFLINE
    fresh = ca.crl(last_update=pair.sim.clock.utcnow(), next_update=pair.sim.clock.utcnow() + timedelta(days=1))
    pair.replica.import_crl(fresh)
    assert pair.replica.certificates.crls == (fresh,)
    assert _enable(pair, "fresh") is None


def test_no_crl_is_needed_while_the_revocation_check_is_disabled(ca: CertificateAuthority) -> None:
    pair = _bare_root_pair(ca)
    pair.replica.set_disable_cert_revocation_check(True)
    assert _enable(pair, "vm") is None
