"""Certificate trust on the configuration server's channel, as on the Provider's (DESIGN.md "Trust"): the
agent registers only to a server whose certificate chains to a root it trusts and names the endpoint
(an impostor never sees the key), ASR answers only a client certificate its vault's CA issued and that
is current on the lab clock, every refusal names its reason, and every history is judged by
``drlab.checkers.certificate_trust`` — which names the rule when the agent's validation is broken on
purpose (accepting everything)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

import drlab
from asr_emulator.channel import ChannelListener
from asr_emulator.http import HttpResponse
from channel_client import ChannelFailure, RegistrationRefused, ServerCertificateRejected, TlsAlertReceived
from drlab import VMwareSiteSpec
from drlab.checkers import certificate_trust, outbound_only
from simcore import JUDGMENT_OP
from simcore.pki import CertificateAuthority, Eku, Validation

_DAY = timedelta(days=1)


@pytest.fixture
def lab() -> Any:
    with drlab.Lab(seed=71, vms_per_cloud=1) as built:
        yield built


def _impostor(lab: drlab.Lab, ca: CertificateAuthority, name: str, status: int = 200) -> str:
    """A node ``evil`` answering ``status`` on 443 with a server certificate for ``name`` from ``ca``;
    the endpoint the agent's hosts file then sends there."""
    lab.sim.network.add_node("evil")
    now = lab.sim.clock.utcnow()
    credential = ca.issue(name, sans=(name,), eku=Eku.SERVER_AUTH, not_before=now - _DAY, not_after=now + 30 * _DAY,
                          key_type="ecdsa")
    ChannelListener(lab.sim, "evil", 443, credential=credential, trust_roots=[],
                    handler=lambda request, peer: HttpResponse(status, {}, b"{}"))
    return str(lab.service.channel.endpoint)


def _cases(lab: drlab.Lab, stranger: CertificateAuthority) -> dict[str, tuple[CertificateAuthority, str]]:
    return {"other CA": (stranger, lab.service.channel.endpoint),
            "wrong name": (lab.service.channel.public_root, "evil.example.com")}


@pytest.mark.parametrize("which, reasons", [("other CA", ["UNTRUSTED_ROOT"]), ("wrong name", ["NAME_MISMATCH"])])
def test_the_agent_refuses_an_impostor_asr_and_never_sends_the_key(lab: drlab.Lab, which: str,
                                                                   reasons: list[str]) -> None:
    site = lab.add_vmware_site(VMwareSiteSpec(vms=("vmw-web1",), physical_servers=()), register=False)
    ca, name = _cases(lab, CertificateAuthority.root("Not the vault"))[which]
    endpoint = _impostor(lab, ca, name)
    site.agent.hosts[endpoint] = "evil"
    registrations = len(lab.history.select(op="channel.Register"))  # the VMM Providers' own
    with pytest.raises(ChannelFailure) as info:
        site.agent.register(lab.registration_key())
    assert isinstance(info.value.cause, ServerCertificateRejected) and info.value.cause.reasons == reasons
    assert site.agent.registration is None and site.agent.credential is None
    (judgment,) = lab.history.select(op=JUDGMENT_OP, node=site.configuration_server.name)
    assert judgment.details["reasons"] == reasons
    assert len(lab.history.select(op="channel.Register")) == registrations  # the impostor saw a handshake only
    assert certificate_trust(lab.history).ok and outbound_only(lab.history).ok


@pytest.mark.parametrize("which, rule", [("other CA", "accepted-untrusted-root"), ("wrong name", "accepted-wrong-name")])
def test_an_agent_accepting_an_impostor_is_caught(lab: drlab.Lab, which: str, rule: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("channel_client.transport.judge_server_chain", lambda *_: Validation())
    site = lab.add_vmware_site(VMwareSiteSpec(vms=("vmw-web1",), physical_servers=()), register=False)
    ca, name = _cases(lab, CertificateAuthority.root("Not the vault"))[which]
    site.agent.hosts[_impostor(lab, ca, name, status=503)] = "evil"
    with pytest.raises(RegistrationRefused):
        site.agent.register(lab.registration_key())  # the impostor got the key: the judgment let it
    assert [v.rule for v in certificate_trust(lab.history).violations] == [rule]


@pytest.mark.parametrize("defect, alert", [("expired", "certificate_expired"), ("other CA", "unknown_ca")])
def test_asr_refuses_a_defective_client_certificate_of_the_configuration_server(lab: drlab.Lab, defect: str,
                                                                                 alert: str) -> None:
    site = lab.add_vmware_site(VMwareSiteSpec(vms=("vmw-web1",), physical_servers=()))
    assert site.agent.poll() is True
    now = lab.sim.clock.utcnow()
    ca = lab.service.channel.vault_ca(lab.vault) if defect == "expired" else CertificateAuthority.root("Not the vault")
    start, end = (-30, -1) if defect == "expired" else (-1, 30)
    site.agent.credential = ca.issue(site.configuration_server.fqdn, eku=Eku.CLIENT_AUTH, key_type="ecdsa",
                                     not_before=now + start * _DAY, not_after=now + end * _DAY)
    assert site.agent.poll() is False
    cause = site.agent.last_error.cause if site.agent.last_error is not None else None
    assert isinstance(cause, TlsAlertReceived) and cause.description == alert
    assert certificate_trust(lab.history).ok and outbound_only(lab.history).ok


def test_a_registration_answer_without_its_certificate_fails_typed_and_registers_nothing(lab: drlab.Lab) -> None:
    """A server the agent trusts that answers ``{}``: a ``ChannelFailure`` naming the answer, not a KeyError."""
    site = lab.add_vmware_site(VMwareSiteSpec(vms=("vmw-web1",), physical_servers=()), register=False)
    ca = lab.service.channel.public_root
    site.agent.hosts[_impostor(lab, ca, lab.service.channel.endpoint)] = "evil"
    with pytest.raises(ChannelFailure, match="registration answer cannot be read"):
        site.agent.register(lab.registration_key())
    assert site.agent.registration is None and site.agent.credential is None
    (failed,) = lab.history.select(op="cs.register", phase="fail")
    assert "cannot be read" in failed.details["error"]
