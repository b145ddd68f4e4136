"""Fixtures for the control API suites: a served lab in manual time, answered in process, and the
typed client talking to it through an httpx transport (no socket)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from drlab.control import LabControl
from drlab.httpx_transport import HttpxEmulatorTransport
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
