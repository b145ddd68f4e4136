"""Every invalid policy field is refused with 400 naming it, and leaves no policy and no job."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError

from .conftest import RG, h2012r2

P = "properties.providerSpecificInput"

INVALID = [
    # (provider input, code, field named)
    ({"instanceType": "HyperVReplica2012R2"}, "InvalidRequestContent", "replicationPort"),
    (h2012r2(replicationPort=0), "InvalidParameter", "replicationPort"),
    (h2012r2(replicationPort=65536), "InvalidParameter", "replicationPort"),
    (h2012r2(replicationPort="8083"), "InvalidRequestContent", "replicationPort"),
    (h2012r2(replicationPort=True), "InvalidRequestContent", "replicationPort"),
    (h2012r2(allowedAuthenticationType=3), "InvalidParameter", "allowedAuthenticationType"),
    (h2012r2(compression="Yes"), "InvalidParameter", "compression"),
    (h2012r2(initialReplicationMethod="Usb"), "InvalidParameter", "initialReplicationMethod"),
    (h2012r2(replicaDeletion="Always"), "InvalidParameter", "replicaDeletion"),
    (h2012r2(replicationFrequencyInSeconds=60), "InvalidParameter", "replicationFrequencyInSeconds"),
    (h2012r2(recoveryPoints=25), "InvalidParameter", "recoveryPoints"),
    (h2012r2(recoveryPoints=-1), "InvalidParameter", "recoveryPoints"),
    (h2012r2(recoveryPoints=2.5), "InvalidRequestContent", "recoveryPoints"),
    (h2012r2(applicationConsistentSnapshotFrequencyInHours=13, recoveryPoints=24), "InvalidParameter",
     "applicationConsistentSnapshotFrequencyInHours"),
    (h2012r2(applicationConsistentSnapshotFrequencyInHours=4, recoveryPoints=4), "InvalidParameter",
     "applicationConsistentSnapshotFrequencyInHours"),
    (h2012r2(initialReplicationMethod="Offline"), "InvalidParameter", "offlineReplicationImportPath"),
    (h2012r2(initialReplicationMethod="Offline", offlineReplicationImportPath="\\\\s\\in"), "InvalidParameter",
     "offlineReplicationExportPath"),
    (h2012r2(offlineReplicationExportPath="\\\\s\\out"), "InvalidParameter", "offlineReplicationExportPath"),
    (h2012r2(onlineReplicationStartTime="25:00:00"), "InvalidParameter", "onlineReplicationStartTime"),
    (h2012r2(onlineReplicationStartTime="soon"), "InvalidParameter", "onlineReplicationStartTime"),
    (h2012r2(compression=1), "InvalidRequestContent", "compression"),
    ({"instanceType": "HyperVReplica2012", "replicationPort": 80, "replicationFrequencyInSeconds": 30},
     "InvalidParameter", "replicationFrequencyInSeconds"),
    ({"instanceType": "HyperVReplica2012", "replicationPort": 80, "recoveryPoints": 16}, "InvalidParameter", "recoveryPoints"),
    ({"replicationPort": 80}, "InvalidRequestContent", "instanceType"),
    ({"instanceType": "HyperVReplica2016", "replicationPort": 80}, "InvalidParameter", "instanceType"),
]


def _assert_nothing_left(service, vault, asr):
    assert vault.policies == {} and vault.jobs == {} and vault.operations == {}
    assert list(asr.replication_policies.list(RG, vault.name)) == []
    assert list(asr.replication_jobs.list(RG, vault.name)) == []


@pytest.mark.parametrize("provider_input, code, field", INVALID, ids=[f"{f}-{i}" for i, (_, _, f) in enumerate(INVALID)])
def test_invalid_field_is_refused_naming_it(asr, service, vault, provider_input, code, field):
    with pytest.raises(HttpResponseError) as caught:
        asr.replication_policies.begin_create(RG, vault.name, "p1", {"properties": {"providerSpecificInput": provider_input}})
    error = caught.value
    assert error.status_code == 400 and error.error.code == code
    assert error.error.target == f"{P}.{field}" and f"{P}.{field}" in error.error.message
    assert error.response.headers.get("Retry-After") is None
    _assert_nothing_left(service, vault, asr)


@pytest.mark.parametrize("raw, field", [
    (b"{not json", "body"),
    (b"[1, 2]", "body"),
    (b"", "body"),
    (b'{"properties": 3}', "properties"),
    (b'{"properties": {}}', "properties.providerSpecificInput"),
    (b'{"properties": {"providerSpecificInput": []}}', "properties.providerSpecificInput"),
])
def test_malformed_bodies_are_refused_naming_the_field(asr, service, vault, raw, field):
    with pytest.raises(HttpResponseError) as caught:
        asr.replication_policies.begin_create(RG, vault.name, "p1", raw)
    assert caught.value.status_code == 400 and caught.value.error.code == "InvalidRequestContent"
    assert caught.value.error.target == field
    _assert_nothing_left(service, vault, asr)


def test_other_sdk_provider_is_not_implemented(asr, service, vault):
    with pytest.raises(HttpResponseError) as caught:
        asr.replication_policies.begin_create(RG, vault.name, "p1", {"properties": {"providerSpecificInput": {"instanceType": "A2A"}}})
    assert caught.value.status_code == 501 and caught.value.error.code == "NotImplemented"
    assert "A2A" in caught.value.error.message
    _assert_nothing_left(service, vault, asr)


def test_valid_offline_and_scheduled_inputs_are_accepted(asr, vault):
    offline = h2012r2(initialReplicationMethod="Offline", offlineReplicationImportPath="\\\\s\\in",
                      offlineReplicationExportPath="\\\\s\\out")
    details = asr.replication_policies.begin_create(
        RG, vault.name, "off", {"properties": {"providerSpecificInput": offline}}).result().properties.provider_specific_details
    assert details.offline_replication_export_path == "\\\\s\\out"
    scheduled = h2012r2(onlineReplicationStartTime="23:30:00")
    details = asr.replication_policies.begin_create(
        RG, vault.name, "sched", {"properties": {"providerSpecificInput": scheduled}}).result().properties.provider_specific_details
    assert details.online_replication_start_time == "23:30:00"


@pytest.mark.parametrize("settings, code, field", [
    ({"instanceType": "HyperVReplica2012R2", "replicationPort": 70000}, "InvalidParameter", "replicationPort"),
    ({"instanceType": "HyperVReplica2012", "replicationPort": 80}, "InvalidParameter", "instanceType"),
    ({"replicationPort": 80}, "InvalidRequestContent", "instanceType"),
    ({"instanceType": "HyperVReplica2012R2", "compression": None, "recoveryPoints": "x"}, "InvalidRequestContent", "recoveryPoints"),
])
def test_invalid_update_is_refused_and_changes_nothing(asr, vault, settings, code, field):
    before = asr.replication_policies.begin_create(
        RG, vault.name, "p1", {"properties": {"providerSpecificInput": h2012r2()}}).result()
    jobs_before = len(vault.jobs)
    with pytest.raises(HttpResponseError) as caught:
        asr.replication_policies.begin_update(RG, vault.name, "p1", {"properties": {"replicationProviderSettings": settings}})
    assert caught.value.status_code == 400 and caught.value.error.code == code
    assert caught.value.error.target == f"properties.replicationProviderSettings.{field}"
    assert asr.replication_policies.get(RG, vault.name, "p1").as_dict() == before.as_dict()
    assert len(vault.jobs) == jobs_before


def test_update_with_null_resets_a_field_to_its_default(asr, vault):
    asr.replication_policies.begin_create(RG, vault.name, "p1", {"properties": {"providerSpecificInput": h2012r2()}}).result()
    patch = b'{"properties": {"replicationProviderSettings": {"instanceType": "HyperVReplica2012R2", "compression": null}}}'
    details = asr.replication_policies.begin_update(RG, vault.name, "p1", patch).result().properties.provider_specific_details
    assert details.compression == "Disabled"  # the read-back spelling (§A.0.8)
