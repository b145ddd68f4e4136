"""Standing exchanges: a periodic exchange stood down while its guard holds resumes on its phase
at the first tick after the guard fails or its deadline passes, and reads as if it had run."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from simcore import Scheduler


def _stood(scheduler: Scheduler, state: dict, *, until: float | None = None) -> list[float]:
    resumed: list[float] = []
    scheduler.standings.stand("client", "server", origin=60.0, interval=60.0, guard=lambda: state["same"],
                              resume=resumed.append, until=until)
    return resumed


@given(st.floats(60.0, 10_000.0), st.floats(0.001, 500.0))
def test_a_change_resumes_the_exchange_at_the_next_tick_on_its_phase(change_at: float, after: float) -> None:
    scheduler = Scheduler()
    scheduler.run_until(60.0)
    state = {"same": True}
    resumed = _stood(scheduler, state)
    scheduler.call_at(change_at, state.update, {"same": False})
    scheduler.run_until(change_at + after)
    assert len(resumed) == 1
    assert change_at < resumed[0] <= change_at + 60.0
    assert abs((resumed[0] - 60.0) / 60.0 - round((resumed[0] - 60.0) / 60.0)) < 1e-9  # on the phase
    assert scheduler.standings.get("client", "server") is None


def test_a_change_made_between_runs_is_seen_when_the_next_run_starts() -> None:
    scheduler = Scheduler()
    scheduler.run_until(60.0)
    state = {"same": True}
    resumed = _stood(scheduler, state)
    scheduler.run_until(1_000.0)
    state["same"] = False
    scheduler.run_until(1_000.5)
    assert resumed == [1_020.0]


def test_nothing_runs_while_it_stands_and_its_deadline_resumes_it() -> None:
    scheduler = Scheduler()
    scheduler.run_until(60.0)
    resumed = _stood(scheduler, {"same": True}, until=10_000.0)
    assert scheduler.run_until_idle() == 0  # the deadline is background work
    scheduler.run_until(20_000.0)
    assert resumed == [10_020.0]


def test_instants_of_the_stood_exchange_recur_until_it_resumes_or_ends() -> None:
    scheduler = Scheduler()
    scheduler.run_until(60.0)
    state = {"same": True}
    _stood(scheduler, state)
    standing = scheduler.standings.latest("client", "server")
    assert standing is not None
    scheduler.run_until(600.0)
    assert standing.recurring(60.5, scheduler.clock.now) == 540.5  # 600.5 has not happened yet
    assert standing.recurring(12.0, scheduler.clock.now) == 12.0  # not from the exchange at 60
    state["same"] = False
    scheduler.run_until(700.0)
    assert standing.resumed_at == 660.0
    assert standing.recurring(60.5, 5_000.0) == 600.5  # from 660 on, the exchange runs for real
    ended = _stood(scheduler, {"same": True})
    later = scheduler.standings.latest("client", "server")
    assert later is not None and later is not standing
    later.end()
    assert ended == [] and scheduler.standings.get("client", "server") is None
