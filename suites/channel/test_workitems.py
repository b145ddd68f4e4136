"""Work items are leased and idempotent (PROTOCOL.md §5.1): a lost answer, a lost report or a Provider
restart never runs an item twice, and every item still completes."""

from __future__ import annotations

from asr_emulator.channel.policy import LEASE_SECONDS
from simcore import Delay, Drop, FaultRule, Match

from .conftest import RG, VAULT


def _refresh(asr, provider):
    return asr.replication_recovery_services_providers.begin_refresh_provider(
        RG, VAULT, provider.registration.fabric_name, provider.registration.provider_name, polling=False)


def _executions(sim) -> list[str]:
    return [e.details["item"] for e in sim.history.select(op="provider.work", phase="invoke")]


def _completions(sim) -> list[dict]:
    return [dict(e.details) for e in sim.history.select(op="channel.workitem") if e.details["state"] == "Completed"]


def _lose(sim, conn: int, src: str, dst: str, *, after: int) -> None:
    """Lose every message from ``src`` to ``dst`` on connection ``conn`` after the first ``after`` of them."""
    match = Match(point="net.send", src=src, dst=dst, where={"conn": conn})
    if after:
        sim.faults.add(FaultRule(Delay(0.0), match, count=after))  # first match wins: these pass untouched
    sim.faults.add(FaultRule(Drop(), match))


def _refresh_job(vault):
    (job,) = [job for job in vault.jobs.values() if job.scenario_name == "RefreshServer"]
    return job


#: The requests the next poll with one work item sends, in order, on its one connection (policy
#: CHANNEL_KEEP_ALIVE): heartbeat, lease, the lease's renewal just before the work runs, the forced
#: sync, the report.
_POLL_REQUESTS = ("heartbeat", "lease", "renew", "sync", "report")


def _lose_request(sim, provider, service, name: str) -> None:
    """Lose the next poll's request ``name`` (and what follows it): its ClientHello, its certificate
    and the requests before it pass."""
    _lose(sim, sim.network.opened + 1, provider.vmm.name, service.node, after=2 + _POLL_REQUESTS.index(name))


def _lose_answer(sim, provider, service, name: str) -> None:
    """Lose the answer to the next poll's request ``name`` (and what follows it): its ServerHello and
    the answers before it pass."""
    _lose(sim, sim.network.opened + 1, service.node, provider.vmm.name, after=1 + _POLL_REQUESTS.index(name))


def test_a_lost_answer_to_the_report_does_not_run_the_item_again(sim, asr, service, vault, registered):
    _refresh(asr, registered)
    _lose_answer(sim, registered, service, "report")
    sim.advance(registered.poll_interval)
    assert registered.last_error is not None and registered.last_error.operation == "complete"
    assert _refresh_job(vault).state == "Succeeded"  # ASR completed the item: only its answer was lost
    sim.advance(2 * registered.poll_interval)
    assert len(_executions(sim)) == 1
    assert registered.store.unacknowledged == []
    assert [c["duplicate"] for c in _completions(sim)] == [False]  # the retry was answered from the kept answer
    assert sim.history.select(op="channel.CompleteWorkItems", phase="ok")[-1].details["replayed"] == 1


def test_a_lost_report_is_sent_again_not_executed_again(sim, asr, service, vault, registered):
    _refresh(asr, registered)
    _lose_request(sim, registered, service, "report")
    sim.advance(registered.poll_interval)
    assert _refresh_job(vault).state == "InProgress" and registered.store.unacknowledged
    sim.advance(2 * registered.poll_interval)
    assert len(_executions(sim)) == 1
    assert _refresh_job(vault).state == "Succeeded" and registered.store.unacknowledged == []


def test_a_restart_after_executing_reports_instead_of_running_again(sim, asr, service, vault, registered):
    _refresh(asr, registered)
    _lose_request(sim, registered, service, "report")
    sim.advance(registered.poll_interval)
    registered.restart()
    sim.advance(LEASE_SECONDS + 3 * registered.poll_interval)
    assert len(_executions(sim)) == 1
    assert _refresh_job(vault).state == "Succeeded"


def test_a_lease_lost_before_executing_comes_back_and_runs_once(sim, asr, service, vault, registered):
    _refresh(asr, registered)
    _lose_answer(sim, registered, service, "lease")  # leased at ASR, the answer lost
    sim.advance(registered.poll_interval)
    assert _executions(sim) == [] and registered.last_error.operation == "lease"
    registered.restart()
    sim.advance(LEASE_SECONDS - registered.poll_interval)
    assert _executions(sim) == []  # the lease has not lapsed yet: nobody runs it
    sim.advance(3 * registered.poll_interval)
    assert len(_executions(sim)) == 1
    attempts = [e.details["attempt"] for e in sim.history.select(op="channel.workitem") if e.details["state"] == "Leased" and "attempt" in e.details]
    assert attempts == [1, 2]
    assert _refresh_job(vault).state == "Succeeded"


def test_a_duplicate_report_changes_nothing(sim, asr, vault, registered):
    _refresh(asr, registered)
    sim.advance(2 * registered.poll_interval)
    (item_id,) = set(_executions(sim))
    registered.store.unacknowledged.append(item_id)  # as if the acknowledgement had been lost
    registered.poll()
    (first, again) = [e for e in sim.history.select(op="channel.CompleteWorkItems", phase="ok")]
    assert again.details.get("replayed") == 1
    assert _refresh_job(vault).state == "Succeeded" and len(_executions(sim)) == 1
