"""Failover TCP/IP (§3.7): after failover the guest holds the configured failover address when it can
take it (KVP integration service, integration components in the guest, a synthetic adapter), and
its old address when it cannot."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hyperv_fake import (
    GuestNetworkConfiguration,
    HyperVHost,
    IntegrationService,
    InvalidParameterError,
    InvalidStateError,
    VMState,
)
from hyperv_fake.testing import GiB, ReplicaPair
from simcore import FaultRule, Match, Partition

OLD = GuestNetworkConfiguration(False, ("10.0.0.10",), ("255.255.255.0",), ("10.0.0.1",), ("10.0.0.2",))

masks = st.integers(min_value=8, max_value=30).map(lambda n: str(ipaddress.IPv4Network(f"0.0.0.0/{n}").netmask))
v4 = st.ip_addresses(v=4).map(str)
v6 = st.ip_addresses(v=6).map(str)
ipv4_settings = st.fixed_dictionaries({
    "ipv4_address": v4, "ipv4_subnet_mask": masks,
    "ipv4_default_gateway": st.lists(v4, max_size=5),
    "ipv4_preferred_dns_server": st.one_of(st.none(), v4),
})
ipv6_settings = st.one_of(st.just({}), st.fixed_dictionaries({
    "ipv6_address": v6, "ipv6_subnet_prefix_length": st.integers(min_value=0, max_value=128),
    "ipv6_default_gateway": st.lists(v6, max_size=5),
}))


def _protected(make_pair, *, legacy: bool) -> ReplicaPair:  # noqa: ANN001
    lab: ReplicaPair = make_pair()
    vm = lab.add_vm("app", disk_bytes=GiB, generation=1 if legacy else 2, adapters=0, start=False)
    lab.primary.add_vm_network_adapter("app", name="lan", is_legacy=legacy)
    vm.guest.configure_network("lan", OLD)
    lab.primary.start_vm("app")
    lab.protect("app")
    lab.replica.new_vm_switch("dr-lan")
    lab.replica.new_vm_switch("test-lan", switch_type="Private")
    return lab


def _fail_over(lab: ReplicaPair, kind: str) -> tuple[HyperVHost, str]:
    """Fail over (planned, unplanned or test) and boot the VM that now runs; returns where and its name."""
    if kind == "test":
        lab.replica.set_vm_network_adapter("app", test_replica_switch_name="test-lan")
        job = lab.replica.start_vm_failover("app", as_test=True)
        lab.replica.start_vm(job.result.name)
        return lab.replica, job.result.name
    if kind == "planned":
        lab.primary.stop_vm("app")
        lab.primary.start_vm_failover("app", prepare=True).wait()
    else:  # the primary site is gone
        lab.sim.faults.add(FaultRule(Partition(), Match(src="hv1", dst="hv2", bidirectional=True)))
    job = lab.replica.start_vm_failover("app")
    assert job.succeeded, job.error
    lab.replica.connect_vm_network_adapter("app", switch_name="dr-lan")
    lab.replica.start_vm("app")
    return lab.replica, "app"


@given(legacy=st.booleans(), kvp=st.booleans(), components=st.booleans(),
       kind=st.sampled_from(["planned", "unplanned", "test"]), v4_settings=ipv4_settings, v6_settings=ipv6_settings)
def test_the_guest_holds_the_failover_address_exactly_when_it_can_take_it(
        make_pair, legacy: bool, kvp: bool, components: bool, kind: str,  # noqa: ANN001
        v4_settings: dict[str, object], v6_settings: dict[str, object]) -> None:
    lab = _protected(make_pair, legacy=legacy)
    replica = lab.replica
    replica.set_vm_network_adapter_failover_configuration("app", **v4_settings, **v6_settings)
    if not kvp:
        replica.disable_vm_integration_service("app", IntegrationService.KeyValuePairExchange)
    lab.primary.get_vm("app").guest.integration_components = components  # travels with the disks
    lab.sim.advance(600)
    host, name = _fail_over(lab, kind)
    held = host.get_vm(name).guest.network["lan"]
    if kvp and components and not legacy:
        assert v4_settings["ipv4_address"] in held.ip_addresses and "10.0.0.10" not in held.ip_addresses
        gateways = v4_settings["ipv4_default_gateway"]
        assert list(held.default_gateways[:len(gateways)]) == gateways
        assert not held.dhcp_enabled
        if v6_settings:
            assert v6_settings["ipv6_address"] in held.ip_addresses
        assert len(lab.sim.history.select(op="hyperv.failover-tcpip", phase="ok")) == 1
    else:
        assert held == OLD
        assert len(lab.sim.history.select(op="hyperv.failover-tcpip", phase="fail")) == 1


def test_a_test_failover_connects_to_the_test_switch_and_leaves_the_replica_alone(make_pair) -> None:  # noqa: ANN001
    lab = _protected(make_pair, legacy=False)
    lab.replica.set_vm_network_adapter_failover_configuration("app", ipv4_address="192.168.9.10",
                                                              ipv4_subnet_mask="255.255.255.0")
    host, name = _fail_over(lab, "test")
    test = host.get_vm(name)
    assert name == "app - Test" and test.replication_mode.value == "TestReplica"
    assert [a.switch_name for a in test.adapters] == ["test-lan"]
    assert test.guest.network["lan"].ip_addresses == ("192.168.9.10",)
    replica = host.get_vm("app")
    assert replica.state is VMState.Off and replica.adapters[0].switch_name is None  # §2.1: disconnected
    assert lab.replica.get_vm_replication("app").state.value == "Replicating"


def test_without_failover_settings_or_after_clearing_them_the_guest_keeps_its_address(make_pair) -> None:  # noqa: ANN001
    lab = _protected(make_pair, legacy=False)
    replica = lab.replica
    replica.set_vm_network_adapter_failover_configuration("app", ipv4_address="192.168.9.10",
                                                          ipv4_subnet_mask="255.255.255.0")
    replica.set_vm_network_adapter_failover_configuration("app", clear_failover_ipv4_settings=True)
    assert replica.get_vm_network_adapter_failover_configuration("app").empty
    host, name = _fail_over(lab, "unplanned")
    assert host.get_vm(name).guest.network["lan"] == OLD


@pytest.mark.parametrize("bad", [
    {"ipv4_address": "192.168.9.10"},                                         # §3.7: requires -IPv4SubnetMask
    {"ipv6_address": "fd00::10"},                                             # requires -IPv6SubnetPrefixLength
    {"ipv4_address": "192.168.9.300", "ipv4_subnet_mask": "255.255.255.0"},
    {"ipv4_address": "192.168.9.10", "ipv4_subnet_mask": "255.0.255.0"},
    {"ipv4_address": "192.168.9.10", "ipv4_subnet_mask": "255.255.255.0",
     "ipv4_default_gateway": [f"192.168.9.{i}" for i in range(1, 7)]},          # at most 5 gateways
    {"ipv4_address": "fd00::1", "ipv4_subnet_mask": "255.255.255.0"},
    {"ipv4_address": "192.168.9.10", "ipv4_subnet_mask": "255.255.255.0", "clear_failover_ipv4_settings": True},
])
def test_bad_failover_settings_are_refused_and_change_nothing(make_pair, bad: dict[str, object]) -> None:  # noqa: ANN001
    lab = _protected(make_pair, legacy=False)
    lab.replica.set_vm_network_adapter_failover_configuration("app", ipv4_address="172.16.0.5",
                                                              ipv4_subnet_mask="255.255.0.0")
    before = lab.replica.get_vm_network_adapter_failover_configuration("app")
    with pytest.raises(InvalidParameterError) as refused:
        lab.replica.set_vm_network_adapter_failover_configuration("app", **bad)
    assert refused.value.return_code == 32773
    assert lab.replica.get_vm_network_adapter_failover_configuration("app") == before


def test_failover_settings_need_an_address(make_pair) -> None:  # noqa: ANN001
    """WMI: "IPAddresses and DHCPEnabled must be set" (§3.7): DNS alone is refused."""
    lab = _protected(make_pair, legacy=False)
    with pytest.raises(InvalidParameterError):
        lab.replica.set_vm_network_adapter_failover_configuration("app", ipv4_preferred_dns_server="192.168.9.2")
    assert lab.replica.get_vm_network_adapter_failover_configuration("app").empty


def test_failover_settings_apply_only_to_replicated_vms(make_pair) -> None:  # noqa: ANN001
    lab: ReplicaPair = make_pair()
    lab.add_vm("plain", start=False)
    with pytest.raises(InvalidStateError):
        lab.primary.set_vm_network_adapter_failover_configuration("plain", ipv4_address="10.1.1.1",
                                                                  ipv4_subnet_mask="255.255.255.0")
    assert lab.primary.get_vm_network_adapter_failover_configuration("plain").empty


def test_an_unknown_parameter_is_refused_as_powershell_does(make_pair) -> None:  # noqa: ANN001
    lab = _protected(make_pair, legacy=False)
    with pytest.raises(InvalidParameterError) as refused:
        lab.replica.set_vm_network_adapter_failover_configuration("app", ipv4_adress="10.1.1.1")
    assert "cannot be found that matches parameter name 'ipv4_adress'" in str(refused.value)
    assert lab.replica.get_vm_network_adapter_failover_configuration("app").empty
