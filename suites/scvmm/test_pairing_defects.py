"""The pairing predicate as typed defects (``pairing_defects``), and what VMM knows as the site CA:
a revoked host certificate is a defect and is never reused; a revocation check that a cached CRL
answers is not a defect, one that nothing answers is (policy PAIRING_REVOCATION_CHECK)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from cryptography import x509

from hyperv_fake import ROOT_STORE
from scvmm_fake import DefectKind, pairing_defects, pairing_problems
from simcore.pki import Eku, thumbprint

from .pairing_lab import PairingLab

DAY = 86400.0


@pytest.fixture
def lab() -> PairingLab:
    built = PairingLab.build(primary_hosts=2, recovery_hosts=2)
    built.pair()
    return built


def test_defects_are_the_problems_one_per_certificate_reason(lab: PairingLab) -> None:
    host, record = lab.primary.hosts[0], lab.primary.record
    assert pairing_defects(host, record) == []
    now = lab.sim.clock.utcnow().replace(microsecond=0)
    bad = lab.primary.vmm._ca().issue("elsewhere.fabrikam.com", sans=["elsewhere.fabrikam.com"], eku=Eku.SERVER_AUTH,
                                      not_before=now, not_after=now + timedelta(days=9), key_type="ecdsa")
    host.import_pfx_certificate(bad)
    host.replication_server = replace(host.replication_server, certificate_thumbprint=bad.thumbprint)
    assert pairing_problems(host, record) == ["certificate not valid: WRONG_EKU, NAME_MISMATCH"]
    assert [d.kind for d in pairing_defects(host, record)] == [DefectKind.CertificateWrongEku,
                                                               DefectKind.CertificateNameMismatch]
    assert all(bad.thumbprint in d.detail for d in pairing_defects(host, record))


def test_a_revoked_host_certificate_is_a_defect_whoever_checks_revocation(lab: PairingLab) -> None:
    host, record, vmm = lab.primary.hosts[0], lab.primary.record, lab.primary.vmm
    configured = host.certificates.personal(host.replication_server.certificate_thumbprint or "")
    assert configured is not None
    vmm._ca().revoke(configured.issued)
    assert host.disable_cert_revocation_check  # nobody checks, still VMM knows
    assert [d.kind for d in pairing_defects(host, record, site_ca=vmm._ca())] == [DefectKind.CertificateRevoked]
    assert pairing_problems(host, record) == ["certificate not valid: REVOKED"]  # the site CA from the host's store


def test_configuring_again_replaces_a_revoked_certificate(lab: PairingLab) -> None:
    host, vmm = lab.primary.hosts[0], lab.primary.vmm
    old = host.replication_server.certificate_thumbprint
    configured = host.certificates.personal(old or "")
    assert configured is not None
    vmm._ca().revoke(configured.issued)
    lab.pair()  # the same pairing again converges: a fresh certificate, not the revoked one
    assert host.replication_server.certificate_thumbprint != old
    assert pairing_problems(host, lab.primary.record) == []


def test_a_revocation_check_is_a_defect_only_while_no_current_crl_answers_it(lab: PairingLab) -> None:
    host, record = lab.recovery.hosts[0], lab.recovery.record
    peer_ca = lab.primary.vmm._ca()
    host.set_disable_cert_revocation_check(False)
    assert [d.kind for d in pairing_defects(host, record)] == [DefectKind.RevocationCheckUnanswerable]
    now = lab.sim.clock.utcnow()
    host.import_crl(peer_ca.crl(last_update=now, next_update=now + timedelta(days=1)))
    assert pairing_defects(host, record) == []
    assert not lab.replicate(lab.primary.hosts[0], host, "checked").error  # the peer's certificate is answered
    lab.sim.advance(2 * DAY)
    assert [d.kind for d in pairing_defects(host, record)] == [DefectKind.RevocationCheckUnanswerable]


def test_the_peer_root_removed_is_a_defect(lab: PairingLab) -> None:
    host, record = lab.recovery.hosts[1], lab.recovery.record
    assert record.peer_root_certificate is not None
    peer = x509.load_pem_x509_certificate(record.peer_root_certificate.encode())
    host.remove_certificate(thumbprint(peer), cert_store_location=ROOT_STORE)
    assert [d.kind for d in pairing_defects(host, record)] == [DefectKind.PeerRootNotTrusted]
