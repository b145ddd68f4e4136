"""The VMM side of cloud pairing (hyperv-scvmm.md §1.1–1.3, §5.3; policies in scvmm_fake.policy):
the steps run on both VMM servers with ASR relaying the data, then judged from the hosts' own state."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from cryptography.hazmat.primitives.serialization import Encoding

from hyperv_fake import (
    HTTP_LISTENER_RULE,
    HTTPS_LISTENER_RULE,
    ROOT_STORE,
    InvalidParameterError,
    RecoveryAuthenticationType,
)
from scvmm_fake._pairing_hosts import root_certificate
from scvmm_fake import (
    Cloud,
    CloudPairedError,
    HostConfigurationFailed,
    InvalidParameter,
    PairingConflict,
    pairing_problems,
    policy,
)
from simcore.pki import Eku, thumbprint

from .pairing_lab import CERTIFICATE, KERBEROS, PAIRING_ID, PairingLab, host_state

DAY = 86400.0


@pytest.fixture
def lab() -> PairingLab:
    return PairingLab.build(primary_hosts=2, recovery_hosts=3)


def test_every_host_of_both_clouds_is_configured_and_replicates_both_ways(lab: PairingLab) -> None:
    results = lab.pair()
    assert results["cloud"][id(lab.primary)]["hosts"] == [h.fqdn for h in lab.primary.hosts]
    assert lab.problems() == {h.fqdn: [] for h in lab.primary.hosts + lab.recovery.hosts}
    assert lab.replicate(lab.primary.hosts[0], lab.recovery.hosts[2], "app").succeeded
    assert lab.replicate(lab.recovery.hosts[1], lab.primary.hosts[1], "back").succeeded  # reverse needs no step
    assert lab.primary.cloud.paired and lab.recovery.cloud.paired


def test_what_travels_through_asr_is_plain_json(lab: PairingLab) -> None:
    results = lab.pair()
    server = results["server"][id(lab.primary)]
    assert server["vmmServer"] == "vmm-ny.contoso.com"
    assert server["rootCertificate"].startswith("-----BEGIN CERTIFICATE-----")
    assert results["paired"]["Primary"] == {"hosts": [h.fqdn for h in lab.primary.hosts]}
    record = lab.primary.record.to_json()
    assert pairing_problems(lab.primary.hosts[0], record) == []  # a checker may hold the JSON form only


def test_certificate_settings_give_https_with_the_site_certificate_on_the_policy_port(lab: PairingLab) -> None:
    lab.pair()
    host = lab.primary.hosts[0]
    server = host.get_vm_replication_server()
    assert server.allowed_authentication_type is RecoveryAuthenticationType.Certificate
    assert server.certificate_authentication_port == 8084 and not server.replication_allowed_from_any_server
    assert server.default_storage_location == policy.PAIRING_STORAGE_LOCATION
    assert host.firewall_rules[HTTPS_LISTENER_RULE].enabled and host.firewall_rules[HTTPS_LISTENER_RULE].local_port == 8084
    stored = host.certificates.personal(server.certificate_thumbprint or "")
    assert stored is not None and stored.issued.subject == host.fqdn and stored.issued.sans == (host.fqdn,)
    assert stored.issued.not_after - stored.issued.not_before == timedelta(days=policy.HOST_CERTIFICATE_VALIDITY_DAYS)
    assert host.disable_cert_revocation_check  # policy PAIRING_REVOCATION_CHECK


def test_kerberos_settings_configure_kerberos_and_replicate_without_certificates() -> None:
    lab = PairingLab.build(settings=KERBEROS)
    lab.pair()
    assert lab.problems() == {h.fqdn: [] for h in lab.primary.hosts + lab.recovery.hosts}
    host = lab.recovery.hosts[0]
    server = host.get_vm_replication_server()
    assert server.allowed_authentication_type is RecoveryAuthenticationType.Kerberos
    assert server.kerberos_authentication_port == 8083 and server.certificate_thumbprint is None
    assert host.firewall_rules[HTTP_LISTENER_RULE].enabled and host.certificates.personal_certificates == ()
    assert lab.replicate(lab.primary.hosts[1], host, "kerb").succeeded


def test_running_every_step_twice_leaves_the_same_state_and_issues_no_second_certificate(lab: PairingLab) -> None:
    lab.pair()
    before = [host_state(h) for h in lab.primary.hosts + lab.recovery.hosts]
    root = lab.primary.vmm.prepare_site_for_pairing()["rootCertificate"]
    lab.pair()
    assert [host_state(h) for h in lab.primary.hosts + lab.recovery.hosts] == before
    assert lab.primary.vmm.prepare_site_for_pairing()["rootCertificate"] == root  # one CA per server, kept
    assert len(lab.primary.vmm.cloud_pairings(lab.primary.cloud.name)) == 1


def test_a_host_added_to_either_cloud_after_pairing_is_configured_at_the_next_reconcile(lab: PairingLab) -> None:
    lab.pair()
    late_primary = lab.primary.add_host(lab.fabric)
    late_recovery = lab.recovery.add_host(lab.fabric)
    assert pairing_problems(late_primary, lab.primary.record)[0] == "not a Replica server"  # not yet
    assert lab.primary.vmm.reconcile_pairings() == [late_primary.fqdn]
    assert lab.recovery.vmm.reconcile_pairings() == [late_recovery.fqdn]
    assert lab.problems()[late_primary.fqdn] == [] and lab.problems()[late_recovery.fqdn] == []
    # the peer side learns nothing, yet accepts them: policy PAIRING_AUTHORIZATION_SCOPE
    assert lab.replicate(late_primary, lab.recovery.hosts[0], "late-out").succeeded
    assert lab.replicate(lab.primary.hosts[0], late_recovery, "late-in").succeeded


def test_reconcile_costs_nothing_when_nothing_changed(lab: PairingLab, monkeypatch: pytest.MonkeyPatch) -> None:
    lab.pair()
    lab.primary.vmm.reconcile_pairings()
    scans: list[Cloud] = []
    original = Cloud.hosts
    monkeypatch.setattr(Cloud, "hosts", lambda self: scans.append(self) or original(self))
    for _ in range(100):
        assert lab.primary.vmm.reconcile_pairings() == []
    assert scans == []
    lab.primary.add_host(lab.fabric)
    assert len(lab.primary.vmm.reconcile_pairings()) == 1 and scans


def test_a_host_that_leaves_the_cloud_is_unconfigured_at_the_next_reconcile() -> None:
    lab = PairingLab.build(primary_hosts=2, groups=2)
    lab.pair()
    leaving = lab.primary.hosts[1]  # in the second host group
    lab.primary.vmm.set_sc_cloud(lab.primary.cloud, remove_vm_host_group=[lab.primary.groups[1]])
    assert lab.primary.vmm.reconcile_pairings() == [leaving.fqdn]
    assert not leaving.replication_server.replication_enabled
    assert leaving.get_vm_replication_authorization_entry(trust_group=lab.primary.record.trust_group) == []
    assert leaving.fqdn not in lab.primary.record.configured_hosts


def test_unpairing_undoes_what_pairing_did_and_releases_the_dr_flag(lab: PairingLab) -> None:
    lab.pair()
    vmm, cloud = lab.primary.vmm, lab.primary.cloud
    with pytest.raises(CloudPairedError):
        vmm.set_sc_cloud(cloud, disaster_recovery_supported=False)
    peer_root = lab.recovery.vmm.prepare_site_for_pairing()["rootCertificate"]
    trust_group = lab.primary.record.trust_group
    lab.unpair()
    lab.unpair()  # idempotent
    for host in lab.primary.hosts + lab.recovery.hosts:
        assert host.get_vm_replication_authorization_entry(trust_group=trust_group) == []
        assert not host.replication_server.replication_enabled
        assert not any(rule.enabled for rule in host.firewall_rules.values())
        assert not host.disable_cert_revocation_check
    site_root = lab.primary.vmm.prepare_site_for_pairing()["rootCertificate"]
    held = [root_certificate(r).public_bytes(Encoding.PEM).decode() for r in lab.primary.hosts[0].certificates.roots]
    assert held == [site_root] and peer_root not in held  # the site root stays for a later pairing
    assert not cloud.paired and vmm.cloud_pairings(cloud.name) == []
    vmm.set_sc_cloud(cloud, disaster_recovery_supported=False)


def test_pairing_again_after_unpairing_reuses_the_host_certificates(lab: PairingLab) -> None:
    lab.pair()
    thumbprints = [h.replication_server.certificate_thumbprint for h in lab.primary.hosts]
    lab.unpair()
    lab.pair("6f1c2a0e-0000-4000-8000-000000000002")
    assert [h.replication_server.certificate_thumbprint for h in lab.primary.hosts] == thumbprints
    assert lab.problems() == {h.fqdn: [] for h in lab.primary.hosts + lab.recovery.hosts}


def test_a_certificate_due_for_renewal_is_replaced_at_the_next_reconcile(lab: PairingLab) -> None:
    lab.pair()
    host = lab.primary.hosts[0]
    old = host.replication_server.certificate_thumbprint
    lab.sim.advance((policy.HOST_CERTIFICATE_VALIDITY_DAYS - policy.HOST_CERTIFICATE_RENEWAL_DAYS + 1) * DAY)
    lab.primary.vmm.reconcile_pairings()
    assert host.replication_server.certificate_thumbprint != old
    assert all(pairing_problems(h, lab.primary.record) == [] for h in lab.primary.hosts)
    assert lab.primary.vmm.reconcile_pairings() == []


# -- the predicate names each defect (states broken on purpose) ---------------------------------------


def test_the_predicate_reports_a_skipped_host(lab: PairingLab) -> None:
    lab.pair()
    skipped = lab.primary.add_host(lab.fabric)  # never reconciled
    problems = pairing_problems(skipped, lab.primary.record)
    assert problems[0] == "not a Replica server"
    assert any("firewall" in p for p in problems) and any("not authorized" in p for p in problems)
    assert any("certificate" in p for p in problems) and "peer site root not trusted" in problems


def test_the_predicate_reports_a_missing_trust_root_and_replication_then_fails(lab: PairingLab) -> None:
    lab.pair()
    replica = lab.recovery.hosts[0]
    peer_root = lab.recovery.record.peer_root_certificate
    assert peer_root is not None
    from cryptography import x509
    replica.remove_certificate(thumbprint(x509.load_pem_x509_certificate(peer_root.encode())),
                               cert_store_location=ROOT_STORE)
    assert pairing_problems(replica, lab.recovery.record) == ["peer site root not trusted"]
    assert not lab.replicate(lab.primary.hosts[0], replica, "refused").succeeded


def test_the_predicate_reports_a_certificate_without_client_authentication(lab: PairingLab) -> None:
    lab.pair()
    host = lab.primary.hosts[0]
    ca = lab.primary.vmm._ca()
    now = lab.sim.clock.utcnow().replace(microsecond=0)
    bad = ca.issue(host.fqdn, sans=[host.fqdn], eku=Eku.SERVER_AUTH, not_before=now, not_after=now + timedelta(days=9),
                   key_type="ecdsa")
    host.import_pfx_certificate(bad)
    host.replication_server = replace(host.replication_server, certificate_thumbprint=bad.thumbprint)  # behind its back
    assert pairing_problems(host, lab.primary.record) == ["certificate not valid: WRONG_EKU"]


def test_the_predicate_reports_a_closed_firewall_a_wrong_port_and_a_missing_authorization(lab: PairingLab) -> None:
    lab.pair()
    host, record = lab.recovery.hosts[0], lab.recovery.record
    host.set_net_firewall_rule(HTTPS_LISTENER_RULE, enabled=False)
    assert pairing_problems(host, record) == ["firewall rule for the listener not open"]
    host.set_net_firewall_rule(HTTPS_LISTENER_RULE, enabled=True)
    host.remove_vm_replication_authorization_entry(trust_group=record.trust_group)
    assert pairing_problems(host, record) == [f"peer hosts not authorized: {', '.join(sorted(record.peer_hosts))}"]
    lab.pair()  # re-running converges
    host.set_vm_replication_server(certificate_authentication_port=9999)
    assert pairing_problems(host, record) == ["listens on 9999, not 8084"]
    host.set_disable_cert_revocation_check(False)
    assert "revocation check enabled" in pairing_problems(host, record)[-1]


# -- policies and refusals ---------------------------------------------------------------------------------


def test_policy_trust_group_and_wildcard_entries_per_peer_domain(lab: PairingLab) -> None:
    lab.pair()
    entries = lab.primary.hosts[0].get_vm_replication_authorization_entry()
    assert [(e.allowed_primary_server, e.trust_group) for e in entries] == [("*.chi.contoso.com", f"ASR-{PAIRING_ID}")]
    assert entries[0].replica_storage_location == policy.PAIRING_STORAGE_LOCATION


def test_policy_one_site_ca_per_server_valid_twenty_years_from_its_creation(lab: PairingLab) -> None:
    lab.sim.advance(5 * DAY)
    lab.primary.vmm.prepare_site_for_pairing()
    ca = lab.primary.vmm._ca().certificate
    assert ca.not_valid_before_utc == lab.sim.clock.utcnow().replace(microsecond=0)
    assert ca.not_valid_after_utc - ca.not_valid_before_utc == timedelta(days=policy.SITE_CA_VALIDITY_DAYS)
    assert lab.primary.vmm._ca().name == "vmm-ny.contoso.com Site Recovery Replica CA"


def test_policy_a_host_serving_two_pairings_with_different_ports_is_refused(lab: PairingLab) -> None:
    lab.pair()
    vmm = lab.primary.vmm
    other = vmm.new_sc_cloud("Silver-NY", vm_host_group=lab.primary.groups, disaster_recovery_supported=True)
    with pytest.raises(PairingConflict):
        vmm.pair_cloud(other.name, {"pairingId": "other", "role": "Primary", "peerCloudId": "x",
                                    "peerRootCertificate": lab.primary.record.peer_root_certificate,
                                    "peerHosts": [], "settings": {"authenticationType": "Certificate", "port": 9443}})


@pytest.mark.parametrize("settings", [{"authenticationType": "Both", "port": 1}, {"allowedAuthenticationType": 3,
                                      "port": 80}, {"authenticationType": "Kerberos", "port": 0}, {"port": 80}])
def test_malformed_settings_are_refused(lab: PairingLab, settings: dict[str, object]) -> None:
    with pytest.raises(InvalidParameter):
        lab.primary.vmm.prepare_cloud_for_pairing(lab.primary.cloud.name, settings)


def test_an_administrators_entry_and_allow_any_are_taken_over_without_loss(lab: PairingLab) -> None:
    host = lab.primary.hosts[0]
    host.new_vm_replication_authorization_entry("*.chi.contoso.com", "E:\\R", "admin")
    host.set_vm_replication_server(replication_allowed_from_any_server=True, default_storage_location="E:\\R")
    lab.pair()  # "allow any" is turned off before entries are written; the administrator's entry is kept
    assert lab.problems()[host.fqdn] == []
    assert [e.trust_group for e in host.get_vm_replication_authorization_entry()] == ["admin"]
    assert host.replication_server.default_storage_location == "E:\\R"


def test_a_host_cmdlet_refusal_is_reported_with_the_host_and_step(lab: PairingLab,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    host = lab.primary.hosts[1]

    def refuse(**_: object) -> None:
        raise InvalidParameterError("The operation failed.")
    monkeypatch.setattr(host, "set_vm_replication_server", refuse)
    with pytest.raises(HostConfigurationFailed) as refused:
        lab.primary.vmm.prepare_cloud_for_pairing(lab.primary.cloud.name, CERTIFICATE)
    assert (refused.value.host, refused.value.step) == (host.fqdn, "Set-VMReplicationServer")
    assert isinstance(refused.value.__cause__, InvalidParameterError)
