"""Pairing and network-mapping requests that break a rule are refused with a coded ARM error
before any job starts, and change nothing (hyperv-scvmm.md §5.3, §5.5; codes: ``catalogue``)."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError

from asr_emulator.models.resources import KINDS, StoredResource
from drlab import Lab

from .conftest import Runbook


def _snapshot(lab: Lab) -> tuple[int, list[Any]]:
    store = lab.vault.resources
    kinds = ("container_mapping", "network_mapping")
    return len(lab.vault.jobs), [sorted(r.name for _, r in store.everywhere(KINDS[k])) for k in kinds]


def _refused(lab: Lab, call: Any, status: int, code: str) -> None:
    before = _snapshot(lab)
    with pytest.raises(HttpResponseError) as info:
        call()
    assert (info.value.status_code, info.value.error.code) == (status, code)
    assert _snapshot(lab) == before


def test_pairing_a_cloud_with_itself_is_refused(runbook: Runbook) -> None:
    _refused(runbook.lab, lambda: runbook.pair_poller("Gold", "Gold"), 400, "150002")


def test_pairing_two_clouds_of_one_vmm_server_is_refused() -> None:
    from drlab import CloudSpec
    clouds = (CloudSpec("Gold"), CloudSpec("Silver"), CloudSpec("Gold-Recovery", "recovery"))
    with Lab(seed=3, clouds=clouds) as lab:
        book = Runbook.of(lab)
        book.create_policy()
        _refused(lab, lambda: book.pair_poller("Gold", "Silver"), 400, "150003")


def test_an_unknown_policy_container_or_malformed_id_is_refused(runbook: Runbook) -> None:
    lab = runbook.lab
    _refused(lab, lambda: runbook.pair_poller(policy="no-such-policy"), 404, "ResourceNotFound")
    fabric, container = runbook.container("Gold")
    body = {"properties": {"targetProtectionContainerId": "not-an-id", "policyId": f"{runbook.prefix()}/replicationPolicies/pol1"}}
    _refused(lab, lambda: runbook.asr.replication_protection_container_mappings.begin_create(
        runbook.rg, runbook.vault, fabric, container, "m", body), 400, "InvalidParameter")
    gone = {"properties": {**body["properties"], "targetProtectionContainerId":
                           f"{runbook.prefix()}/replicationFabrics/{runbook.fabric('recovery')}/"
                           "replicationProtectionContainers/00000000-0000-0000-0000-000000000001"}}
    _refused(lab, lambda: runbook.asr.replication_protection_container_mappings.begin_create(
        runbook.rg, runbook.vault, fabric, container, "m", gone), 404, "ResourceNotFound")


def test_an_unflagged_cloud_is_not_a_container_and_cannot_be_paired(runbook: Runbook) -> None:
    with pytest.raises(LookupError):
        runbook.container("Bronze")  # not flagged for DR: never reported (§5.2)


def test_removing_a_pairing_that_protects_vms_is_refused(runbook: Runbook, lab: Lab) -> None:
    runbook.pair()
    fabric, container = runbook.container("Gold")
    lab.vault.resources.put(KINDS["protected_item"], (fabric, container), StoredResource("vm-1", {}))
    _refused(lab, lambda: runbook.asr.replication_protection_container_mappings.begin_delete(
        runbook.rg, runbook.vault, fabric, container, "pairing1",
        {"properties": {"providerSpecificInput": {}}}), 409, "150005")


def test_a_cloud_already_paired_as_primary_or_recovery_is_refused(lab: Lab) -> None:
    from drlab import CloudSpec
    clouds = (CloudSpec("Gold"), CloudSpec("Silver"), CloudSpec("Gold-Recovery", "recovery"),
              CloudSpec("Silver-Recovery", "recovery"))
    with Lab(seed=5, clouds=clouds) as two:
        book = Runbook.of(two)
        book.create_policy()
        book.pair("Gold", "Gold-Recovery")
        _refused(two, lambda: book.pair_poller("Gold", "Silver-Recovery", name="again"), 409, "150001")
        _refused(two, lambda: book.pair_poller("Silver", "Gold-Recovery", name="again"), 409, "150001")
        _refused(two, lambda: book.pair_poller("Gold", "Gold-Recovery"), 409, "150007")


def test_network_mapping_refusals(runbook: Runbook) -> None:
    lab = runbook.lab
    runbook.map_poller().result()
    _refused(lab, lambda: runbook.map_poller(name="map2"), 409, "150101")
    _refused(lab, lambda: runbook.map_poller(), 409, "150007")
    fabric, primary = runbook.network("primary", "Corp")
    same = {"properties": {"recoveryFabricName": fabric,
                           "recoveryNetworkId": f"{runbook.prefix()}/replicationFabrics/{fabric}/replicationNetworks/{primary}"}}
    _refused(lab, lambda: runbook.asr.replication_network_mappings.begin_create(
        runbook.rg, runbook.vault, fabric, primary, "m3", same), 400, "150102")
    target_fabric, target = runbook.network("recovery", "Corp")
    mismatch = {"properties": {"recoveryFabricName": fabric,
                               "recoveryNetworkId": f"{runbook.prefix()}/replicationFabrics/{target_fabric}/"
                                                    f"replicationNetworks/{target}"}}
    _refused(lab, lambda: runbook.asr.replication_network_mappings.begin_create(
        runbook.rg, runbook.vault, fabric, primary, "m3", mismatch), 400, "150103")
    _refused(lab, lambda: runbook.asr.replication_network_mappings.begin_create(
        runbook.rg, runbook.vault, fabric, "no-such-network", "m3", mismatch), 404, "ResourceNotFound")


def test_each_fabric_lists_its_logical_networks(runbook: Runbook) -> None:
    for site in ("primary", "recovery"):
        listed = list(runbook.asr.replication_logical_networks.list_by_replication_fabrics(
            runbook.rg, runbook.vault, runbook.fabric(site)))
        assert [n.properties.friendly_name for n in listed] == ["Corp"]
        (network,) = listed
        assert network.properties.network_virtualization_status == "Disabled"
        got = runbook.asr.replication_logical_networks.get(runbook.rg, runbook.vault, runbook.fabric(site), network.name)
        assert got.properties.logical_network_definitions_status == "NotIsolated"
