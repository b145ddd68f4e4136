"""The emulator's policies (``hyperv_fake.policy``): each choice where the reference is silent, tested."""

from __future__ import annotations

from hyperv_fake import (
    ROOT_STORE,
    CertificateRejectedError,
    HyperVFabric,
    HyperVPolicy,
    ReplicationHealth,
    ReplicationState,
    TrustPolicy,
)
from hyperv_fake.policy import RECOVERY_POINT_NAMES
from hyperv_fake.testing import GiB, ReplicaPair, configure_replica_server, host_certificate
from simcore import Simulation
from simcore.pki import CertificateAuthority


def test_allow_any_server_hides_entries_and_they_return_when_it_is_off(pair: ReplicaPair) -> None:
    """ALLOW_ANY_SERVER_KEEPS_ENTRIES."""
    replica = pair.replica
    replica.set_vm_replication_server(replication_allowed_from_any_server=False)
    replica.new_vm_replication_authorization_entry("hv1.contoso.com", "E:\\Sales", "sales")
    replica.set_vm_replication_server(replication_allowed_from_any_server=True)
    assert [e.trust_group for e in replica.get_vm_replication_authorization_entry()] == ["DEFAULT"]
    replica.set_vm_replication_server(replication_allowed_from_any_server=False)
    assert [e.trust_group for e in replica.get_vm_replication_authorization_entry()] == ["sales"]


def test_an_exact_entry_wins_over_a_wildcard(pair: ReplicaPair) -> None:
    """AUTHORIZATION_ENTRY_ORDER."""
    replica = pair.replica
    replica.set_vm_replication_server(replication_allowed_from_any_server=False)
    replica.new_vm_replication_authorization_entry("*.contoso.com", "E:\\All", "everyone")
    replica.new_vm_replication_authorization_entry("hv1.contoso.com", "E:\\Hv1", "hv1-only")
    pair.add_vm("vm")
    pair.enable("vm").wait()
    status = pair.replica.get_vm_replication("vm")
    assert (status.trust_group, status.replica_storage_location) == ("hv1-only", "E:\\Hv1")


def test_weak_keys_are_refused_unless_the_policy_says_otherwise(ca: CertificateAuthority) -> None:
    """TrustPolicy.reject_weak_keys (§7 gap 1)."""
    for reject, accepted in ((True, False), (False, True)):
        fabric = HyperVFabric(Simulation(), policy=HyperVPolicy(trust=TrustPolicy(reject_weak_keys=reject)))
        hosts = []
        for name in ("hv1", "hv2"):
            host = fabric.add_host(name, fqdn=f"{name}.contoso.com")
            weak = host_certificate(ca, host.fqdn, fabric.sim.clock.utcnow(), key_size=224 if name == "hv1" else None)
            host.import_pfx_certificate(weak)
            hosts.append((host, weak))
        (hv1, weak), (hv2, sound) = hosts
        configure_replica_server(hv2, certificate=sound, roots=(ca,))
        hv1.import_certificate(ca)
        pair = ReplicaPair(fabric.sim, fabric, hv1, hv2, ca, certificates={"hv1": weak})
        pair.add_vm("vm")
        try:
            job = pair.enable("vm")
        except CertificateRejectedError as refused:  # the host's own check (validate_on_configure)
            assert not accepted and "WEAK_KEY" in str(refused)
            continue
        job.wait()
        assert job.succeeded == accepted


def test_without_a_crl_the_revocation_check_fails_unless_disabled(ca: CertificateAuthority) -> None:
    """TrustPolicy.revocation_needs_crl; §1.3 DisableCertRevocationCheck."""
    for needs_crl, disabled, accepted in ((True, False, False), (True, True, True), (False, False, True)):
        fabric = HyperVFabric(Simulation(), policy=HyperVPolicy(trust=TrustPolicy(revocation_needs_crl=needs_crl)))
        pair = ReplicaPair.build(fabric=fabric, sim=fabric.sim, ca=ca)
        pair.replica.remove_certificate(pair.replica.import_certificate(ca), cert_store_location=ROOT_STORE)
        pair.replica.import_certificate(ca.certificate)  # the bare root: no CRL behind it
        pair.replica.set_disable_cert_revocation_check(disabled)
        pair.add_vm("vm")
        job = pair.enable("vm")
        job.wait()
        assert job.succeeded == accepted
        if not accepted:
            assert job.error.reason.value == "REVOCATION_OFFLINE" and job.error.refusal.side == "replica"


def test_recovery_points_are_named_like_hyper_v_manager(pair: ReplicaPair) -> None:
    """RECOVERY_POINT_NAMES."""
    pair.add_vm("vm")
    pair.protect("vm", recovery_history=2, vss_snapshot_frequency_hour=1)
    pair.sim.advance(2 * 3600)
    names = [p.name for p in pair.replica.get_vm_snapshot("vm")]
    first = pair.replica.get_vm_snapshot("vm")[0]
    assert names[0] == RECOVERY_POINT_NAMES.format(vm="vm", kind="Application-consistent", when=first.creation_time)
    assert names[0].startswith("vm - Application-consistent Replica - (01/01/2026 - ")
    assert names[-1] == "vm - Latest Recovery Point"


def test_a_running_resync_is_a_warning(pair: ReplicaPair) -> None:
    """RESYNCHRONIZING_HEALTH."""
    pair.add_vm("vm", disk_bytes=64 * GiB)
    pair.protect("vm")
    pair.primary.stop_vm("vm")
    pair.primary.modify_vhd_offline("vm")
    assert pair.primary.measure_vm_replication("vm").health is ReplicationHealth.Critical  # §2.6
    pair.primary.resume_vm_replication("vm", resynchronize=True)
    pair.sim.advance(1)
    status = pair.primary.measure_vm_replication("vm")
    assert (status.state, status.health) == (ReplicationState.Resynchronizing, ReplicationHealth.Warning)


def test_a_name_used_twice_finds_the_first_vm(pair: ReplicaPair) -> None:
    """VM_NAME_LOOKUP: the replica host already runs a VM of the primary VM's name."""
    local = pair.replica.new_vm("vm")
    pair.add_vm("vm")
    pair.protect("vm")
    assert [v.name for v in pair.replica.vms] == ["vm", "vm"]
    assert pair.replica.get_vm("vm") is local


def test_refused_jobs_carry_access_denied_or_timeout(pair: ReplicaPair) -> None:
    """REFUSAL_CODES."""
    pair.add_vm("vm")
    pair.replica.set_vm_replication_server(replication_allowed_from_any_server=False)
    job = pair.enable("vm")
    job.wait()
    assert (job.error.reason.value, job.error.return_code) == ("NOT_AUTHORIZED", 32769)
    pair.replica.set_vm_replication_server(replication_allowed_from_any_server=True)
    pair.replica.disable_net_firewall_rule("Hyper-V Replica HTTPS Listener (TCP-In)")
    job = pair.enable("vm")
    job.wait()
    assert (job.error.reason.value, job.error.return_code) == ("CONNECTION_TIMED_OUT", 32772)
    pair.replica.set_vm_replication_server(replication_enabled=False)
    job = pair.enable("vm")
    job.wait()
    assert (job.error.reason.value, job.error.return_code) == ("CONNECTION_REFUSED", 32768)
    events = pair.sim.history.select(op="hyperv.Enable-VMReplication", phase="fail")
    assert [event.details["code"] for event in events] == [32769, 32772, 32768]
