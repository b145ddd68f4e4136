"""Replication policies through azure-mgmt-recoveryservicessiterecovery 2.0.0, in-process."""

from __future__ import annotations

import time

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from .conftest import RG, h2012r2


def create(asr, vault, name, provider_input):
    return asr.replication_policies.begin_create(RG, vault.name, name, {"properties": {"providerSpecificInput": provider_input}})


def test_create_get_update_list_delete_each_with_its_job(asr, vault, sim):
    policy = create(asr, vault, "pol1", h2012r2()).result()
    details = policy.properties.provider_specific_details
    assert policy.id.startswith("/Subscriptions/") and policy.id.endswith(f"/vaults/{vault.name}/replicationPolicies/pol1")
    assert policy.type == "Microsoft.RecoveryServices/vaults/replicationPolicies"
    assert policy.properties.friendly_name == "pol1"
    assert type(details).__name__ == "HyperVReplicaBluePolicyDetails"
    assert details.replica_deletion_option == "SecondaryVMOnRecoveryCloud" and details.replication_port == 8083
    assert details.replication_frequency_in_seconds == 30 and details.allowed_authentication_type == 1

    assert asr.replication_policies.get(RG, vault.name, "pol1").as_dict() == policy.as_dict()

    updated = asr.replication_policies.begin_update(
        RG, vault.name, "pol1",
        {"properties": {"replicationProviderSettings": {"instanceType": "HyperVReplica2012R2", "replicationPort": 8084,
                                                        "allowedAuthenticationType": 2}}}).result()
    assert updated.properties.provider_specific_details.replication_port == 8084
    assert updated.properties.provider_specific_details.allowed_authentication_type == 2
    assert updated.properties.provider_specific_details.recovery_points == 4  # PATCH keeps what it does not name

    create(asr, vault, "pol2", {"instanceType": "HyperVReplica2012", "replicationPort": 80}).result()
    assert [p.name for p in asr.replication_policies.list(RG, vault.name)] == ["pol1", "pol2"]
    assert asr.replication_policies.get(RG, vault.name, "pol2").properties.provider_specific_details.instance_type == "HyperVReplica2012"

    assert asr.replication_policies.begin_delete(RG, vault.name, "pol1").result() is None
    with pytest.raises(ResourceNotFoundError):
        asr.replication_policies.get(RG, vault.name, "pol1")

    jobs = list(asr.replication_jobs.list(RG, vault.name))
    assert [(j.properties.scenario_name, j.properties.friendly_name, j.properties.state) for j in jobs] == [
        ("DeleteProtectionProfile", "Delete replication policy", "Succeeded"),
        ("AddProtectionProfile", "Create replication policy", "Succeeded"),
        ("UpdateProtectionProfile", "Update replication policy", "Succeeded"),
        ("AddProtectionProfile", "Create replication policy", "Succeeded"),
    ]
    first = jobs[-1].properties
    assert first.target_object_name == "pol1" and first.target_instance_type == "ProtectionProfile"
    assert [t.name for t in first.tasks] == ["AddProtectionProfilePreflightsCheckTask", "AddProtectionProfileTask"]
    assert first.state_description == "Completed" and first.allowed_actions == []


def test_retry_after_30_costs_no_wall_time_and_the_job_sees_virtual_time(asr, vault, sim):
    started = time.perf_counter()
    create(asr, vault, "pol1", h2012r2()).result()
    wall = time.perf_counter() - started
    assert sim.clock.now == 30.0  # one Retry-After: 30 slept by the transport, on the lab clock
    sleeps = sim.history.select(node="azure-transport", op="sleep")
    assert [e.details["seconds"] for e in sleeps] == [30]
    assert wall < 5  # generous: the point is that nothing slept 30 s of wall time
    (job,) = asr.replication_jobs.list(RG, vault.name)
    assert (job.properties.end_time - job.properties.start_time).total_seconds() == 1.0


def test_policy_appears_only_when_its_job_commits(service, vault, asr, sim):
    poller = create(asr, vault, "pol1", h2012r2())
    poller.result()
    assert "pol1" in vault.policies
    # a policy whose job is still running is not there yet: create without polling
    asr.replication_policies.begin_create(
        RG, vault.name, "pol2", {"properties": {"providerSpecificInput": h2012r2()}}, polling=False)
    assert "pol2" not in vault.policies
    sim.advance(1.0)
    assert "pol2" in vault.policies
