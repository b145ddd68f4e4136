"""Clouds and the ``DisasterRecoverySupported`` flag (§4: it cannot be disabled once paired)."""

from __future__ import annotations

import pytest

from scvmm_fake import (
    CloudPairedError,
    DisasterRecoveryNotEnabled,
    DuplicateName,
    InvalidParameter,
    NotEmulated,
    ObjectNotFound,
    VMMServer,
)


def test_a_cloud_is_made_of_host_groups(vmm: VMMServer, fabric, unchanged) -> None:
    gold = vmm.new_sc_cloud("Gold", vm_host_group=[fabric.rack1, fabric.rack2], description="tier 1")
    assert gold.host_groups == [fabric.rack1, fabric.rack2] and not gold.disaster_recovery_supported
    assert gold.contains(fabric.rack1) and not gold.contains(fabric.ny)
    assert vmm.get_sc_cloud("GOLD") == [gold]
    with unchanged(InvalidParameter):
        vmm.new_sc_cloud("Silver", vm_host_group=[])
    with unchanged(InvalidParameter):
        vmm.new_sc_cloud("Silver", vm_host_group=[fabric.ny, fabric.ny])
    with unchanged(DuplicateName):
        vmm.new_sc_cloud("gold", vm_host_group=[fabric.ny])
    assert vmm.new_sc_cloud("Silver", vm_host_group=[fabric.rack1]).host_groups == [fabric.rack1]  # groups may be shared


def test_set_sc_cloud_adds_and_removes_host_groups_resources_and_profiles(vmm: VMMServer, fabric, unchanged) -> None:
    gold = vmm.new_sc_cloud("Gold", vm_host_group=[fabric.rack1])
    vmm.set_sc_cloud(gold, add_vm_host_group=[fabric.rack2], add_cloud_resource=[fabric.corp],
                     add_capability_profile=["Hyper-V"], description="now with networks")
    assert gold.host_groups == [fabric.rack1, fabric.rack2] and gold.logical_networks == [fabric.corp]
    assert gold.capability_profiles == ["Hyper-V"] and gold.description == "now with networks"
    with unchanged(InvalidParameter):  # already there
        vmm.set_sc_cloud(gold, add_vm_host_group=[fabric.rack2])
    with unchanged(InvalidParameter):  # not there
        vmm.set_sc_cloud(gold, remove_vm_host_group=[fabric.ny])
    with unchanged(NotEmulated):  # only logical networks are emulated as cloud resources
        vmm.set_sc_cloud(gold, add_cloud_resource=[fabric.pool])
    with unchanged(InvalidParameter):  # one valid change does not go through with an invalid one
        vmm.set_sc_cloud(gold, remove_vm_host_group=[fabric.rack2], add_capability_profile=["Hyper-V"])
    vmm.set_sc_cloud(gold, remove_vm_host_group=[fabric.rack1], remove_cloud_resource=[fabric.corp], name="Platinum")
    assert gold.host_groups == [fabric.rack2] and gold.logical_networks == [] and gold.name == "Platinum"
    with unchanged(InvalidParameter):  # policy CLOUD_KEEPS_A_HOST_GROUP
        vmm.set_sc_cloud(gold, remove_vm_host_group=[fabric.rack2])


def test_the_dr_flag_cannot_be_cleared_while_the_cloud_is_paired(vmm: VMMServer, fabric, unchanged) -> None:
    gold = vmm.new_sc_cloud("Gold", vm_host_group=[fabric.rack1])
    with pytest.raises(DisasterRecoveryNotEnabled):  # policy PAIRING_NEEDS_DR_FLAG
        vmm.set_cloud_paired(gold, True)
    assert not gold.paired
    vmm.set_sc_cloud(gold, disaster_recovery_supported=True)
    vmm.set_cloud_paired(gold, True)
    assert gold.paired and gold.disaster_recovery_supported
    with unchanged(CloudPairedError):
        vmm.set_sc_cloud(gold, disaster_recovery_supported=False, description="ignored too")
    vmm.set_sc_cloud(gold, disaster_recovery_supported=True, description="setting it again is fine")
    with unchanged(CloudPairedError):
        vmm.remove_sc_cloud(gold)
    vmm.set_cloud_paired(gold, False)
    vmm.set_sc_cloud(gold, disaster_recovery_supported=False)
    assert not gold.disaster_recovery_supported
    vmm.remove_sc_cloud(gold)
    assert vmm.get_sc_cloud() == []
    with unchanged(ObjectNotFound):
        vmm.set_sc_cloud(gold, description="gone")
    paired = [(e.details["cloud"], e.details["paired"]) for e in vmm.sim.history.select(op="vmm.cloud.paired")]
    assert paired == [("Gold", True), ("Gold", False)]


def test_the_dr_flag_can_be_set_at_creation(vmm: VMMServer, fabric) -> None:
    gold = vmm.new_sc_cloud("Gold", vm_host_group=[fabric.ny], disaster_recovery_supported=True)
    vmm.set_cloud_paired(gold, True)
    assert gold.paired
