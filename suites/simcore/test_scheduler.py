"""The scheduler: time order, tie order, idleness, predicates, and replay by seed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simcore import DeadlineExceeded, SchedulingError, Scheduler, Simulation

delays = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(st.lists(st.tuples(delays, st.booleans()), min_size=1, max_size=60))
def test_events_run_in_time_order_and_ties_in_scheduling_order(plan: list[tuple[float, bool]]) -> None:
    scheduler = Scheduler()
    ran: list[tuple[float, int]] = []
    for order, (delay, _) in enumerate(plan):
        scheduler.call_later(delay, lambda o=order: ran.append((scheduler.clock.now, o)))
    # some delays repeat on purpose: reuse earlier delays to force ties
    for order, (delay, tie) in enumerate(plan, start=len(plan)):
        if tie:
            scheduler.call_later(plan[order % len(plan)][0], lambda o=order: ran.append((scheduler.clock.now, o)))
    scheduler.run_until_idle()
    assert [t for t, _ in ran] == sorted(t for t, _ in ran)
    for (t1, o1), (t2, o2) in zip(ran, ran[1:]):
        if t1 == t2:
            assert o1 < o2, "events at the same instant must run in the order they were scheduled"
    assert len(ran) == len(plan) + sum(tie for _, tie in plan)


@given(st.lists(delays, min_size=1, max_size=30), st.data())
def test_cancelled_timers_never_run(delays_: list[float], data: st.DataObject) -> None:
    scheduler = Scheduler()
    ran: list[int] = []
    timers = [scheduler.call_later(d, ran.append, i) for i, d in enumerate(delays_)]
    cancelled = data.draw(st.sets(st.sampled_from(range(len(timers)))))
    for i in sorted(cancelled):
        timers[i].cancel()
    assert scheduler.pending() == len(timers) - len(cancelled)
    scheduler.run_until_idle()
    assert sorted(ran) == sorted(set(range(len(timers))) - cancelled)
    assert scheduler.pending() == 0


def test_run_until_an_instant_runs_everything_due_and_stops_the_clock_there() -> None:
    scheduler = Scheduler()
    ran: list[float] = []
    for t in (5.0, 10.0, 10.0, 15.0):
        scheduler.call_at(t, lambda: ran.append(scheduler.clock.now))
    scheduler.run_until(10.0)
    assert ran == [5.0, 10.0, 10.0]
    assert scheduler.clock.now == 10.0
    scheduler.run_until(scheduler.clock.to_datetime(12.5))
    assert scheduler.clock.now == 12.5 and ran == [5.0, 10.0, 10.0]


def test_periodic_work_runs_every_interval_but_does_not_keep_run_until_idle_busy() -> None:
    scheduler = Scheduler()
    ticks: list[float] = []
    scheduler.call_every(30, lambda: ticks.append(scheduler.clock.now))
    scheduler.call_later(100, lambda: None)
    scheduler.run_until_idle()
    assert scheduler.clock.now == 100
    assert ticks == [30, 60, 90]
    scheduler.advance(60)
    assert ticks == [30, 60, 90, 120, 150]


def test_a_periodic_timer_cancelled_from_its_own_callback_stops() -> None:
    scheduler = Scheduler()
    ticks: list[float] = []

    def tick() -> None:
        ticks.append(scheduler.clock.now)
        if len(ticks) == 3:
            timer.cancel()

    timer = scheduler.call_every(10, tick, first=0)
    scheduler.advance(100)
    assert ticks == [0, 10, 20]


def test_run_until_a_predicate_and_its_deadline() -> None:
    scheduler = Scheduler()
    flags: list[int] = []
    scheduler.call_every(7, lambda: flags.append(1))
    scheduler.run_until(lambda: len(flags) == 3, within=100)
    assert scheduler.clock.now == 21
    with pytest.raises(DeadlineExceeded):
        scheduler.run_until(lambda: len(flags) == 100, within=50)
    assert scheduler.clock.now == 71  # the deadline, not beyond it
    assert len(flags) == 10


def test_run_until_a_predicate_with_nothing_left_to_run_fails_at_once() -> None:
    scheduler = Scheduler()
    with pytest.raises(DeadlineExceeded, match="nothing left"):
        scheduler.run_until(lambda: False)
    assert scheduler.clock.now == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.call_later(-1, print),
        lambda s: s.call_later(float("nan"), print),
        lambda s: s.call_later(float("inf"), print),
        lambda s: s.call_at(5, print),  # the clock is at 10
        lambda s: s.call_at(s.clock.epoch, print),
        lambda s: s.call_every(0, print),
        lambda s: s.call_every(10, print, first=-1),
        lambda s: s.run_until(3),
        lambda s: s.advance(-1),
        lambda s: s.run_until(20, within=5),
    ],
)
def test_bad_scheduling_raises_and_changes_nothing(call) -> None:
    scheduler = Scheduler()
    scheduler.advance(10)
    scheduler.call_later(1, print)
    before = (scheduler.clock.now, scheduler.pending(), len(scheduler._queue))
    with pytest.raises(SchedulingError):
        call(scheduler)
    assert (scheduler.clock.now, scheduler.pending(), len(scheduler._queue)) == before


def test_naive_datetimes_are_refused() -> None:
    scheduler = Scheduler()
    with pytest.raises(SchedulingError, match="naive"):
        scheduler.call_at(scheduler.clock.utcnow().replace(tzinfo=None) + timedelta(1), print)


def _scripted_run(seed: int) -> str:
    """A little workload that draws from several streams and records everything it does."""
    sim = Simulation(seed)
    jitter = sim.random.stream("workload")

    def write(vm: str) -> None:
        sim.history.record(vm, "write", "ok", {"bytes": jitter.randrange(1, 4096)})
        if jitter.random() < 0.7:
            sim.scheduler.call_later(jitter.expovariate(1 / 30), write, vm)

    for vm in ("vm-a", "vm-b", "vm-c"):
        sim.scheduler.call_later(jitter.uniform(0, 5), write, vm)
    sim.scheduler.call_every(60, lambda: sim.history.record("monitor", "tick"))
    sim.run_until_idle()
    sim.advance(120)
    return sim.history.dumps()


@given(st.integers(min_value=0, max_value=2**32))
def test_same_seed_same_calls_give_identical_histories(seed: int) -> None:
    assert _scripted_run(seed) == _scripted_run(seed)


def test_different_seeds_give_different_histories() -> None:
    assert len({_scripted_run(seed) for seed in range(5)}) == 5


def test_a_callback_may_wait_for_a_later_event_by_running_the_scheduler_itself() -> None:
    """How a synchronous client (an httpx transport over the simulated network) waits for a reply:
    it runs the scheduler from inside a callback until the reply has arrived."""
    scheduler = Scheduler()
    log: list[tuple[str, float]] = []
    reply: list[str] = []

    def request() -> None:
        scheduler.call_later(2.0, reply.append, "pong")
        scheduler.run_until(lambda: bool(reply), within=10)
        log.append(("got reply", scheduler.clock.now))

    scheduler.call_at(1.0, request)
    scheduler.call_at(1.5, lambda: log.append(("other work", scheduler.clock.now)))
    scheduler.run_until(2.0)
    assert log == [("other work", 1.5), ("got reply", 3.0)]
    assert scheduler.clock.now == 3.0  # never back to 2.0


def test_a_periodic_callback_that_waits_past_its_next_tick_does_not_rewind_the_clock() -> None:
    """A Provider poll whose request is delayed longer than the poll interval: the missed ticks
    are coalesced on the timer's phase, never re-armed in the past."""
    scheduler = Scheduler()
    ticks: list[float] = []

    def poll() -> None:
        ticks.append(scheduler.clock.now)
        if len(ticks) == 1:
            scheduler.run_until(scheduler.clock.now + 150)  # the reply took 150 s

    scheduler.call_every(60, poll)
    scheduler.advance(400)
    assert ticks == [60.0, 240.0, 300.0, 360.0]  # 120 and 180 passed during the wait


nested_waits = st.lists(st.tuples(st.floats(0.1, 200), st.floats(0, 300), st.booleans()), min_size=1, max_size=25)


@given(nested_waits, st.floats(1, 120))
def test_whatever_callbacks_wait_for_the_clock_never_moves_back(waits: list[tuple[float, float, bool]], interval: float) -> None:
    """Every timer, periodic or not, may run the scheduler itself for any span (to an instant or
    to a predicate with a deadline); each callback sees a clock at or after the last one seen."""
    scheduler = Scheduler()
    seen: list[float] = []
    plan = iter(waits)

    def callback() -> None:
        seen.append(scheduler.clock.now)
        step = next(plan, None)
        if step is None:
            return
        at, wait, by_predicate = step
        scheduler.call_later(at, callback)
        if by_predicate:
            with pytest.raises(DeadlineExceeded):
                scheduler.run_until(lambda: False, within=wait)
        else:
            scheduler.run_until(scheduler.clock.now + wait)
        seen.append(scheduler.clock.now)

    scheduler.call_every(interval, callback)
    scheduler.call_later(0, callback)
    scheduler.advance(2_000)
    assert seen == sorted(seen)
    assert scheduler.clock.now == 2_000 or scheduler.clock.now == max(seen)
