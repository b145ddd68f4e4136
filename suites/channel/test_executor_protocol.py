"""The Provider's executor protocol (PROTOCOL.md §5.1, ``scvmm_fake.provider.executors``): work
that takes VMM time is started when leased, its lease renewed at every poll, run when its time is
up and reported then — a late completion the job waits for; work whose job stopped (cancelled,
failed, timed out) is abandoned at the next renewal and never runs, whatever the Provider does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from asr_emulator.channel.policy import LEASE_SECONDS
from asr_emulator.channel.work import Send, wait_for_work
from asr_emulator.policy import Scenario
from scvmm_fake.provider.executors import EXECUTORS, executes
from simcore import FaultRule, Match, Partition

SLOW = "ProbeSlowVmmWork"
SECONDS = 3 * LEASE_SECONDS  # longer than a lease: only renewals keep it
SCENARIO = Scenario("ProbeScenario", "Probe", "Server", ())


@pytest.fixture
def runs() -> Iterator[list[float]]:
    """A test executor whose VMM work takes ``SECONDS``; records the instants it ran."""
    ran: list[float] = []

    @executes(SLOW, seconds=SECONDS)
    def probe(provider, payload):  # type: ignore[no-untyped-def]
        ran.append(provider.sim.clock.now)
        return {"ran": True}
    yield ran
    del EXECUTORS[SLOW]


def _job(service, vault, provider, *, timeout: float = 4 * SECONDS):
    record = vault.channel.provider(provider.registration.provider_name)
    wait = wait_for_work(service.channel, vault, task_id=service.backend.new_id(), name="ProbeTask",
                         friendly_name="Probe", sends=lambda: [Send(record, SLOW, {})], timeout=timeout)
    return service.backend.start_job(vault, SCENARIO, target_object_id="t", target_object_name="t", tasks=[wait])


def _item_events(sim, **match) -> list[dict]:
    return [dict(e.details) for e in sim.history.select(op="channel.workitem")
            if all(e.details.get(k) == v for k, v in match.items())]


def test_long_work_renews_its_lease_runs_once_and_completes_late(sim, service, vault, registered, runs):
    job = _job(service, vault, registered)
    started = sim.clock.now
    sim.advance(SECONDS + 2 * registered.poll_interval)
    assert len(runs) == 1 and SECONDS <= runs[0] - started <= SECONDS + 2 * registered.poll_interval
    assert job.state == "Succeeded" and job.tasks[0].state == "Succeeded"
    assert [e["attempt"] for e in _item_events(sim, state="Leased") if "attempt" in e] == [1]  # never leased again
    renewals = [e for e in _item_events(sim) if "renewed" in e]
    assert len(renewals) >= SECONDS / registered.poll_interval  # one per poll while it worked
    (completed,) = _item_events(sim, state="Completed")
    assert completed["outcome"] == "Succeeded"


def test_work_of_a_cancelled_job_is_abandoned_at_the_next_renewal_and_never_runs(sim, service, vault, registered,
                                                                                  runs):
    job = _job(service, vault, registered)
    sim.advance(2 * registered.poll_interval)  # leased, the VMM work under way
    assert registered.store.in_flight
    service.backend.engine.cancel(job)
    sim.advance(SECONDS * 3)
    assert runs == [] and not registered.store.in_flight and job.state == "Cancelled"
    abandoned = [e.details for e in sim.history.select(op="provider.work", phase="info")]
    assert [d.get("abandoned") for d in abandoned] == ["WorkItemWithdrawn"]


def test_work_of_a_timed_out_job_never_runs_even_when_the_provider_restarts(sim, service, vault, registered, runs):
    job = _job(service, vault, registered, timeout=SECONDS / 2)
    sim.advance(2 * registered.poll_interval)
    registered.restart()  # what was in flight is in the persistent store
    sim.advance(SECONDS * 3)
    assert job.state == "Failed" and job.errors[0].failure.code == "150400"
    assert runs == [] and not registered.store.in_flight


def test_work_withdrawn_before_it_was_leased_is_never_leased(sim, service, vault, registered, site, runs):
    rule = sim.faults.add(FaultRule(Partition(), Match(src=site.vmm.name, dst=service.node, bidirectional=True)))
    job = _job(service, vault, registered)
    service.backend.engine.cancel(job)
    sim.faults.heal(rule)
    sim.advance(SECONDS * 2)
    assert runs == [] and [e for e in _item_events(sim, state="Leased") if "attempt" in e] == []
    assert registered.last_error is None  # the Provider is back and polling


def test_a_restart_in_the_middle_of_long_work_neither_restarts_it_nor_runs_it_twice(sim, service, vault, registered,
                                                                                     runs):
    job = _job(service, vault, registered)
    started = sim.clock.now
    sim.advance(SECONDS / 2)
    registered.restart()
    sim.advance(SECONDS)
    assert len(runs) == 1 and runs[0] - started < SECONDS + 2 * registered.poll_interval  # it kept its due time
    assert job.state == "Succeeded"


def test_an_executor_bug_fails_its_work_item_and_never_escapes_into_the_lab(sim, service, vault, registered):
    """Policy EXECUTOR_BUG_REPORTED: the job fails with the Provider's error; time goes on."""
    @executes(SLOW, seconds=0.0)
    def broken(provider, payload):  # type: ignore[no-untyped-def]
        raise KeyError("vmNetworkId")
    try:
        job = _job(service, vault, registered)
        sim.advance(2 * registered.poll_interval)
    finally:
        del EXECUTORS[SLOW]
    assert job.state == "Failed"
    assert "KeyError" in job.errors[0].failure.message
    (bug,) = [e.details["bug"] for e in sim.history.select(op="provider.work", phase="fail")]
    assert bug == "KeyError: 'vmNetworkId'" and registered.last_error is None


