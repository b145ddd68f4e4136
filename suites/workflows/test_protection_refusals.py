"""Enabling protection refuses what the service refuses, with a coded ARM error and no state changed
(no job, no protected item): a VM of an unpaired cloud, the wrong policy, a malformed or foreign
protectable item id, an unknown VM; disabling an item that does not exist is a 404."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from .conftest import Runbook


def _nothing_started(runbook: Runbook, jobs_before: int) -> None:
    assert len(list(runbook.asr.replication_jobs.list(runbook.rg, runbook.vault))) == jobs_before
    assert list(runbook.asr.replication_protected_items.list(runbook.rg, runbook.vault)) == []


def _jobs(runbook: Runbook) -> int:
    return len(list(runbook.asr.replication_jobs.list(runbook.rg, runbook.vault)))


def test_a_vm_of_an_unpaired_cloud_is_refused(runbook: Runbook) -> None:
    before = _jobs(runbook)
    with pytest.raises(HttpResponseError) as info:
        runbook.enable_poller("Gold-VM1")
    assert info.value.status_code == 400 and info.value.error.code == "150201"
    assert "Gold" in info.value.error.message
    _nothing_started(runbook, before)


@pytest.fixture
def paired(runbook: Runbook) -> Runbook:
    runbook.create_policy("other")
    runbook.pair()
    return runbook


def test_a_policy_other_than_the_pairings_is_refused(paired: Runbook) -> None:
    before = _jobs(paired)
    with pytest.raises(HttpResponseError) as info:
        paired.enable_poller("Gold-VM1", policy="other")
    assert info.value.error.code == "150203"
    assert "'pol1'" in info.value.response.json()["error"]["details"][0]["possibleCauses"]
    _nothing_started(paired, before)


def test_an_unknown_policy_is_404_and_a_malformed_item_id_400(paired: Runbook) -> None:
    before = _jobs(paired)
    with pytest.raises(ResourceNotFoundError):
        paired.enable_poller("Gold-VM1", policy="nope")
    with pytest.raises(HttpResponseError) as info:
        paired.enable_poller("Gold-VM1", item="/not/an/id")
    assert info.value.status_code == 400 and info.value.error.code == "InvalidParameter"
    _nothing_started(paired, before)


def test_the_item_must_be_named_after_the_protectable_item(paired: Runbook) -> None:
    before = _jobs(paired)
    with pytest.raises(HttpResponseError) as info:
        paired.enable_poller("Gold-VM1", name="another-name")
    assert info.value.error.code == "150204"
    _nothing_started(paired, before)


def test_a_vm_the_provider_never_reported_is_404(paired: Runbook) -> None:
    fabric, container = paired.container("Gold")
    vm = paired.protectable()[0]
    before = _jobs(paired)
    with pytest.raises(ResourceNotFoundError):
        paired.enable_poller("Gold-VM1", item=vm.id[:-4] + "0000", name=vm.name[:-4] + "0000")
    _nothing_started(paired, before)


def test_disabling_an_unknown_item_is_404(paired: Runbook) -> None:
    fabric, container = paired.container("Gold")
    with pytest.raises(ResourceNotFoundError):
        paired.asr.replication_protected_items.begin_delete(
            paired.rg, paired.vault, fabric, container, "no-such-item",
            {"properties": {"replicationProviderInput": {"instanceType": "DisableProtectionProviderSpecificInput"}}})
