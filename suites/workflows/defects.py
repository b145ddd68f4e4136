"""Certificate and trust-store defects of a paired host, as an administrator (or time) makes them,
and the two ways they are put right: reinstalling what was there, or VMM configuring the host again.

Every change goes through the host's own cmdlets (or the clock), so the emulators see it as they
would see an administrator's. Certificates come from the host's site Replica CA — the VMM server
keeps it (``vmm._ca()``); an administrator with access to it issues from it — so a defect is only
the one injected (a certificate of another CA would also be untrusted).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cryptography import x509

from drlab import Lab, Role
from hyperv_fake import ROOT_STORE, CertificateRejectedError, HyperVHost, RefusalReason
from scvmm_fake import DefectKind, VMMServer
from simcore.pki import CertificateAuthority, Eku, IssuedCertificate, thumbprint

GiB = 1024 ** 3
CLOUDS = {Role.primary: "Gold", Role.recovery: "Gold-Recovery"}


@dataclass(frozen=True)
class Defect:
    """What the defect makes Hyper-V refuse, and what VMM reports."""

    reason: RefusalReason
    kind: DefectKind
    judged_by_peer: bool  # the peer judges the host's certificate; else the host judges the peer's


DEFECTS = {
    "expired": Defect(RefusalReason.EXPIRED, DefectKind.CertificateExpired, True),
    "revoked": Defect(RefusalReason.REVOKED, DefectKind.CertificateRevoked, True),
    "wrong_eku": Defect(RefusalReason.WRONG_EKU, DefectKind.CertificateWrongEku, True),
    "wrong_name": Defect(RefusalReason.NAME_MISMATCH, DefectKind.CertificateNameMismatch, True),
    "peer_root_removed": Defect(RefusalReason.UNTRUSTED_ROOT, DefectKind.PeerRootNotTrusted, False),
}


def site_ca(lab: Lab, role: Role) -> CertificateAuthority:
    """The site Replica CA of ``role``'s VMM server (made by "Prepare the server")."""
    vmm: VMMServer = lab.sites[role].vmm
    return vmm._ca()


def peer_root(lab: Lab, role: Role) -> x509.Certificate:
    """The peer site's root as ``role``'s pairing record holds it (what pairing trusted on its hosts)."""
    (record,) = lab.sites[role].vmm.cloud_pairings(CLOUDS[role])
    assert record.peer_root_certificate is not None
    return x509.load_pem_x509_certificate(record.peer_root_certificate.encode())


def configure(host: HyperVHost, certificate: IssuedCertificate) -> None:
    """Import ``certificate`` with its key and make it the Replica server's certificate."""
    host.import_pfx_certificate(certificate)
    host.set_vm_replication_server(certificate_thumbprint=certificate.thumbprint)


def issue(lab: Lab, role: Role, host: HyperVHost, *, name: str | None = None, eku: Eku = Eku.SERVER_AND_CLIENT,
          lifetime: float = 365 * 86400.0) -> IssuedCertificate:
    """A certificate from the site CA, valid from a day ago for ``lifetime`` seconds from now."""
    now = lab.sim.clock.utcnow().replace(microsecond=0)
    subject = name or host.fqdn
    return site_ca(lab, role).issue(subject, sans=[subject], eku=eku, not_before=now - timedelta(days=1),
                                    not_after=now + timedelta(seconds=lifetime), key_type="ecdsa")


def configured(host: HyperVHost) -> IssuedCertificate:
    stored = host.certificates.personal(host.replication_server.certificate_thumbprint or "")
    assert stored is not None
    return stored.issued


def relayed(data: Any) -> Any:
    return json.loads(json.dumps(data))


def reconfigure(lab: Lab, role: Role) -> None:
    """VMM runs its host configuration again: what it does for ASR's "Configure the protection
    settings" work item, with the pairing as it recorded it (the same pairing converges)."""
    vmm = lab.sites[role].vmm
    (record,) = vmm.cloud_pairings(CLOUDS[role])
    vmm.pair_cloud(CLOUDS[role], relayed(record.to_json()))


def attempt(primary: HyperVHost, replica: HyperVHost, name: str, *, port: int = 8084) -> tuple[RefusalReason, str] | None:
    """Enable replication of a new VM from ``primary`` to ``replica`` and run its initial replication:
    None when both succeed, else why it was refused and by which host ("primary", "replica")."""
    primary.new_vm(name)
    primary.add_vm_hard_disk_drive(name, f"D:\\{name}.vhdx", size_bytes=GiB)
    thumb = primary.get_vm_replication_server().certificate_thumbprint
    try:
        job = primary.enable_vm_replication(name, replica.fqdn, port, "Certificate", certificate_thumbprint=thumb).wait()
    except CertificateRejectedError as refused:  # the host judged its own certificate (policy validate_on_configure)
        return refused.reasons[0], "primary"
    if job.succeeded:
        job = primary.start_vm_initial_replication(name).wait()
    if job.succeeded:
        return None
    assert job.error is not None and job.error.refusal is not None, job.error
    return job.error.reason, job.error.refusal.side


def remove_peer_root(lab: Lab, role: Role, host: HyperVHost) -> None:
    host.remove_certificate(thumbprint(peer_root(lab, role)), cert_store_location=ROOT_STORE)


def restore_peer_root(lab: Lab, role: Role, host: HyperVHost) -> None:
    host.import_certificate(peer_root(lab, role))


def revoke(lab: Lab, role: Role, host: HyperVHost, peer: HyperVHost) -> None:
    """The host's certificate revoked at its CA, and revocation checked again on the peer that
    judges it (``DisableCertRevocationCheck`` = 0), with the CA's current CRL cached there so the
    check can be answered (``certutil -addstore CA``; without it the peer refuses every
    certificate of the site REVOCATION_OFFLINE, policy ``TrustPolicy.revocation_needs_crl``)."""
    ca = site_ca(lab, role)
    ca.revoke(configured(host))
    now = lab.sim.clock.utcnow()
    peer.import_crl(ca.crl(last_update=now, next_update=now + timedelta(days=7)))
    peer.set_disable_cert_revocation_check(False)
