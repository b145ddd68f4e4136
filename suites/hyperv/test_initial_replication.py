"""Enabling replication and initial replication (§2.1, §2.2): over the network, scheduled, from exported
media, and from an existing VM; and how a refused or interrupted one leaves the relationship."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hyperv_fake import (
    ExportedReplica,
    InvalidParameterError,
    InvalidStateError,
    NotSupportedError,
    RefusalReason,
    ReplicationState,
    VMState,
)
from hyperv_fake.testing import GiB, ReplicaPair
from simcore import FaultRule, Match, Partition

State = ReplicationState


def test_enable_creates_the_replica_with_its_adapters_disconnected(pair: ReplicaPair) -> None:
    pair.add_vm("vm", adapters=2)
    pair.primary.new_vm_switch("lan")
    pair.primary.connect_vm_network_adapter("vm", name="Network Adapter", switch_name="lan")
    job = pair.enable("vm")
    assert not job.done  # it needs the Replica server's answer
    job.wait()
    replica = pair.replica.get_vm("vm")
    assert replica.id == pair.primary.get_vm("vm").id
    assert [a.switch_name for a in replica.adapters] == [None, None]  # §2.1
    assert [d.path for d in replica.disks] == ["D:\\Hyper-V\\Replica\\disk0.vhdx"]  # the entry's storage location
    with pytest.raises(InvalidStateError):  # §2.1: blocked from starting until failover
        pair.replica.start_vm("vm")
    assert replica.state is VMState.Off


def test_initial_replication_over_the_network_takes_transfer_time(pair: ReplicaPair) -> None:
    pair.add_vm("vm", disk_bytes=40 * GiB)
    pair.enable("vm").wait()
    started = pair.sim.clock.now
    job = pair.primary.start_vm_initial_replication("vm")
    assert pair.primary.get_vm_replication("vm").state is State.InitialReplicationInProgress
    job.wait()
    transfer = pair.fabric.policy.transfer
    assert pair.sim.clock.now - started == pytest.approx(40 * GiB * transfer.compression_ratio
                                                          / transfer.network_bytes_per_second, abs=0.05)
    assert pair.replica.get_vm("vm").replication.applied.is_prefix_of(
        pair.primary.get_vm("vm").workload.image(pair.sim.clock.now))


def test_scheduled_initial_replication_waits_and_is_bounded_to_seven_days(pair: ReplicaPair) -> None:
    pair.add_vm("vm")
    pair.enable("vm").wait()
    now = pair.sim.clock.utcnow()
    with pytest.raises(InvalidParameterError):
        pair.primary.start_vm_initial_replication("vm", initial_replication_start_time=now + timedelta(days=8))
    assert pair.primary.get_vm_replication("vm").state is State.ReadyForInitialReplication
    job = pair.primary.start_vm_initial_replication("vm", initial_replication_start_time=now + timedelta(hours=5))
    pair.sim.advance(4 * 3600)
    assert pair.primary.get_vm_replication("vm").state is State.WaitingForInitialReplication
    job.wait()
    assert job.succeeded and pair.sim.clock.now > 5 * 3600


def test_export_then_import_completes_both_sides(pair: ReplicaPair) -> None:
    pair.add_vm("vm")
    pair.enable("vm").wait()
    job = pair.primary.start_vm_initial_replication("vm", destination_path="E:\\IR")
    job.wait()
    assert job.result == "E:\\IR" and isinstance(pair.primary.files["E:\\IR"], ExportedReplica)
    assert pair.primary.get_vm_replication("vm").state is State.WaitingForInitialReplication
    with pytest.raises(InvalidStateError):  # §2.2: after the export finishes, IR cannot be stopped
        pair.primary.stop_vm_initial_replication("vm")
    pair.sim.advance(2 * 3600)  # changes after the export ship to the placeholder
    with pytest.raises(InvalidParameterError):
        pair.replica.import_vm_initial_replication("vm", "F:\\missing")
    pair.fabric.carry_media(pair.primary, "E:\\IR", pair.replica, "F:\\IR")
    pair.replica.import_vm_initial_replication("vm", "F:\\IR")
    assert pair.replica.get_vm_replication("vm").state is State.Replicating
    assert pair.primary.get_vm_replication("vm").state is State.Replicating
    exported = pair.replica.files["F:\\IR"].image
    held = pair.replica.get_vm("vm").replication.applied
    assert exported.is_prefix_of(held) and held.last > exported.last  # merged with the later changes


def test_use_existing_vm_as_the_initial_copy(pair: ReplicaPair) -> None:
    """§2.2: Enable -AsReplica on the replica host, enable on the primary, Start -UseBackup."""
    primary_vm = pair.add_vm("vm", disk_bytes=8 * GiB)
    pair.replica.new_vm("vm", vm_id=primary_vm.id)
    pair.replica.add_vm_hard_disk_drive("vm", "D:\\restored.vhdx", size_bytes=8 * GiB)
    pair.replica.enable_vm_replication("vm", as_replica=True, allowed_primary_server=pair.primary.fqdn)
    assert pair.replica.get_vm_replication("vm").state is State.WaitingForInitialReplication
    pair.enable("vm").wait()
    started = pair.sim.clock.now
    pair.primary.start_vm_initial_replication("vm", use_backup=True).wait()
    assert pair.sim.clock.now - started == pytest.approx(
        8 * GiB / pair.fabric.policy.transfer.compare_bytes_per_second, abs=0.05)
    assert pair.replica.get_vm("vm").disks[0].path == "D:\\restored.vhdx"  # the existing VM was kept
    assert pair.replica.get_vm_replication("vm").state is State.Replicating


def test_initial_replication_cut_by_a_partition_fails_and_resume_starts_it_again(pair: ReplicaPair) -> None:
    pair.add_vm("vm", disk_bytes=100 * GiB)
    pair.enable("vm").wait()
    job = pair.primary.start_vm_initial_replication("vm")
    pair.sim.advance(10)
    cut = pair.sim.faults.add(FaultRule(Partition(), Match(src="hv1", dst="hv2", bidirectional=True)))
    job.wait()
    assert job.error.reason is RefusalReason.CONNECTION_TIMED_OUT
    assert pair.primary.get_vm_replication("vm").state is State.Error  # policy IR_FAILURE_STATE_IS_ERROR
    pair.sim.faults.heal(cut)
    pair.sim.advance(3600)
    assert pair.replica.get_vm_replication("vm").state is State.WaitingForInitialReplication  # never acted on
    pair.primary.resume_vm_replication("vm").wait()
    assert pair.primary.get_vm_replication("vm").state is State.Replicating


def test_a_closed_firewall_times_out_and_a_disabled_server_refuses(pair: ReplicaPair) -> None:
    pair.add_vm("vm")
    pair.replica.disable_net_firewall_rule("Hyper-V Replica HTTPS Listener (TCP-In)")
    job = pair.enable("vm")
    job.wait()
    assert job.error.reason is RefusalReason.CONNECTION_TIMED_OUT  # policy FIREWALL_BLOCK_IS_SILENT
    pair.replica.enable_net_firewall_rule("Hyper-V Replica HTTPS Listener (TCP-In)")
    pair.replica.set_vm_replication_server(replication_enabled=False)
    job = pair.enable("vm")
    job.wait()
    assert job.error.reason is RefusalReason.CONNECTION_REFUSED
    assert pair.primary.get_vm("vm").replication is None


def test_removing_the_replica_side_puts_the_primary_in_error(pair: ReplicaPair) -> None:
    pair.add_vm("vm")
    pair.protect("vm")
    pair.replica.remove_vm_replication("vm")
    assert pair.replica.get_vm("vm").replication is None  # §2.1: the replica VM stays
    pair.sim.advance(600)
    status = pair.primary.get_vm_replication("vm")
    assert status.state is State.Error and status.last_error.reason is RefusalReason.VM_NOT_FOUND


def test_extended_replication_is_not_emulated(pair: ReplicaPair) -> None:
    pair.add_vm("vm")
    pair.protect("vm")
    with pytest.raises(NotSupportedError) as refused:
        pair.replica.enable_vm_replication("vm", "hv3.contoso.com", 443, "Certificate")
    assert refused.value.return_code == 32770


def test_closing_the_replica_firewall_during_replication_is_noticed_and_reopening_heals(pair: ReplicaPair) -> None:
    pair.add_vm("vm")
    pair.protect("vm", replication_frequency_sec=30)
    closed = pair.sim.clock.now
    pair.replica.disable_net_firewall_rule("Hyper-V Replica HTTPS Listener (TCP-In)")
    pair.sim.advance(3600)
    status = pair.primary.measure_vm_replication("vm")
    assert status.health.value == "Critical" and status.state is State.Replicating  # recoverable: retried
    detected = pair.fabric.policy.retry.reply_timeout  # the re-authentication times out (FIREWALL_BLOCK_IS_SILENT)
    assert pair.replica.get_vm("vm").replication.last_replication_time <= closed + detected + 30
    pair.replica.enable_net_firewall_rule("Hyper-V Replica HTTPS Listener (TCP-In)")
    pair.sim.advance(3600)
    assert pair.replica.get_vm("vm").replication.last_replication_time > pair.sim.clock.now - 60
    assert pair.primary.measure_vm_replication("vm").state is State.Replicating
