"""``drlab.checkers.certificate_trust`` (DESIGN.md, Invariants: certificate trust; hyperv-scvmm.md §1.3):
a lab that pairs, protects and fails over keeps it, and so do refusals an identity fault injects;
a Hyper-V judge broken on purpose — accepting an expired chain, an untrusted root, a revoked
certificate, or serving a connection it refused — is named by its rule and its events. Chains and
trust stores are described once, so the history grows with judgments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from drlab import Lab
from drlab.checkers import JUDGES, TRUST_RULES, certificate_trust
from drlab.runbook import Runbook
from hyperv_fake import ROOT_STORE, ReplicationState
from hyperv_fake._listener import _Conversation
from hyperv_fake._trust import CertificateJudge
from hyperv_fake.testing import ReplicaPair, host_certificate
from simcore import JUDGMENT_OP, Event, Fail, FaultRule, History, Match, Simulation, record_judgment
from simcore.pki import CertificateAuthority, Eku, thumbprint


@pytest.fixture(scope="module")
def failed_over() -> Iterator[Lab]:
    """Gold-VM1 protected and failed over (planned): certificates judged on both uses."""
    with Lab(seed=11) as lab:
        book = Runbook.of(lab)
        book.create_policy()
        book.planned_failover(book.protect("Gold-VM1"))
        yield lab


def _judgments(history: History, **details: Any) -> list[Event]:
    return [e for e in history if e.op == JUDGMENT_OP and all(e.details.get(k) == v for k, v in details.items())]


def test_a_lab_that_pairs_protects_and_fails_over_keeps_certificate_trust(failed_over: Lab) -> None:
    verdict = JUDGES["certificate_trust"](failed_over)
    assert verdict.ok, str(verdict)
    replication, channel = (_judgments(failed_over.history, use=use) for use in ("replication", "channel"))
    assert replication and channel and verdict.checked == len(replication) + len(channel)
    assert {e.node for e in channel} >= {"asr", failed_over.primary.vmm.name}  # both ends of the channel judge
    assert all(e.phase.value == "ok" and e.details["root"] is not None for e in replication + channel)
    assert failed_over.history.select(op="pki.traffic")  # replication requests were acted on


@pytest.mark.parametrize(("use", "reason"), [("replication", "EXPIRED"), ("channel", "REVOKED"),
                                             ("channel", "UNTRUSTED_ROOT")])
def test_an_injected_refusal_is_recorded_with_its_reason_and_keeps_trust(use: str, reason: str) -> None:
    with Lab(seed=11) as lab:
        book = Runbook.of(lab)
        book.create_policy()
        book.protect("Gold-VM1")
        lab.faults.add(FaultRule(Fail(reason, "injected"), Match(point="pki.validate", where={"use": use}),
                                 end=lab.now + 300))
        lab.advance(400)
        refused = [e for e in _judgments(lab.history, use=use) if e.phase.value == "fail"]
        assert refused and all(e.details["reasons"] == [reason] == e.details["injected"] for e in refused)
        verdict = certificate_trust(lab.history)
        assert verdict.ok, str(verdict)


@pytest.fixture(scope="module")
def authorities() -> dict[str, CertificateAuthority]:
    root = CertificateAuthority.root("Contoso Root")
    return {"root": root, "issuing": root.create_intermediate("Contoso Issuing")}


@pytest.fixture
def accepting(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Hyper-V judge that finds nothing wrong with any chain."""
    monkeypatch.setattr(CertificateJudge, "judge", lambda self, chain, **_: ())


def _rules(pair: ReplicaPair) -> set[str]:
    verdict = certificate_trust(pair.sim.history)
    for violation in verdict.violations:
        assert any(pair.sim.history[i].op == JUDGMENT_OP for i in violation.events)
    return {violation.rule for violation in verdict.violations}


def _reauthenticate(pair: ReplicaPair) -> None:
    pair.primary.suspend_vm_replication("vm")
    pair.primary.resume_vm_replication("vm").wait()


def test_a_judge_accepting_an_expired_chain_is_caught(authorities: dict[str, CertificateAuthority],
                                                      accepting: None) -> None:
    pair = ReplicaPair.build(ca=authorities["root"])
    short = host_certificate(authorities["root"], pair.primary.fqdn, pair.sim.clock.utcnow(), days=2)
    pair.primary.import_pfx_certificate(short)
    pair.certificates["hv1"] = short
    pair.add_vm("vm")
    pair.protect("vm")
    assert _rules(pair) == set()
    pair.sim.advance(3 * 24 * 3600)
    assert pair.primary.get_vm_replication("vm").state is ReplicationState.Error  # the session ended at the expiry
    assert pair.primary.resume_vm_replication("vm").wait().succeeded  # and the broken judge lets a new one on
    assert pair.primary.get_vm_replication("vm").state is ReplicationState.Replicating
    assert _rules(pair) == {"accepted-expired"}


