"""The whole runbook of issue 9 over HTTPS: ``asr-harness serve --time-mode auto`` in a subprocess and
the official SDK driving ``runbook.run`` as a DR script would, polling the item and the recovery
points with no virtual clock of its own — the served lab's time runs with the wall clock while the
script waits, so initial replication ends within seconds of wall time. What it sees step by step is
what the same runbook sees in process."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from ..workflows import runbook
from ..workflows.conftest import Runbook

pytestmark = pytest.mark.sockets

#: Wall seconds a step may wait for; the served clock runs at 3,600 virtual seconds per wall second.
PATIENCE = 60.0


@pytest.fixture(scope="module")
def book() -> Iterator[Runbook]:
    with Runbook.served("--seed", "11", "--time-mode", "auto", "--time-rate", "3600") as served:
        yield served


def test_the_whole_runbook_over_https_with_time_running(book: Runbook) -> None:
    waited: dict[str, float] = {}

    def wait_until(what: str, done: Callable[[], bool]) -> None:
        """Poll back to back, as a script that does not sleep would; the server's clock moves."""
        started = time.monotonic()
        while not done():
            assert time.monotonic() - started < PATIENCE, f"still waiting for {what} after {PATIENCE} s"
        waited[what] = time.monotonic() - started

    assert runbook.run(book, wait_until) == runbook.EXPECTED
    assert waited["initial replication"] < 10  # seconds of wall time, not the virtual hour
