"""Certificate trust on the channel (DESIGN.md "Trust"): ASR accepts the Provider's client certificate
exactly when it is valid for client auth, chains to the vault's CA, is current at virtual now and is
not revoked; the Provider talks only to a server whose certificate is valid for the endpoint's name
and chains to a root it trusts. Every refusal names its reason, and every history is judged by
``drlab.checkers.certificate_trust``; with either end's validation broken on purpose (accepting
everything), the checker names the rule each defect breaks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from asr_emulator.channel import ChannelListener
from asr_emulator.http import HttpResponse
from drlab.checkers import certificate_trust
from scvmm_fake.provider import (
    AsrProvider, ChannelFailure, RegistrationRefused, ServerCertificateRejected, TlsAlertReceived,
)
from simcore import JUDGMENT_OP
from simcore.pki import CertificateAuthority, Eku, Validation

_DAY = timedelta(days=1)


@pytest.fixture(scope="module")
def stranger_ca() -> CertificateAuthority:
    return CertificateAuthority.root("Not the vault")


def _issue(ca: CertificateAuthority, now, *, eku=Eku.CLIENT_AUTH, start=-1, end=30):
    return ca.issue("vmm.ny.contoso.com", eku=eku, not_before=now + start * _DAY, not_after=now + end * _DAY,
                    key_type="ecdsa")


def _defects(sim, service, vault, stranger_ca):
    now, vault_ca = sim.clock.utcnow(), service.channel.vault_ca(vault)
    revoked = _issue(vault_ca, now)
    vault_ca.revoke(revoked)
    return {
        "EXPIRED": ("certificate_expired", _issue(vault_ca, now, start=-30, end=-1)),
        "NOT_YET_VALID": ("certificate_expired", _issue(vault_ca, now, start=1, end=30)),
        "UNTRUSTED_ROOT": ("unknown_ca", _issue(stranger_ca, now)),
        "WRONG_EKU": ("unsupported_certificate", _issue(vault_ca, now, eku=Eku.SERVER_AUTH)),
        "REVOKED": ("certificate_revoked", revoked),
    }


@pytest.mark.parametrize("reason", ["EXPIRED", "NOT_YET_VALID", "UNTRUSTED_ROOT", "WRONG_EKU", "REVOKED"])
def test_a_defective_client_certificate_is_refused_at_the_handshake(sim, service, vault, registered, stranger_ca,
                                                                  reason):
    alert, credential = _defects(sim, service, vault, stranger_ca)[reason]
    registered.store.credential = credential
    heartbeats = len(sim.history.select(op="channel.Heartbeat"))
    assert registered.poll() is False
    cause = registered.last_error.cause
    assert isinstance(cause, TlsAlertReceived)
    assert (cause.description, cause.reasons) == (alert, [reason])
    (refusal,) = sim.history.select(op="channel.tls", phase="fail")
    assert (refusal.details["alert"], refusal.details["reasons"]) == (alert, [reason])
    assert len(sim.history.select(op="channel.Heartbeat")) == heartbeats  # the request was never processed
    (judgment,) = sim.history.select(op=JUDGMENT_OP, node=service.channel.node, phase="fail")
    assert (judgment.details["reasons"], judgment.details["injected"]) == ([reason], [])
    assert certificate_trust(sim.history).ok


#: The rule a defect breaks when the judge accepts it anyway.
BROKEN = {"EXPIRED": "accepted-expired", "NOT_YET_VALID": "accepted-not-yet-valid",
          "UNTRUSTED_ROOT": "accepted-untrusted-root", "WRONG_EKU": "accepted-wrong-usage",
          "REVOKED": "accepted-revoked"}


@pytest.mark.parametrize("reason", sorted(BROKEN))
def test_asr_accepting_a_defective_client_certificate_is_caught(sim, service, vault, registered, stranger_ca,
                                                                reason, monkeypatch):
    monkeypatch.setattr("asr_emulator.channel.service.judge_client_chain", lambda *_: Validation())
    registered.store.credential = _defects(sim, service, vault, stranger_ca)[reason][1]
    registered.poll()
    verdict = certificate_trust(sim.history)
    assert [v.rule for v in verdict.violations] == [BROKEN[reason]], str(verdict)
    assert sim.history[verdict.violations[0].events[-1]].node == service.channel.node


def test_a_client_certificate_expiring_on_the_lab_clock_is_refused_as_expired(sim, service, vault, registered):
    registered.store.credential = _issue(service.channel.vault_ca(vault), sim.clock.utcnow(), end=1)
    registered.poll()
    sim.advance(2 * 24 * 3600)
    refused = sim.history.select(op=JUDGMENT_OP, node=service.channel.node, phase="fail")
    assert refused and all((e.details["reasons"], e.details["injected"]) == (["EXPIRED"], []) for e in refused)
    assert sim.history.select(op=JUDGMENT_OP, node=service.channel.node, phase="ok")  # before it expired
    assert certificate_trust(sim.history).ok


def test_a_valid_client_certificate_connects_and_beats(sim, asr, registered):
    sim.advance(120)
    assert registered.last_error is None and registered.last_contact == pytest.approx(sim.clock.now, abs=61)
    assert sim.history.select(op="channel.tls") == []


def test_a_valid_certificate_not_held_by_a_provider_is_not_registered(sim, service, vault, registered):
    registered.store.credential = _issue(service.channel.vault_ca(vault), sim.clock.utcnow())
    assert registered.poll() is False
    assert (registered.last_error.status, registered.last_error.code) == (401, "ProviderNotRegistered")


def test_without_a_certificate_only_registration_is_answered(sim, registered):
    registered.store.credential = None
    assert registered.poll() is False
    assert (registered.last_error.status, registered.last_error.code) == (401, "ClientCertificateRequired")


def _impostor(sim, service, ca: CertificateAuthority, name: str, status: int = 200) -> None:
    """A node ``evil`` answering ``status`` on 443 with a server certificate for ``name`` from ``ca``."""
    sim.network.add_node("evil")
    now = sim.clock.utcnow()
    credential = ca.issue(name, sans=(name,), eku=Eku.SERVER_AUTH, not_before=now - _DAY, not_after=now + 30 * _DAY,
                          key_type="ecdsa")
    ChannelListener(sim, "evil", 443, credential=credential, trust_roots=[],
                    handler=lambda request, peer: HttpResponse(status, {}, b"{}"))


@pytest.mark.parametrize("which", ["other CA", "wrong name"])
def test_the_provider_refuses_an_impostor_asr(sim, service, site, key, stranger_ca, which):
    endpoint = service.channel.endpoint
    if which == "other CA":
        _impostor(sim, service, stranger_ca, endpoint)
        expected = ["UNTRUSTED_ROOT"]
    else:
        _impostor(sim, service, service.channel.public_root, "evil.example.com")
        expected = ["NAME_MISMATCH"]
    provider = AsrProvider(site.vmm, trusted_roots=[service.channel.public_root], hosts={endpoint: "evil"})
    with pytest.raises(ChannelFailure) as info:
        provider.register(key)
    assert isinstance(info.value.cause, ServerCertificateRejected)
    assert info.value.cause.reasons == expected
    assert provider.registration is None
    # the impostor saw a handshake, never a request carrying the key
    assert sim.history.select(op="channel.Register") == []
    (judgment,) = sim.history.select(op=JUDGMENT_OP, node=site.vmm.name)
    assert judgment.details["reasons"] == expected and certificate_trust(sim.history).ok


@pytest.mark.parametrize(("which", "rule"), [("other CA", "accepted-untrusted-root"),
                                             ("wrong name", "accepted-wrong-name")])
def test_a_provider_accepting_an_impostor_is_caught(sim, service, site, key, stranger_ca, which, rule, monkeypatch):
    monkeypatch.setattr("channel_client.transport.judge_server_chain", lambda *_: Validation())
    endpoint = service.channel.endpoint
    _impostor(sim, service, stranger_ca if which == "other CA" else service.channel.public_root,
              endpoint if which == "other CA" else "evil.example.com", status=503)
    provider = AsrProvider(site.vmm, trusted_roots=[service.channel.public_root], hosts={endpoint: "evil"})
    with pytest.raises(RegistrationRefused):
        provider.register(key)  # the impostor got the key: the judgment let it
    assert [v.rule for v in certificate_trust(sim.history).violations] == [rule]


def test_a_registration_answer_without_its_certificate_fails_typed(sim, service, site, key):
    """A trusted server answering ``{}`` to Register: a ``ChannelFailure`` naming the answer, nothing kept."""
    endpoint = service.channel.endpoint
    _impostor(sim, service, service.channel.public_root, endpoint)
    provider = AsrProvider(site.vmm, trusted_roots=[service.channel.public_root], hosts={endpoint: "evil"})
    with pytest.raises(ChannelFailure, match="registration answer cannot be read"):
        provider.register(key)
    assert provider.registration is None and provider.store.credential is None
