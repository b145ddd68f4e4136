"""Property: whatever happens at the VMware site, once a poll has run ASR's protectable items are the
configuration server's machines — one per discovered VM and physical server, with its power state,
agent and address as the site has them — and nothing else."""

from __future__ import annotations

from hypothesis import given, strategies as st

from asr_emulator import KINDS, AsrService
from drlab.azure_transport import DEFAULT_SUBSCRIPTION
from simcore import Simulation
from vmware_fake import VaultAgent, VmwareError

from .conftest import make_site

_actions = st.lists(st.one_of(
    st.tuples(st.just("vm"), st.integers(0, 3)),
    st.tuples(st.just("power"), st.integers(0, 3)),
    st.tuples(st.just("phys"), st.integers(0, 2)),
    st.tuples(st.just("mobility"), st.integers(0, 3)),
    st.tuples(st.just("advance"), st.integers(0, 90)),
), max_size=12)


def _act(site, action: str, index: int) -> None:
    cs, primary = site.cs, site.primary
    try:
        if action == "vm":
            primary.create_vm(f"vm{index}", host=site.host.name, datastore="vc-p-ds1",
                              nics=(("VM Network", f"10.20.1.{10 + index}"),))
        elif action == "power":
            vm = primary.vm(f"vm{index}")
            (primary.power_off_vm if vm.powered_on else primary.power_on_vm)(vm.name)
        elif action == "phys":
            cs.add_physical_server(f"phys{index}", ip_address=f"10.20.2.{10 + index}")
        elif action == "mobility":
            machines = cs.machines()
            if machines:
                cs.install_mobility_service(machines[index % len(machines)].name, account="vc-admin")
        else:
            site.sim.advance(index)
    except VmwareError:
        pass  # a refusal changes nothing (the unit suites check that); the property is about the rest


@given(_actions)
def test_protectable_items_are_the_configuration_servers_machines(actions):
    sim = Simulation(seed=17)
    site = make_site(sim)
    service = AsrService(sim)
    vault = service.create_vault(DEFAULT_SUBSCRIPTION, "rg", "v")
    agent = VaultAgent(site.cs, trusted_roots=[service.channel.public_root])
    agent.register(service.channel.registration_key(vault).dumps())
    for action, index in actions:
        _act(site, action, index)
    sim.advance(30)  # one poll after the last change
    container = (site.cs.id, f"cloud_{site.cs.id}")
    listed = {item.name: item.arm_properties() for item in vault.resources.children(KINDS["protectable_item"], container)}
    expected = {m.id: (m.name, "ON" if m.powered_on else "OFF", "Yes" if m.mobility else "No", m.ip_address)
                for m in site.cs.machines()}
    assert {name: (p["friendlyName"], p["customDetails"]["poweredOn"], p["customDetails"]["agentInstalled"],
                   p["customDetails"]["ipAddress"]) for name, p in listed.items()} == expected
    assert [r.name for r in vault.resources.children(KINDS["vcenter"], (site.cs.id,))] == ["vc-p", "vc-s"]
