"""End to end over HTTPS: ``asr-harness serve --time-mode manual`` as a subprocess, the official SDK as
a DR script, and ``drlab.control.LabControl`` steering the lab through ``/_harness/``: nothing moves
time but the control API, an hour advanced makes an enabled VM protected, a partition added through
the API silences a Provider until healed, history is filtered over the wire, and reset serves the
same seed's lab afresh with the ids the ready line announced."""

from __future__ import annotations

import signal
import ssl
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.recoveryservicessiterecovery import SiteRecoveryManagementClient

from drlab.azure_transport import FakeCredential
from drlab.control import ControlError, LabControl
from drlab.serve import ServeInfo
from drlab.serve_process import ServeProcess
from simcore import FaultRule, Match, Partition

from ..workflows.conftest import Runbook, hyperv_policy

pytestmark = pytest.mark.sockets


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[ServeInfo, Runbook, LabControl]]:
    process = ServeProcess.start("--seed", "13", "--time-mode", "manual")
    info = process.info
    with SiteRecoveryManagementClient(FakeCredential(), info.subscription_id, base_url=info.base_url,
                                      connection_verify=info.ca_bundle, polling_interval=0) as client, \
            LabControl(info.base_url, info.ca_bundle) as control:
        yield info, Runbook(client, info.subscription_id, info.resource_group, info.vault,
                            {"primary": info.fabrics[0], "recovery": info.fabrics[1]}), control
    stopped = process.stop(signal.SIGTERM)
    assert stopped.returncode == 0, stopped.stderr


def advance_until(control: LabControl, done: Callable[[], bool], *, step: float = 60, within: float = 3600) -> float:
    """Advance ``step`` virtual seconds at a time until ``done()``; the virtual seconds it took."""
    start = control.now()
    while not done():
        assert control.now() - start < within, f"not done after {within} virtual seconds"
        control.advance(step)
    return control.now() - start


def _found(get: Callable[[], Any]) -> Any:
    """``get()``, or ``None`` while the resource is not there yet."""
    try:
        return get()
    except ResourceNotFoundError:
        return None


def test_in_manual_mode_only_the_control_api_moves_time_and_an_hour_protects_an_enabled_vm(
        served: tuple[ServeInfo, Runbook, LabControl]) -> None:
    _, book, control = served
    asr, rg, vault = book.asr, book.rg, book.vault
    asr.replication_policies.begin_create(rg, vault, "pol1", {"properties": {
        "providerSpecificInput": hyperv_policy()}}, polling=False)
    frozen = control.now()
    for _ in range(5):  # a DR script polling: in manual mode its polls move nothing
        list(asr.replication_jobs.list(rg, vault))
    assert control.now() == frozen
    advance_until(control, lambda: _found(lambda: asr.replication_policies.get(rg, vault, "pol1")) is not None)
    fabric, gold = book.container("Gold")
    target_fabric, target = book.container("Gold-Recovery")
    asr.replication_protection_container_mappings.begin_create(rg, vault, fabric, gold, "pairing1", {"properties": {
        "targetProtectionContainerId": f"{book.prefix()}/replicationFabrics/{target_fabric}/"
                                       f"replicationProtectionContainers/{target}",
        "policyId": f"{book.prefix()}/replicationPolicies/pol1",
        "providerSpecificInput": {"instanceType": "ReplicationProviderSpecificContainerMappingInput"}}}, polling=False)
    advance_until(control, lambda: getattr(_found(lambda: asr.replication_protection_container_mappings.get(
        rg, vault, fabric, gold, "pairing1")), "properties", None) is not None)
    vm = next(p for p in book.protectable("Gold") if p.properties.friendly_name == "Gold-VM1")
    asr.replication_protected_items.begin_create(rg, vault, fabric, gold, vm.name, {"properties": {
        "protectableItemId": vm.id, "policyId": f"{book.prefix()}/replicationPolicies/pol1",
        "providerSpecificDetails": {"instanceType": "EnableProtectionProviderSpecificInput"}}}, polling=False)
    advance_until(control, lambda: _found(lambda: asr.replication_protected_items.get(
        rg, vault, fabric, gold, vm.name)) is not None)
    item = asr.replication_protected_items.get(rg, vault, fabric, gold, vm.name)
    assert item.properties.protection_state != "Protected"  # initial replication has yet to run
    control.advance(3600)
    item = asr.replication_protected_items.get(rg, vault, fabric, gold, vm.name)
    assert item.properties.protection_state == "Protected"


