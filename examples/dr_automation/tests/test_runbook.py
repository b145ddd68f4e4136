"""The runbook against the lab, through the plugin's fixtures: setup protects exactly the tagged VMs
and can run again; the plan boots in the configured order; a drill leaves production running; a
planned failover brings every tagged VM up at the recovery site with no write lost."""

from __future__ import annotations

import pytest

from drlab import Lab, Role
from hyperv_fake import VMState

from dr_automation import DrConfig, PlanDriver, Retry, Vault, build_plan, map_networks, pair_clouds, protect_tagged
from dr_automation import wait_until_protected

from .conftest import TAGGED


def set_up(vault: Vault, config: DrConfig, retry: Retry, lab: Lab) -> list[str]:
    pair_clouds(vault, config, retry)
    map_networks(vault, config, retry)
    protected = protect_tagged(vault, config, retry)
    wait_until_protected(vault, config, protected, sleep=lab.advance)
    return protected


def running(lab: Lab, role: Role) -> set[str]:
    return {vm.name for host in lab.sites[role].hosts for vm in host.vms if vm.state is VMState.Running}


def test_setup_protects_the_tagged_vms_only_and_a_second_run_changes_nothing(
        lab: Lab, vault: Vault, config: DrConfig, retry: Retry) -> None:
    assert set_up(vault, config, retry, lab) == TAGGED
    assert sorted(vault.protected("Gold")) == TAGGED  # scratch-01 has no -dr tag
    assert all(item.properties.protection_state == "Protected" for item in vault.protected("Gold").values())
    events = len(lab.history)
    assert (pair_clouds(vault, config, retry), map_networks(vault, config, retry),
            protect_tagged(vault, config, retry)) == ([], [], [])
    assert not [e for e in list(lab.history)[events:] if e.op == "job"]  # no job was started


@pytest.mark.drlab(checks=["data_loss", "ip_injection", "check_ordering"])
def test_a_drill_then_a_planned_failover_in_boot_order(lab: Lab, vault: Vault, config: DrConfig,
                                                       retry: Retry) -> None:
    set_up(vault, config, retry, lab)
    assert build_plan(vault, config, retry) == [["db-01-dr"], ["app-01-dr"], ["web-01-dr"]]
    driver = PlanDriver(vault, config, retry)
    driver.drill()
    assert running(lab, Role.primary) >= set(TAGGED)  # production never stopped
    assert driver.state().allowed_operations == ["PlannedFailover", "UnplannedFailover", "TestFailover"]
    driver.planned_failover()
    assert running(lab, Role.recovery) >= set(TAGGED) and "scratch-01" in running(lab, Role.primary)
    assert driver.state().allowed_operations == ["ReverseReplicate"]
    booted = [e.details["vm"] for e in lab.history.select(op="plan.vm.booted")]
    assert booted[-3:] == ["db-01-dr", "app-01-dr", "web-01-dr"]
