"""What the DR inventory says of paired hosts, and when it changes (PROTOCOL.md §5.2 ``pairings``).

Every paired cloud reports its pairings with the defects of its hosts (``pairing_defects``). The
report changes with a host's trust configuration — ``dr_revision`` moves with the fabric's
revision — and with the clock alone when a certificate expires: ``dr_deadline()`` names that
instant and ``dr_revision`` moves once the clock reaches it, with no call in between. Neither
re-judges hosts while nothing changed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509

from hyperv_fake import ROOT_STORE, HyperVHost
from scvmm_fake import DefectKind, InventoryPairing, VMMServer
from scvmm_fake import _cmdlets_pairing
from simcore.pki import thumbprint

from .pairing_lab import KERBEROS, PairingLab, PairingSite

DAY = 86400.0


@pytest.fixture
def lab() -> PairingLab:
    built = PairingLab.build(primary_hosts=2, recovery_hosts=2)
    built.pair()
    return built


def _pairings(vmm: VMMServer, cloud_id: str) -> tuple[InventoryPairing, ...]:
    return next(cloud for cloud in vmm.dr_inventory().clouds if cloud.id == cloud_id).pairings


def _short_lived(site: PairingSite, host: HyperVHost, seconds: float) -> float:
    """Configure ``host`` with a site certificate that expires in ``seconds``; its expiry instant."""
    ca, clock = site.vmm._ca(), host.fabric.sim.clock
    now = clock.utcnow().replace(microsecond=0)
    issued = ca.issue(host.fqdn, sans=[host.fqdn], not_before=now - timedelta(days=1),
                      not_after=now + timedelta(seconds=seconds), key_type="ecdsa")
    host.import_pfx_certificate(issued)
    host.set_vm_replication_server(certificate_thumbprint=issued.thumbprint)
    return clock.to_seconds(issued.not_after)


def test_a_paired_cloud_reports_its_pairing_with_no_defects(lab: PairingLab) -> None:
    for site in (lab.primary, lab.recovery):
        (pairing,) = _pairings(site.vmm, site.cloud.id)
        assert (pairing.pairing_id, pairing.role, pairing.defects) == (site.record.pairing_id,
                                                                       site.record.role.value, ())
        assert pairing.peer_cloud_id == (lab.recovery if site is lab.primary else lab.primary).cloud.id


def test_a_trust_store_change_moves_the_revision_and_the_report_names_the_defect(lab: PairingLab) -> None:
    vmm, host = lab.recovery.vmm, lab.recovery.hosts[1]
    before = vmm.dr_revision
    peer_root = lab.recovery.record.peer_root_certificate
    assert peer_root is not None
    host.remove_certificate(thumbprint(x509.load_pem_x509_certificate(peer_root.encode())),
                            cert_store_location=ROOT_STORE)
    assert vmm.dr_revision != before
    (pairing,) = _pairings(vmm, lab.recovery.cloud.id)
    assert [(d.host, d.kind) for d in pairing.defects] == [(host.fqdn, DefectKind.PeerRootNotTrusted.value)]


def test_an_expiry_moves_the_revision_at_the_deadline_with_no_call(lab: PairingLab) -> None:
    vmm, host = lab.primary.vmm, lab.primary.hosts[0]
    expiry = _short_lived(lab.primary, host, 2 * DAY)
    deadline = vmm.dr_deadline()
    assert deadline is not None and expiry < deadline <= expiry + 1e-5  # the first instant it shows
    revision = vmm.dr_revision
    lab.sim.run_until(deadline - 1)
    assert vmm.dr_revision == revision and _pairings(vmm, lab.primary.cloud.id)[0].defects == ()
    lab.sim.run_until(deadline)
    assert vmm.dr_revision != revision
    (pairing,) = _pairings(vmm, lab.primary.cloud.id)
    assert [(d.host, d.kind) for d in pairing.defects] == [(host.fqdn, DefectKind.CertificateExpired.value)]
    later = vmm.dr_deadline()
    assert later is None or later > deadline


def test_an_unchanged_server_judges_no_host_for_its_revision_or_deadline(
        lab: PairingLab, monkeypatch: pytest.MonkeyPatch) -> None:
    vmm = lab.primary.vmm
    vmm.dr_revision, vmm.dr_deadline()  # worked out once
    calls: list[str] = []
    monkeypatch.setattr(_cmdlets_pairing, "host_deadlines", lambda *a: calls.append("deadlines") or [])
    monkeypatch.setattr(_cmdlets_pairing, "cloud_pairings", lambda *a: calls.append("judged") or ())
    for _ in range(100):
        vmm.dr_revision, vmm.dr_deadline()
    lab.sim.advance(30 * DAY)
    vmm.dr_revision, vmm.dr_deadline()
    assert calls == []
    lab.primary.hosts[0].set_disable_cert_revocation_check(True)  # a change: worked out again, once
    vmm.dr_revision, vmm.dr_deadline(), vmm.dr_revision
    assert calls == ["deadlines"] * len(lab.primary.hosts)


def test_kerberos_pairings_have_no_deadline() -> None:
    lab = PairingLab.build(settings=KERBEROS)
    lab.pair()
    assert lab.primary.vmm.dr_deadline() is None and _pairings(lab.primary.vmm, lab.primary.cloud.id)[0].defects == ()
