"""The freezegun bridge: code under test reading the wall clock sees virtual time, when asked."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from simcore import Simulation, follow_virtual_time


def test_wall_clock_follows_the_virtual_clock_inside_the_bridge_only() -> None:
    sim = Simulation(0)
    seen: list[datetime] = []
    sim.scheduler.call_later(3600, lambda: seen.append(datetime.now(timezone.utc)))
    with follow_virtual_time(sim.clock):
        assert datetime.now(timezone.utc) == sim.clock.epoch
        sim.advance(7200)
        assert time.time() == sim.clock.utcnow().timestamp()
    assert seen == [sim.clock.to_datetime(3600)]
    assert datetime.now(timezone.utc).year >= 2026 and datetime.now(timezone.utc) != sim.clock.utcnow()
