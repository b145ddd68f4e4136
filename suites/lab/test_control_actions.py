"""Scripts and runbooks through the control API (``/_harness/scripts``, ``/_harness/runbooks``): a
declared script lands on the library share of the sites asked for, a declared runbook in an Automation
account with the ``runbookId`` a plan names, the automation jobs list what each runbook received; every
malformed body is a 400 that changes nothing."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from asr_emulator.automation import DeclaredRunbook
from drlab.control import LabControl
from drlab.serve_lab import ServedLab
from scvmm_fake import DeclaredScript

from .conftest import arm_error


def test_a_declared_script_goes_on_the_sites_asked_for(control: LabControl, served: ServedLab) -> None:
    answer = control.put_script("RPScripts/pre.ps1", exit_code=2, output="o", stderr="e", seconds=30,
                                sites=["recovery"])
    assert answer == {"path": "\\RPScripts\\pre.ps1", "sites": ["recovery"], "servers": ["vmm-chi"], "declared": True}
    lab = served.lab
    found = lab.recovery.vmm.find_library_script("\\rpscripts\\PRE.ps1")
    assert found.body == DeclaredScript(exit_code=2, output="o", stderr="e", seconds=30)
    assert lab.primary.vmm.default_library_share.find_script("\\RPScripts\\pre.ps1") is None
    control.put_script("\\RPScripts\\both.ps1")
    assert all(site.vmm.default_library_share.find_script("\\RPScripts\\both.ps1") for site in lab.sites.values())


def test_a_declared_runbook_is_published_and_its_jobs_are_listed(control: LabControl, served: ServedLab) -> None:
    runbook_id = control.put_runbook("post", output="done", exception="boom", seconds=5)
    lab = served.lab
    assert runbook_id == (f"/subscriptions/{lab.subscription_id}/resourceGroups/{lab.resource_group}/providers/"
                          "Microsoft.Automation/automationAccounts/drlab-automation/runbooks/post")
    account = lab.automation_account()
    assert account.find("POST") == ("post", DeclaredRunbook("done", "boom", 5.0))
    assert control.runbook_jobs() == []
    account.start("post", {"RecoveryPlanName": "rp1"}, lambda _job: None)
    control.advance(10)
    (job,) = control.runbook_jobs()
    assert (job["runbook"], job["status"], job["output"], job["exception"], job["context"]) == (
        "post", "Failed", "done", "boom", {"RecoveryPlanName": "rp1"})


@pytest.mark.parametrize(("path", "body", "target"), [
    ("/_harness/scripts", {}, "path"),
    ("/_harness/scripts", {"path": "\\a\\..\\b.ps1"}, "path"),
    ("/_harness/scripts", {"path": "p.ps1", "sites": ["azure"]}, "sites"),
    ("/_harness/scripts", {"path": "p.ps1", "sites": []}, "sites"),
    ("/_harness/scripts", {"path": "p.ps1", "exitCode": 1.5}, "exitCode"),
    ("/_harness/scripts", {"path": "p.ps1", "seconds": -1}, "seconds"),
    ("/_harness/scripts", {"path": "p.ps1", "stderr": 3}, "stderr"),
    ("/_harness/scripts", {"path": "p.ps1", "script": "x"}, "body.script"),
    ("/_harness/runbooks", {"name": "a/b"}, "name"),
    ("/_harness/runbooks", {"name": "r", "account": " "}, "account"),
    ("/_harness/runbooks", {"name": "r", "seconds": float("inf")}, "seconds"),
    ("/_harness/runbooks", {"name": "r", "exception": 1}, "exception"),
])
def test_malformed_bodies_are_refused_and_change_nothing(http: httpx.Client, served: ServedLab, path: str,
                                                         body: dict[str, Any], target: str) -> None:
    lab = served.lab
    response = http.post(path, content=json.dumps(body), headers={"Content-Type": "application/json"})
    assert arm_error(response, 400, "InvalidRequestContent")["target"] == target
    assert [s.default_library_share.scripts for s in (lab.primary.vmm, lab.recovery.vmm)] == [[], []]
    assert lab.service.automation.accounts == []
