"""Socket mode: the Providers' channel over real HTTPS on 127.0.0.1 — TLS client authentication both
ways, a real CONNECT proxy judged from its own log, and the lab's lock released while on the wire."""

from __future__ import annotations

import gc
import json
import socket
import ssl
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from drlab import Lab, LabStartError, ProxySpec, Role
from drlab.azure_transport import AsrTransport
from drlab.socket_channel import ChannelServer, SocketTransport, socket_transport_factory
from scvmm_fake.provider import AsrProvider, ChannelFailure, ServerCertificateRejected, TlsAlertReceived
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
    before = channel_requests(proxied)
    roots = [proxied.service.channel.public_root]
    with SocketTransport(proxied.channel_server.url, trust_roots=roots, identity=lambda: genuine) as transport:
        assert httpx.Client(transport=transport).post(f"https://asr{HEARTBEAT}", json={}).status_code == 200
    forged = stranger(proxied, genuine.subject, Eku.CLIENT_AUTH)
    with SocketTransport(proxied.channel_server.url, trust_roots=roots, identity=lambda: forged) as transport:
        with pytest.raises(TlsAlertReceived) as caught:
            httpx.Client(transport=transport).post(f"https://asr{HEARTBEAT}", json={})
    assert caught.value.description == "unknown_ca"
    assert channel_requests(proxied) == before + 1  # the forged one never reached the channel
    assert "CERTIFICATE_VERIFY_FAILED" in proxied.channel_server.refusals[-1]  # the server's own view


def test_an_impostor_server_certificate_is_refused_by_the_provider(proxied: Lab) -> None:
    channel = proxied.service.channel
    with ChannelServer(channel, credential=stranger(proxied, channel.endpoint, Eku.SERVER_AUTH)) as impostor:
        provider = AsrProvider(proxied.primary.vmm, trusted_roots=[channel.public_root],
                               transport_factory=socket_transport_factory(impostor.url, proxied.lock))
        before = channel_requests(proxied)
        with pytest.raises(ChannelFailure) as caught:
            provider.register(proxied.registration_key())
    assert isinstance(caught.value.cause, ServerCertificateRejected)
    assert caught.value.cause.host == channel.endpoint and "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    assert channel_requests(proxied) == before and provider.registration is None  # the impostor was told nothing


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
