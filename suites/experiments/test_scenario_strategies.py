"""``drlab.strategies``' whole-scenario and network-map strategies, used as a consumer would: every
drawn DR scenario runs its drill to a verdict on every invariant, and every drawn set of network
mappings is created through the SDK as drawn."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from drlab import Lab, Role
from drlab.experiments.scenario import CHECKERS, STEPS
from drlab.runbook import Runbook
from drlab.strategies import DRScenario, dr_scenarios, lab_topologies, network_maps


@settings(max_examples=6)  # each example is a whole drill
@given(dr_scenarios(max_vms=3))
def test_every_drawn_dr_scenario_runs_its_drill_and_keeps_every_promise(drawn: DRScenario) -> None:
    drill = drawn.run()
    assert tuple(drill.steps) == STEPS and set(drill.verdicts) == set(CHECKERS)
    assert sum(len(group) for group in drill.groups) == drawn.scenario.vms
    assert len(drill.groups) == drawn.scenario.groups and bool(drill.plan) == bool(drawn.faults)
    assert drill.ok, {name: str(verdict) for name, verdict in drill.verdicts.items() if not verdict.ok}


#: ASR sees a site's VM networks through its DR clouds: a primary DR cloud is what mapping needs.
_MAPPABLE = lab_topologies(max_hosts=1, max_vms_per_cloud=1).filter(
    lambda drawn: any(c.disaster_recovery and c.site is Role.primary for c in drawn["clouds"]))


@settings(max_examples=10)
@given(topology=_MAPPABLE, data=st.data())
def test_drawn_network_maps_are_created_as_drawn(topology: dict, data: st.DataObject) -> None:  # type: ignore[type-arg]
    names = [spec.name for spec in topology["networks"]]
    maps = data.draw(network_maps(names))
    assert maps and len({primary for primary, _ in maps}) == len(maps)
    assert [primary for primary, _ in maps] == [name for name in names if name in dict(maps)]  # in order
    with Lab(**topology) as lab:
        book = Runbook.of(lab)
        for k, (primary, recovery) in enumerate(maps):
            book.map_poller(primary, name=f"map{k}", recovery=recovery).result()
        made = {(m.properties.primary_network_friendly_name, m.properties.recovery_network_friendly_name)
                for m in book.asr.replication_network_mappings.list(book.rg, book.vault)}
    assert made == set(maps)
