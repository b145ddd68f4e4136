"""Socket mode: the Providers' channel over real HTTPS on 127.0.0.1 — TLS client authentication both
ways, a real CONNECT proxy judged from its own log, and the lab's lock released while on the wire."""

from __future__ import annotations

import gc
import json
import socket
import ssl
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from drlab import Lab, LabStartError, ProxySpec, Role
from drlab.azure_transport import AsrTransport
from drlab.socket_channel import ChannelServer
from drlab.socket_transport import SocketTransport, socket_transport_factory
from scvmm_fake.provider import (
    AsrProvider, ChannelFailure, ServerCertificateRejected, SimulatedNetworkTransport, TlsAlertReceived,
)
from simcore.pki import CertificateAuthority, Eku, IssuedCertificate

pytestmark = pytest.mark.sockets

HEARTBEAT = "/providers/Microsoft.RecoveryServices/channel/heartbeat"


@pytest.fixture(scope="module")
def proxied() -> Iterator[Lab]:
    """One socket-mode lab behind a proxy with credentials, for the module (read-mostly tests)."""
    with Lab(seed=4, sockets=True, proxy=ProxySpec(("dra", "s3cret"))) as lab:
        yield lab


def channel_requests(lab: Lab) -> int:
    """How many requests the channel answered (each records ``channel.<Operation>`` invoke)."""
    return sum(1 for event in lab.history if event.op.startswith("channel.") and event.phase.value == "invoke")


def stranger(lab: Lab, subject: str, eku: Eku) -> IssuedCertificate:
    """A certificate like a genuine one, from a CA nobody in the lab trusts."""
    now = lab.sim.clock.utcnow()
    return CertificateAuthority.root("impostor").issue(subject, sans=(subject, "127.0.0.1"), eku=eku,
                                                       not_before=now - timedelta(days=1),
                                                       not_after=now + timedelta(days=30))


def test_all_provider_traffic_passes_the_proxy(proxied: Lab) -> None:
    before_log, before_requests = len(proxied.proxy.log), channel_requests(proxied)
    proxied.advance(600)
    server = proxied.channel_server
    assert proxied.proxy.tunnels, "the Providers never reached the proxy"
    assert set(proxied.proxy.tunnels) == {f"127.0.0.1:{server.port}"}
    assert {entry.username for entry in proxied.proxy.log} == {"dra"}
    # one connection per request (PROTOCOL.md §1): every request the channel answered came through a CONNECT
    assert len(proxied.proxy.tunnels) == channel_requests(proxied) > 0
    assert len(proxied.proxy.log) - before_log == channel_requests(proxied) - before_requests == 20  # 2 x 10 polls
    assert not proxied.history.select(op="provider.poll", phase="fail")


def test_the_sdk_sees_what_the_providers_reported_over_sockets(proxied: Lab) -> None:
    asr = proxied.azure_client()
    rg, vault = proxied.resource_group, proxied.vault_name
    fabrics = {f.name: f.properties.friendly_name for f in asr.replication_fabrics.list(rg, vault)}
    assert sorted(fabrics.values()) == ["vmm-chi.contoso.com", "vmm-ny.contoso.com"]
    providers = asr.replication_recovery_services_providers.list(rg, vault)
    assert {p.properties.connection_status for p in providers} == {"Connected"}
    ny = next(name for name, friendly in fabrics.items() if friendly == "vmm-ny.contoso.com")
    (gold,) = asr.replication_protection_containers.list_by_replication_fabrics(rg, vault, ny)
    items = asr.replication_protectable_items.list_by_replication_protection_containers(rg, vault, ny, gold.name)
    assert sorted(i.properties.friendly_name for i in items) == ["Gold-VM1", "Gold-VM2"]


def test_an_sdk_poller_advancing_time_while_providers_poll_over_sockets_does_not_deadlock(proxied: Lab) -> None:
    asr = proxied.azure_client()  # Retry-After 30: each poller sleep advances the lab, under its lock
    body = {"properties": {"providerSpecificInput": {
        "instanceType": "HyperVReplica2012R2", "replicationPort": 8083, "allowedAuthenticationType": 1,
        "recoveryPoints": 1, "applicationConsistentSnapshotFrequencyInHours": 0, "compression": "Enable",
        "initialReplicationMethod": "OverNetwork", "replicaDeletion": "Required", "replicationFrequencyInSeconds": 30}}}
    policy = asr.replication_policies.begin_create(proxied.resource_group, proxied.vault_name, "p", body).result()
    assert policy.name == "p"
    polls = len(proxied.history.select(op="provider.poll", phase="ok"))
    AsrTransport(proxied.service).sleep(120)  # what the poller does between polls: advance, holding the lab's lock
    assert len(proxied.history.select(op="provider.poll", phase="ok")) == polls + 4


