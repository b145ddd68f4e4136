"""The VMM side of enabling and disabling protection (hyperv-scvmm.md §5.4–5.5, asr-orchestration.md
§A.3, §B.4.1; policies in scvmm_fake.policy): placement of the replica by the network mapping and
the capacity policy, enable and initial replication (over the network, scheduled, offline), the
inventory of both sides, and disabling with and without deleting the replica — driven through the
VMM operations the executors call, with ASR's data relayed as JSON, and judged from the hosts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hyperv_fake import ReplicationMode, ReplicationState
from scvmm_fake import (
    InvalidParameter,
    ObjectNotFound,
    PlacementError,
    ProtectionError,
    ReplicationFailed,
    VmmPolicy,
    policy,
)

from .protection_lab import ProtectionLab

HOUR = 3600.0


# -- placement ----------------------------------------------------------------------------------


def test_the_replica_goes_to_a_host_that_reaches_the_mapped_network() -> None:
    lab = ProtectionLab.build(recovery_hosts=4, groups=2)  # hosts 1, 3 in group 1; hosts 2, 4 in group 2
    corp = lab.network(lab.primary, "Corp")
    lab.map(corp, lab.network(lab.recovery, "Corp-R", groups=[1]))
    lab.network(lab.recovery, "Unmapped", groups=[0])  # reachable from group 1 only: placement ignores it
    result = lab.target(lab.vm("web", corp))
    group_2 = {h.fqdn for h in lab.recovery.hosts[1::2]}
    assert result["recoveryHost"] in group_2
    assert result["recoveryHostName"] == result["recoveryHost"]  # VMM names a host by its computer name


def test_placement_spreads_by_load_then_by_name_and_a_retry_gets_the_same_host() -> None:
    lab = ProtectionLab.with_corp(recovery_hosts=3)
    corp = lab.networks[lab.primary.vmm.name]["Corp"]
    vms = [lab.vm(f"vm{i}", corp) for i in range(4)]
    hosts = [lab.target(vm)["recoveryHost"] for vm in vms]  # none created yet: placed replicas count
    names = sorted(h.fqdn for h in lab.recovery.hosts)
    assert hosts == names + names[:1]  # policy REPLICA_LOAD, then by name
    assert lab.target(vms[1])["recoveryHost"] == hosts[1]  # the same work again converges


def test_a_vm_on_an_unmapped_network_may_go_to_any_configured_host() -> None:
    lab = ProtectionLab.with_corp(recovery_hosts=2)
    lab.network(lab.primary, "Lab")  # not mapped: its NIC will be connected to no network
    result = lab.target(lab.vm("app", lab.networks[lab.primary.vmm.name]["Lab"]))
    assert result["recoveryHost"] == sorted(h.fqdn for h in lab.recovery.hosts)[0]


def test_no_host_reaching_the_network_is_refused_with_every_host_and_why() -> None:
    lab = ProtectionLab.build(recovery_hosts=2, groups=2)
    corp = lab.network(lab.primary, "Corp")
    target = lab.network(lab.recovery, "Corp-R", groups=[0])
    lab.map(corp, target)
    late = lab.recovery.add_host(lab.lab.fabric, group=0)  # joined after pairing, not reconciled yet
    lab.recovery.hosts[0].new_vm("web")  # the only host that reaches Corp-R already has a VM of that name
    with pytest.raises(PlacementError) as refused:
        lab.target(lab.vm("web", corp))
    message = str(refused.value)
    assert "cannot reach VM network 'Corp-R'" in message  # the group-2 host
    assert f"{late.fqdn}: not configured as a Replica server by the cloud's pairing" in message
    assert "already holds a virtual machine named 'web'" in message
    lab.recovery.vmm.reconcile_pairings()  # the late host is configured now, and reaches Corp-R
    assert lab.target(lab.vm("web2", corp))["recoveryHost"] == late.fqdn  # the least loaded that fits


def test_capacity_is_a_policy_and_a_full_cloud_is_refused() -> None:
    lab = ProtectionLab.with_corp(recovery_hosts=2)
    lab.recovery.vmm.policy = VmmPolicy(replica_host_capacity=1)
    corp = lab.networks[lab.primary.vmm.name]["Corp"]
    placed = {lab.target(lab.vm(name, corp))["recoveryHost"] for name in ("a", "b")}
    assert placed == {h.fqdn for h in lab.recovery.hosts}
    with pytest.raises(PlacementError, match=r"is full \(1 of 1 virtual machines, policy replica_host_capacity\)"):
        lab.target(lab.vm("c", corp))


def test_an_unpaired_cloud_a_foreign_network_and_bad_payloads_are_refused() -> None:
    lab = ProtectionLab.with_corp()
    vm = lab.vm("web", lab.networks[lab.primary.vmm.name]["Corp"])
    payload = lab.payload(vm)
    lab.lab.unpair()
    with pytest.raises(ProtectionError, match="is not paired"):
        lab.recovery.vmm.create_protection_target(payload)
    lab.lab.pair()
    with pytest.raises(ObjectNotFound):
        lab.recovery.vmm.create_protection_target({**payload, "networkAdapters": [
            {"id": "n", "vmNetworkId": "x", "recoveryVmNetworkId": "no-such-network"}]})
    for broken in ({**payload, "vmId": ""}, {**payload, "disks": [{"path": 1}]},
                   {**payload, "settings": {"replicationPort": "8084"}}):
        with pytest.raises(InvalidParameter):
            lab.recovery.vmm.create_protection_target(broken)


# -- enable and initial replication ---------------------------------------------------------------


def test_enable_then_initial_replication_over_the_network_completes_in_virtual_time() -> None:
    lab = ProtectionLab.with_corp()
    vm = lab.vm("web", lab.networks[lab.primary.vmm.name]["Corp"])
    host = lab.target(vm)["recoveryHost"]
    assert lab.enable(vm, host) == {"replicaVmId": vm.vm_id}  # the replica keeps the VM ID (§2.1)
    primary = vm.vm_host.host
    replication = primary.get_vm_replication("web")
    assert replication.replica_server == host and replication.replica_port == 8084
    assert replication.frequency_sec == 30 and replication.recovery_history == 2
    assert replication.vss_snapshot_frequency_hour == 1 and replication.compression_enabled
    assert replication.certificate_thumbprint == primary.get_vm_replication_server().certificate_thumbprint
    assert replication.state is ReplicationState.ReadyForInitialReplication
    assert lab.enable(vm, host) == {"replicaVmId": vm.vm_id}  # enabling again converges
    assert lab.start_ir(vm) == {"initialReplication": "InProgress"}
    started = lab.lab.sim.clock.now
    lab.lab.sim.run_until(lambda: primary.get_vm_replication("web").state is ReplicationState.Replicating,
                          within=HOUR)
    assert lab.lab.sim.clock.now > started  # a 1 GiB transfer takes virtual time, no wall time
    replica = lab.lab.fabric.host(host).get_vm_replication("web")
    assert replica.mode is ReplicationMode.Replica and replica.state is ReplicationState.Replicating
    assert lab.start_ir(vm) == {"initialReplication": "Completed"}  # and again: left alone


def test_enable_is_refused_with_the_hyperv_error_or_the_reason() -> None:
    lab = ProtectionLab.with_corp()
    vm = lab.vm("web", lab.networks[lab.primary.vmm.name]["Corp"])
    with pytest.raises(ReplicationFailed, match="Enable-VMReplication"):  # no such Replica server
        lab.enable(vm, "hv-nowhere.chi.contoso.com")
    with pytest.raises(ProtectionError, match="in no cloud"):
        stray = lab.primary.vmm.new_sc_virtual_machine("stray", vm_host=lab.primary.vmm.get_sc_vm_host()[0])
        lab.enable(stray, lab.recovery.hosts[0].fqdn)
    with pytest.raises(ProtectionError, match="replication is not enabled"):
        lab.start_ir(vm)
    with pytest.raises(InvalidParameter, match="method"):
        lab.start_ir(vm, method="Offline")


def test_scheduled_initial_replication_starts_at_its_time() -> None:
    lab = ProtectionLab.with_corp()
    vm = lab.vm("web", lab.networks[lab.primary.vmm.name]["Corp"])
    lab.enable(vm, lab.target(vm)["recoveryHost"])
    at = lab.lab.sim.clock.utcnow() + timedelta(hours=2)
    assert lab.start_ir(vm, start_time=at.isoformat().replace("+00:00", "Z")) == {"initialReplication": "Scheduled"}
    assert lab.reported(lab.primary, vm.vm_id).replication.initial_replication == "Scheduled"
    lab.lab.sim.advance(2 * HOUR - 60)
    assert vm.vm_host.host.get_vm_replication("web").state is ReplicationState.WaitingForInitialReplication
    lab.lab.sim.advance(HOUR)
    assert vm.vm_host.host.get_vm_replication("web").state is ReplicationState.Replicating


def test_a_start_time_already_past_starts_now_policy() -> None:
    lab = ProtectionLab.with_corp()
    vm = lab.vm("web", lab.networks[lab.primary.vmm.name]["Corp"])
    lab.enable(vm, lab.target(vm)["recoveryHost"])
    past = lab.lab.sim.clock.utcnow() - timedelta(minutes=5)
    assert lab.start_ir(vm, start_time=past.isoformat()) == {"initialReplication": "InProgress"}
    assert policy.INITIAL_REPLICATION_START


def test_offline_initial_replication_exports_then_completes_at_the_import() -> None:
    lab = ProtectionLab.with_corp()
    vm = lab.vm("web", lab.networks[lab.primary.vmm.name]["Corp"])
    host = lab.target(vm)["recoveryHost"]
    lab.enable(vm, host)
    assert lab.start_ir(vm, method="OfflineReplication", export_path="E:\\Export") == {"initialReplication":
                                                                                          "InProgress"}
    lab.lab.sim.run_until(lambda: lab.reported(lab.primary, vm.vm_id).replication.initial_replication
                          == "WaitingForImport", within=HOUR)
    replica_host = lab.lab.fabric.host(host)
    assert lab.reported(lab.recovery, vm.vm_id).replication.initial_replication == "WaitingForImport"
    lab.lab.fabric.carry_media(vm.vm_host.host, "E:\\Export", replica_host, "F:\\Import")
    assert replica_host.import_vm_initial_replication("web", "F:\\Import").wait().succeeded
    for site in (lab.primary, lab.recovery):
        reported = lab.reported(site, vm.vm_id).replication
        assert (reported.state, reported.initial_replication) == ("Replicating", "Completed")


# -- the inventory of both sides --------------------------------------------------------------------


def test_the_inventory_reports_both_sides_with_the_closed_form_of_the_last_replication() -> None:
    lab = ProtectionLab.with_corp()
    corp = lab.networks[lab.primary.vmm.name]["Corp"]
    vm = lab.vm("web", corp)
    assert lab.reported(lab.primary, vm.vm_id).replication is None  # not replicating
    host = lab.protect(vm)
    primary = lab.reported(lab.primary, vm.vm_id)
    replica = lab.reported(lab.recovery, vm.vm_id)
    assert replica is not None and replica.host == host and replica.id != vm.id  # the recovery VMM's own VM
    for side, mode in ((primary, "Primary"), (replica, "Replica")):
        r = side.replication
        assert (r.mode, r.state, r.health, r.initial_replication) == (mode, "Replicating", "Normal", "Completed")
        assert (r.primary_server, r.replica_server, r.frequency_seconds) == (vm.vm_host.host.fqdn, host, 30)
        assert r.cycle_anchor is not None and r.last_replication_time is not None
    assert [(n.vm_network, n.ipv4_address_type) for n in replica.network_adapters] == [("Corp-R", "Dynamic")]
    anchor = primary.replication.cycle_anchor
    lab.lab.sim.advance(5 * HOUR + 7)
    t = lab.lab.sim.clock.now
    expected = anchor + ((t - anchor) // 30) * 30
    measured = vm.vm_host.host.measure_vm_replication("web").last_replication_time
    assert measured == lab.lab.sim.clock.to_datetime(expected)
    assert lab.reported(lab.primary, vm.vm_id) == primary  # hours of cycles changed nothing reported


def test_a_partition_shows_in_the_inventory_at_the_instant_dr_deadline_names() -> None:
    from simcore import FaultRule, Match, Partition
    lab = ProtectionLab.with_corp()
    vm = lab.vm("web", lab.networks[lab.primary.vmm.name]["Corp"])
    host = lab.protect(vm)
    vmm = lab.primary.vmm
    lab.reported(lab.primary, vm.vm_id)
    assert vmm.dr_deadline() is None or vmm.dr_deadline() > 300 * 86400  # only certificates lapse
    revision = vmm.dr_revision
    rule = lab.lab.sim.faults.add(FaultRule(Partition(), Match(src=vm.vm_host.host.name,
                                                               dst=lab.lab.fabric.host(host).name, bidirectional=True)))
    assert vmm.dr_revision != revision  # the fault plan moved the link's future
    lab.reported(lab.primary, vm.vm_id)
    due = vmm.dr_deadline()
    assert due is not None and due <= lab.lab.sim.clock.now + 30
    before = vmm.dr_revision
    lab.lab.sim.run_until(due)
    assert vmm.dr_revision != before  # the deadline passing moves the revision by itself
    failing = lab.reported(lab.primary, vm.vm_id).replication
    assert failing.health == "Critical" and failing.cycle_anchor is None and failing.state == "Replicating"
    lab.lab.sim.faults.heal(rule)
    lab.reported(lab.primary, vm.vm_id)
    due = vmm.dr_deadline()
    assert due is not None  # the next retry, which gets through
    lab.lab.sim.run_until(due)
    healed = lab.reported(lab.primary, vm.vm_id).replication
    assert healed.cycle_anchor == due and healed.last_replication_time == due  # cycles start afresh from it
    assert healed.health == "Warning"  # more than 20 % of this interval's cycles were missed (§2.5)
    lab.lab.sim.run_until(vmm.dr_deadline())  # enough cycles since, or the interval closed
    assert lab.reported(lab.primary, vm.vm_id).replication.health == "Normal"


# -- disabling ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("delete", [True, False])
def test_disable_removes_replication_on_both_sides_and_deletes_the_replica_only_if_asked(delete: bool) -> None:
    lab = ProtectionLab.with_corp()
    vm = lab.vm("web", lab.networks[lab.primary.vmm.name]["Corp"])
    host = lab.lab.fabric.host(lab.protect(vm))
    lab.recovery.vmm.reconcile_protection()
    assert lab.disable(vm, delete=delete) == {"replicaDeleted": delete}
    assert vm.vm.replication is None and lab.reported(lab.primary, vm.vm_id).replication is None
    replica = host.find_vm_by_id(vm.vm_id)
    reported = lab.reported(lab.recovery, vm.vm_id)
    if delete:
        assert replica is None and reported is None
        assert not lab.recovery.vmm.get_sc_virtual_machine("web")
    else:  # policy REPLICA_KEPT_AS_VM
        assert replica is not None and replica.replication is None
        assert reported is not None and reported.replication is None
    assert lab.disable(vm, delete=delete) == {"replicaDeleted": False}  # again: nothing left to do


def test_disable_before_vmm_found_the_replica_still_deletes_it() -> None:
    lab = ProtectionLab.with_corp()
    vm = lab.vm("web", lab.networks[lab.primary.vmm.name]["Corp"])
    host = lab.lab.fabric.host(lab.target(vm)["recoveryHost"])
    lab.enable(vm, host.fqdn)  # the replica exists on the host; no reconcile has run on the recovery server
    assert lab.disable(vm, delete=True) == {"replicaDeleted": True}
    assert host.find_vm_by_id(vm.vm_id) is None and not lab.recovery.vmm.get_sc_virtual_machine("web")

