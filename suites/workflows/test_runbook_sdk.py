"""The whole runbook of issue 9 in process through the official SDK (``runbook.run``): every step's
job and item state as recorded, the test VM connected to the recovery network, the failback moved
to an older recovery point and committed."""

from __future__ import annotations

from collections.abc import Callable

from drlab import Lab

from . import runbook
from .conftest import Runbook


def test_the_whole_runbook_in_process(lab: Lab) -> None:
    def wait_until(what: str, done: Callable[[], bool]) -> None:
        """Poll every 30 virtual seconds, as a script would (what it waits for may be derived from
        time alone, as recovery points are, with no event to run to)."""
        for _ in range(24 * 120):
            if done():
                return
            lab.advance(30)
        raise AssertionError(f"still waiting for {what} after a virtual day")

    assert runbook.run(Runbook.of(lab), wait_until) == runbook.EXPECTED
