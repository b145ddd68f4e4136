"""Jobs (§4: every change is a job; Restart-SCJob reruns a failed one), the fault points
``vmm.cmdlet`` and ``vmm.job``, and the history of cmdlets."""

from __future__ import annotations

import pytest

from scvmm_fake import (
    DuplicateName,
    InjectedFault,
    JobFailed,
    JobStateError,
    JobStatus,
    ObjectNotFound,
    VMMServer,
)
from simcore import Fail, FaultRule, Match, Simulation


def test_every_change_is_a_job_and_reads_are_not(vmm: VMMServer) -> None:
    vmm.new_sc_vm_host_group("NY")
    vmm.get_sc_vm_host_group()
    cloud = vmm.new_sc_cloud("Gold", vm_host_group=vmm.get_sc_vm_host_group("NY"))
    jobs = vmm.get_sc_job()
    assert [(job.name, job.status) for job in jobs] == [
        ("New-SCVMHostGroup", JobStatus.Completed), ("New-SCCloud", JobStatus.Completed)]
    assert jobs[1].result_name == cloud.name and jobs[1].end_time == vmm.sim.clock.utcnow()
    assert vmm.get_sc_job(running=True) == [] and vmm.get_sc_job("new-sccloud") == [jobs[1]]
    statuses = [e.details["status"] for e in vmm.sim.history.select(op="vmm.job")]
    assert statuses == ["Running", "Completed", "Running", "Completed"]


def test_a_refused_cmdlet_leaves_no_job_and_a_fail_in_the_history(vmm: VMMServer) -> None:
    vmm.new_sc_vm_host_group("NY")
    with pytest.raises(DuplicateName):
        vmm.new_sc_vm_host_group("NY")
    assert len(vmm.get_sc_job()) == 1
    last = vmm.sim.history.select(op="vmm.New-SCVMHostGroup")[-2:]
    assert [(e.phase.value, e.details.get("error")) for e in last] == [("invoke", None), ("fail", "DuplicateName")]


def test_a_cmdlet_fault_refuses_the_call_before_it_does_anything(sim: Simulation, vmm: VMMServer) -> None:
    sim.faults.add(FaultRule(Fail("VMMServiceBusy", "try later"), Match(point="vmm.cmdlet", where={"cmdlet": "New-SCCloud"}),
                             count=1))
    group = vmm.new_sc_vm_host_group("NY")
    with pytest.raises(InjectedFault, match="VMMServiceBusy") as caught:
        vmm.new_sc_cloud("Gold", vm_host_group=[group])
    assert caught.value.code == "VMMServiceBusy"
    assert vmm.get_sc_cloud() == [] and [job.name for job in vmm.get_sc_job()] == ["New-SCVMHostGroup"]
    assert vmm.new_sc_cloud("Gold", vm_host_group=[group]).name == "Gold"  # the rule fired once


def test_a_failed_job_changes_nothing_and_restarts_as_the_same_job(sim: Simulation, vmm: VMMServer) -> None:
    sim.faults.add(FaultRule(Fail("HostUnreachable", "the host did not answer"),
                             Match(point="vmm.job", where={"node": "vmm-ny"}), count=1))
    with pytest.raises(JobFailed) as caught:
        vmm.new_sc_vm_host_group("NY")
    job = caught.value.job
    assert job.status is JobStatus.Failed and "HostUnreachable" in job.error_info
    assert vmm.get_sc_vm_host_group("NY") == [] and vmm.get_sc_job(id=job.id) == [job]
    group = vmm.restart_sc_job(job)
    assert job.status is JobStatus.Completed and vmm.get_sc_vm_host_group("NY") == [group]
    assert [j.id for j in vmm.get_sc_job()] == [job.id]
    with pytest.raises(JobStateError):
        vmm.restart_sc_job(job)


def test_a_restart_validates_again(sim: Simulation, vmm: VMMServer) -> None:
    sim.faults.add(FaultRule(Fail(), Match(point="vmm.job"), count=1))
    with pytest.raises(JobFailed) as caught:
        vmm.new_sc_vm_host_group("NY")
    vmm.new_sc_vm_host_group("NY")  # meanwhile someone created it
    with pytest.raises(DuplicateName):
        vmm.restart_sc_job(caught.value.job)
    assert caught.value.job.status is JobStatus.Failed and len(vmm.get_sc_vm_host_group("NY")) == 1
    other = VMMServer(sim, "vmm-chi")
    with pytest.raises(ObjectNotFound):
        other.restart_sc_job(caught.value.job)


def _script(seed: int) -> str:
    sim = Simulation(seed)
    vmm = VMMServer(sim, "vmm-ny", fqdn="vmm-ny.contoso.com")
    group = vmm.new_sc_vm_host_group("NY")
    vmm.new_sc_cloud("Gold", vm_host_group=[group], disaster_recovery_supported=True)
    with pytest.raises(DuplicateName):
        vmm.new_sc_cloud("Gold", vm_host_group=[group])
    sim.advance(30)
    vmm.new_sc_logical_network("Corp")
    return sim.history.dumps()


def test_the_same_seed_and_calls_give_the_same_history_byte_for_byte() -> None:
    assert _script(11) == _script(11)
    assert _script(11) != _script(12)  # ids come from the seed


def test_history_names_objects_not_secrets(vmm: VMMServer) -> None:
    group = vmm.new_sc_vm_host_group("NY")
    [invoke, ok] = vmm.sim.history.select(op="vmm.New-SCVMHostGroup")
    assert invoke.details == {"name": "NY", "parent_host_group": "All Hosts"}
    assert ok.details == {"result": group.name} and invoke.node == "vmm-ny"
