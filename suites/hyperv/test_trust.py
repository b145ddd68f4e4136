"""Certificate trust (§1.3), Kerberos (§1.1, policy KERBEROS_REALM_RULE) and authorization entries (§1.2).

Defects are generated on either side. With ``TrustPolicy(validate_on_configure=False)`` every defect
reaches the handshake, and replication is refused with that reason by the side that judges it;
with the default policy, defects a host can see in its own certificate are refused when it is
configured (32773), and the rest at the handshake. Valid pairs always replicate. Every history is
judged by ``drlab.checkers.certificate_trust``: each handshake refusal is recorded with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hyperv_fake import (
    MY_STORE,
    ROOT_STORE,
    CertificateRejectedError,
    HyperVFabric,
    HyperVHost,
    HyperVJob,
    HyperVPolicy,
    InvalidParameterError,
    InvalidStateError,
    RecoveryAuthenticationType,
    RefusalReason,
    ReplicationAuthenticationType,
    ReplicationState,
    TrustPolicy,
)
from drlab.checkers import certificate_trust
from hyperv_fake.testing import GiB, ReplicaPair, configure_replica_server, host_certificate
from simcore import JUDGMENT_OP, Event, Simulation
from simcore.pki import CertificateAuthority, Eku, IssuedCertificate, thumbprint

DOMAIN = "contoso.com"
LENIENT = HyperVPolicy(trust=TrustPolicy(validate_on_configure=False))


@pytest.fixture(scope="module")
def authorities() -> dict[str, CertificateAuthority]:
    root = CertificateAuthority.root("Contoso Root")
    return {"root": root, "issuing": root.create_intermediate("Contoso Issuing"),
            "rogue": CertificateAuthority.root("Rogue Root")}


@dataclass
class Side:
    """How one host's certificate and trust are set up."""

    defect: str | None = None
    names: str = "cn+san"
    issuer: str = "root"
    curve: int = 256
    crl: bool = True  # the peer's root is a CertificateAuthority (a reachable CRL)


def _certificate(authorities: dict[str, CertificateAuthority], fqdn: str, side: Side,
                 at: datetime) -> IssuedCertificate:
    ca = authorities["rogue" if side.defect == "UNTRUSTED_ROOT" else side.issuer]
    names = {"cn+san": (fqdn,), "cn-only": (), "wildcard-san": ("*." + DOMAIN,), "other-cn": (fqdn,)}[side.names]
    subject = "someone.else.com" if side.names == "other-cn" else fqdn
    if side.defect == "NAME_MISMATCH":
        subject, names = "elsewhere.fabrikam.com", ("elsewhere.fabrikam.com",)
    not_before, not_after = at - timedelta(days=1), at + timedelta(days=365)
    if side.defect == "EXPIRED":
        not_before, not_after = at - timedelta(days=400), at - timedelta(days=35)
    if side.defect == "NOT_YET_VALID":
        not_before, not_after = at + timedelta(days=30), at + timedelta(days=400)
    eku = Eku.SERVER_AUTH if side.defect == "WRONG_EKU" else Eku.SERVER_AND_CLIENT
    curve = 224 if side.defect == "WEAK_KEY" else side.curve
    certificate = ca.issue(subject, sans=list(names), eku=eku, not_before=not_before, not_after=not_after,
                           key_type="ecdsa", key_size=curve)
    if side.defect == "REVOKED":
        ca.revoke(certificate)
    return certificate


def _host(fabric: HyperVFabric, name: str, side: Side, peer: Side,
          authorities: dict[str, CertificateAuthority]) -> HyperVHost:
    """A Replica server whose certificate has ``side``'s defect and which trusts as ``peer`` needs."""
    fqdn = f"{name}.{DOMAIN}"
    host = fabric.add_host(name, fqdn=fqdn, domain=DOMAIN)
    root = authorities["root"]
    host.import_certificate(root if peer.defect != "REVOCATION_OFFLINE" and peer.crl else root.certificate)
    if side.defect == "UNTRUSTED_ROOT":  # the host trusts its own issuer; its peer does not
        host.import_certificate(authorities["rogue"])
    certificate = _certificate(authorities, fqdn, side, fabric.sim.clock.utcnow())
    if side.defect == "NO_PRIVATE_KEY":
        host.import_certificate(certificate, cert_store_location=MY_STORE)
    else:
        host.import_pfx_certificate(certificate)
    if not peer.crl and peer.defect != "REVOCATION_OFFLINE":
        host.set_disable_cert_revocation_check(True)  # §1.3: no CRL to ask, so the check is turned off
    configure_replica_server(host, certificate=None, thumbprint=certificate.thumbprint)
    if side.defect == "CERTIFICATE_NOT_FOUND":  # deleted from the store after it was configured
        host.remove_certificate(certificate.thumbprint, cert_store_location=MY_STORE)
    host.thumbprint = certificate.thumbprint  # type: ignore[attr-defined]
    return host