def test_one_poll_leases_everything_pending_a_batch_at_a_time(sim, service, vault, registered, runs):
    """Policy LEASE_UNTIL_DRAINED: 25 items (batches of 10) are all under way after one poll."""
    from asr_emulator.channel.policy import LEASE_BATCH
    record = vault.channel.provider(registered.registration.provider_name)
    count = 2 * LEASE_BATCH + 5
    wait = wait_for_work(service.channel, vault, task_id=service.backend.new_id(), name="ProbeTask",
                         friendly_name="Probe", sends=lambda: [Send(record, SLOW, {}) for _ in range(count)],
                         timeout=4 * SECONDS)
    service.backend.start_job(vault, SCENARIO, target_object_id="t", target_object_name="t", tasks=[wait])
    sim.advance(registered.poll_interval)
    assert len(registered.store.in_flight) == count
    assert len([e for e in _item_events(sim, state="Leased") if "attempt" in e]) == count


def _cancelling_pair(service, vault, registered, seconds: float) -> list:
    """Two jobs: the first one's item (VMM work of ``seconds``) cancels the second job when it runs
    (as an operator could meanwhile); the second one's item is ``SLOW``."""
    cancelling = "ProbeCancellingVmmWork"
    jobs: list = []

    @executes(cancelling, seconds=seconds)
    def cancel_the_other(provider, payload):  # type: ignore[no-untyped-def]
        service.backend.engine.cancel(jobs[1])
        return {}
    try:
        record = vault.channel.provider(registered.registration.provider_name)
        for kind in (cancelling, SLOW):
            wait = wait_for_work(service.channel, vault, task_id=service.backend.new_id(), name="ProbeTask",
                                 friendly_name="Probe", sends=lambda kind=kind: [Send(record, kind, {})],
                                 timeout=4 * SECONDS)
            jobs.append(service.backend.start_job(vault, SCENARIO, target_object_id="t", target_object_name="t",
                                                  tasks=[wait]))
        service.sim.advance(SECONDS + 2 * registered.poll_interval)
    finally:
        del EXECUTORS[cancelling]
    return jobs


