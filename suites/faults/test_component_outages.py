"""Component outages (``Outage`` rules): a Hyper-V host crash and reboot, replica storage full, the
Provider crashing, the VMM server down. Each takes effect (``fault.fire``) and is recorded, has its
effect, and heals with the component back as the product comes back.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from drlab import Lab
from hyperv_fake import OperationFailedError, ReplicationHealth, ReplicationState, VMState
from hyperv_fake.testing import GiB, ReplicaPair
from scvmm_fake import ServerUnavailable
from simcore import FaultRule, History, Match, Outage


def _outage(point: str, node: str, **window: float) -> FaultRule:
    return FaultRule(Outage(), Match(point=point, where={"node": node}), name=f"{point}:{node}", **window)


def _protected(make_pair: Callable[..., ReplicaPair], *, disk_bytes: int = 1024 * GiB) -> ReplicaPair:
    pair = make_pair()
    pair.add_vm("vm", disk_bytes=disk_bytes)
    pair.protect("vm", replication_frequency_sec=30)
    return pair


def _ops(history: History, op: str) -> int:
    return len(history.select(op=op))


def test_a_primary_host_crash_turns_its_vms_off_and_its_reboot_needs_a_resync(make_pair) -> None:  # noqa: ANN001
    pair = _protected(make_pair)
    pair.sim.faults.add(_outage("hyperv.host", "hv1", start=pair.sim.clock.now + 100, end=pair.sim.clock.now + 700))
    pair.sim.advance(50)
    assert pair.primary.get_vm("vm").state is VMState.Running  # not yet: the window starts at +100
    pair.sim.advance(100)
    assert [e.details["rule"] for e in pair.sim.history.select(op="fault.fire")] == ["hyperv.host:hv1"]
    assert _ops(pair.sim.history, "hyperv.host.crash") == 1
    with pytest.raises(OperationFailedError, match="RPC server is unavailable"):
        pair.primary.measure_vm_replication("vm")
    with pytest.raises(OperationFailedError):
        pair.primary.start_vm("vm")
    assert pair.primary.get_vm("vm").state is VMState.Off  # (the emulator's own reader, not a cmdlet)
    pair.sim.advance(600)
    assert pair.sim.history.select(op="fault.heal")[-1].details["why"] == "window ended"
    assert _ops(pair.sim.history, "hyperv.host.reboot") == 1
    assert pair.primary.get_vm("vm").state is VMState.Off  # policy HOST_CRASH_EFFECTS: stays off
    stats = pair.primary.measure_vm_replication("vm")
    assert stats.state is ReplicationState.WaitingForStartResynchronize  # §2.6: log not closed gracefully
    assert stats.health is ReplicationHealth.Critical


def test_a_replica_host_crash_is_retried_and_replication_catches_up_after_reboot(make_pair) -> None:  # noqa: ANN001
    pair = _protected(make_pair)
    crash = pair.sim.faults.add(_outage("hyperv.host", "hv2"))
    pair.sim.advance(1800)
    assert pair.primary.measure_vm_replication("vm").health is ReplicationHealth.Critical  # cannot send
    pair.sim.faults.heal(crash)
    pair.sim.advance(1800)  # the next retry (back-off: 30 min at most) gets through
    primary = pair.primary.measure_vm_replication("vm")
    assert primary.state is ReplicationState.Replicating and primary.network_failure_count > 0
    replica = pair.replica.get_vm("vm").replication
    assert replica.applied == pair.primary.get_vm("vm").workload.image(replica.last_replication_time)
    assert pair.sim.clock.now - replica.last_replication_time <= 30


def test_replica_storage_full_is_critical_and_recovers_when_freed(make_pair) -> None:  # noqa: ANN001
    pair = _protected(make_pair)
    full = pair.sim.faults.add(_outage("hyperv.storage", "hv2"))
    pair.sim.advance(600)
    stats = pair.primary.measure_vm_replication("vm")
    assert stats.health is ReplicationHealth.Critical and "not enough space" in stats.replication_health_details[0]
    assert stats.state is ReplicationState.Replicating  # recoverable: retried (§3.6 "low disk")
    pair.sim.faults.heal(full)
    pair.sim.advance(900)
    replica = pair.replica.get_vm("vm").replication
    assert pair.sim.clock.now - replica.last_replication_time <= 30
    assert [e.op for e in pair.sim.history.select(op="hyperv.storage.*")] == ["hyperv.storage.full",
                                                                            "hyperv.storage.freed"]


def test_a_long_storage_outage_passes_the_tracking_log_rule_and_needs_a_resync(make_pair) -> None:  # noqa: ANN001
    pair = _protected(make_pair, disk_bytes=GiB // 4)  # 10 writes/s of 4 KiB: 50 % of 256 MiB in ~55 min
    pair.sim.faults.add(_outage("hyperv.storage", "hv2"))
    pair.sim.advance(2 * 3600)
    assert pair.primary.measure_vm_replication("vm").state is ReplicationState.WaitingForStartResynchronize


def test_the_provider_crashes_and_restarts_keeping_its_registration() -> None:
    lab = Lab(seed=5)
    provider = lab.providers[next(iter(lab.providers))]
    node = provider.vmm.name
    lab.advance(120)
    assert provider.running
    lab.faults.add(_outage("provider.process", node, end=lab.now + 900))
    assert not provider.running and _ops(lab.history, "provider.crash") == 1
    polls = len(lab.history.select(node=node, op="net.connect"))
    lab.advance(600)
    assert len(lab.history.select(node=node, op="net.connect")) == polls  # silent while down
    lab.advance(400)
    assert provider.running and provider.registration is not None
    assert _ops(lab.history, "provider.restart") == 1


def test_a_vmm_server_down_answers_no_cmdlet_and_its_provider_is_silent() -> None:
    lab = Lab(seed=5)
    provider = lab.providers[next(iter(lab.providers))]
    vmm = provider.vmm
    lab.advance(60)
    down = lab.faults.add(_outage("vmm.server", vmm.name))
    with pytest.raises(ServerUnavailable):
        vmm.new_sc_vm_host_group("Later")
    assert not provider.running
    lab.faults.heal(down)
    vmm.new_sc_vm_host_group("Later")
    assert provider.running
    assert [e.op for e in lab.history.select(node=vmm.name, op="vmm.server.*")] == ["vmm.server.down", "vmm.server.up"]


def test_protection_outlives_a_provider_crash_in_the_middle_of_it() -> None:
    from drlab import Role
    from drlab.runbook import Runbook

    lab = Lab(seed=4)
    book = Runbook.of(lab)
    book.create_policy()
    vmm = lab.providers[Role.primary].vmm.name
    lab.faults.add(_outage("provider.process", vmm, start=lab.now + 20, end=lab.now + 900))
    name = book.protect("Gold-VM1")  # the jobs wait out the crash and complete once the Provider is back
    crash, restart = (lab.history.select(node=vmm, op=op)[0].time for op in ("provider.crash", "provider.restart"))
    assert not lab.history.select(node=vmm, op="provider.poll", since=crash + 1e-6, until=restart)  # silent
    fabric, container = book.container("Gold")
    item = book.asr.replication_protected_items.get(lab.resource_group, lab.vault_name, fabric, container, name)
    assert (item.properties.protection_state, item.properties.replication_health) == ("Protected", "Normal")