def _enable(primary: HyperVHost, replica: HyperVHost) -> HyperVJob:
    primary.new_vm("vm")
    primary.add_vm_hard_disk_drive("vm", "D:\\vm.vhdx", size_bytes=GiB)
    job = primary.enable_vm_replication("vm", replica.fqdn, 443, "Certificate",
                                        certificate_thumbprint=primary.thumbprint)  # type: ignore[attr-defined]
    job.wait()
    return job


def _refused(primary: HyperVHost, replica: HyperVHost) -> tuple[RefusalReason, str]:
    """Why enabling replication failed, and which side said no (a host refuses its own missing certificate
    when the cmdlet runs; everything else is judged in the exchange)."""
    try:
        job = _enable(primary, replica)
    except CertificateRejectedError as refused:
        return refused.reasons[0], "primary"
    assert not job.succeeded
    return job.error.reason, job.error.refusal.side


DEFECTS = ["EXPIRED", "NOT_YET_VALID", "UNTRUSTED_ROOT", "WRONG_EKU", "NAME_MISMATCH", "REVOKED", "WEAK_KEY",
           "REVOCATION_OFFLINE", "CERTIFICATE_NOT_FOUND"]
"""Defects that reach the handshake when hosts do not check their own certificate when configured."""
LOCAL = {"EXPIRED", "NOT_YET_VALID", "WRONG_EKU", "NAME_MISMATCH", "WEAK_KEY", "NO_PRIVATE_KEY"}
"""Defects a host sees in its own certificate (policy TrustPolicy.validate_on_configure; a missing key always)."""


def _trusted(sim: Simulation, node: str | None = None, reason: str | None = None) -> list[Event]:
    """Assert the history keeps certificate trust; ``node``'s refusals for ``reason`` (one at least)."""
    verdict = certificate_trust(sim.history)
    assert verdict.ok, str(verdict)
    if node is None:
        return []
    refusals = [e for e in sim.history.select(op=JUDGMENT_OP, node=node, phase="fail") if reason in e.details["reasons"]]
    assert refusals
    return refusals


def _judge_of(defect: str, side: str) -> str:
    """Who refuses: the peer judges a certificate; a host whose certificate is gone stops itself."""
    if defect == "CERTIFICATE_NOT_FOUND":
        return side
    return "replica" if side == "primary" else "primary"


@given(defect=st.sampled_from(DEFECTS), side=st.sampled_from(["primary", "replica"]))
def test_every_defect_is_refused_at_the_handshake_with_its_reason(
        authorities: dict[str, CertificateAuthority], defect: str, side: str) -> None:
    fabric = HyperVFabric(Simulation(seed=1), policy=LENIENT)
    defective, sound = Side(defect=defect), Side()
    primary_side, replica_side = (defective, sound) if side == "primary" else (sound, defective)
    primary = _host(fabric, "hv1", primary_side, replica_side, authorities)
    replica = _host(fabric, "hv2", replica_side, primary_side, authorities)
    assert _refused(primary, replica) == (RefusalReason(defect), _judge_of(defect, side))
    assert primary.get_vm("vm").replication is None and replica.find_vm("vm") is None  # nothing was created
    judge = {"primary": primary, "replica": replica}[_judge_of(defect, side)]
    _trusted(fabric.sim, *((judge.name, defect) if defect != "CERTIFICATE_NOT_FOUND" else ()))


