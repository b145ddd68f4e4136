"""``serve --time-mode auto``'s clock (``drlab.serve_time.AutoClock``) on a fake wall clock: virtual
time runs at the rate while the lab is busy or a client waits, and stops once everything is idle."""

from __future__ import annotations

import pytest

from drlab import Lab
from drlab.serve import ServeError, ServeOptions
from drlab.serve_time import AUTO_IDLE_AFTER_SECONDS, AutoClock, TimeMode


class Wall:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def lab() -> Lab:
    with Lab(seed=3) as built:
        yield built


def _settle(lab: Lab) -> None:
    """Until both Providers' idle polls stand down and nothing is due."""
    lab.run_until(lambda: not any(p.busy for p in lab.providers.values()) and lab.sim.scheduler.pending() == 0,
                  within=3_600)


def test_time_runs_at_the_rate_while_the_lab_is_busy(lab: Lab) -> None:
    wall = Wall()
    clock = AutoClock(lab, rate=600, wall=wall)
    assert clock.busy()  # the Providers' first polls are still to run
    start = lab.now
    wall.now += 0.5
    assert clock.step() == pytest.approx(300) and lab.now == pytest.approx(start + 300)


def test_time_stops_once_all_is_idle_and_the_idle_wall_time_is_not_made_up(lab: Lab) -> None:
    _settle(lab)
    wall = Wall()
    clock = AutoClock(lab, rate=600, wall=wall)
    frozen = lab.now
    wall.now += 3_600  # an hour of wall time with nobody asking
    assert not clock.busy() and clock.step() == 0 and lab.now == frozen
    clock.touch()  # a client polls: it waits for something, so time runs again
    wall.now += 1
    assert clock.step() == pytest.approx(600) and lab.now == pytest.approx(frozen + 600)
    wall.now += AUTO_IDLE_AFTER_SECONDS
    clock.step()
    moved = lab.now
    wall.now += 10
    assert clock.step() == 0 and lab.now == moved  # the client has been quiet: idle again


@pytest.mark.parametrize("rate", [0.0, -1.0, float("inf"), float("nan")])
def test_a_rate_that_is_not_a_positive_number_is_refused(lab: Lab, rate: float) -> None:
    with pytest.raises(ValueError, match="time rate"):
        AutoClock(lab, rate=rate)
    with pytest.raises(ServeError, match="--time-rate"):
        ServeOptions(time_mode=TimeMode.AUTO, time_rate=rate)
