"""Fixtures for the workflow suites: a lab and the runbook steps a DR script takes through the SDK
(``drlab.runbook``)."""

from __future__ import annotations

from typing import Any

import pytest

from drlab import Lab
from drlab.runbook import Runbook, hyperv_policy

__all__ = ["Runbook", "hyperv_policy"]


@pytest.fixture
def lab() -> Any:
    with Lab(seed=11) as built:
        yield built


@pytest.fixture
def runbook(lab: Lab) -> Runbook:
    book = Runbook.of(lab)
    book.create_policy()
    return book