@given(defect=st.sampled_from(sorted(LOCAL)))
def test_a_host_refuses_to_be_configured_with_a_defective_certificate(
        authorities: dict[str, CertificateAuthority], defect: str) -> None:
    fabric = HyperVFabric(Simulation(seed=2))
    host = fabric.add_host("hv1", fqdn=f"hv1.{DOMAIN}", domain=DOMAIN)
    host.import_certificate(authorities["root"])
    certificate = _certificate(authorities, host.fqdn, Side(defect=defect), fabric.sim.clock.utcnow())
    if defect == "NO_PRIVATE_KEY":
        host.import_certificate(certificate, cert_store_location=MY_STORE)
    else:
        host.import_pfx_certificate(certificate)
    before = host.get_vm_replication_server()
    with pytest.raises(CertificateRejectedError) as refused:
        host.set_vm_replication_server(replication_enabled=True, allowed_authentication_type="Certificate",
                                       certificate_thumbprint=certificate.thumbprint,
                                       replication_allowed_from_any_server=True, default_storage_location="D:\\R")
    assert RefusalReason(defect) in refused.value.reasons
    assert refused.value.return_code == 32773
    assert host.get_vm_replication_server() == before


@given(defect=st.sampled_from(sorted(set(DEFECTS) - LOCAL - {"CERTIFICATE_NOT_FOUND"})),
       side=st.sampled_from(["primary", "replica"]))
def test_defects_only_the_peer_can_see_are_refused_at_the_handshake(
        authorities: dict[str, CertificateAuthority], defect: str, side: str) -> None:
    fabric = HyperVFabric(Simulation(seed=3))
    defective, sound = Side(defect=defect), Side()
    primary_side, replica_side = (defective, sound) if side == "primary" else (sound, defective)
    primary = _host(fabric, "hv1", primary_side, replica_side, authorities)
    replica = _host(fabric, "hv2", replica_side, primary_side, authorities)
    assert _refused(primary, replica) == (RefusalReason(defect), _judge_of(defect, side))


@given(primary=st.builds(Side, names=st.sampled_from(["cn+san", "cn-only", "wildcard-san", "other-cn"]),
                         issuer=st.sampled_from(["root", "issuing"]), curve=st.sampled_from([256, 384]),
                         crl=st.booleans()),
       replica=st.builds(Side, names=st.sampled_from(["cn+san", "cn-only", "wildcard-san", "other-cn"]),
                         issuer=st.sampled_from(["root", "issuing"]), curve=st.sampled_from([256, 384]),
                         crl=st.booleans()))
def test_valid_pairs_always_replicate(authorities: dict[str, CertificateAuthority], primary: Side,
                                      replica: Side) -> None:
    fabric = HyperVFabric(Simulation(seed=4))
    hv1 = _host(fabric, "hv1", primary, replica, authorities)
    hv2 = _host(fabric, "hv2", replica, primary, authorities)
    assert _enable(hv1, hv2).succeeded
    ir = hv1.start_vm_initial_replication("vm")
    ir.wait()
    assert ir.succeeded, ir.error
    assert hv2.get_vm_replication("vm").state is ReplicationState.Replicating
    _trusted(fabric.sim)
    assert {e.phase.value for e in fabric.sim.history.select(op=JUDGMENT_OP)} == {"ok"}


def test_a_certificate_expiring_during_replication_stops_it_with_that_reason(
        authorities: dict[str, CertificateAuthority]) -> None:
    pair = ReplicaPair.build(ca=authorities["root"])
    primary = pair.primary
    short = host_certificate(authorities["root"], primary.fqdn, pair.sim.clock.utcnow(), days=2)
    primary.import_pfx_certificate(short)
    pair.certificates["hv1"] = short
    pair.add_vm("vm")
    pair.protect("vm")
    pair.sim.advance(24 * 3600)
    assert primary.get_vm_replication("vm").state is ReplicationState.Replicating
    pair.sim.advance(2 * 24 * 3600)
    status = primary.get_vm_replication("vm")
    assert status.state is ReplicationState.Error
    assert status.last_error.reason is RefusalReason.EXPIRED and status.last_error.side == "replica"
    stats = primary.measure_vm_replication("vm")
    assert stats.health.value == "Critical"
    assert stats.last_replication_time <= short.not_after  # nothing shipped after the expiry
    _trusted(pair.sim)