def test_wrong_proxy_credentials_are_a_clear_error_and_the_proxy_says_407() -> None:
    with pytest.raises(LabStartError, match="407 Proxy Authentication Required .*DRAProxyAccount"):
        Lab(seed=4, sockets=True, proxy=ProxySpec(("dra", "s3cret"), provider_credentials=("dra", "guess")))
    lab = Lab(seed=4, sockets=True, proxy=ProxySpec(("dra", "s3cret"), provider_credentials=("dra", "guess")),
              register=False)
    with lab, pytest.raises(LabStartError, match="vmm-ny could not register"):
        lab.register_providers()
    assert [(e.status, e.username) for e in lab.proxy.log] == [(407, "dra")]
    assert lab.proxy.tunnels == () and channel_requests(lab) == 0
    assert lab.providers[Role.primary].registration is None


def test_a_client_certificate_from_another_ca_is_refused_by_the_tls_layer(proxied: Lab) -> None:
    genuine = proxied.providers[Role.primary].store.credential
    assert genuine is not None
    before, refused = channel_requests(proxied), len(proxied.channel_server.refusals)
    assert heartbeat(proxied, genuine) == (200, None)
    forged = stranger(proxied, genuine.subject, Eku.CLIENT_AUTH)
    assert heartbeat(proxied, forged) == ("unknown_ca", [])  # OpenSSL's own alert: no reasons (PROTOCOL.md §2.1)
    assert channel_requests(proxied) == before + 1  # the forged one never reached the channel
    # the server's own view, recorded by its thread just after it sent the alert
    assert "CERTIFICATE_VERIFY_FAILED" in proxied.channel_server.wait_for_refusals(refused + 1, timeout=5)[-1]


def refused_server(lab: Lab, credential: IssuedCertificate) -> ServerCertificateRejected:
    """Register a new Provider of ``lab`` with a channel server presenting ``credential``: the refusal,
    having checked that the channel was told nothing."""
    channel = lab.service.channel
    with ChannelServer(channel, credential=credential) as impostor:
        provider = AsrProvider(lab.primary.vmm, trusted_roots=[channel.public_root],
                               transport_factory=socket_transport_factory(impostor.url, lab.lock))
        before = channel_requests(lab)
        with pytest.raises(ChannelFailure) as caught:
            provider.register(lab.registration_key())
    assert channel_requests(lab) == before and provider.registration is None  # the impostor was told nothing
    assert isinstance(caught.value.cause, ServerCertificateRejected)
    assert caught.value.cause.host == channel.endpoint and "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    return caught.value.cause


def test_an_impostor_server_certificate_is_refused_by_the_provider(proxied: Lab) -> None:
    refused_server(proxied, stranger(proxied, proxied.service.channel.endpoint, Eku.SERVER_AUTH))


def test_a_plain_tls_client_needs_the_public_root_and_without_a_certificate_gets_401(proxied: Lab) -> None:
    url = proxied.channel_server.url + HEARTBEAT
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.post(url, json={}, verify=ssl.create_default_context())
    trusting = ssl.create_default_context(cadata=proxied.service.channel.public_root.cert_pem().decode())
    answer = httpx.post(url, json={}, verify=trusting)
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "ClientCertificateRequired"


def test_socket_mode_is_deterministic_too() -> None:
    histories = []
    for _ in range(2):
        with Lab(seed=2, sockets=True) as lab:
            lab.advance(120)
            histories.append(lab.history.dumps())
    assert histories[0] == histories[1]


def test_a_forgotten_socket_lab_stops_its_server_and_proxy() -> None:
    lab = Lab(seed=3, sockets=True, proxy=ProxySpec(), register=False)
    server, proxy = lab.channel_server, lab.proxy
    assert proxy.running and server.port
    del lab
    gc.collect()
    assert not proxy.running
    with pytest.raises(RuntimeError, match="not running"):
        server.port


