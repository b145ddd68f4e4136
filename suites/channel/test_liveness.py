"""Liveness and refreshProvider: ``lastHeartBeat``/``connectionStatus`` follow the heartbeats (§5.2), a silent
Provider turns ``NotConnected`` after ``HEARTBEAT_TIMEOUT_SECONDS``, and a refresh is a work item whose
job ends when the Provider reports — or fails after ``WORK_TIMEOUT_SECONDS``."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError

from asr_emulator.channel.policy import HEARTBEAT_TIMEOUT_SECONDS, WORK_TIMEOUT_SECONDS
from simcore import FaultRule, Match, Partition

from .conftest import RG, VAULT


def _provider(asr, registered):
    return asr.replication_recovery_services_providers.get(
        RG, VAULT, registered.registration.fabric_name, registered.registration.provider_name).properties


def _cut(sim, registered, service):
    return sim.faults.add(FaultRule(Partition(), Match(src=registered.vmm.name, dst=service.node, bidirectional=True)))


def test_last_heartbeat_follows_the_polls(sim, asr, registered):
    first = _provider(asr, registered).last_heart_beat
    sim.advance(3 * registered.poll_interval)
    later = _provider(asr, registered).last_heart_beat
    assert (later - first).total_seconds() == pytest.approx(3 * registered.poll_interval, abs=1)


def test_a_silent_provider_turns_not_connected_after_the_timeout_and_back(sim, asr, service, registered):
    rule = _cut(sim, registered, service)
    last = _provider(asr, registered).last_heart_beat
    sim.advance(HEARTBEAT_TIMEOUT_SECONDS - registered.poll_interval)
    assert _provider(asr, registered).connection_status == "Connected"
    sim.advance(2 * registered.poll_interval)
    status = _provider(asr, registered)
    assert status.connection_status == "NotConnected" and status.last_heart_beat == last
    assert registered.last_error is not None and registered.last_error.operation == "heartbeat"
    sim.faults.heal(rule)
    sim.advance(registered.poll_interval)
    assert _provider(asr, registered).connection_status == "Connected"


def test_refresh_provider_completes_when_the_provider_reports(sim, asr, registered):
    poller = asr.replication_recovery_services_providers.begin_refresh_provider(
        RG, VAULT, registered.registration.fabric_name, registered.registration.provider_name)
    provider = poller.result()
    assert provider.properties.connection_status == "Connected"
    (job,) = [j for j in asr.replication_jobs.list(RG, VAULT) if j.properties.scenario_name == "RefreshServer"]
    assert job.properties.state == "Succeeded"
    (work,) = sim.history.select(op="provider.work", phase="ok")
    assert work.details["kind"] == "RefreshProvider"
    # the job ended at the Provider's report, at its next poll: not at the task's timeout
    assert (job.properties.end_time - job.properties.start_time).total_seconds() <= registered.poll_interval + 1


def test_refresh_provider_fails_when_the_provider_never_reports(sim, asr, service, registered):
    _cut(sim, registered, service)
    poller = asr.replication_recovery_services_providers.begin_refresh_provider(
        RG, VAULT, registered.registration.fabric_name, registered.registration.provider_name)
    with pytest.raises(HttpResponseError) as info:
        poller.result()
    assert info.value.error.code == "150400"
    (job,) = [j for j in asr.replication_jobs.list(RG, VAULT) if j.properties.scenario_name == "RefreshServer"]
    assert job.properties.state == "Failed"
    (task,) = job.properties.tasks
    assert (task.end_time - task.start_time).total_seconds() == pytest.approx(WORK_TIMEOUT_SECONDS)


def test_the_work_of_a_timed_out_refresh_never_runs_when_the_provider_comes_back(sim, asr, service, registered):
    rule = _cut(sim, registered, service)
    poller = asr.replication_recovery_services_providers.begin_refresh_provider(
        RG, VAULT, registered.registration.fabric_name, registered.registration.provider_name)
    with pytest.raises(HttpResponseError):
        poller.result()
    sim.faults.heal(rule)
    sim.advance(5 * registered.poll_interval)
    assert registered.last_error is None  # the Provider is back and polling
    assert sim.history.select(op="provider.work") == []
    withdrawn = [e for e in sim.history.select(op="channel.workitem") if e.details.get("state") == "Withdrawn"]
    assert [e.details["kind"] for e in withdrawn] == ["RefreshProvider"]


def test_refresh_of_an_unknown_provider_is_404_and_starts_nothing(asr, service, vault, registered):
    jobs = len(vault.jobs)
    with pytest.raises(HttpResponseError) as info:
        asr.replication_recovery_services_providers.begin_refresh_provider(
            RG, VAULT, registered.registration.fabric_name, "no-such-provider")
    assert info.value.status_code == 404 and len(vault.jobs) == jobs
