"""Faults through the control API (``/_harness/faults``): the simcore rules as JSON, added, listed with
what is left of them, healed; a partition cuts a Provider off the service until healed; every malformed
rule is a 400 that adds nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from drlab.control import ControlError, LabControl
from drlab.control_faults import rule_from_json, rule_to_json
from drlab.serve_lab import ServedLab
from simcore import Corrupt, Delay, Drop, Duplicate, Fail, FaultRule, Match, Outage, Partition, Respond, Skew

from .conftest import arm_error, state


def _connects(served: ServedLab, phase: str, since: float) -> list[Any]:
    return served.lab.history.select(op="net.connect", node="vmm-ny", phase=phase, since=since)


def test_a_partition_cuts_the_provider_off_and_heal_restores_it(control: LabControl, served: ServedLab) -> None:
    control.advance(600)
    cut = control.add_fault(FaultRule(Partition(), Match(src="vmm-ny", dst="asr", bidirectional=True)))
    assert (cut.id, cut.action, cut.active, cut.remaining_count, cut.remaining_seconds) == (
        "fault-1", "partition", True, None, None)
    start = control.now()
    control.advance(600)
    assert _connects(served, "fail", start) and not _connects(served, "ok", start)
    assert control.heal(cut.id) == ["fault-1"] and control.faults() == []
    healed = control.now()
    control.advance(600)
    assert _connects(served, "ok", healed)  # the Provider's polls get through again
    starts = [e.details["rule"] for e in served.lab.history.select(op="fault.start")]
    heals = [(e.details["rule"], e.details["why"]) for e in served.lab.history.select(op="fault.heal")]
    assert starts == ["fault-1"] and heals == [("fault-1", "healed")]


def test_names_and_fqdns_resolve_to_the_nodes_and_a_match_is_one_way_unless_said(control: LabControl,
                                                                                  served: ServedLab) -> None:
    fault = control.add_fault({"action": "partition", "match": {"src": "vmm-ny.contoso.com", "dst": ["asr"]}})
    (rule,) = served.lab.faults.rules
    assert rule.match == Match(src="vmm-ny", dst=("asr",)) and not rule.match.bidirectional
    assert fault.raw["match"] == {"src": "vmm-ny", "dst": ["asr"]}


def test_a_counted_rule_shows_what_is_left_and_goes_once_used_up(control: LabControl, served: ServedLab) -> None:
    control.add_fault({"id": "lose-two", "action": "drop", "count": 2,
                       "match": {"point": "net.connect", "src": "vmm-chi"}})
    (fault,) = control.faults()
    assert (fault.id, fault.fired, fault.remaining_count) == ("lose-two", 0, 2)
    for _ in range(20):  # the Provider's next connect (its polls are a minute apart at most)
        control.advance(60)
        if control.faults()[0].fired:
            break
    assert control.faults()[0].remaining_count == 1
    control.advance(600)
    assert control.faults() == []
    assert served.lab.history.select(op="fault.heal")[-1].details == {"rule": "lose-two", "why": "count used up"}


def test_a_windowed_rule_shows_its_time_left_and_heals_itself(control: LabControl) -> None:
    control.add_fault({"action": "delay", "params": {"seconds": 1.5, "jitter": 0.5}, "probability": 0.25,
                       "duration": 300})
    control.advance(100)
    (fault,) = control.faults()
    assert fault.remaining_seconds == pytest.approx(200) and fault.raw["params"] == {"seconds": 1.5, "jitter": 0.5}
    control.advance(200)
    assert control.faults() == []


def test_a_rule_waiting_for_its_start_is_listed_inactive(control: LabControl) -> None:
    now = control.now()
    control.add_fault({"action": "drop", "start": now + 600, "end": "2026-01-01T02:00:00Z"})
    (fault,) = control.faults()
    assert not fault.active and fault.raw["end"] == 7200
    control.advance(600)
    assert control.faults()[0].active


def test_heal_all_heals_every_rule_in_order(control: LabControl) -> None:
    for body in ({"action": "drop", "id": "a"}, {"action": "refuse", "id": "b"}, {"action": "reset"}):
        control.add_fault(body)
    assert control.heal() == ["a", "b", "fault-3"] and control.faults() == []
    assert control.heal() == []


@pytest.mark.parametrize("rule", [
    FaultRule(Partition(), Match(src="vmm-ny", dst="asr", bidirectional=True), start=10.0, end=99.0),
    FaultRule(Delay(2.0, jitter=0.5), Match(point="net.send", src=("hv-ny-1", "hv-ny-2"), port=443),
              probability=0.5, count=3),
    FaultRule(Duplicate(2), Match(point="net.*")),
    FaultRule(Fail("Boom", "injected"), Match(point="vmm.cmdlet", where={"cmdlet": "New-SCVirtualMachine"}),
              name="vmm-fails"),
    FaultRule(Drop()),
    FaultRule(Respond(429, "TooManyRequests", "slow down", retry_after=17), Match(point="arm.request",
                                                                                 where={"method": "PUT"}), count=2),
    FaultRule(Outage(), Match(point="provider.process", where={"node": "vmm-ny"}), end=600.0),
    FaultRule(Skew(-90.5), Match(point="clock", where={"node": "hv-chi-1"})),
    FaultRule(Corrupt(), Match(point="hyperv.log"), count=1),
])
def test_the_json_of_a_rule_reads_back_to_the_same_rule(rule: FaultRule) -> None:
    back = rule_from_json(rule_to_json(rule), node=lambda name: name, now=0.0, to_seconds=lambda when: 0.0)
    assert (back.action, back.match, back.probability, back.count, back.start, back.end, back.name) == (
        rule.action, rule.match, rule.probability, rule.count, rule.start, rule.end, rule.name)


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"action": "explode"}, 400, "InvalidFaultRule"),
    ({"match": {"src": "vmm-ny"}}, 400, "InvalidFaultRule"),  # no action
    ({"action": "partition", "probability": 0.5}, 400, "InvalidFaultRule"),  # a partition is a state
    ({"action": "partition", "count": 1}, 400, "InvalidFaultRule"),
    ({"action": "drop", "probability": 1.5}, 400, "InvalidFaultRule"),
    ({"action": "drop", "count": 0}, 400, "InvalidFaultRule"),
    ({"action": "drop", "count": True}, 400, "InvalidFaultRule"),
    ({"action": "drop", "end": 0}, 400, "InvalidFaultRule"),  # a window that ended already
    ({"action": "drop", "start": 50, "end": 40}, 400, "InvalidFaultRule"),
    ({"action": "drop", "end": 900, "duration": 60}, 400, "InvalidFaultRule"),
    ({"action": "drop", "duration": -1}, 400, "InvalidFaultRule"),
    ({"action": "delay", "params": {"seconds": -1}}, 400, "InvalidFaultRule"),
    ({"action": "delay", "params": {"secs": 1}}, 400, "InvalidRequestContent"),
    ({"action": "drop", "params": {"seconds": 1}}, 400, "InvalidRequestContent"),
    ({"action": "duplicate", "params": {"copies": 10_000}}, 400, "InvalidFaultRule"),
    ({"action": "respond", "params": {"status": 200}}, 400, "InvalidFaultRule"),  # an error status only
    ({"action": "respond", "params": {"retry_after": -1}}, 400, "InvalidFaultRule"),
    ({"action": "respond", "params": {"code": 7}}, 400, "InvalidFaultRule"),
    ({"action": "skew", "params": {"seconds": "1h"}}, 400, "InvalidFaultRule"),
    ({"action": "outage", "probability": 0.5}, 400, "InvalidFaultRule"),  # a state, like a partition
    ({"action": "corrupt", "params": {"bytes": 1}}, 400, "InvalidRequestContent"),
    ({"action": "drop", "match": {"src": "vmm-paris"}}, 400, "UnknownNode"),
    ({"action": "drop", "match": {"dst": []}}, 400, "InvalidFaultRule"),
    ({"action": "drop", "match": {"dst": [1]}}, 400, "InvalidFaultRule"),
    ({"action": "drop", "match": {"port": 70_000}}, 400, "InvalidFaultRule"),
    ({"action": "drop", "match": {"point": "net send"}}, 400, "InvalidFaultRule"),
    ({"action": "drop", "match": {"where": {"cmdlet": ["a"]}}}, 400, "InvalidFaultRule"),
    ({"action": "drop", "match": {"bidirectional": "yes"}}, 400, "InvalidFaultRule"),
    ({"action": "drop", "match": {"host": "vmm-ny"}}, 400, "InvalidRequestContent"),
    ({"action": "drop", "id": "fault-9"}, 400, "InvalidFaultRule"),  # the plan's own ids
    ({"action": "drop", "id": "a/b"}, 400, "InvalidFaultRule"),
    ({"action": "drop", "name": "x"}, 400, "InvalidRequestContent"),
    ({"action": "drop", "id": "taken"}, 409, "FaultAlreadyExists"),
])
def test_a_bad_rule_is_refused_and_adds_nothing(http: httpx.Client, served: ServedLab, body: dict[str, Any],
                                               status: int, code: str) -> None:
    http.post("/_harness/faults", json={"action": "refuse", "id": "taken"}).raise_for_status()
    before = state(served)
    arm_error(http.post("/_harness/faults", json=body), status, code)
    assert state(served) == before


def test_healing_or_reading_a_fault_that_is_not_there_is_a_404(control: LabControl, http: httpx.Client) -> None:
    arm_error(http.delete("/_harness/faults/nope"), 404, "FaultNotFound")
    arm_error(http.get("/_harness/faults/nope"), 404, "FaultNotFound")
    fault = control.add_fault(FaultRule(Drop(), Match(point="vmm.job")))
    assert http.get(f"/_harness/faults/{fault.id}").json()["match"] == {"point": "vmm.job"}
    with pytest.raises(ControlError) as refused:
        control.heal("fault-99")
    assert (refused.value.status, refused.value.code) == (404, "FaultNotFound")
