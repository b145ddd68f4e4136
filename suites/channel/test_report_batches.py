"""Batched work-item reports (PROTOCOL.md §5.1 ``CompleteWorkItems``, Provider policy REPORTS_BATCHED):
the Provider reports what a poll ran in one call per batch; ASR processes the entries in order, each
as a single report would be — first report completes, a later one is a duplicate, an entry's
``idempotencyKey`` is answered from its kept answer, withdrawn work is named — and a lost batch is
sent again at the next poll, never executed again."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from asr_emulator.channel.policy import REPORT_BATCH
from asr_emulator.channel.work import Send, wait_for_work
from asr_emulator.policy import Scenario
from scvmm_fake.provider import SimulatedNetworkTransport
from scvmm_fake.provider.executors import EXECUTORS, executes
from scvmm_fake.provider.policy import REPORTS_BATCHED
from simcore import Delay, Drop, FaultRule, Match

QUICK = "ProbeQuickVmmWork"
SCENARIO = Scenario("ProbeScenario", "Probe", "Server", ())
PATH = "/providers/Microsoft.RecoveryServices/channel/workItems"
FAILED = {"status": "Failed", "error": {"errorCode": 31000, "errorMessage": "no"}}


@pytest.fixture
def runs() -> Iterator[list[str]]:
    """A test executor whose VMM work takes no time; records the job of each run."""
    ran: list[str] = []

    @executes(QUICK, seconds=0.0)
    def probe(provider, payload):  # type: ignore[no-untyped-def]
        ran.append(payload["jobName"])
        return {"ran": True}
    yield ran
    del EXECUTORS[QUICK]


def _jobs(service, vault, provider, count: int) -> list:
    record = vault.channel.provider(provider.registration.provider_name)
    jobs = []
    for _ in range(count):
        wait = wait_for_work(service.channel, vault, task_id=service.backend.new_id(), name="ProbeTask",
                             friendly_name="Probe", sends=lambda: [Send(record, QUICK, {})], timeout=3600.0)
        jobs.append(service.backend.start_job(vault, SCENARIO, target_object_id="t", target_object_name="t",
                                              tasks=[wait]))
    return jobs


def _client(sim, service, provider) -> httpx.Client:
    return httpx.Client(transport=SimulatedNetworkTransport(sim, provider.vmm.name,
                                                            trust_roots=[service.channel.public_root],
                                                            identity=lambda: provider.store.credential),
                        base_url=f"https://{service.channel.endpoint}", trust_env=False)


def _leased(client: httpx.Client, count: int) -> list[str]:
    items = client.post(f"{PATH}/lease", json={"max": count}).json()["workItems"]
    return [item["id"] for item in items]


def _batches(sim) -> list[dict]:
    return [dict(e.details) for e in sim.history.select(op="channel.CompleteWorkItems", phase="ok")]


def _completions(sim) -> list[tuple[str, bool]]:
    return [(e.details["item"], e.details["duplicate"]) for e in sim.history.select(op="channel.workitem")
            if "duplicate" in e.details]


def test_a_batch_is_processed_in_order_each_entry_as_a_single_report(sim, service, vault, registered):
    first, second = _jobs(service, vault, registered, 2)
    client = _client(sim, service, registered)
    a, b = _leased(client, 2)
    answer = client.post(f"{PATH}/complete", json={"items": [
        {"id": a, "status": "Succeeded", "result": {"n": 1}}, {"id": "no-such-item", "status": "Succeeded"},
        {"id": b, **FAILED}, {"id": a, "status": "Failed", **FAILED}]})
    assert answer.status_code == 200
    entries = answer.json()["items"]
    assert [(e["id"], e["status"], e.get("outcome"), e.get("duplicate"), e.get("error", {}).get("code"))
            for e in entries] == [(a, 200, "Succeeded", False, None), ("no-such-item", 404, None, None, "WorkItemNotFound"),
                                  (b, 200, "Failed", False, None), (a, 200, "Succeeded", True, None)]
    assert _completions(sim) == [(a, False), (b, False), (a, True)]  # in the batch's order
    sim.advance(1)
    assert (first.state, second.state) == ("Succeeded", "Failed")
    assert vault.channel.work.get(a).result == {"n": 1}


def test_a_malformed_entry_refuses_the_whole_batch_before_anything_changes(sim, service, vault, registered):
    _jobs(service, vault, registered, 1)
    client = _client(sim, service, registered)
    (a,) = _leased(client, 1)
    for items, target in (([{"id": a, "status": "Succeeded"}, {"id": a, "status": "Maybe"}], "items[1].status"),
                          ([{"id": a, "status": "Succeeded"}, "not an object"], "items[1]"),
                          ([{"id": a, "status": "Failed"}], "items[0].error"),
                          ([], "items"), ([{"id": a, "status": "Succeeded"}] * (REPORT_BATCH + 1), "items")):
        refused = client.post(f"{PATH}/complete", json={"items": items})
        assert refused.status_code == 400 and refused.json()["error"]["target"] == target
    assert vault.channel.work.get(a).state == "Leased" and _completions(sim) == []


def test_an_entry_key_is_answered_from_its_kept_answer_alone_or_in_a_batch(sim, service, vault, registered):
    _jobs(service, vault, registered, 2)
    client = _client(sim, service, registered)
    a, b = _leased(client, 2)
    batch = {"items": [{"id": a, "idempotencyKey": f"workitem:{a}", "status": "Succeeded"}]}
    assert client.post(f"{PATH}/complete", json=batch).json()["items"][0]["duplicate"] is False
    again = client.post(f"{PATH}/complete", json=batch).json()["items"][0]
    alone = client.post(f"{PATH}/{a}/complete", json={"status": "Succeeded"}, headers={"Idempotency-Key": f"workitem:{a}"})
    assert again["duplicate"] is False and alone.json()["duplicate"] is False  # both replayed, neither processed
    single = client.post(f"{PATH}/{b}/complete", json={"status": "Succeeded"}, headers={"Idempotency-Key": f"workitem:{b}"})
    assert single.json()["duplicate"] is False
    mixed = client.post(f"{PATH}/complete", json={"items": [{"id": b, "idempotencyKey": f"workitem:{b}",
                                                             "status": "Succeeded"}]}).json()["items"][0]
    assert (mixed["id"], mixed["status"], mixed["state"], mixed["duplicate"]) == (b, 200, "Completed", False)
    assert _completions(sim) == [(a, False), (b, False)]
    assert [d.get("replayed") for d in _batches(sim)] == [None, 1, 1]
    unkeyed = client.post(f"{PATH}/complete", json={"items": [{"id": a, "status": "Succeeded"}]}).json()["items"][0]
    assert unkeyed["duplicate"] is True  # without a key an entry is processed again: a duplicate


def test_the_answer_names_the_providers_work_withdrawn_since(sim, service, vault, registered):
    reported, cancelled = _jobs(service, vault, registered, 2)
    client = _client(sim, service, registered)
    a, b = _leased(client, 2)
    service.backend.engine.cancel(cancelled)
    answer = client.post(f"{PATH}/complete", json={"items": [{"id": a, "status": "Succeeded"}]}).json()
    assert answer["withdrawn"] == [b]
    assert client.post(f"{PATH}/complete", json={"items": [{"id": b, "status": "Succeeded"}]}).json() == {
        "items": [{"id": b, "status": 200, "state": "Withdrawn", "outcome": None, "duplicate": True}], "withdrawn": []}


def test_a_polls_reports_go_in_one_call_per_batch_in_start_order(sim, service, vault, registered, runs):
    jobs = _jobs(service, vault, registered, REPORTS_BATCHED + 5)
    sim.advance(registered.poll_interval)
    assert all(job.state == "Succeeded" for job in jobs) and len(runs) == len(jobs)
    calls = sim.history.select(op="channel.CompleteWorkItems", phase="invoke")
    assert len(calls) == 2  # REPORTS_BATCHED, then 5
    ran = [e.details["item"] for e in sim.history.select(op="provider.work", phase="ok")]
    assert [item for item, _ in _completions(sim)] == ran


def _lose_reports(sim, registered, service, *, answer: bool) -> FaultRule:
    """Lose the next report call of the Provider (or its answer): every message of that direction on
    the next connection after the handshake and the requests (answers) before the reports."""
    src, dst = (service.node, registered.vmm.name) if answer else (registered.vmm.name, service.node)
    match = Match(point="net.send", src=src, dst=dst, where={"conn": sim.network.opened + 1})
    before = (1 if answer else 2) + 3  # ServerHello | ClientHello + certificate, then heartbeat, lease, renew
    sim.faults.add(FaultRule(Delay(0.0), match, count=before))
    return sim.faults.add(FaultRule(Drop(), match))


@pytest.mark.parametrize("answer", [False, True], ids=["batch lost", "answer lost"])
def test_a_lost_batch_is_sent_again_at_the_next_poll_and_nothing_runs_twice(sim, service, vault, registered, runs,
                                                                             answer):
    jobs = _jobs(service, vault, registered, 3)
    _lose_reports(sim, registered, service, answer=answer)
    sim.advance(registered.poll_interval)
    assert registered.last_error is not None and registered.last_error.operation == "complete"
    assert len(registered.store.unacknowledged) == 3
    sim.advance(2 * registered.poll_interval)
    assert len(runs) == 3 and registered.store.unacknowledged == []
    assert all(job.state == "Succeeded" for job in jobs)
    assert [duplicate for _, duplicate in _completions(sim)] == [False] * 3  # processed once each
    assert _batches(sim)[-1].get("replayed") == (3 if answer else None)
