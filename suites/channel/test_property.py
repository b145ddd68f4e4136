"""Property: over generated small topologies and event sequences (registrations, VM and host changes, DR
flags, Provider restarts, partitions and lost messages), every connection between the ASR node and
a VMM node was opened by the VMM node, and after faults heal ASR's view equals each VMM server's
flagged inventory once the next sync succeeded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from asr_emulator import KINDS, AsrService
from drlab.azure_transport import DEFAULT_SUBSCRIPTION
from hyperv_fake import HyperVFabric
from scvmm_fake.provider import AsrProvider, ChannelFailure
from simcore import Drop, FaultRule, Match, Partition, Simulation

from .conftest import RG, VAULT, make_site

_SITE = st.integers(0, 1)
_EVENTS = st.one_of(
    st.tuples(st.just("advance"), st.sampled_from([1.0, 30.0, 60.0, 150.0])),
    st.tuples(st.just("add_vm"), _SITE),
    st.tuples(st.just("remove_vm"), _SITE),
    st.tuples(st.just("add_host"), _SITE),
    st.tuples(st.just("flag_dev"), _SITE, st.booleans()),
    st.tuples(st.just("restart"), _SITE),
    st.tuples(st.just("partition"), _SITE, st.sampled_from([30.0, 200.0, 900.0])),
    st.tuples(st.just("drop"), _SITE, st.integers(1, 6)),
    st.tuples(st.just("register"), _SITE),
)


class _Lab:
    def __init__(self, seed: int, sizes: list[int]) -> None:
        self.sim = sim = Simulation(seed)
        self.service = AsrService(sim)
        self.vault = self.service.create_vault(DEFAULT_SUBSCRIPTION, RG, VAULT)
        self.hyperv = HyperVFabric(sim)
        self.sites = [make_site(sim, f"dc{i}", hyperv=self.hyperv, vms=size, octet=i + 1) for i, size in enumerate(sizes)]
        self.providers = [AsrProvider(site.vmm, trusted_roots=[self.service.channel.public_root]) for site in self.sites]
        self.added = 0

    def key(self) -> str:
        return self.service.channel.registration_key(self.vault).dumps()

    def apply(self, event: tuple) -> None:
        kind, *args = event
        sim = self.sim
        if kind == "advance":
            sim.advance(args[0])
            return
        index = args[0] % len(self.sites)
        site, provider = self.sites[index], self.providers[index]
        vmm = site.vmm
        if kind == "add_vm":
            self.added += 1
            vmm.new_sc_virtual_machine(f"{vmm.name}-new{self.added}", cloud=site.gold, operating_system="Windows")
        elif kind == "remove_vm":
            vms = vmm.get_sc_virtual_machine()
            if vms:
                vmm.remove_sc_virtual_machine(vms[0])
        elif kind == "add_host":
            self.added += 1
            name = f"{vmm.name}-extra{self.added}"
            host = self.hyperv.add_host(name, fqdn=f"{name}.contoso.com", domain="contoso.com")
            vmm.add_sc_vm_host(host, credential=site.admin, vm_host_group=site.group)
        elif kind == "flag_dev":
            vmm.set_sc_cloud(site.dev, disaster_recovery_supported=args[1])
        elif kind == "restart":
            if provider.registration is not None:
                provider.restart()
        elif kind == "partition":
            sim.faults.add(FaultRule(Partition(), Match(src=vmm.name, dst=self.service.node, bidirectional=True),
                                     end=sim.clock.now + args[1]))
        elif kind == "drop":
            sim.faults.add(FaultRule(Drop(), Match(point="net.send", src=self.service.node, dst=vmm.name),
                                     count=args[1]))
        elif kind == "register" and provider.registration is None:
            try:
                provider.register(self.key())
            except ChannelFailure:
                pass  # unreachable now (a partition): registering is tried again when settling

    def settle(self) -> None:
        """Heal every fault, make sure every Provider is registered, and let two polls pass."""
        self.sim.faults.heal_all()
        for provider in self.providers:
            if provider.registration is None:
                provider.register(self.key())
        self.sim.advance(2 * self.providers[0].poll_interval)


def _asr_view(lab: _Lab, fabric: str) -> dict:
    store, kinds = lab.vault.resources, KINDS
    containers = {c.name: c.properties["friendlyName"] for c in store.children(kinds["container"], (fabric,))}
    items = {name: {i.name for i in store.children(kinds["protectable_item"], (fabric, name))} for name in containers}
    networks = {n.name for n in store.children(kinds["network"], (fabric,))}
    reported = lab.vault.channel.inventories[fabric.lower()]
    hosts = {cloud["id"]: cloud["hosts"] for cloud in reported["clouds"]}
    return {"containers": containers, "items": items, "networks": networks, "hosts": hosts}


def _vmm_view(site) -> dict:
    clouds = site.vmm.dr_inventory().clouds
    return {
        "containers": {c.id: c.name for c in clouds},
        "items": {c.id: {vm.id for vm in c.vms} for c in clouds},
        "networks": {n.id for c in clouds for n in c.vm_networks},
        "hosts": {c.id: list(c.hosts) for c in clouds},
    }


@given(seed=st.integers(0, 2**16), sizes=st.lists(st.integers(0, 3), min_size=1, max_size=2),
       registered=st.lists(st.booleans(), min_size=2, max_size=2), events=st.lists(_EVENTS, max_size=12))
def test_outbound_only_and_asr_sees_the_flagged_inventory_after_the_next_sync(seed, sizes, registered, events):
    lab = _Lab(seed, sizes)
    for provider, now in zip(lab.providers, registered):
        if now:
            provider.register(lab.key())
    for event in events:
        lab.apply(event)
    lab.settle()
    asr, vmms = lab.service.node, {site.vmm.name for site in lab.sites}
    attempts = lab.sim.history.select(op="net.connect", phase="invoke")
    assert all(e.details["src"] != asr for e in attempts), "ASR opened a connection"
    assert {e.details["src"] for e in attempts if e.details["dst"] == asr} <= vmms
    for site, provider in zip(lab.sites, lab.providers):
        assert provider.last_error is None
        assert _asr_view(lab, provider.registration.fabric_name) == _vmm_view(site)
