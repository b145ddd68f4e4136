"""Fixtures for the control API suites: a served lab in manual time, answered in process, and the
typed client talking to it through an httpx transport (no socket)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from asr_emulator import HttpRequest
from drlab import Role
from azure.mgmt.recoveryservicessiterecovery import SiteRecoveryManagementClient

from drlab.azure_transport import ARM_BASE_URL, AsrTransport, FakeCredential
from drlab.control import LabControl
from drlab.httpx_transport import HttpxEmulatorTransport
from drlab.runbook import Runbook
from drlab.serve import ServeOptions
from drlab.serve_lab import ServedLab
from drlab.serve_time import TimeMode

BASE_URL = "https://127.0.0.1:8443"
AUTH = {"Authorization": "Bearer test"}


@pytest.fixture
def served() -> Iterator[ServedLab]:
    lab = ServedLab(ServeOptions(seed=5, time_mode=TimeMode.MANUAL), BASE_URL)
    yield lab
    lab.close()


@pytest.fixture
def control(served: ServedLab) -> Iterator[LabControl]:
    with LabControl(BASE_URL, transport=HttpxEmulatorTransport(served)) as client:
        yield client


@pytest.fixture
def http(served: ServedLab) -> Iterator[httpx.Client]:
    """A raw client of the served lab (bearer token sent), for requests the typed client would not make."""
    with httpx.Client(transport=HttpxEmulatorTransport(served), base_url=BASE_URL, headers=AUTH) as client:
        yield client


def state(served: ServedLab) -> tuple[Any, ...]:
    """What a refused request must leave as it was: the clock, the faults, the history, the mode."""
    lab = served.lab
    return (lab, lab.now, [rule.describe() for rule in lab.faults.rules], len(lab.history),
            served.clock.mode, served.clock.rate, lab.service.advance_on_poll)


def arm_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The ARM error envelope of ``response``, checked to have ``status`` and ``code``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code and isinstance(error["message"], str) and error["message"], error
    return error


#: The vault's collections a digest lists: what a DR script would have created and what it started.
_DIGEST_LISTS = ("replicationPolicies", "replicationFabrics", "replicationProtectionContainerMappings",
                 "replicationProtectedItems", "replicationNetworkMappings", "replicationJobs",
                 "replicationRecoveryPlans")


def digest(served: ServedLab) -> tuple[Any, ...]:
    """The served lab's state as a comparable value: the vault's collections as the ARM surface lists
    them, the clock, the schedule's counters, the fault plan and the time mode (read without journaling)."""
    lab = served.lab
    vault = (f"/subscriptions/{lab.subscription_id}/resourceGroups/{lab.resource_group}/providers/"
             f"Microsoft.RecoveryServices/vaults/{lab.vault_name}")
    lists = {name: json.loads(lab.service.handle(HttpRequest("GET", f"{vault}/{name}?api-version=2025-08-01",
                                                              AUTH)).body) for name in _DIGEST_LISTS}
    scheduler = lab.sim.scheduler
    return (lab.seed, lab.now, scheduler.pushed, scheduler.pending(), [rule.describe() for rule in lab.faults.rules],
            json.dumps(lists, sort_keys=True), served.clock.mode, served.clock.rate)


class _Served(AsrTransport):
    """The SDK's transport to a served lab in process: its polls move time as the served lab's time mode
    says (as over HTTPS), never the SDK's own sleeps."""

    def sleep(self, duration: float) -> None:
        pass


def served_runbook(served: ServedLab) -> Runbook:
    """A runbook whose SDK requests go through ``served`` (so they are journaled), in process."""
    lab = served.lab
    client = SiteRecoveryManagementClient(FakeCredential(), lab.subscription_id, base_url=ARM_BASE_URL,
                                          transport=_Served(served, sim=lab.sim), polling_interval=0)
    return Runbook(client, lab.subscription_id, lab.resource_group, lab.vault_name,
                   {role.value: name for role, name in zip(Role, lab.fabric_names())})