def test_a_judge_accepting_an_untrusted_root_is_caught(authorities: dict[str, CertificateAuthority],
                                                       accepting: None) -> None:
    pair = ReplicaPair.build(ca=authorities["root"])
    pair.add_vm("vm")
    pair.protect("vm")
    pair.replica.remove_certificate(thumbprint(authorities["root"].certificate), cert_store_location=ROOT_STORE)
    pair.sim.run_until_idle()
    assert pair.primary.get_vm_replication("vm").state is ReplicationState.Replicating  # the broken judge let it on
    assert _rules(pair) == {"accepted-untrusted-root"}


def test_a_judge_accepting_a_revoked_certificate_is_caught(authorities: dict[str, CertificateAuthority],
                                                           accepting: None) -> None:
    issuing = authorities["issuing"]
    pair = ReplicaPair.build(ca=authorities["root"])
    certificate = host_certificate(issuing, pair.primary.fqdn, pair.sim.clock.utcnow())
    pair.primary.import_pfx_certificate(certificate)
    pair.certificates["hv1"] = certificate
    pair.add_vm("vm")
    pair.protect("vm")
    issuing.revoke(certificate)
    _reauthenticate(pair)
    assert _rules(pair) == {"accepted-revoked"}


def test_a_replica_serving_a_connection_it_refused_is_caught(authorities: dict[str, CertificateAuthority],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_Conversation, "_refuse", lambda self, reason, detail: self._authorize())
    pair = ReplicaPair.build(ca=authorities["root"])
    pair.add_vm("vm")
    pair.sim.faults.add(FaultRule(Fail("EXPIRED", "injected"), Match(point="pki.validate", where={
        "node": pair.replica.name, "use": "replication"})))
    pair.protect("vm")
    verdict = certificate_trust(pair.sim.history)
    (rule,) = {v.rule for v in verdict.violations}
    assert rule == "traffic-after-refusal" and rule in TRUST_RULES
    refusal, traffic = verdict.violations[0].events
    assert pair.sim.history[refusal].details["conn"] == pair.sim.history[traffic].details["conn"]


def test_a_refusal_without_a_reason_or_against_the_record_is_named(failed_over: Lab) -> None:
    """Judgments replayed as a broken judge would have recorded them: refused for no reason, and as
    expired while the chain was valid at the instant."""
    history = History()
    for event in failed_over.history:
        if event.op == JUDGMENT_OP and event.details["use"] == "channel" and event.node == "asr":
            for reasons in ([], ["EXPIRED"]):
                history.record(event.node, event.op, "fail", {**event.details, "reasons": reasons},
                               time=event.time)
            break
        history.record(event.node, event.op, event.phase, event.details, time=event.time)
    verdict = certificate_trust(history)
    assert [v.rule for v in verdict.violations] == ["refused-without-reason", "refused-contradicted"]
    assert "EXPIRED, which the record contradicts" in str(verdict)


def test_descriptions_are_recorded_once_so_the_history_grows_with_judgments_not_trust_stores() -> None:
    sim = Simulation(seed=1)
    roots = tuple(CertificateAuthority.root(f"Root {i}") for i in range(40))
    now = sim.clock.utcnow()
    leaf = roots[-1].issue("hv1.contoso.com", sans=("hv1.contoso.com",), eku=Eku.SERVER_AND_CLIENT,
                           not_before=now - timedelta(days=1), not_after=now + timedelta(days=1), key_type="ecdsa")
    for _ in range(3):
        record_judgment(sim, leaf.chain, node="hv2", use="replication", purpose=Eku.SERVER_AND_CLIENT, roots=roots,
                        at=now, expected_name="hv1.contoso.com", revocation=roots, reasons=())
    assert [e.op for e in sim.history] == ["pki.trust", "pki.chain", *[JUDGMENT_OP] * 3]
    assert len(sim.history[0].details["roots"]) == 40 and sim.history[2].details == sim.history[4].details
    assert sim.history[2].details["root"] == "cert-40" and certificate_trust(sim.history).ok
