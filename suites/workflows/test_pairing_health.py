"""A pairing's ``health`` and ``healthErrorDetails`` follow what both VMM servers report of their
paired hosts (PROTOCOL.md §5.2 ``pairings``; codes and wording policy, ``asr_emulator.catalogue``).

Read through the official SDK: the items carry every field of the ``HealthError`` model in the
recorded order (asr-orchestration.md §B.6); one defect keeps its ``errorId`` and
``creationTimeUtc`` while it lasts; a defect present when the pairing job ends shows at once; an
inventory sync changes the mapping's health only, never what the pairing workflow owns.
"""

from __future__ import annotations

from typing import Any

import pytest
from cryptography import x509

from asr_emulator.channel.discovery import parse_inventory
from asr_emulator.errors import ArmError
from drlab import Lab, Role
from drlab._lab.topology import HOST_ADMIN
from hyperv_fake import HTTPS_LISTENER_RULE, ROOT_STORE
from simcore.pki import thumbprint

from .conftest import Runbook

#: The ``HealthError`` model's fields (azure-mgmt-recoveryservicessiterecovery), in the recorded order.
FIELDS = ["innerHealthErrors", "errorSource", "errorType", "errorLevel", "errorCategory", "errorCode",
          "summaryMessage", "errorMessage", "possibleCauses", "recommendedAction", "creationTimeUtc",
          "recoveryProviderErrorMessage", "entityId", "errorId", "customerResolvability"]


def _mapping(book: Runbook) -> Any:
    fabric, container = book.container("Gold")
    return book.asr.replication_protection_container_mappings.get(book.rg, book.vault, fabric, container, "pairing1")


def _raw(book: Runbook) -> dict[str, Any]:
    """The mapping's ``properties`` as the wire carries them."""
    fabric, container = book.container("Gold")
    response = book.asr.replication_protection_container_mappings.get(
        book.rg, book.vault, fabric, container, "pairing1", cls=lambda pipeline, deserialized, headers: pipeline)
    body: dict[str, Any] = response.http_response.json()["properties"]
    return body


def _sync(lab: Lab) -> None:
    lab.advance(lab.providers[Role.primary].poll_interval)


def _peer_root(lab: Lab, role: Role) -> x509.Certificate:
    site = lab.sites[role]
    (record,) = site.vmm.cloud_pairings("Gold" if role is Role.primary else "Gold-Recovery")
    assert record.peer_root_certificate is not None
    return x509.load_pem_x509_certificate(record.peer_root_certificate.encode())


def test_a_defect_reads_as_a_health_error_with_every_field_and_heals(runbook: Runbook, lab: Lab) -> None:
    runbook.pair()
    assert (_raw(runbook)["health"], _raw(runbook)["healthErrorDetails"]) == ("Normal", [])
    host = lab.sites[Role.recovery].hosts[1]
    peer = _peer_root(lab, Role.recovery)
    host.remove_certificate(thumbprint(peer), cert_store_location=ROOT_STORE)
    _sync(lab)
    properties = _raw(runbook)
    (item,) = properties["healthErrorDetails"]
    assert properties["health"] == "Critical" and list(item) == FIELDS
    assert (item["errorCode"], item["entityId"], item["errorLevel"], item["customerResolvability"],
            item["errorSource"]) == ("150514", host.fqdn, "Error", "Allowed", "CloudPairingProviderErrorOnRecovery")
    model = _mapping(runbook).properties.health_error_details[0]
    assert model.error_code == "150514" and model.creation_time_utc is not None and model.inner_health_errors == []
    host.import_certificate(peer)
    _sync(lab)
    assert (_raw(runbook)["health"], _raw(runbook)["healthErrorDetails"]) == ("Normal", [])


def test_a_defect_keeps_its_id_and_creation_time_while_others_come_and_go(runbook: Runbook, lab: Lab) -> None:
    runbook.pair()
    first, second = lab.sites[Role.primary].hosts
    first.set_net_firewall_rule(HTTPS_LISTENER_RULE, enabled=False)
    _sync(lab)
    (before,) = _raw(runbook)["healthErrorDetails"]
    lab.advance(3600)
    second.set_net_firewall_rule(HTTPS_LISTENER_RULE, enabled=False)
    _sync(lab)
    items = _raw(runbook)["healthErrorDetails"]
    assert [item["entityId"] for item in items] == [first.fqdn, second.fqdn]
    assert items[0] == before and items[1]["creationTimeUtc"] > before["creationTimeUtc"]
    assert items[0]["errorId"] != items[1]["errorId"]


def test_a_defect_present_when_the_pairing_job_ends_shows_at_once(lab: Lab) -> None:
    site, spec = lab.sites[Role.primary], lab.spec.site(Role.primary)
    host = lab.hyperv.add_host("nodomain", fqdn=f"nodomain.{spec.domain}", domain=None)
    site.vmm.add_sc_vm_host(host, credential=site.vmm.get_sc_run_as_account(HOST_ADMIN)[0],
                            vm_host_group=site.host_group)
    book = Runbook.of(lab)
    book.create_policy(auth=1, port=8083)  # Kerberos: the host outside the domain cannot authenticate
    lab.advance(120)
    mapping = book.pair()
    codes = {(item.entity_id, item.error_code) for item in mapping.properties.health_error_details}
    assert mapping.properties.health == "Critical" and (host.fqdn, "150516") in codes


def test_a_sync_changes_only_the_health_of_the_pairing(runbook: Runbook, lab: Lab) -> None:
    runbook.pair()
    before = {key: value for key, value in _raw(runbook).items() if key not in ("health", "healthErrorDetails")}
    containers = [(c.name, c.properties.pairing_status, c.properties.role)
                  for c in runbook.asr.replication_protection_containers.list(runbook.rg, runbook.vault)]
    lab.sites[Role.primary].hosts[0].set_disable_cert_revocation_check(False)
    _sync(lab)
    after = _raw(runbook)
    assert after["health"] == "Critical" and after["healthErrorDetails"][0]["errorCode"] == "150515"
    assert {key: value for key, value in after.items() if key not in ("health", "healthErrorDetails")} == before
    assert [(c.name, c.properties.pairing_status, c.properties.role)
            for c in runbook.asr.replication_protection_containers.list(runbook.rg, runbook.vault)] == containers


@pytest.mark.parametrize("pairings", [
    {"pairingId": "x", "role": "Primary"},
    [{"pairingId": "x", "role": "Primary", "defects": [{"host": "h", "kind": 3, "detail": "d"}]}],
    [{"pairingId": 1, "role": "Primary", "defects": []}],
])
def test_a_malformed_pairing_report_is_refused_before_anything_changes(pairings: object) -> None:
    body = {"sequence": 1, "clouds": [{"id": "c", "name": "Gold", "hosts": [], "vmNetworks": [], "vms": [],
                                       "pairings": pairings}]}
    with pytest.raises(ArmError) as refused:
        parse_inventory(body)
    assert refused.value.code == "InvalidRequestContent" and "pairings" in str(refused.value.target)
