"""Property: IP injection (hyperv-scvmm.md §5.5, asr-orchestration.md §A.7.1). Over generated pools
(the recovery pool matching the primary's subnet or not, nearly full with addresses other VMs hold),
NIC counts (a second NIC on an unmapped network) and failover kinds (test into a test bubble, planned,
unplanned with source-side operations), after the failover every NIC on a mapped network holds, in
the guest, an address of the target pool with its mask, gateway and DNS, granted in VMM to it alone
— the primary's own address where the pools match and it is free; an unmapped NIC gets nothing; a
test failover never takes a production address, and its cleanup gives its addresses back."""

from __future__ import annotations

import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from drlab import CloudSpec, Lab, NetworkSpec, Role, VMSpec

from .conftest import Runbook, hyperv_policy

PRIMARY_SUBNET = "10.1.0.0/24"


def _granted(lab: Lab, network: str) -> list[str]:
    vmm = lab.recovery.vmm
    return sorted(str(a.address) for pool in vmm.get_sc_static_ip_address_pool() if pool.name.startswith(network)
                  for a in vmm.get_sc_ip_address(static_ip_address_pool=pool))


def _hold(lab: Lab, network: str, addresses: list[str]) -> None:
    """Other VMs of the recovery site hold ``addresses`` of ``network``'s pool."""
    vmm = lab.recovery.vmm
    pool = next(p for p in vmm.get_sc_static_ip_address_pool() if p.name.startswith(network))
    for address in addresses:
        vmm.grant_sc_ip_address(static_ip_address_pool=pool, grant_to_object_type="VirtualMachine", ip_address=address)


@given(same_subnet=st.booleans(), held=st.sets(st.integers(10, 14), max_size=4), two_nics=st.booleans(),
       which=st.integers(0, 1), kind=st.sampled_from(["test", "planned", "unplanned"]))
def test_each_failover_injects_a_free_address_of_the_target_pool(same_subnet, held, two_nics, which, kind):
    recovery_subnet = PRIMARY_SUBNET if same_subnet else "10.2.0.0/24"
    bubble = "10.3.0.0/24" if same_subnet else PRIMARY_SUBNET  # a test bubble: the primary's subnet where free
    networks = (NetworkSpec("Corp", PRIMARY_SUBNET, recovery_subnet), NetworkSpec("Data", "172.16.0.0/24", "172.17.0.0/24"),
                NetworkSpec("Test", "192.168.9.0/24", bubble))
    vm_networks = ["Corp", "Data"] if two_nics else ["Corp"]
    with Lab(seed=3, clouds=(CloudSpec("Gold", Role.primary), CloudSpec("Gold-Recovery", Role.recovery)),
             networks=networks, vms=[VMSpec(f"vm{i}", "Gold", networks=vm_networks) for i in range(2)]) as lab:
        runbook = Runbook.of(lab)
        runbook.asr.replication_policies.begin_create(runbook.rg, runbook.vault, "pol1", {"properties": {
            "providerSpecificInput": hyperv_policy()}}).result()
        runbook.pair()
        runbook.map_poller("Corp").result()  # Data stays unmapped
        vm = f"vm{which}"
        name = runbook.enable_poller(vm).result().name
        lab.advance(3_600)
        target = "Test" if kind == "test" else "Corp"
        taken = [str(ipaddress.ip_network(bubble if target == "Test" else recovery_subnet)[i]) for i in held]
        _hold(lab, target, taken)
        production = _granted(lab, "Corp")
        own = next(str(a) for n in lab.primary.vmm.get_sc_virtual_machine(name=vm)[0].virtual_network_adapters
                   if n.vm_network.name == "Corp" for a in n.ipv4_addresses)
        fabric, container = runbook.container("Gold")
        items = runbook.asr.replication_protected_items
        if kind == "test":
            rfabric, rnet = runbook.network("recovery", "Test")
            items.begin_test_failover(runbook.rg, runbook.vault, fabric, container, name, {"properties": {
                "networkType": "VmNetworkAsInput",
                "networkId": f"{runbook.prefix()}/replicationFabrics/{rfabric}/replicationNetworks/{rnet}"}}).result()
        elif kind == "planned":
            items.begin_planned_failover(runbook.rg, runbook.vault, fabric, container, name,
                                         {"properties": {"failoverDirection": "PrimaryToRecovery"}}).result()
        else:
            items.begin_unplanned_failover(runbook.rg, runbook.vault, fabric, container, name, {"properties": {
                "failoverDirection": "PrimaryToRecovery", "sourceSiteOperations": "Required"}}).result()
        booted = next(v for h in lab.sites[Role.recovery].hosts for v in h.vms
                      if v.name == (f"{vm} - Test" if kind == "test" else vm))
        pool = next(p for p in lab.recovery.vmm.get_sc_static_ip_address_pool() if p.name.startswith(target))
        configured = dict(booted.guest.network)
        # a test VM's NICs all join the chosen test network; a failed-over VM's NICs on a mapped network
        injected = [a.name for a in booted.adapters] if kind == "test" else [booted.adapters[0].name]
        addresses = []
        for adapter in injected:
            config = configured[adapter]
            (address,) = config.ip_addresses
            assert ipaddress.ip_address(address) in pool.subnet
            assert pool.ip_address_range_start <= ipaddress.ip_address(address) <= pool.ip_address_range_end
            assert config.subnets == (str(pool.subnet.netmask),)
            assert config.default_gateways == tuple(str(g.ip_address) for g in pool.default_gateways)
            assert config.dns_servers[:1] == tuple(str(d) for d in pool.dns_servers[:1])
            addresses.append(address)
        granted = _granted(lab, target)
        assert all(granted.count(a) == 1 for a in addresses) and not set(addresses) & set(taken)  # its alone
        assert len(set(addresses)) == len(addresses)
        if ipaddress.ip_address(own) in pool.subnet and own not in taken:
            assert addresses[0] == own  # the same address where the pools match and it is free
        if kind != "test":  # the NIC on the unmapped Data network: nothing injected, no recovery address
            for adapter in booted.adapters[1:]:
                assert adapter.failover.ipv4_address is None
                assert not {a for c in configured.values() for a in c.ip_addresses} & set(_granted(lab, "Data"))
        if kind == "test":
            assert _granted(lab, "Corp") == production  # a test never takes a production address
            items.begin_test_failover_cleanup(runbook.rg, runbook.vault, fabric, container, name,
                                              {"properties": {"comments": ""}}).result()
            assert _granted(lab, "Test") == sorted(taken)  # its address is back in the pool