def test_revocation_takes_effect_at_the_next_authentication(authorities: dict[str, CertificateAuthority]) -> None:
    issuing = authorities["issuing"]
    pair = ReplicaPair.build(ca=authorities["root"])
    certificate = host_certificate(issuing, pair.primary.fqdn, pair.sim.clock.utcnow())
    pair.primary.import_pfx_certificate(certificate)
    pair.certificates["hv1"] = certificate
    pair.add_vm("vm")
    pair.protect("vm")
    issuing.revoke(certificate)
    pair.sim.advance(600)
    assert pair.primary.get_vm_replication("vm").state is ReplicationState.Replicating  # no CRL check per cycle
    pair.primary.suspend_vm_replication("vm")
    job = pair.primary.resume_vm_replication("vm")
    job.wait()
    assert job.error is not None and job.error.reason is RefusalReason.REVOKED
    assert pair.primary.get_vm_replication("vm").state is ReplicationState.Error
    assert _trusted(pair.sim, pair.replica.name, "REVOKED")[-1].details["revocation"] == "revoked"


def test_removing_the_peer_root_refuses_replication(authorities: dict[str, CertificateAuthority]) -> None:
    pair = ReplicaPair.build(ca=authorities["root"])
    pair.add_vm("vm")
    pair.protect("vm")
    pair.replica.remove_certificate(thumbprint(authorities["root"].certificate), cert_store_location=ROOT_STORE)
    pair.sim.run_until_idle()
    status = pair.primary.get_vm_replication("vm")
    assert status.state is ReplicationState.Error and status.last_error.reason is RefusalReason.UNTRUSTED_ROOT
    assert _trusted(pair.sim, pair.replica.name, "UNTRUSTED_ROOT")[-1].details["root"] is None


# -- Kerberos -----------------------------------------------------------------------------------------------

@given(primary_domain=st.sampled_from(["contoso.com", "fabrikam.com", None]),
       replica_domain=st.sampled_from(["contoso.com", "fabrikam.com", None]),
       allowed=st.sampled_from(list(RecoveryAuthenticationType)))
def test_kerberos_works_only_where_both_sides_allow_it(
        authorities: dict[str, CertificateAuthority], primary_domain: str | None, replica_domain: str | None,
        allowed: RecoveryAuthenticationType) -> None:
    fabric = HyperVFabric(Simulation(seed=5))
    hv1 = fabric.add_host("hv1", fqdn="hv1.corp.example", domain=primary_domain)
    hv2 = fabric.add_host("hv2", fqdn="hv2.corp.example", domain=replica_domain)
    certificate = host_certificate(authorities["root"], hv2.fqdn, fabric.sim.clock.utcnow())
    configure_replica_server(hv2, certificate=certificate, roots=(authorities["root"],), authentication=allowed)
    hv1.new_vm("vm")
    job = hv1.enable_vm_replication("vm", hv2.fqdn, 80, ReplicationAuthenticationType.Kerberos)
    job.wait()
    kerberos_allowed = allowed is not RecoveryAuthenticationType.Certificate
    same_realm = primary_domain is not None and primary_domain == replica_domain
    assert job.succeeded == (kerberos_allowed and same_realm)
    if not kerberos_allowed:  # no HTTP listener at all
        assert job.error.reason is RefusalReason.CONNECTION_REFUSED
    elif not same_realm:
        assert job.error.reason is RefusalReason.KERBEROS_FAILED and job.error.refusal.side == "replica"


def test_kerberos_on_the_certificate_port_is_not_allowed(authorities: dict[str, CertificateAuthority]) -> None:
    pair = ReplicaPair.build(ca=authorities["root"])
    pair.add_vm("vm")
    job = pair.primary.enable_vm_replication("vm", pair.replica.fqdn, 443, "Kerberos")
    job.wait()
    assert job.error.reason is RefusalReason.AUTHENTICATION_TYPE_NOT_ALLOWED


# -- authorization entries (§1.2) ---------------------------------------------------------------------------

