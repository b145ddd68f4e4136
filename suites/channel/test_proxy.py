"""The Provider's custom proxy (§5.2): with one set, all its traffic goes VMM → proxy → ASR; a proxy that is
down leaves the Provider NotConnected after the timeout, and Connected again once it is back; wrong
credentials (the Run As account ``DRAProxyAccount``) are a clear 407."""

from __future__ import annotations

import pytest

from asr_emulator.channel.policy import HEARTBEAT_TIMEOUT_SECONDS
from scvmm_fake import DRA_PROXY_ACCOUNT_NAME, Credential
from scvmm_fake.provider import AsrProvider, ChannelFailure, ProxyAuthenticationRequired, ProxySettings, WebProxy
from simcore import FaultRule, Match, Partition

from .conftest import RG, VAULT, connections

USER, PASSWORD = "CONTOSO\\svc-proxy", "s3cret"


@pytest.fixture
def proxy(sim) -> WebProxy:
    return WebProxy(sim, "proxy", credentials=(USER, PASSWORD))


def _behind_proxy(service, site, password: str = PASSWORD) -> AsrProvider:
    return AsrProvider(site.vmm, trusted_roots=[service.channel.public_root], proxy=ProxySettings("proxy"),
                       proxy_credential=Credential(USER, password))


def _status(asr, provider: AsrProvider) -> str:
    return asr.replication_recovery_services_providers.get(
        RG, VAULT, provider.registration.fabric_name, provider.registration.provider_name).properties.connection_status


def test_all_provider_traffic_passes_the_proxy(sim, asr, service, site, key, proxy):
    provider = _behind_proxy(service, site)
    provider.register(key)
    sim.advance(5 * provider.poll_interval)
    opened = connections(sim)
    vmm, asr_node = site.vmm.name, service.node
    from_vmm = [dst for src, dst in opened if src == vmm]
    assert from_vmm and set(from_vmm) == {"proxy"}
    assert len([1 for src, dst in opened if (src, dst) == ("proxy", asr_node)]) == len(from_vmm)
    assert all(src != asr_node for src, _ in opened)
    tunnels = sim.history.select(op="proxy.connect", phase="ok")
    assert len(tunnels) == len(from_vmm) and {t.details["target"] for t in tunnels} == {f"{service.channel.endpoint}:443"}
    assert _status(asr, provider) == "Connected"


@pytest.mark.parametrize("outage", ["partitioned", "stopped"])
def test_proxy_down_means_not_connected_after_the_timeout_then_back(sim, asr, service, site, key, proxy, outage):
    provider = _behind_proxy(service, site)
    provider.register(key)
    if outage == "partitioned":
        rule = sim.faults.add(FaultRule(Partition(), Match(src=site.vmm.name, dst="proxy", bidirectional=True)))
    else:
        proxy.stop()
    sim.advance(HEARTBEAT_TIMEOUT_SECONDS + 2 * provider.poll_interval)
    assert _status(asr, provider) == "NotConnected"
    assert provider.last_error is not None and provider.last_error.cause is not None
    if outage == "partitioned":
        sim.faults.heal(rule)
    else:
        proxy.start()
    sim.advance(provider.poll_interval)
    assert _status(asr, provider) == "Connected" and provider.last_error is None


def test_wrong_proxy_credentials_are_a_clear_407(sim, service, site, key, proxy):
    provider = _behind_proxy(service, site, password="wrong")
    with pytest.raises(ChannelFailure) as info:
        provider.register(key)
    assert isinstance(info.value.cause, ProxyAuthenticationRequired)
    assert "407" in str(info.value) and DRA_PROXY_ACCOUNT_NAME in str(info.value)
    assert sim.history.select(op="proxy.connect", phase="fail")[-1].details["status"] == 407
    assert sim.history.select(op="channel.Register") == []  # nothing reached ASR


def test_fixing_the_run_as_account_takes_effect_at_restart(sim, asr, service, site, key, proxy):
    provider = _behind_proxy(service, site)
    provider.register(key)
    (account,) = site.vmm.get_sc_run_as_account(DRA_PROXY_ACCOUNT_NAME)
    site.vmm.set_sc_run_as_account(account, credential=Credential(USER, "rotated"))
    proxy.credentials = (USER, "rotated")
    assert provider.poll() is False  # still the old credentials until the VMM service restarts (§5.2)
    assert isinstance(provider.last_error.cause, ProxyAuthenticationRequired)
    provider.restart()
    assert provider.poll() is True
