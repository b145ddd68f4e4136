"""Faults at ARM's front door (point ``arm.request``) and the official SDK client's retry policy.

The lab's in-process transport sleeps by advancing the lab clock, and azure-core's RetryPolicy
sleeps only through its transport: a 429's ``Retry-After`` and the exponential back-off between
retries are virtual seconds, so the defaults (retry_total 10, retry_backoff_factor 0.8) are kept
and no test waits in wall time. Each fault fires (``fault.fire``), is answered and recorded
(``arm.<operationId>``), and heals (count used up or window ended).
"""

from __future__ import annotations

import time

import pytest
from azure.core.exceptions import HttpResponseError, ServiceRequestError

from drlab import Lab
from simcore import Delay, Drop, FaultRule, Match, Reset, Respond

BODY = {"properties": {"providerSpecificInput": {"instanceType": "HyperVReplica2012R2", "replicationPort": 8083,
                                                 "allowedAuthenticationType": 1, "replicationFrequencyInSeconds": 30}}}


def _get(operation: str) -> Match:
    return Match(point="arm.request", where={"operation": operation})


def _answers(lab: Lab, operation: str, since: int = 0) -> list[int]:
    """The statuses answered to ``operation`` from history event ``since`` on."""
    return [e.details["status"] for e in lab.history.select(op=f"arm.{operation}")
            if "status" in e.details and e.index >= since]


@pytest.fixture
def lab() -> Lab:
    lab = Lab(seed=3)
    client = lab.azure_client()
    client.replication_policies.begin_create(lab.resource_group, lab.vault_name, "pol", BODY).result()
    return lab


def test_throttled_twice_the_sdk_honours_retry_after_in_virtual_time(lab: Lab) -> None:
    lab.faults.add(FaultRule(Respond(429, "TooManyRequests", "throttled", retry_after=17),
                             _get("ReplicationPolicies_Get"), count=2, name="throttle"))
    before, wall, since = lab.now, time.monotonic(), len(lab.history)
    policy = lab.azure_client().replication_policies.get(lab.resource_group, lab.vault_name, "pol")
    assert policy.name == "pol"
    assert _answers(lab, "ReplicationPolicies_Get", since) == [429, 429, 200]
    assert lab.now - before == pytest.approx(34.0)  # Retry-After: 17, twice, on the lab clock
    assert time.monotonic() - wall < 5.0
    assert [e.details["rule"] for e in lab.history.select(op="fault.fire")] == ["throttle", "throttle"]
    assert lab.history.select(op="fault.heal")[-1].details == {"rule": "throttle", "why": "count used up"}


def test_an_injected_503_is_an_arm_error_and_changes_nothing(lab: Lab) -> None:
    lab.faults.add(FaultRule(Respond(503, "ServiceUnavailable", "The service is unavailable."),
                             _get("ReplicationPolicies_Create"), count=1))
    client = lab.azure_client(retry_total=0)
    with pytest.raises(HttpResponseError) as raised:
        client.replication_policies.begin_create(lab.resource_group, lab.vault_name, "pol2", BODY)
    assert raised.value.status_code == 503 and raised.value.error.code == "ServiceUnavailable"
    assert [p.name for p in client.replication_policies.list(lab.resource_group, lab.vault_name)] == ["pol"]


def test_the_sdk_retries_a_503_on_create_and_the_policy_is_made_once(lab: Lab) -> None:
    lab.faults.add(FaultRule(Respond(503, "ServiceUnavailable", "busy"), _get("ReplicationPolicies_Create"),
                             start=lab.now, end=lab.now + 1.0, name="outage"))
    client = lab.azure_client()
    client.replication_policies.begin_create(lab.resource_group, lab.vault_name, "pol2", BODY).result()
    statuses = _answers(lab, "ReplicationPolicies_Create")
    assert statuses[1] == 503 and statuses[-1] == 202  # back-off (virtual) outlasts the one-second outage
    assert {e.details["why"] for e in lab.history.select(op="fault.heal")} == {"window ended"}
    assert [p.name for p in client.replication_policies.list(lab.resource_group, lab.vault_name)] == ["pol", "pol2"]


def test_a_slow_front_door_advances_the_lab_clock(lab: Lab) -> None:
    lab.faults.add(FaultRule(Delay(40.0), _get("ReplicationPolicies_Get"), count=1))
    before = lab.now
    lab.azure_client().replication_policies.get(lab.resource_group, lab.vault_name, "pol")
    assert lab.now - before == pytest.approx(40.0)
    served = lab.history.select(op="arm.ReplicationPolicies_Get")
    assert served[-1].time - served[-2].time == pytest.approx(40.0)  # invoke at the door, answer 40 s on


def test_a_dropped_request_is_retried_and_a_lost_answer_was_served(lab: Lab) -> None:
    lab.faults.add(FaultRule(Drop(), _get("ReplicationPolicies_Get"), count=1))
    lab.azure_client().replication_policies.get(lab.resource_group, lab.vault_name, "pol")
    gets = lab.history.select(op="arm.ReplicationPolicies_Get", phase="fail")
    assert [e.details for e in gets] == [{"dropped": "request"}]
    with pytest.raises(ServiceRequestError):  # no retries: the client sees its transport's error
        lab.faults.add(FaultRule(Drop(), _get("ReplicationPolicies_Get"), count=1))
        lab.azure_client(retry_total=0).replication_policies.get(lab.resource_group, lab.vault_name, "pol")
    lab.faults.add(FaultRule(Reset(), _get("ReplicationPolicies_Get"), count=1))
    since = len(lab.history)
    lab.azure_client().replication_policies.get(lab.resource_group, lab.vault_name, "pol")
    assert _answers(lab, "ReplicationPolicies_Get", since) == [200, 200]  # served, answer lost, retried
    lost = lab.history.select(op="arm.ReplicationPolicies_Get", where=lambda e: e.details.get("answer") == "lost")
    assert len(lost) == 1 and lost[0].index > since


def test_a_long_running_create_survives_throttled_polls(lab: Lab) -> None:
    lab.faults.add(FaultRule(Respond(429, "TooManyRequests", "throttled", retry_after=5),
                             _get("OperationStatus_Get"), count=3, name="throttle-polls"))
    since = len(lab.history)
    client = lab.azure_client()
    policy = client.replication_policies.begin_create(lab.resource_group, lab.vault_name, "pol3", BODY).result()
    assert policy.name == "pol3"
    assert _answers(lab, "OperationStatus_Get", since).count(429) == 3
    assert lab.history.select(op="fault.heal")[-1].details == {"rule": "throttle-polls", "why": "count used up"}
