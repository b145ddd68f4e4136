"""The recovery plan: the protected VMs in boot groups, and the drills and failovers run on it."""

from __future__ import annotations

import logging
from typing import Any

from .config import DrConfig
from .protect import sites
from .retry import Retry
from .vault import Vault

log = logging.getLogger(__name__)

FORWARD, BACK = "PrimaryToRecovery", "RecoveryToPrimary"


def build_plan(vault: Vault, config: DrConfig, retry: Retry) -> list[list[str]]:
    """Create (or replace) the plan: every protected tagged VM, in the configuration's boot order;
    the boot groups, VM names in each."""
    items = {name: item for cloud in sorted(config.clouds) for name, item in vault.protected(cloud).items()
             if config.tagged(name)}
    groups = config.boot_groups(list(items))
    primary, recovery = sites(vault, config)
    body = {"properties": {
        "primaryFabricId": vault.arm_id("replicationFabrics", primary),
        "recoveryFabricId": vault.arm_id("replicationFabrics", recovery),
        "failoverDeploymentModel": "NotApplicable",
        "groups": [{"groupType": "Boot", "replicationProtectedItems": [
            {"id": items[vm].id, "virtualMachineId": items[vm].name} for vm in group]} for group in groups]}}
    retry(f"plan {config.plan}",
          lambda: vault.asr.replication_recovery_plans.begin_create(*vault.ids, config.plan, body).result())
    log.info("recovery plan %s: %s", config.plan, groups)
    return groups


class PlanDriver:
    """Runs the plan's operations, each one job the SDK waits for, each through ``retry``."""

    def __init__(self, vault: Vault, config: DrConfig, retry: Retry) -> None:
        self.vault, self.plan, self.retry = vault, config.plan, retry
        self.plans = vault.asr.replication_recovery_plans

    def state(self) -> Any:
        """The plan's properties as the service reports them (current scenario, allowed operations)."""
        return self.plans.get(*self.vault.ids, self.plan).properties

    def test_failover(self, direction: str = FORWARD) -> Any:
        """A DR drill: the replicas boot isolated (no network attached); production keeps running."""
        body = {"properties": {"failoverDirection": direction, "networkType": "NoNetworkAttachAsInput",
                               "providerSpecificDetails": []}}
        return self._run("test failover", lambda: self.plans.begin_test_failover(*self.vault.ids, self.plan, body))

    def cleanup(self, comments: str = "drill done") -> Any:
        """End a drill: the test VMs are deleted."""
        body = {"properties": {"comments": comments}}
        return self._run("test failover cleanup",
                         lambda: self.plans.begin_test_failover_cleanup(*self.vault.ids, self.plan, body))

    def planned_failover(self, direction: str = FORWARD) -> Any:
        """Shut the primaries down, replicate the last changes, start the replicas; then commit."""
        body = {"properties": {"failoverDirection": direction, "providerSpecificDetails": []}}
        self._run("planned failover", lambda: self.plans.begin_planned_failover(*self.vault.ids, self.plan, body))
        return self._run("commit", lambda: self.plans.begin_failover_commit(*self.vault.ids, self.plan))

    def drill(self) -> Any:
        """Test failover then cleanup: what a quarterly DR test runs."""
        self.test_failover()
        return self.cleanup()

    def _run(self, what: str, start: Any) -> Any:
        log.info("plan %s: %s", self.plan, what)
        return self.retry(f"plan {self.plan}: {what}", lambda: start().result())
