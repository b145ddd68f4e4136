"""Clock faults (``Skew`` at point ``clock``, context ``node``): a node reads the lab clock plus an
offset — a skew, or a jump forward — in its certificate checks and the timestamps it reports; the
lab clock never moves backwards. Each takes effect (``fault.fire``), bites, and heals.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from drlab import Lab
from drlab.checkers import certificate_trust
from hyperv_fake import ReplicationState
from hyperv_fake.testing import GiB
from scvmm_fake.provider import RegistrationRefused
from simcore import FaultRule, Match, Simulation, Skew


def _skew(node: str, seconds: float, **window: float) -> FaultRule:
    return FaultRule(Skew(seconds), Match(point="clock", where={"node": node}), name=f"skew@{node}", **window)


def test_a_skewed_node_reads_the_offset_and_the_lab_clock_does_not_move_back() -> None:
    sim = Simulation(seed=1)
    sim.advance(100)
    sim.faults.add(_skew("a", 3600.0, start=200, end=300))
    sim.faults.add(_skew("a", -50.0, end=400))
    assert sim.skews.offset("a") == -50.0 and sim.skews.offset("b") == 0.0
    sim.run_until(250)
    assert sim.skews.now("a") == 250 + 3600 - 50 and sim.clock.now == 250
    assert [e.time for e in sim.history.select(op="fault.fire")] == [100, 200]
    sim.run_until(350)
    assert sim.skews.now("a") == 300.0  # healed: the node's clock steps back; the lab's went on
    sim.run_until(500)
    assert sim.skews.utcnow("a") == sim.clock.utcnow()
    assert [e.details["why"] for e in sim.history.select(op="fault.heal")] == ["window ended"] * 2


def test_a_host_clock_jumping_past_its_peer_certificate_expiry_stops_replication(make_pair) -> None:  # noqa: ANN001
    pair = make_pair()
    pair.add_vm("vm", disk_bytes=1024 * GiB)
    pair.protect("vm", replication_frequency_sec=30)
    pair.sim.faults.add(_skew("hv1", 400 * 86400.0))  # past the replica's one-year certificate
    pair.sim.advance(60)
    rel = pair.primary.get_vm_replication("vm")
    assert rel.state is ReplicationState.Error and rel.last_error.reason.value == "EXPIRED"
    stats = pair.primary.measure_vm_replication("vm")
    assert stats.end_statistic_time - pair.sim.clock.utcnow() == timedelta(days=400)  # what hv1 reports
    assert certificate_trust(pair.sim.history).ok  # refused as expired by hv1's own clock, which it was


def test_an_asr_clock_ahead_refuses_a_fresh_registration_key() -> None:
    lab = Lab(seed=4, register=False)
    provider = lab.providers[next(iter(lab.providers))]
    key = lab.registration_key()
    skew = lab.faults.add(_skew(lab.service.channel.node, 6 * 86400.0))  # keys are valid 5 days
    with pytest.raises(RegistrationRefused) as refused:
        provider.register(key)
    assert refused.value.code == "RegistrationKeyExpired"
    lab.faults.heal(skew)
    provider.register(key)
    assert provider.registration is not None
