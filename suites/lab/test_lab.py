"""``drlab.Lab``: the default two-site lab as VMM, Hyper-V and (through the SDK) ASR see it; time,
faults and determinism; typed refusals of bad parameters before anything is built."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given

import drlab.lab
from drlab.strategies import lab_topologies
from drlab import (
    CloudSpec, DuplicateName, Lab, LabConfigError, NetworkSpec, ProxySpec, Role, UnknownCloud, UnknownNetwork, VMSpec,
)
from hyperv_fake import VMState
from simcore import FaultRule, Match, Partition

pytestmark = pytest.mark.drlab(seed=1)


def test_the_default_lab_is_two_sites_with_running_vms_on_static_addresses(lab: Lab) -> None:
    primary, recovery = lab.primary, lab.recovery
    assert (primary.vmm.fqdn, recovery.vmm.fqdn) == ("vmm-ny.contoso.com", "vmm-chi.contoso.com")
    assert [h.fqdn for h in primary.hosts] == ["hv-ny-1.contoso.com", "hv-ny-2.contoso.com"]
    assert [h.fqdn for h in recovery.hosts] == ["hv-chi-1.contoso.com", "hv-chi-2.contoso.com"]
    assert {n: c.disaster_recovery_supported for n, c in primary.clouds.items()} == {"Gold": True, "Bronze": False}
    assert {n: c.disaster_recovery_supported for n, c in recovery.clouds.items()} == {"Gold-Recovery": True}
    assert sorted(primary.vms) == ["Bronze-VM1", "Bronze-VM2", "Gold-VM1", "Gold-VM2"] and recovery.vms == {}
    pool = primary.pools["Corp"]
    for vm in primary.vms.values():
        assert vm.vm.state is VMState.Running and vm.vm.guest.writes_per_second == 10.0
        (address,) = [a for nic in vm.virtual_network_adapters for a in nic.ipv4_addresses]
        assert address in ipaddress.ip_network("10.1.0.0/24") and pool.ip_address_range_start <= address
    addresses = [nic.ipv4_addresses for vm in primary.vms.values() for nic in vm.virtual_network_adapters]
    assert len(set(addresses)) == len(addresses)
    assert str(recovery.pools["Corp"].subnet) == "10.2.0.0/24"
    assert {n: bool(p.registration) for n, p in lab.providers.items()} == {Role.primary: True, Role.recovery: True}


def test_asr_sees_the_dr_clouds_and_their_vms_only(lab: Lab) -> None:
    assert lab.discovered() == {
        "vmm-ny.contoso.com": {"Gold": ["Gold-VM1", "Gold-VM2"]},
        "vmm-chi.contoso.com": {"Gold-Recovery": []},
    }
    asr = lab.azure_client()
    fabric_names = [f.name for f in asr.replication_fabrics.list(lab.resource_group, lab.vault_name)]
    assert sorted(fabric_names) == sorted(lab.fabric_names()) and lab.cloud_names() == ["Gold", "Gold-Recovery"]
    vault = lab.vault_client().vaults.get(lab.resource_group, lab.vault_name)
    assert vault.name == "vault1" and vault.location == "westeurope"


def test_providers_stay_connected_while_time_passes_and_drop_when_cut_off(lab: Lab) -> None:
    asr = lab.azure_client()

    def status() -> list[tuple[str, str]]:
        providers = asr.replication_recovery_services_providers.list(lab.resource_group, lab.vault_name)
        return sorted((p.properties.friendly_name, p.properties.connection_status) for p in providers)

    lab.advance(3600)
    assert status() == [("vmm-chi.contoso.com", "Connected"), ("vmm-ny.contoso.com", "Connected")]
    lab.faults.add(FaultRule(Partition(), Match(src=lab.primary.vmm.name, dst=lab.service.node, bidirectional=True)))
    lab.advance(3600)
    assert status() == [("vmm-chi.contoso.com", "Connected"), ("vmm-ny.contoso.com", "NotConnected")]
    assert lab.providers[Role.primary].last_error is not None
    assert lab.history.select(op="provider.poll", phase="fail")


def test_time_moves_only_when_asked_and_run_until_stops_on_the_predicate(lab: Lab) -> None:
    start = lab.now
    lab.run_until_idle()  # periodic polls alone do not keep the lab busy
    assert lab.now == start
    vmm = lab.primary.vmm
    cloud = next(c for c in vmm.get_sc_cloud() if c.disaster_recovery_supported)
    vmm.new_sc_virtual_machine("late", cloud=cloud, operating_system="Windows Server 2016")

    def seen() -> bool:
        return any("late" in items for items in lab.discovered()[vmm.fqdn].values())

    lab.run_until(seen, within=600)
    assert start < lab.now <= start + 60  # the Provider's next poll on its phase reports the VM


def test_same_seed_same_ids_and_history_other_seed_other_ids() -> None:
    one, again, other = Lab(seed=5), Lab(seed=5), Lab(seed=6)
    for lab in (one, again, other):
        lab.advance(600)
    assert one.history.dumps() == again.history.dumps()
    assert one.fabric_names() == again.fabric_names() != other.fabric_names()
    assert one.discovered() == other.discovered()  # the ids differ, the topology does not


@pytest.mark.drlab(seed=2, hosts_per_site=3, vms_per_cloud=1,
                   clouds=[CloudSpec("Web"), CloudSpec("Db", networks=["Data"]), CloudSpec("Web-DR", "recovery")],
                   networks=[NetworkSpec("Corp", "10.1.0.0/24", "10.2.0.0/24"),
                             NetworkSpec("Data", "192.168.10.0/24", "192.168.20.0/27")],
                   vms=[VMSpec("app", "Web", networks=["Corp", "Data"], writes_per_second=0),
                        VMSpec("sql", "Db"), VMSpec("standby", "Web-DR")])
def test_a_lab_is_built_from_its_parameters(lab: Lab) -> None:
    assert len(lab.primary.hosts) == len(lab.recovery.hosts) == 3
    app = lab.primary.vms["app"]
    assert [str(nic.ipv4_addresses[0]) for nic in app.virtual_network_adapters] == ["10.1.0.10", "192.168.10.10"]
    assert app.vm.guest.writes_per_second == 0
    assert [nic.vm_network.name for nic in lab.primary.vms["sql"].virtual_network_adapters] == ["Data"]
    assert str(lab.recovery.vms["standby"].virtual_network_adapters[0].ipv4_addresses[0]) == "10.2.0.10"
    assert lab.discovered() == {"vmm-ny.contoso.com": {"Db": ["sql"], "Web": ["app"]},
                                "vmm-chi.contoso.com": {"Web-DR": ["standby"]}}


def test_a_proxy_carries_every_provider_connection(lab: Lab) -> None:
    proxied = Lab(seed=1, proxy=ProxySpec(("dra", "s3cret")))
    proxied.advance(300)
    opened = [(e.details["src"], e.details["dst"]) for e in proxied.history.select(op="net.connect", phase="ok")]
    vmms = {lab.primary.vmm.name, lab.recovery.vmm.name}
    assert {dst for src, dst in opened if src in vmms} == {"proxy"}
    assert {src for src, dst in opened if dst == proxied.service.node} == {"proxy"}
    assert proxied.discovered() == lab.discovered()


def test_wrong_proxy_credentials_are_a_clear_start_error() -> None:
    with pytest.raises(drlab.LabStartError, match="407 Proxy Authentication Required.*DRAProxyAccount") as caught:
        Lab(seed=1, proxy=ProxySpec(("dra", "s3cret"), provider_credentials=("dra", "wrong")))
    assert "vmm-ny" in str(caught.value)


@pytest.mark.parametrize(("options", "error", "named"), [
    ({"hosts_per_site": 0}, LabConfigError, "hosts_per_site"),
    ({"hosts_per_site": True}, LabConfigError, "hosts_per_site"),
    ({"vms_per_cloud": -1}, LabConfigError, "vms_per_cloud"),
    ({"seed": "1"}, LabConfigError, "seed"),
    ({"vms": [VMSpec("x", "Platinum")]}, UnknownCloud, "'Platinum'"),
    ({"vms": [VMSpec("x", "Gold", networks=["Nope"])]}, UnknownNetwork, "'Nope'"),
    ({"clouds": [CloudSpec("Gold", networks=["Nope"]), CloudSpec("R", "recovery")]}, UnknownNetwork, "'Nope'"),
    ({"clouds": [CloudSpec("Gold"), CloudSpec("gold"), CloudSpec("R", "recovery")]}, DuplicateName, "'gold'"),
    ({"clouds": [CloudSpec("Gold")]}, LabConfigError, "recovery site needs at least one cloud"),
    ({"vms": [VMSpec("a", "Gold"), VMSpec("A", "Gold")]}, DuplicateName, "'A'"),
    ({"vms": [VMSpec("a", "Gold", writes_per_second=-1)]}, LabConfigError, "writes_per_second"),
    ({"networks": [NetworkSpec("Corp", "10.1.0.0/24", "10.2.0.0/28")]}, LabConfigError, "/27"),
    ({"networks": [NetworkSpec("Corp", "10.1.0.300/24", "10.2.0.0/24")]}, LabConfigError, "primary_subnet"),
    ({"networks": "Corp"}, LabConfigError, "networks must be a sequence"),
    ({"proxy": ("u", "p")}, LabConfigError, "ProxySpec"),
    ({"hyperv_policy": "lenient"}, LabConfigError, "HyperVPolicy"),
    ({"vault": ""}, LabConfigError, "vault"),
])
def test_bad_parameters_are_typed_errors_raised_before_anything_is_built(
    monkeypatch: pytest.MonkeyPatch, options: dict, error: type[Exception], named: str
) -> None:
    def built(*args: object, **kwargs: object) -> None:
        raise AssertionError("a simulation was built for a lab that cannot be")

    monkeypatch.setattr(drlab.lab, "Simulation", built)
    with pytest.raises(error, match=named.replace("(", r"\(")) as caught:
        Lab(**options)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("options", "named"), [({"retry_after": -1}, "retry_after"), ({"page_size": 0}, "page_size")])
def test_bad_service_options_are_lab_config_errors(options: dict, named: str) -> None:
    with pytest.raises(LabConfigError, match=named):
        Lab(**options)


def test_unknown_cloud_spec_site_and_bad_proxy_credentials_are_refused_when_specified() -> None:
    with pytest.raises(LabConfigError, match="'primary' or 'recovery'"):
        CloudSpec("Gold", site="tertiary")  # type: ignore[arg-type]
    with pytest.raises(LabConfigError, match="credentials"):
        ProxySpec(credentials="dra:pw")  # type: ignore[arg-type]


@given(lab_topologies(networks=False))
def test_asr_sees_exactly_the_dr_clouds_and_their_vms_and_a_seed_replays(options: dict) -> None:
    lab, again = Lab(**options), Lab(**options)
    primary = {cloud.name: sorted(vm.name for vm in options["vms"] if vm.cloud == cloud.name)
               for cloud in options["clouds"][:-1] if cloud.disaster_recovery}
    for replay in (lab, again):
        replay.advance(120)
        assert replay.discovered() == {"vmm-ny.contoso.com": primary, "vmm-chi.contoso.com": {"R": []}}
    assert again.history.dumps() == lab.history.dumps()


def test_the_hosts_follow_the_lab_s_hyperv_policy() -> None:
    from hyperv_fake import HyperVPolicy, TrustPolicy
    policy = HyperVPolicy(trust=TrustPolicy(validate_on_configure=False))
    with Lab(seed=1, hosts_per_site=1, vms_per_cloud=0, register=False, hyperv_policy=policy) as lab:
        assert lab.hyperv.policy is policy and lab.hyperv.judge.policy is policy.trust
