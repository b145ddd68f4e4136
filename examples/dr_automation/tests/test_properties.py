"""Properties of the runbook over generated labs (``drlab.strategies``): whatever the clouds, VMs
and networks, setup protects exactly the tagged VMs of the cloud it pairs (a recovery cloud pairs
with one primary cloud), and the plan holds each of them once, in the boot order it is given."""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given, settings, strategies as st

from drlab import Lab, Role
from drlab.strategies import lab_topologies

from dr_automation import DrConfig, Retry, Vault, build_plan, map_networks, pair_clouds, protect_tagged
from dr_automation import wait_until_protected


@settings(max_examples=5, deadline=None)  # each example builds a lab and protects its VMs (~1 s)
@given(lab_topologies(max_hosts=1, max_clouds=2, max_vms_per_cloud=2), st.data())
def test_exactly_the_tagged_vms_of_the_paired_cloud_are_protected_and_planned(topology: dict[str, Any],
                                                                            data: st.DataObject) -> None:
    dr_clouds = sorted(c.name for c in topology["clouds"] if c.site is Role.primary and c.disaster_recovery)
    assume(dr_clouds)
    paired = data.draw(st.sampled_from(dr_clouds), label="paired")
    candidates = sorted(vm.name for vm in topology["vms"])
    tagged = sorted(data.draw(st.sets(st.sampled_from(candidates)), label="tagged")) if candidates else []
    first = data.draw(st.sampled_from(tagged), label="boots first") if tagged else "none"
    with Lab(**topology) as lab:
        config = DrConfig(lab.subscription_id, lab.resource_group, lab.vault_name,
                          clouds={paired: "R"},
                          networks={network.name: network.name for network in topology.get("networks", ())},
                          tags=tuple(tagged) or ("no-vm-is-tagged",), boot_order=((first,),))
        vault = Vault(lab.azure_client(), lab.subscription_id, lab.resource_group, lab.vault_name)
        retry = Retry(sleep=lab.advance)
        pair_clouds(vault, config, retry)
        map_networks(vault, config, retry)
        protected = protect_tagged(vault, config, retry)
        assert protected == sorted(vm.name for vm in topology["vms"] if vm.cloud == paired and vm.name in tagged)
        if protected:
            wait_until_protected(vault, config, protected, sleep=lab.advance)
            groups = build_plan(vault, config, retry)
            assert sorted(vm for group in groups for vm in group) == protected
            assert first not in protected or groups[0] == [first]


@given(st.lists(st.sampled_from(["db-01", "db-02", "app-01", "web-01", "misc"]), unique=True))
def test_boot_groups_follow_the_configured_order(vms: list[str]) -> None:
    config = DrConfig("s", "g", "v", clouds={}, networks={}, boot_order=(("db-*",), ("APP-*",)))
    groups = config.boot_groups(vms)
    assert sorted(vm for group in groups for vm in group) == sorted(vms) and all(groups)
    order = [0 if vm.startswith("db") else 1 if vm.startswith("app") else 2 for group in groups for vm in group]
    assert order == sorted(order)