def _authorizing(authorities: dict[str, CertificateAuthority], *entries: tuple[str, str]) -> ReplicaPair:
    sim = Simulation(seed=6)
    fabric = HyperVFabric(sim)
    root = authorities["root"]
    hosts = []
    for name in ("hv1", "hv2"):
        host = fabric.add_host(name, fqdn=f"{name}.{DOMAIN}", domain=DOMAIN)
        certificate = host_certificate(root, host.fqdn, sim.clock.utcnow())
        allowed = tuple(server for server, _ in entries) if name == "hv2" else ()
        configure_replica_server(host, certificate=certificate, roots=(root,), allowed_primary_servers=allowed)
        hosts.append((host, certificate))
    (hv1, c1), (hv2, c2) = hosts
    for server, group in entries:
        hv2.set_vm_replication_authorization_entry(server, trust_group=group)
    return ReplicaPair(sim, fabric, hv1, hv2, root, certificates={"hv1": c1, "hv2": c2})


@pytest.mark.parametrize(("allowed", "accepted"), [
    ("hv1.contoso.com", True), ("HV1.Contoso.com", True), ("*.contoso.com", True),
    ("hv9.contoso.com", False), ("*.fabrikam.com", False), ("*.eu.contoso.com", False),
])
def test_authorization_entries_with_and_without_wildcards(
        authorities: dict[str, CertificateAuthority], allowed: str, accepted: bool) -> None:
    pair = _authorizing(authorities, (allowed, "G1"))
    pair.add_vm("vm")
    job = pair.enable("vm")
    job.wait()
    assert job.succeeded == accepted
    if accepted:
        assert pair.replica.get_vm_replication("vm").trust_group == "G1"
    else:
        assert job.error.reason is RefusalReason.NOT_AUTHORIZED


@pytest.mark.parametrize("bad", ["hv1", "hv*.contoso.com", "hv1.*.com", "*.com", "advertisement*", ""])
def test_wildcards_only_as_the_whole_first_label(authorities: dict[str, CertificateAuthority], bad: str) -> None:
    pair = _authorizing(authorities, ("hv1.contoso.com", "G1"))
    before = pair.replica.get_vm_replication_authorization_entry()
    with pytest.raises(InvalidParameterError):
        pair.replica.new_vm_replication_authorization_entry(bad, "D:\\R", "G1")
    assert pair.replica.get_vm_replication_authorization_entry() == before


def test_entries_need_allow_any_off_and_allow_any_needs_a_storage_location(authorities) -> None:  # noqa: ANN001
    pair = ReplicaPair.build(ca=authorities["root"])  # replicas accept any server
    entries = pair.replica.get_vm_replication_authorization_entry()
    assert [(e.allowed_primary_server, e.trust_group) for e in entries] == [("*", "DEFAULT")]
    with pytest.raises(InvalidStateError):
        pair.replica.new_vm_replication_authorization_entry("hv1.contoso.com", "D:\\R", "G")
    fresh = pair.fabric.add_host("hv3", fqdn="hv3.contoso.com")
    with pytest.raises(InvalidParameterError):
        fresh.set_vm_replication_server(replication_allowed_from_any_server=True)
    assert not fresh.get_vm_replication_server().replication_allowed_from_any_server


def test_a_server_in_another_trust_group_cannot_take_over_a_replica(authorities) -> None:  # noqa: ANN001
    """§1.2: "A server in trust zone 2 cannot send replication for a replica VM created by a server in trust zone 1"."""
    pair = _authorizing(authorities, ("hv1.contoso.com", "zone1"), ("hv3.contoso.com", "zone2"))
    hv3 = pair.fabric.add_host("hv3", fqdn="hv3.contoso.com", domain=DOMAIN)
    certificate = host_certificate(authorities["root"], hv3.fqdn, pair.sim.clock.utcnow())
    configure_replica_server(hv3, certificate=certificate, roots=(authorities["root"],))
    existing = pair.replica.new_vm("vm")
    pair.replica.enable_vm_replication("vm", as_replica=True, allowed_primary_server="hv1.contoso.com")
    moved = hv3.new_vm("vm", vm_id=existing.id)
    del moved
    job = hv3.enable_vm_replication("vm", pair.replica.fqdn, 443, "Certificate",
                                    certificate_thumbprint=certificate.thumbprint)
    job.wait()
    assert job.error.reason is RefusalReason.TRUST_GROUP_MISMATCH
    pair.primary.new_vm("vm", vm_id=existing.id)
    job = pair.enable("vm")
    job.wait()
    assert job.succeeded  # the same VM from its own trust group is adopted (-AsReplica, §2.2)
