"""Pairing under faults: an unreachable Provider makes the job wait and then fail with the coded
timeout (its outstanding work withdrawn); re-running the pairing converges; a Provider restart in the
middle of pairing runs no VMM step twice."""

from __future__ import annotations

from collections import Counter

import pytest
from azure.core.exceptions import HttpResponseError

from drlab import Lab, Role
from simcore import FaultRule, Match, Partition

from .conftest import Runbook
from .hosts import assert_configured


def _cut(lab: Lab, role: Role):
    return lab.faults.add(FaultRule(Partition(), Match(src=lab.sites[role].vmm.name, dst=lab.service.node,
                                                       bidirectional=True)))


def test_an_unreachable_provider_fails_the_pairing_after_the_timeout_and_a_rerun_converges(
        runbook: Runbook, lab: Lab) -> None:
    with lab.lock:  # the poller's thread waits for the lab until the test has moved time and cut it
        poller = runbook.pair_poller()
        lab.advance(30)  # the preflight is done; the Providers are asked to prepare their servers
        rule = _cut(lab, Role.recovery)
    with pytest.raises(HttpResponseError) as info:
        poller.result()
    assert info.value.error.code == "150400"
    (job,) = runbook.jobs("AssociateProtectionProfile")
    assert job.properties.state == "Failed"
    assert [t.state for t in job.properties.tasks][:2] == ["Succeeded", "Failed"]
    assert list(runbook.asr.replication_protection_container_mappings.list(runbook.rg, runbook.vault)) == []
    withdrawn = [e for e in lab.history.select(op="channel.workitem") if e.details.get("state") == "Withdrawn"]
    assert [e.details["kind"] for e in withdrawn] == ["PrepareSiteForPairing"]
    lab.faults.heal(rule)
    lab.advance(300)
    kinds = [e.details["kind"] for e in lab.history.select(op="provider.work", phase="ok")]
    assert kinds.count("PrepareSiteForPairing") == 1  # only the primary's: the withdrawn item never ran
    assert runbook.pair().properties.state == "Paired"
    assert_configured(lab)


def test_a_provider_restart_in_the_middle_of_pairing_runs_no_step_twice(runbook: Runbook, lab: Lab) -> None:
    with lab.lock:  # the poller's thread waits for the lab until the restarts are done
        poller = runbook.pair_poller()
        lab.advance(90)  # each Provider has leased its PrepareSite item and is working on it
        lab.providers[Role.primary].restart()
        lab.advance(30)
        lab.providers[Role.recovery].restart()
    assert poller.result().properties.state == "Paired"
    ran = Counter(e.details["item"] for e in lab.history.select(op="provider.work", phase="ok"))
    assert ran and max(ran.values()) == 1
    assert_configured(lab)