def test_work_whose_job_stops_during_the_poll_is_abandoned_and_never_runs(sim, service, vault, registered, runs):
    """The answer to the poll's reports names the started work a report's poll stopped (``withdrawn``):
    the first item's work cancels the second item's job; the second item, not due yet, is abandoned
    at once — in the poll that reported the first — never renewed again and never run."""
    jobs = _cancelling_pair(service, vault, registered, SECONDS / 2)
    assert [job.state for job in jobs] == ["Succeeded", "Cancelled"] and runs == [] and not registered.store.in_flight
    (ran,) = sim.history.select(op="provider.work", phase="ok")
    (abandoned,) = sim.history.select(op="provider.work", phase="info")
    assert (abandoned.details["kind"], abandoned.details.get("abandoned")) == (SLOW, "WorkItemWithdrawn")
    assert ran.time <= abandoned.time < ran.time + registered.poll_interval  # heard in that poll, not the next
    gone = abandoned.details["item"]
    assert not [e for e in sim.history.select(op="channel.workitem") if e.details["item"] == gone
                and "renewed" in e.details and e.time > ran.time]


def test_work_due_in_the_poll_its_job_stops_in_runs_and_its_report_changes_nothing(sim, service, vault, registered,
                                                                                    runs):
    """Policy REPORTS_BATCHED: both items are due at the same poll and renewed a moment before they run;
    the first one's work cancels the second one's job, which the Provider hears of only in the answer
    to the poll's reports — after the second item ran. Its report is acknowledged without effect: the
    job stays cancelled, the item withdrawn, and nothing runs again."""
    jobs = _cancelling_pair(service, vault, registered, SECONDS)
    assert [job.state for job in jobs] == ["Succeeded", "Cancelled"] and len(runs) == 1
    assert not registered.store.in_flight and registered.store.unacknowledged == []
    late = [e for e in _item_events(sim, kind=SLOW) if "duplicate" in e]
    assert [(e["state"], e["duplicate"]) for e in late] == [("Withdrawn", True)]


def test_one_renewal_answers_each_item_on_its_own(sim, service, vault, registered, runs):
    """RenewWorkItems: a renewed item, a withdrawn one and an unknown one each get their own answer; a
    malformed entry refuses the whole call before anything is renewed."""
    import httpx

    from scvmm_fake.provider import SimulatedNetworkTransport
    renewed, withdrawn = _job(service, vault, registered), _job(service, vault, registered)
    sim.advance(registered.poll_interval)
    service.backend.engine.cancel(withdrawn)
    ((kept_id, kept),) = [(i, f) for i, f in registered.store.in_flight.items() if f.payload["jobName"] == renewed.name]
    gone_id = next(i for i in registered.store.in_flight if i != kept_id)
    client = httpx.Client(transport=SimulatedNetworkTransport(sim, registered.vmm.name,
                                                              trust_roots=[service.channel.public_root],
                                                              identity=lambda: registered.store.credential),
                          base_url=f"https://{service.channel.endpoint}", trust_env=False)
    path = "/providers/Microsoft.RecoveryServices/channel/workItems/renew"
    item = vault.channel.work.get(kept_id)
    before = item.lease_expires
    refused = client.post(path, json={"items": [{"id": kept_id}, "not an object"]})
    assert refused.status_code == 400 and item.lease_expires == before
    sim.advance(1)
    answer = client.post(path, json={"items": [{"id": kept_id, "progress": {"due": kept.due}}, {"id": gone_id},
                                               {"id": "no-such-item"}]}).json()["items"]
    assert [(a["id"], a["status"], a.get("state"), a.get("error", {}).get("code")) for a in answer] == [
        (kept_id, 200, "Leased", None), (gone_id, 409, None, "WorkItemWithdrawn"), ("no-such-item", 404, None, "WorkItemNotFound")]
    assert item.lease_expires == answer[0]["leaseExpiresAt"] > before and item.progress == {"due": kept.due}
