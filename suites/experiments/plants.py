"""Bugs planted into the emulators for the campaign to find (issue 12), each a monkeypatch of the one
function a real implementation could get wrong — never a production flag:

* ``provider_double_runs`` — the Provider, when a report cannot be sent, runs the work item again
  instead of sending the report it kept (PROTOCOL.md §5.1: "keeps the report … and re-sends");
* ``pool_regrants`` — a static IP pool forgets what it granted, so the next grant re-grants a held
  address (hyperv-scvmm.md §5.5);
* ``plan_boots_group_2_early`` — a recovery plan runs Boot group 2 before group 1 (§5.7);
* ``failover_drops_last_write`` — Hyper-V's failover leaves the replica one write short of its
  recovery point (§3.3).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from asr_emulator.workflows import recovery_plan
from hyperv_fake._failover_cmdlets import FailoverCmdlets
from scvmm_fake._addresses import AddressSet
from scvmm_fake._pools import StaticIPAddressPool
from scvmm_fake.provider.agent import AsrProvider
from scvmm_fake.provider.errors import ChannelFailure

Plant = Callable[[pytest.MonkeyPatch], None]


def provider_double_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: dict[str, Any] = {}  # work item id -> the flight it ran (item ids are unique in a lab)
    execute, send = AsrProvider._execute, AsrProvider._send_reports

    def executing(self: AsrProvider, item_id: str, flight: Any) -> Any:
        ran[item_id] = flight
        return execute(self, item_id, flight)

    def sending(self: AsrProvider) -> None:
        try:
            send(self)
        except ChannelFailure:
            for item_id in [i for i in self.store.unacknowledged if i in ran]:  # "retry" the work, not its report
                del self.store.reports[item_id]
                self.store.unacknowledged.remove(item_id)
                self.store.in_flight[item_id] = ran[item_id]
            raise

    monkeypatch.setattr(AsrProvider, "_execute", executing)
    monkeypatch.setattr(AsrProvider, "_send_reports", sending)


def pool_regrants(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(StaticIPAddressPool, "_taken", lambda self: AddressSet.of((), self.subnet.version))


def plan_boots_group_2_early(monkeypatch: pytest.MonkeyPatch) -> None:
    tree = recovery_plan._failover_tree

    def swapped(build: Any, vms: Any) -> list[Any]:
        tasks = tree(build, vms)
        boots = [at for at, task in enumerate(tasks) if getattr(task, "group_type", None) == "Boot"]
        if len(boots) >= 2:
            first, second = boots[:2]
            tasks[first], tasks[second] = tasks[second], tasks[first]
        return tasks

    monkeypatch.setattr(recovery_plan, "_failover_tree", swapped)


def failover_drops_last_write(monkeypatch: pytest.MonkeyPatch) -> None:
    failover = FailoverCmdlets._failover

    def dropping(self: FailoverCmdlets, rel: Any, point: Any) -> Any:
        job = failover(self, rel, point)
        rel.vm.adopt(point.image.upto(point.image.last - 1), self.now)
        return job

    monkeypatch.setattr(FailoverCmdlets, "_failover", dropping)
