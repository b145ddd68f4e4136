"""Idle Provider polls stood down (policy ``IDLE_POLLS_ELIDED``, ``simcore.Standings``): a lab whose
Providers elide their idle polls is indistinguishable, from what ASR and the Providers show, from
the same lab polling every minute for real — over generated changes, work, faults, restarts and
spans of virtual time — while it runs no event for an idle minute."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from scvmm_fake.provider import AsrProvider

from .test_clock_property import _DELAYS, _delay
from .test_property import _EVENTS, _asr_view, _Lab

_REFRESH = st.tuples(st.just("refresh"), st.integers(0, 1))
# Spans that never end exactly on a poll tick: a real poll at the very end of a run carries the
# clock past it (its requests take virtual time), an elided one cannot.
_SPANS = st.tuples(st.just("advance"), st.sampled_from([0.5, 59.3, 61.7, 1_800.9]))
_CHANGES = _EVENTS.filter(lambda event: event[0] != "advance")


def _lab(seed: int, sizes: list[int], *, elide: bool) -> _Lab:
    lab = _Lab(seed, sizes)
    lab.providers = [AsrProvider(site.vmm, trusted_roots=[lab.service.channel.public_root], elide_idle_polls=elide)
                     for site in lab.sites]
    for provider in lab.providers:
        provider.register(lab.key())
    return lab


def _apply(lab: _Lab, event: tuple) -> None:
    if event[0] == "delay":
        _delay(lab, *event[1:])
    elif event[0] == "refresh":
        registration = lab.providers[event[1] % len(lab.providers)].registration
        if registration is not None:
            record = lab.vault.channel.provider(registration.provider_name)
            lab.service.channel.refresh(lab.vault, record)
    else:
        lab.apply(event)


def _seen(lab: _Lab) -> dict:
    """What ASR and the Providers show, to the microsecond (a tick reached by adding the interval
    and one reached by multiplying it may differ in the last bits)."""
    def t(value: float | None) -> float | None:
        return None if value is None else round(value, 6)

    out: dict = {"jobs": sorted((job.name, job.state) for job in lab.vault.jobs.values())}
    for provider in lab.providers:
        registration = provider.registration
        record = lab.vault.channel.provider(registration.provider_name)
        out[provider.vmm.name] = {
            "contact": t(provider.last_contact), "error": str(provider.last_error),
            "heartbeat": t(record.last_heartbeat), "status": record.connection_status,
            "asr": _asr_view(lab, registration.fabric_name),
        }
    return out


@given(seed=st.integers(0, 2**16), sizes=st.lists(st.integers(0, 2), min_size=1, max_size=2),
       events=st.lists(st.one_of(_SPANS, _REFRESH, _CHANGES, _DELAYS), max_size=8))
def test_eliding_idle_polls_changes_nothing_anyone_can_see(seed, sizes, events):
    elided, real = _lab(seed, sizes, elide=True), _lab(seed, sizes, elide=False)
    assert _seen(elided) == _seen(real)
    for event in events:
        for lab in (elided, real):
            _apply(lab, event)
        assert _seen(elided) == _seen(real), event
    for lab in (elided, real):
        lab.settle()
    assert _seen(elided) == _seen(real)


def test_an_idle_lab_runs_no_event_for_a_day_and_reads_as_if_it_polled() -> None:
    lab = _lab(3, [2], elide=True)
    lab.sim.advance(120)
    provider, record = lab.providers[0], lab.vault.channel.provider(lab.providers[0].registration.provider_name)
    events = len(lab.sim.history)
    lab.sim.advance(86_400)
    assert len(lab.sim.history) == events  # not one poll simulated
    assert lab.sim.clock.now - record.last_heartbeat < provider.poll_interval
    assert record.connection_status == "Connected" and provider.running


def test_a_change_is_seen_at_the_next_tick_on_the_phase() -> None:
    labs = [_lab(4, [1], elide=elide) for elide in (True, False)]
    for lab in labs:
        lab.sim.advance(3_600 + 17)
        lab.apply(("add_vm", 0))
        lab.sim.advance(60)
    synced = [[e.time for e in lab.sim.history.select(op="provider.sync", phase="ok")][-1] for lab in labs]
    assert round(synced[0], 6) == round(synced[1], 6) and 3_617 < synced[0] < 3_677


def test_a_fault_rule_resumes_real_polls_and_a_partition_shows_as_not_connected() -> None:
    labs = [_lab(5, [1], elide=elide) for elide in (True, False)]
    for lab in labs:
        lab.sim.advance(600)
        lab.apply(("partition", 0, 900.0))
        lab.sim.advance(899)
    assert _seen(labs[0]) == _seen(labs[1])
    assert labs[0].providers[0].last_error is not None
    record = labs[0].vault.channel.provider(labs[0].providers[0].registration.provider_name)
    assert record.connection_status == "NotConnected"


def test_the_channel_certificate_falling_due_wakes_the_provider() -> None:
    """Two years on, the Provider's client certificate (730 days, policy) expires: the Provider
    polls again at the first tick after, and fails as a real poll does."""
    lab = _lab(6, [1], elide=True)
    provider = lab.providers[0]
    expiry = lab.sim.clock.to_seconds(provider.store.credential.certificate.not_valid_after_utc)
    lab.sim.advance(expiry - lab.sim.clock.now + 11 * provider.poll_interval)  # past the 10-minute heartbeat timeout
    resumed = [e.details["resumes"] for e in lab.sim.history.select(op="provider.idle") if "resumes" in e.details]
    assert resumed and expiry <= resumed[0] < expiry + provider.poll_interval
    assert provider.last_error is not None and "certificate" in str(provider.last_error).lower()
    assert lab.vault.channel.provider(provider.registration.provider_name).connection_status == "NotConnected"


def test_work_queued_by_a_job_is_leased_at_the_next_tick() -> None:
    """ASR announces queued work (``Network.changed``); the standing Provider resumes and the job
    ends as in the lab that polled all along."""
    labs = [_lab(7, [1], elide=elide) for elide in (True, False)]
    for lab in labs:
        lab.sim.advance(600.5)
        _apply(lab, ("refresh", 0))
        lab.sim.advance(61.7)
    assert _seen(labs[0]) == _seen(labs[1])
    assert _seen(labs[0])["jobs"][0][1] == "Succeeded"
