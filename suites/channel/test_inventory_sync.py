"""The Provider rebuilds the DR inventory only when the VMM server's state moved (``dr_revision``):
every kind of change ASR can see reaches ASR at the next poll, and a poll in which nothing happened
does not rebuild the inventory at all (the cost of an idle poll does not grow with the VMs)."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from scvmm_fake import Credential, NetworkAdapterSpec
from scvmm_fake.provider import AsrProvider
from simcore import FaultRule, Match, Partition


def _count_builds(monkeypatch: pytest.MonkeyPatch, provider: AsrProvider) -> list[int]:
    """Count the Provider's calls of ``dr_inventory`` (one per rebuild)."""
    calls: list[int] = []
    original = provider.vmm.dr_inventory

    def counting() -> Any:
        calls.append(1)
        return original()
    monkeypatch.setattr(provider.vmm, "dr_inventory", counting)
    return calls


def _rename_cloud(site: SimpleNamespace) -> None:
    site.vmm.set_sc_cloud(site.gold, name="Platinum")


def _add_capability_profile(site: SimpleNamespace) -> None:
    site.vmm.set_sc_cloud(site.gold, add_capability_profile=["Hyper-V"])


def _flag_a_cloud(site: SimpleNamespace) -> None:
    site.vmm.set_sc_cloud(site.dev, disaster_recovery_supported=True)


def _pair_a_cloud(site: SimpleNamespace) -> None:
    site.vmm.set_cloud_paired(site.gold, True)


def _new_vm(site: SimpleNamespace) -> None:
    site.vmm.new_sc_virtual_machine("late-vm", cloud=site.gold, virtual_network_adapters=[NetworkAdapterSpec(site.network)])


def _remove_vm(site: SimpleNamespace) -> None:
    site.vmm.remove_sc_virtual_machine(site.vms[0])


def _move_vm_to_a_cloud(site: SimpleNamespace) -> None:
    [dev_vm] = [vm for vm in site.vmm.get_sc_virtual_machine() if vm.cloud is site.dev]
    site.vmm.set_sc_virtual_machine(dev_vm, cloud=site.gold)


def _new_vm_network(site: SimpleNamespace) -> None:
    site.vmm.new_sc_vm_network("Backup-VMs", logical_network=site.corp)


def _new_static_pool(site: SimpleNamespace) -> None:
    """The VM network gains a static pool (``hasStaticIpPool``)."""
    [definition] = site.vmm.get_sc_logical_network_definition()
    site.vmm.new_sc_static_ip_address_pool("Corp-Pool", subnet="10.1.0.0/24", logical_network_definition=definition,
                                           ip_address_range_start="10.1.0.10", ip_address_range_end="10.1.0.99")


def _new_host(site: SimpleNamespace) -> None:
    host = site.hyperv.add_host("ny-hv3", fqdn="ny-hv3.ny.contoso.com", domain="ny.contoso.com")
    site.vmm.add_sc_vm_host(host, credential=site.admin, vm_host_group=site.group)


def _hyperv_disk(site: SimpleNamespace) -> None:
    """A disk added on the host, behind VMM's back: the inventory reads disks from Hyper-V."""
    vm = site.vms[0]
    vm.vm_host.host.add_vm_hard_disk_drive(vm.name, "D:\\late.vhdx", size_bytes=1 << 30)


def _host_refresh(site: SimpleNamespace) -> None:
    """A VM created on the host, learnt by ``Read-SCVMHost`` and put in the flagged cloud."""
    host = site.hosts[0]
    host.host.new_vm("found-vm")
    [found] = site.vmm.read_sc_vm_host(host)
    site.vmm.set_sc_virtual_machine(found, cloud=site.gold)


MUTATIONS: dict[str, Callable[[SimpleNamespace], None]] = {
    "rename a cloud": _rename_cloud,
    "add a capability profile": _add_capability_profile,
    "flag a cloud for DR": _flag_a_cloud,
    "pair a cloud": _pair_a_cloud,
    "new VM": _new_vm,
    "remove a VM": _remove_vm,
    "move a VM into a flagged cloud": _move_vm_to_a_cloud,
    "new VM network": _new_vm_network,
    "new static IP pool": _new_static_pool,
    "new host": _new_host,
    "disk added on Hyper-V": _hyperv_disk,
    "host refresh": _host_refresh,
}


@pytest.mark.parametrize("mutate", MUTATIONS.values(), ids=MUTATIONS.keys())
def test_every_kind_of_change_is_sent_at_the_next_poll(registered: AsrProvider, site: SimpleNamespace,
                                                       mutate: Callable[[SimpleNamespace], None]) -> None:
    assert registered.poll()
    before, sequence = registered.vmm.dr_inventory(), registered.store.sequence
    mutate(site)
    assert registered.vmm.dr_inventory().clouds != before.clouds  # the change is one ASR can see
    assert registered.poll()
    assert registered.store.sequence == sequence + 1
    assert registered.poll() and registered.store.sequence == sequence + 1  # and only once


def test_an_idle_poll_does_not_rebuild_the_inventory(monkeypatch: pytest.MonkeyPatch, sim: Any,
                                                     registered: AsrProvider) -> None:
    builds = _count_builds(monkeypatch, registered)
    sequence = registered.store.sequence
    for _ in range(5):
        assert registered.poll()
    sim.advance(3600)  # the Provider's own timer polls sixty times
    assert builds == [] and registered.store.sequence == sequence


def test_a_change_asr_cannot_see_is_rebuilt_once_and_not_sent(monkeypatch: pytest.MonkeyPatch,
                                                              registered: AsrProvider, site: SimpleNamespace) -> None:
    builds = _count_builds(monkeypatch, registered)
    sequence = registered.store.sequence
    site.vmm.new_sc_run_as_account("Backup", credential=Credential("CONTOSO\\backup", "secret"))
    assert registered.poll() and registered.poll()
    assert len(builds) == 1 and registered.store.sequence == sequence


def test_a_failed_send_is_retried_at_the_next_poll(sim: Any, service: Any, registered: AsrProvider,
                                                   site: SimpleNamespace) -> None:
    sequence = registered.store.sequence
    _new_vm(site)
    rule = sim.faults.add(FaultRule(Partition(), Match(src=registered.vmm.name, dst=service.node, bidirectional=True)))
    assert not registered.poll()
    sim.faults.heal(rule)
    assert registered.poll() and registered.store.sequence > sequence
    assert "late-vm" in [vm.name for cloud in registered.vmm.dr_inventory().clouds for vm in cloud.vms]
