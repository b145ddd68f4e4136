"""Identity faults: a certificate judged expired, revoked or untrusted where it is checked
(``pki.validate``), a registration key refused as expired (``asr.registration``), the proxy's
credentials changed (``proxy.auth``). Each fires, is refused the way a real defect is, and heals;
an injected refusal keeps certificate trust (``drlab.checkers.certificate_trust``).
"""

from __future__ import annotations

import pytest

from drlab import Lab, ProxySpec
from drlab.checkers import certificate_trust
from hyperv_fake import ReplicationHealth, ReplicationState
from hyperv_fake.testing import GiB
from scvmm_fake.provider import RegistrationRefused
from simcore import Fail, FaultRule, Match


def _identity(node: str, reason: str, use: str, **window: float) -> FaultRule:
    return FaultRule(Fail(reason, "injected"), Match(point="pki.validate", where={"node": node, "use": use}),
                     name=f"{reason.lower()}@{node}", **window)


def test_a_replica_certificate_judged_expired_stops_replication_until_an_admin_resumes(make_pair) -> None:  # noqa: ANN001
    pair = make_pair()
    pair.add_vm("vm", disk_bytes=1024 * GiB)
    pair.protect("vm", replication_frequency_sec=30)
    rule = pair.sim.faults.add(_identity("hv1", "EXPIRED", "replication"))
    pair.sim.advance(5)  # the hosts authenticate afresh at once: one handshake over the network
    stats = pair.primary.measure_vm_replication("vm")
    assert stats.state is ReplicationState.Error and stats.health is ReplicationHealth.Critical  # §3.6: no retry
    assert pair.primary.get_vm_replication("vm").last_error.reason.value == "EXPIRED"
    assert pair.sim.history.select(op="fault.fire")[0].details["rule"] == rule.name
    pair.sim.faults.heal(rule)
    pair.sim.advance(600)
    assert pair.primary.get_vm_replication("vm").state is ReplicationState.Error  # an admin must act
    pair.primary.resume_vm_replication("vm")
    pair.sim.advance(60)
    assert pair.primary.measure_vm_replication("vm").state is ReplicationState.Replicating
    assert certificate_trust(pair.sim.history).ok


@pytest.mark.parametrize("judge, reason", [("asr", "REVOKED"), ("vmm-primary", "UNTRUSTED_ROOT")])
def test_a_channel_certificate_refused_cuts_the_provider_off_until_it_heals(judge: str, reason: str) -> None:
    lab = Lab(seed=2)
    provider = lab.providers[next(iter(lab.providers))]
    node = lab.service.channel.node if judge == "asr" else provider.vmm.name
    lab.advance(60)
    lab.faults.add(_identity(node, reason, "channel", end=lab.now + 300))
    lab.advance(120)
    assert provider.last_error is not None and reason in str(provider.last_error)
    lab.advance(600)  # healed: the next poll gets through
    assert provider.last_error is None and provider.last_contact is not None and provider.last_contact > lab.now - 120
    refused = lab.history.select(op="pki.judgment", node=node, phase="fail")
    assert refused and all(e.details["injected"] == [reason] for e in refused)
    assert certificate_trust(lab.history).ok


def test_a_registration_key_refused_as_expired() -> None:
    lab = Lab(seed=2, register=False)
    provider = lab.providers[next(iter(lab.providers))]
    rule = lab.faults.add(FaultRule(Fail("RegistrationKeyExpired"), Match(point="asr.registration"), count=1))
    with pytest.raises(RegistrationRefused) as refused:
        provider.register(lab.registration_key())
    assert refused.value.code == "RegistrationKeyExpired" and provider.registration is None
    assert lab.faults.fired(rule) == 0 and rule not in lab.faults.rules  # used up: healed
    provider.register(lab.registration_key())
    assert provider.registration is not None


def test_changed_proxy_credentials_are_refused_until_they_match_again() -> None:
    lab = Lab(seed=2, proxy=ProxySpec(credentials=("dra", "secret")))
    provider = lab.providers[next(iter(lab.providers))]
    lab.advance(60)
    changed = lab.faults.add(FaultRule(Fail("CredentialsChanged"), Match(point="proxy.auth")))
    lab.advance(120)
    assert provider.last_error is not None and "407" in str(provider.last_error)
    lab.faults.heal(changed)
    lab.advance(120)
    assert provider.last_error is None