def test_a_malformed_request_is_400_and_nothing_reaches_the_channel(proxied: Lab) -> None:
    trusting = ssl.create_default_context(cadata=proxied.service.channel.public_root.cert_pem().decode())
    before = channel_requests(proxied)
    with socket.create_connection(("127.0.0.1", proxied.channel_server.port), timeout=10) as raw:
        with trusting.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            tls.sendall(b"POST " + HEARTBEAT.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n")
            head, _, body = tls.makefile("rb").read().partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert json.loads(body)["error"] == {"code": "InvalidRequestContent", "target": "Content-Length",
                                         "message": "Content-Length must be a number of bytes, got 'lots'."}
    assert channel_requests(proxied) == before


# -- certificates judged on the lab's virtual clock, as in-process (PROTOCOL.md §2.1) --------------------------------

def vault_certificate(lab: Lab, days: tuple[float, float], eku: Eku = Eku.CLIENT_AUTH) -> IssuedCertificate:
    """A certificate from the lab vault's own CA, valid ``days`` (from, to) around virtual now."""
    now = lab.sim.clock.utcnow()
    return lab.service.channel.vault_ca(lab.vault).issue("vmm-ny.contoso.com", eku=eku, key_type="ecdsa",
                                                         not_before=now + timedelta(days=days[0]),
                                                         not_after=now + timedelta(days=days[1]))


def heartbeat(lab: Lab, credential: IssuedCertificate) -> tuple[object, object]:
    """A heartbeat presenting ``credential``, through the transport of ``lab``'s mode: (status, error code)
    answered, or (alert, reasons) refused."""
    roots = [lab.service.channel.public_root]
    if lab.channel_server is not None:
        transport: httpx.BaseTransport = SocketTransport(lab.channel_server.url, trust_roots=roots, lock=lab.lock,
                                                         clock=lab.sim.clock.utcnow, identity=lambda: credential)
    else:
        transport = SimulatedNetworkTransport(lab.sim, lab.primary.vmm.name, trust_roots=roots,
                                              identity=lambda: credential)
    with lab.lock, transport:
        try:
            url = f"https://{lab.service.channel.endpoint}{HEARTBEAT}"
            answer = httpx.Client(transport=transport).post(url, json={})
        except TlsAlertReceived as alert:
            return alert.description, alert.reasons
    return answer.status_code, answer.json()["error"]["code"] if answer.status_code != 200 else None


def certificate_cases(lab: Lab) -> dict[str, IssuedCertificate]:
    revoked = vault_certificate(lab, (-1, 30))
    lab.service.channel.vault_ca(lab.vault).revoke(revoked.certificate)
    genuine = lab.providers[Role.primary].store.credential
    assert genuine is not None
    return {"genuine": genuine, "expired": vault_certificate(lab, (-30, -1)),
            "not yet valid": vault_certificate(lab, (1, 30)), "revoked": revoked,
            "valid, unregistered": vault_certificate(lab, (-1, 1))}


EXPECTED = {"genuine": (200, None), "expired": ("certificate_expired", ["EXPIRED"]),
            "not yet valid": ("certificate_expired", ["NOT_YET_VALID"]),
            "revoked": ("certificate_revoked", ["REVOKED"]),
            "valid, unregistered": (401, "ProviderNotRegistered")}


@pytest.fixture(scope="module")
def decisions() -> dict[bool, tuple[dict[str, tuple[object, object]], list[tuple[str, list[str]]], int]]:
    """For each mode (sockets or not), same seed: each case's outcome, the channel's ``channel.tls``
    refusals (alert, reasons), and how many requests reached the channel."""
    out = {}
    for sockets in (False, True):
        with Lab(seed=6, sockets=sockets) as lab:
            cases = certificate_cases(lab)
            before = channel_requests(lab)
            outcomes = {name: heartbeat(lab, credential) for name, credential in cases.items()}
            refusals = [(e.details["alert"], list(e.details["reasons"])) for e in lab.history.select(op="channel.tls")]
            out[sockets] = outcomes, refusals, channel_requests(lab) - before
    return out


def test_over_sockets_client_certificates_are_judged_at_virtual_now_with_revocation(decisions) -> None:
    outcomes, refusals, reached = decisions[True]
    assert outcomes == EXPECTED  # expired / not yet valid / revoked in virtual time: refused with that reason
    assert refusals == [("certificate_expired", ["EXPIRED"]), ("certificate_expired", ["NOT_YET_VALID"]),
                        ("certificate_revoked", ["REVOKED"])]
    assert reached == 2  # the refused requests never reached the channel's handler


def test_sockets_and_in_process_make_the_same_certificate_decisions(decisions) -> None:
    assert decisions[True] == decisions[False]


def test_a_certificate_valid_in_virtual_time_connects_though_the_wall_clock_says_expired() -> None:
    with Lab(seed=6, sockets=True) as lab:
        lab.advance(60)
        genuine = lab.providers[Role.primary].store.credential
        short = vault_certificate(lab, (-1, 1))
        assert short.certificate.not_valid_after_utc < datetime.now(timezone.utc)  # expired by the wall clock
        assert heartbeat(lab, short) == (401, "ProviderNotRegistered")  # past TLS: judged valid, then unknown
        assert genuine is not None and heartbeat(lab, genuine) == (200, None)


@pytest.mark.parametrize("days, reasons", [((-30, -1), ["EXPIRED"]), ((1, 30), ["NOT_YET_VALID"])])
def test_a_server_certificate_outside_its_validity_in_virtual_time_is_refused_by_the_provider(
        proxied: Lab, days: tuple[int, int], reasons: list[str]) -> None:
    channel = proxied.service.channel
    now = proxied.sim.clock.utcnow()
    credential = channel.public_root.issue(  # genuine in all but its validity period
        channel.endpoint, sans=(channel.endpoint, "127.0.0.1"), eku=Eku.SERVER_AUTH, key_type="ecdsa",
        not_before=now + timedelta(days=days[0]), not_after=now + timedelta(days=days[1]))
    assert refused_server(proxied, credential).reasons == reasons
