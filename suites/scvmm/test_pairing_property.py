"""Property (DESIGN.md "Pairing auto-configuration", hyperv-scvmm.md §5.3) at the VMM level: over
topologies of 1–4 hosts per cloud, hosts added before or after pairing, and either authentication
type, once both servers ran the pairing steps (and each its next ``reconcile_pairings``), every host
of both clouds passes the predicate and any primary host replicates to any recovery host."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from scvmm_fake import NetworkAlreadyMapped, ObjectNotFound

from .pairing_lab import CERTIFICATE, KERBEROS, PairingLab


@settings(max_examples=15, deadline=None)
@given(before=st.tuples(st.integers(1, 4), st.integers(1, 4)), after=st.tuples(st.integers(0, 2), st.integers(0, 2)),
       kerberos=st.booleans(), seed=st.integers(0, 2**16))
def test_after_pairing_every_host_passes_and_any_primary_host_replicates_to_any_recovery_host(
        before: tuple[int, int], after: tuple[int, int], kerberos: bool, seed: int) -> None:
    before_p, before_r = before
    after_p, after_r = after
    lab = PairingLab.build(primary_hosts=before_p, recovery_hosts=before_r, seed=seed,
                           settings=KERBEROS if kerberos else CERTIFICATE)
    lab.pair()
    for site, count in ((lab.primary, after_p), (lab.recovery, after_r)):
        for _ in range(count):
            site.add_host(lab.fabric)
        assert len(site.vmm.reconcile_pairings()) == count
    assert lab.problems() == {h.fqdn: [] for h in lab.primary.hosts + lab.recovery.hosts}
    for i, source in enumerate(lab.primary.hosts):
        for j, target in enumerate(lab.recovery.hosts):
            job = lab.replicate(source, target, f"vm-{i}-{j}")
            assert job.succeeded, (source.fqdn, target.fqdn, job.error)


def test_network_mapping_is_recorded_on_both_servers_and_refusals_are_typed() -> None:
    lab = PairingLab.build(primary_hosts=1, recovery_hosts=1)
    corp = {}
    for site in (lab.primary, lab.recovery):
        logical = site.vmm.new_sc_logical_network("Corp")
        corp[id(site)] = site.vmm.new_sc_vm_network(f"Corp-{site.domain[:2]}", logical_network=logical)
    source, target = corp[id(lab.primary)], corp[id(lab.recovery)]
    forward = {"mappingName": "corp-map", "peerVmNetworkId": target.id, "direction": "Forward"}
    assert lab.primary.vmm.map_vm_network(source.id, forward) == {"vmNetworkId": source.id, "mapped": True}
    lab.recovery.vmm.map_vm_network(target.id, {"mappingName": "corp-map", "peerVmNetworkId": source.id,
                                                "direction": "Reverse"})
    assert lab.primary.vmm.network_mapping(source.id) == forward
    assert lab.primary.vmm.map_vm_network(source.id, forward)["mapped"]  # the same mapping again converges
    with pytest.raises(NetworkAlreadyMapped):
        lab.primary.vmm.map_vm_network(source.id, {**forward, "mappingName": "another"})
    with pytest.raises(ObjectNotFound):
        lab.primary.vmm.map_vm_network("no-such-network", forward)
    lab.primary.vmm.unmap_vm_network(source.id, "corp-map")
    lab.primary.vmm.unmap_vm_network(source.id, "corp-map")  # idempotent
    assert lab.primary.vmm.network_mapping(source.id) is None