def _heartbeat(book: Runbook, server: str) -> Any:
    providers = book.asr.replication_recovery_services_providers.list(book.rg, book.vault)
    return next(p.properties.last_heart_beat for p in providers if p.properties.friendly_name.startswith(server))


def test_a_partition_added_over_https_silences_the_provider_until_healed(
        served: tuple[ServeInfo, Runbook, LabControl]) -> None:
    _, book, control = served
    assert "vmm-ny" in control.nodes()
    cut = control.add_fault(FaultRule(Partition(), Match(src="vmm-ny", dst="asr", bidirectional=True)))
    control.advance(120)
    silent = _heartbeat(book, "vmm-ny")
    control.advance(1800)
    assert _heartbeat(book, "vmm-ny") == silent and _heartbeat(book, "vmm-chi") > silent
    assert [fault.id for fault in control.faults()] == [cut.id]
    assert control.heal(cut.id) == [cut.id]
    control.advance(300)
    assert _heartbeat(book, "vmm-ny") > silent
    fails = control.history(op="net.connect", node="vmm-ny", phase="fail").events
    assert fails and all(e.details["error"] == "unreachable" for e in fails)
    heals = list(control.stream_history(op="fault.heal"))
    assert [(e.node, e.details["rule"]) for e in heals][-1:] == [("nemesis", cut.id)]


def test_bad_control_input_is_an_arm_400_over_the_wire_and_no_token_a_401(
        served: tuple[ServeInfo, Runbook, LabControl]) -> None:
    info, _, control = served
    before = control.clock()
    for call in (lambda: control.advance(float("inf")), lambda: control.advance_to(0),
                 lambda: control.set_mode("warp"), lambda: control.add_fault({"action": "partition", "count": 2})):
        with pytest.raises(ControlError) as refused:
            call()
        assert refused.value.status == 400 and refused.value.code
    with httpx.Client(base_url=info.base_url, verify=ssl.create_default_context(cafile=info.ca_bundle)) as raw:
        response = raw.get("/_harness/clock")
        assert response.status_code == 401 and response.json()["error"]["code"] == "AuthenticationFailed"
        deep = raw.post("/_harness/clock/advance", content=b"[" * 2000 + b"]" * 2000,
                        headers={"Authorization": "Bearer t", "Content-Type": "application/json"})
        assert deep.status_code == 400 and deep.json()["error"]["code"] == "InvalidRequestContent"
    assert control.clock() == before


def test_a_cloud_and_a_vm_added_over_https_are_seen_by_the_sdk(served: tuple[ServeInfo, Runbook, LabControl]) -> None:
    _, book, control = served
    assert control.add_cloud("Silver")["site"] == "primary"
    assert control.add_vm("Silver-VM1", "Silver")["cloud"] == "Silver"
    assert [item.properties.friendly_name for item in book.protectable("Silver")] == ["Silver-VM1"]
    assert "Silver" in [cloud["name"] for cloud in control.topology()["sites"]["primary"]["clouds"]]
    with pytest.raises(ControlError) as refused:
        control.add_vm("Silver-VM1", "Silver")
    assert refused.value.status == 400 and refused.value.code == "InvalidTopology"


def test_reset_serves_the_same_seeds_lab_afresh_with_the_announced_ids(
        served: tuple[ServeInfo, Runbook, LabControl]) -> None:
    info, book, control = served
    control.advance(600)
    control.add_fault({"action": "drop", "match": {"point": "vmm.job"}})
    reset = control.reset()
    assert (reset.seed, reset.fabrics, reset.clouds) == (13, info.fabrics, info.clouds)
    assert control.now() < 1 and control.faults() == []
    assert list(book.asr.replication_policies.list(book.rg, book.vault)) == []
    assert list(book.asr.replication_protected_items.list(book.rg, book.vault)) == []
    assert {f.name for f in book.asr.replication_fabrics.list(book.rg, book.vault)} == set(info.fabrics)
    assert book.container("Gold")[0] == info.fabrics[0]
