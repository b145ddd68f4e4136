"""The control API's clock (``/_harness/clock``): advance by or to, refusals that change nothing, and the
time mode switched at run time (on-poll is the service's ``advance_on_poll``, auto a task on the loop)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from drlab.control import ControlError, LabControl
from drlab.control_wire import MAX_ADVANCE_SECONDS, MAX_TIME_RATE
from drlab.serve_lab import ServedLab
from drlab.serve_time import POLL_ADVANCE, TimeMode

from .conftest import AUTH, BASE_URL, arm_error, state


def test_the_clock_reads_as_virtual_seconds_utc_mode_and_rate(control: LabControl, served: ServedLab) -> None:
    clock = control.clock()
    assert (clock.now, clock.mode, clock.rate) == (served.lab.now, TimeMode.MANUAL, 600.0)
    assert clock.utc == served.lab.sim.clock.utcnow() and clock.utc.tzinfo is not None
    assert clock.next_due == served.lab.sim.scheduler.next_due()


def test_advance_runs_what_is_due_and_is_recorded(control: LabControl, served: ServedLab) -> None:
    start = control.now()
    polls = len(served.lab.history.select(op="provider.poll"))
    assert control.advance(3600).now == pytest.approx(start + 3600)
    assert len(served.lab.history.select(op="provider.poll")) > polls  # the Providers polled meanwhile
    (event,) = served.lab.history.select(op="harness.advance")
    assert (event.node, dict(event.details)) == ("harness", {"from": start, "to": start + 3600})


def test_advance_to_an_instant_given_as_seconds_or_iso(control: LabControl, http: httpx.Client,
                                                       served: ServedLab) -> None:
    assert control.advance_to(7200).now == 7200
    assert control.advance_to(served.lab.sim.clock.epoch + timedelta(hours=3)).now == 10_800
    again = http.post("/_harness/clock/advance", json={"to": "2026-01-01T05:00:00+02:00"})  # 03:00 UTC: now
    assert again.status_code == 200 and again.json()["now"] == 10_800
    clock = control.advance_to(datetime(2026, 1, 1, 4, tzinfo=timezone.utc))
    assert clock.now == 14_400 and clock.utc == datetime(2026, 1, 1, 4, tzinfo=timezone.utc)


@pytest.mark.parametrize(("body", "code"), [
    (b'{"seconds": NaN}', "InvalidClockAdvance"),
    (b'{"seconds": Infinity}', "InvalidClockAdvance"),
    (b'{"seconds": 1e999}', "InvalidClockAdvance"),
    (b'{"seconds": -1}', "InvalidClockAdvance"),
    (f'{{"seconds": {MAX_ADVANCE_SECONDS + 1}}}'.encode(), "InvalidClockAdvance"),
    (b'{"seconds": "60"}', "InvalidClockAdvance"),
    (b'{"seconds": true}', "InvalidClockAdvance"),
    (b'{"seconds": 60, "to": 120}', "InvalidClockAdvance"),
    (b'{}', "InvalidClockAdvance"),
    (b'', "InvalidClockAdvance"),
    (b'{"to": 0}', "ClockCannotGoBack"),
    (b'{"to": "2025-12-31T23:00:00Z"}', "ClockCannotGoBack"),
    (b'{"to": "2026-01-01T05:00:00"}', "InvalidClockAdvance"),  # naive: which zone?
    (b'{"to": "tomorrow"}', "InvalidClockAdvance"),
    (b'{"to": "9999-12-31T00:00:00Z"}', "InvalidClockAdvance"),  # beyond one advance's bound
    (b'{"secs": 60}', "InvalidRequestContent"),
    (b'[60]', "InvalidRequestContent"),
    (b'{"seconds": 60', "InvalidRequestContent"),
    (b'[' * 100 + b']' * 100, "InvalidRequestContent"),  # deeper than ARM's bound
])
def test_a_bad_advance_is_a_400_and_changes_nothing(http: httpx.Client, served: ServedLab, body: bytes,
                                                    code: str) -> None:
    served.lab.advance(60)
    before = state(served)
    response = http.post("/_harness/clock/advance", content=body, headers={"Content-Type": "application/json"})
    arm_error(response, 400, code)
    assert state(served) == before


def test_the_client_raises_the_arm_error(control: LabControl) -> None:
    with pytest.raises(ControlError) as refused:
        control.advance(-5)
    assert (refused.value.status, refused.value.code) == (400, "InvalidClockAdvance")
    assert "'seconds'" in refused.value.message


def test_the_mode_switches_at_run_time(control: LabControl, served: ServedLab) -> None:
    service = served.lab.service
    assert service.advance_on_poll is None
    assert control.set_mode("on-poll").mode is TimeMode.ON_POLL and service.advance_on_poll == POLL_ADVANCE
    clock = control.set_mode(TimeMode.AUTO, rate=120)
    assert (clock.mode, clock.rate, service.advance_on_poll) == (TimeMode.AUTO, 120, None)
    assert served.clock.auto is not None and not served.clock.ticking  # no loop in process: nothing ticks
    assert control.set_mode("manual").rate == 120  # the rate stays for the next auto
    assert served.clock.auto is None and service.advance_on_poll is None
    assert [e.details["mode"] for e in served.lab.history.select(op="harness.mode")] == ["on-poll", "auto", "manual"]


@pytest.mark.parametrize(("body", "code"), [
    ({"mode": "fast"}, "InvalidTimeMode"),
    ({"mode": 1}, "InvalidTimeMode"),
    ({}, "InvalidTimeMode"),
    ({"mode": "auto", "rate": 0}, "InvalidTimeRate"),
    ({"mode": "auto", "rate": -3}, "InvalidTimeRate"),
    ({"mode": "auto", "rate": MAX_TIME_RATE * 2}, "InvalidTimeRate"),
    ({"mode": "auto", "rate": "600"}, "InvalidTimeRate"),
    ({"mode": "auto", "speed": 2}, "InvalidRequestContent"),
])
def test_a_bad_mode_is_a_400_and_changes_nothing(http: httpx.Client, served: ServedLab, body: dict[str, object],
                                                 code: str) -> None:
    before = state(served)
    arm_error(http.put("/_harness/clock/mode", json=body), 400, code)
    assert state(served) == before


class Wall:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.asyncio
async def test_auto_mode_is_a_task_on_the_servers_loop_started_and_stopped_by_the_mode() -> None:
    from asr_emulator.asgi import AsgiApp
    from drlab.serve import ServeOptions
    from drlab.serve_time import ServedClock

    wall = Wall()
    served = ServedLab(ServeOptions(seed=2), BASE_URL, clock=ServedClock(TimeMode.MANUAL, 600, wall=wall))
    background = asyncio.create_task(served.clock.run())  # what ServeServer runs while it serves
    await asyncio.sleep(0)
    app = served.clock.app(AsgiApp(served, base_url=BASE_URL))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL, headers=AUTH) as client:
        assert not served.clock.ticking
        assert (await client.put("/_harness/clock/mode", json={"mode": "auto"})).status_code == 200
        assert served.clock.ticking and served.clock.auto is not None
        start = served.lab.now
        wall.now += 2  # the client just asked: it is waiting, so time runs at the rate
        assert served.clock.auto.step() == pytest.approx(1200) and served.lab.now == pytest.approx(start + 1200)
        moved = served.lab.now
        assert (await client.put("/_harness/clock/mode", json={"mode": "manual"})).status_code == 200
        assert not served.clock.ticking and served.clock.auto is None
        wall.now += 60
        assert served.lab.now == moved  # manual: nothing moves it
        await client.put("/_harness/clock/mode", json={"mode": "auto"})
        wall.now += 1  # auto starts afresh: the minute spent in manual mode is not made up
        assert served.clock.auto.step() == pytest.approx(600)
    background.cancel()
    with pytest.raises(asyncio.CancelledError):
        await background
    assert not served.clock.ticking
    served.close()


def test_a_reset_keeps_the_mode_and_binds_it_to_the_new_lab(control: LabControl, served: ServedLab) -> None:
    control.set_mode("on-poll")
    old = served.lab
    control.reset()
    assert served.lab is not old and served.lab.service.advance_on_poll == POLL_ADVANCE
    assert control.clock().mode is TimeMode.ON_POLL
