"""Property: whatever the channel does — delays longer than the Provider's poll interval and its
request timeout, on either direction, with jitter and probability, lost messages, partitions,
Provider restarts — virtual time never moves back: every recorded event is at or after the one
before, the history round-trips through its JSON form, and the lab still converges once healed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from simcore import Delay, FaultRule, History, Match

from .test_property import _EVENTS, _asr_view, _Lab, _vmm_view

_DELAYS = st.tuples(
    st.just("delay"),
    st.integers(0, 1),
    st.sampled_from(["up", "down", "both"]),
    # a Provider request times out after 30 s and a poll comes every 60 s: delays under 30 s let
    # several slow requests carry one poll past the next; longer ones fail each request
    st.one_of(st.floats(0, 29), st.floats(30, 200)),
    st.floats(0, 40),
    st.sampled_from([0.3, 1.0]),
)


def _delay(lab: _Lab, site: int, direction: str, seconds: float, jitter: float, probability: float) -> None:
    vmm, asr = lab.sites[site % len(lab.sites)].vmm.name, lab.service.node
    ends = {"up": [(vmm, asr)], "down": [(asr, vmm)], "both": [(vmm, asr), (asr, vmm)]}[direction]
    for src, dst in ends:
        lab.sim.faults.add(FaultRule(Delay(seconds, jitter), Match(point="net.send", src=src, dst=dst),
                                     probability=probability, end=lab.sim.clock.now + 3_600))


@given(seed=st.integers(0, 2**16), sizes=st.lists(st.integers(0, 2), min_size=1, max_size=2),
       delays=st.lists(_DELAYS, min_size=1, max_size=3), events=st.lists(st.one_of(_DELAYS, _EVENTS), max_size=12))
def test_time_never_moves_back_whatever_the_channel_does(seed, sizes, delays, events):
    lab = _Lab(seed, sizes)
    for provider in lab.providers:
        provider.register(lab.key())
    seen = [lab.sim.clock.now]
    for event in [*delays, *events]:
        if event[0] == "delay":
            _delay(lab, *event[1:])
        else:
            lab.apply(event)
        lab.sim.advance(90)  # past a poll, so each fault meets traffic
        seen.append(lab.sim.clock.now)
    lab.settle()
    assert seen == sorted(seen)
    times = [event.time for event in lab.sim.history]
    assert times == sorted(times)
    assert History.loads(lab.sim.history.dumps()) == lab.sim.history
    for site, provider in zip(lab.sites, lab.providers):
        assert _asr_view(lab, provider.registration.fabric_name) == _vmm_view(site)
