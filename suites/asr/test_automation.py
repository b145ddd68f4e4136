"""The emulated Azure Automation (``asr_emulator.automation``): accounts and runbooks by ARM id,
case-insensitively; a job runs on the lab clock and ends Completed, Failed or Stopped; bad input is a
typed error that registers nothing."""

from __future__ import annotations

import pytest

from asr_emulator.automation import Automation, AutomationJob, DeclaredRunbook, RunbookContext
from asr_emulator.policy import AUTOMATION_JOB_STATUSES
from drlab import Lab, LabConfigError
from scvmm_fake import DeclaredScript
from simcore import Simulation


def test_a_runbook_resolves_by_its_id_and_its_job_ends_after_its_time() -> None:
    sim = Simulation(1)
    automation = Automation(sim)
    account = automation.account("sub", "rg", "aa")
    assert automation.account("SUB", "RG", "AA") is account

    def body(run: RunbookContext) -> None:
        run.write_output(run.context["GroupId"])
        run.sleep(30)

    runbook_id = account.register("Post", body)
    assert automation.resolve(runbook_id.upper().replace("SUBSCRIPTIONS", "subscriptions")) == (account, "Post")
    for bad in ("", "/subscriptions/sub", runbook_id.replace("runbooks", "modules"), runbook_id + "/x",
                account.runbook_id("other")):
        assert automation.resolve(bad) is None
    ended: list[AutomationJob] = []
    job = account.start("post", {"GroupId": "2"}, ended.append)
    assert (job.status, job.output) == ("Running", "2")
    sim.advance(29)
    assert not ended
    sim.advance(1)
    assert ended == [job] and (job.status, job.end_time) == ("Completed", 30.0)
    failing = account.start("post", {}, ended.append)  # the runbook throws: KeyError
    sim.advance(60)
    assert (failing.status, failing.exception) == ("Failed", "KeyError: 'GroupId'")
    account.register("slow", DeclaredRunbook(seconds=100))
    slow = account.start("slow", {}, ended.append)
    account.stop(slow)
    sim.advance(200)
    assert (slow.status, slow.end_time, ended[-1]) == ("Stopped", 90.0, slow)
    statuses = [e.details["status"] for e in sim.history.select(op="automation.job")]
    assert statuses == ["Running", "Completed", "Running", "Failed", "Running", "Stopped"]
    assert set(statuses) == set(AUTOMATION_JOB_STATUSES)


def test_bad_runbooks_accounts_and_durations_are_refused() -> None:
    automation = Automation(Simulation(1))
    account = automation.account("sub", "rg", "aa")
    for name, body, error in (("a/b", DeclaredRunbook(), ValueError), (" ", DeclaredRunbook(), ValueError),
                              ("r", "not a runbook", TypeError)):
        with pytest.raises(error):
            account.register(name, body)  # type: ignore[arg-type]
    assert account.runbooks == []
    for bad in ({"seconds": -1}, {"seconds": float("nan")}):
        with pytest.raises(ValueError):
            DeclaredRunbook(**bad)  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            DeclaredScript(**bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        automation.account("sub", "", "aa")
    with pytest.raises(LabConfigError):
        Lab(seed=1, strict="yes", register=False)  # type: ignore[arg-type]
