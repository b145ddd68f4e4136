"""The runbook inside ``drlab.machines.ProtectionMachine``: whatever the VM has been through —
failovers, failbacks, commits, reverse replication, invalid operations, channel cuts, Provider
restarts — running the setup again starts nothing, so the runbook is safe to schedule."""

from __future__ import annotations

from hypothesis import settings
from hypothesis.stateful import rule

from drlab.machines import ProtectionMachine

from dr_automation import DrConfig, Retry, Vault, map_networks, pair_clouds, protect_tagged


class RunbookMachine(ProtectionMachine):
    """The shipped machine (``Gold-VM1`` protected from ``Gold`` to ``Gold-Recovery`` under ``pol1``),
    with the runbook configured for the same setup."""

    def config(self) -> DrConfig:
        lab = self.lab
        return DrConfig(lab.subscription_id, lab.resource_group, lab.vault_name, clouds={"Gold": "Gold-Recovery"},
                        networks={"Corp": "Corp"}, tags=(self.vm,), policy="pol1")

    @rule()
    def the_runbook_run_again_starts_nothing(self) -> None:
        vault = Vault(self.book.asr, self.lab.subscription_id, self.lab.resource_group, self.lab.vault_name)
        retry, config, jobs = Retry(sleep=self.lab.advance), self.config(), len(self.lab.history.select(op="job"))
        assert (pair_clouds(vault, config, retry), map_networks(vault, config, retry),
                protect_tagged(vault, config, retry)) == ([], [], [])
        assert len(self.lab.history.select(op="job")) == jobs


TestRunbookMachine = RunbookMachine.TestCase
TestRunbookMachine.settings = settings(max_examples=3, stateful_step_count=6, deadline=None)
