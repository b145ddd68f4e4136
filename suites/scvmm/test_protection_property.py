"""Property (hyperv-scvmm.md §5.5: replicas "are placed on hosts that can access the mapped VM
network"; policy REPLICA_PLACEMENT): over small generated topologies — recovery hosts in 1–3 host
groups, some joining after pairing (not yet configured), recovery networks whose one network site
serves a random set of groups, primary networks mapped onto them (or not), VMs with NICs on some
of them, either authentication — every VM whose protection is enabled ends up replicating, by its
host's own account, to a host of the recovery cloud that the pairing configured and whose group the
site of every mapped recovery network serves; and a VM refused placement had no such host."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from hyperv_fake import ReplicationMode, ReplicationState
from scvmm_fake import PlacementError

from .protection_lab import POLICY, ProtectionLab

_TOPOLOGY = st.fixed_dictionaries({
    "groups": st.integers(1, 3),
    "hosts": st.integers(1, 3),
    "late": st.integers(0, 1),
    "sites": st.lists(st.sets(st.integers(0, 2), min_size=1, max_size=2), min_size=1, max_size=3),  # groups each network serves
    "mapping": st.lists(st.one_of(st.none(), st.integers(0, 2)), min_size=1, max_size=3),  # primary net -> recovery
    "vms": st.lists(st.sets(st.integers(0, 2), min_size=1, max_size=2), min_size=1, max_size=4),  # NICs: primary nets
    "kerberos": st.booleans(),
})


@given(topology=_TOPOLOGY, seed=st.integers(0, 2**16))
@example(topology={"groups": 2, "hosts": 1, "late": 0, "sites": [{1}, {0}], "mapping": [1, 0], "vms": [{0, 1}],
                   "kerberos": False}, seed=0)  # two mapped networks no one host reaches (found by mutation)
def test_every_enabled_vm_replicates_to_a_configured_recovery_host_that_reaches_its_mapped_networks(
        topology: dict, seed: int) -> None:  # type: ignore[type-arg]
    groups, sites = topology["groups"], topology["sites"]
    settings_ = {**POLICY, "allowedAuthenticationType": 1, "replicationPort": 8083} if topology["kerberos"] else POLICY
    lab = ProtectionLab.build(primary_hosts=1, recovery_hosts=topology["hosts"], groups=groups, seed=seed,
                              settings=settings_)
    group_of = {h.fqdn: i % groups for i, h in enumerate(lab.recovery.hosts)}  # as PairingLab.build adds them
    late = set()
    for i in range(topology["late"]):  # joined the cloud after pairing: no reconcile has configured them
        host = lab.recovery.add_host(lab.lab.fabric, group=i % groups)
        group_of[host.fqdn] = i % groups
        late.add(host.fqdn)
    recovery = [lab.network(lab.recovery, f"R{i}", groups=sorted(g for g in served if g < groups) or [0])
                for i, served in enumerate(sites)]
    serves = {net.id: set(g for g in served if g < groups) or {0} for net, served in zip(recovery, sites)}
    primary = [lab.network(lab.primary, f"P{i}") for i in range(len(topology["mapping"]))]
    mapped: dict[str, str] = {}
    for net, target in zip(primary, topology["mapping"]):
        if target is not None and target < len(recovery):
            lab.map(net, recovery[target])
            mapped[net.id] = recovery[target].id
    protected = []
    for index, nics in enumerate(topology["vms"]):
        vm = lab.vm(f"vm{index}", *[primary[n] for n in sorted(nics) if n < len(primary)])
        needs = [mapped[nic.vm_network.id] for nic in vm.virtual_network_adapters if nic.vm_network.id in mapped]
        fitting = [fqdn for fqdn, group in group_of.items()
                   if fqdn not in late and all(group in serves[net] for net in needs)]
        try:
            placed = lab.target(vm)["recoveryHost"]
        except PlacementError:
            assert not fitting, (vm.name, fitting)  # a refusal is justified
            continue
        lab.enable(vm, placed)
        lab.start_ir(vm)
        protected.append((vm, needs))
    lab.lab.sim.advance(3600)
    recovery_hosts = {vm_host.host.fqdn for vm_host in lab.recovery.cloud.hosts()}
    for vm, needs in protected:
        replication = vm.vm_host.host.get_vm_replication(vm.name)  # the primary host's own account
        assert replication.state is ReplicationState.Replicating, (vm.name, replication.state)
        target = replication.replica_server
        assert target in recovery_hosts and target not in late, (vm.name, target)
        assert all(group_of[target] in serves[net] for net in needs), (vm.name, target, needs)
        replica = lab.lab.fabric.host(target).get_vm_replication(vm.name)
        assert replica.mode is ReplicationMode.Replica and replica.vm_id == vm.vm_id
