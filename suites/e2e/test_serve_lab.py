"""End to end: ``asr-harness serve`` as a subprocess, the official SDK over real HTTPS trusting only the
served CA bundle, and the default two-site lab behind it — fabrics, containers and protectable
items reported by the lab's Providers, the same as the in-process lab of the same seed."""

from __future__ import annotations

import json
import re
import signal
from collections.abc import Iterator

import pytest
from azure.mgmt.recoveryservicessiterecovery import SiteRecoveryManagementClient

from drlab import Lab
from drlab.azure_transport import FakeCredential
from drlab.discovered import discovered
from drlab.serve_process import ServeProcess

pytestmark = pytest.mark.sockets


@pytest.fixture(scope="module")
def served() -> Iterator[ServeProcess]:
    process = ServeProcess.start("--seed", "7")
    yield process
    stopped = process.stop(signal.SIGTERM)
    assert stopped.returncode == 0, stopped.stderr


@pytest.fixture(scope="module")
def asr(served: ServeProcess) -> Iterator[SiteRecoveryManagementClient]:
    info = served.info
    with SiteRecoveryManagementClient(FakeCredential(), info.subscription_id, base_url=info.base_url,
                                      connection_verify=info.ca_bundle, polling_interval=0) as client:
        yield client


def test_the_ready_line_names_the_lab_fabrics_and_clouds(served: ServeProcess) -> None:
    info = json.loads(served.ready_line)
    assert list(info) == ["base_url", "ca_bundle", "subscription_id", "resource_group", "vault", "fabrics", "clouds"]
    assert re.fullmatch(r"https://127\.0\.0\.1:[1-9][0-9]*", info["base_url"])
    assert info["clouds"] == ["Gold", "Gold-Recovery"]
    assert len(info["fabrics"]) == 2 and info["fabrics"] == Lab(seed=7).fabric_names()  # same seed, same ids


def test_the_sdk_over_https_sees_fabrics_containers_and_protectable_items(
    served: ServeProcess, asr: SiteRecoveryManagementClient
) -> None:
    info = served.info
    assert discovered(asr, info.resource_group, info.vault) == {
        "vmm-ny.contoso.com": {"Gold": ["Gold-VM1", "Gold-VM2"]},
        "vmm-chi.contoso.com": {"Gold-Recovery": []},
    }
    primary, recovery = info.fabrics
    fabric = asr.replication_fabrics.get(info.resource_group, info.vault, primary)
    assert fabric.properties.friendly_name == "vmm-ny.contoso.com"
    assert asr.replication_fabrics.get(info.resource_group, info.vault, recovery).properties.friendly_name == \
        "vmm-chi.contoso.com"
    assert fabric.properties.custom_details.instance_type == "VMM"
    providers = asr.replication_recovery_services_providers.list(info.resource_group, info.vault)
    assert sorted((p.properties.friendly_name, p.properties.connection_status) for p in providers) == [
        ("vmm-chi.contoso.com", "Connected"), ("vmm-ny.contoso.com", "Connected")]


def test_the_served_lab_answers_as_the_in_process_lab_of_the_same_seed(
    served: ServeProcess, asr: SiteRecoveryManagementClient
) -> None:
    lab = Lab(seed=7)
    info = served.info
    assert discovered(asr, info.resource_group, info.vault) == lab.discovered()
    gold = next(iter(asr.replication_protection_containers.list_by_replication_fabrics(
        info.resource_group, info.vault, info.fabrics[0])))
    items = asr.replication_protectable_items.list_by_replication_protection_containers(
        info.resource_group, info.vault, info.fabrics[0], gold.name)
    # the SDK types customDetails by its first discriminator level only; its JSON keys are there
    sources = {item.properties.custom_details["sourceItemId"] for item in items}
    assert sources == {vm.vm_id for vm in lab.primary.vms.values() if vm.cloud.name == "Gold"}  # Hyper-V VM GUIDs
