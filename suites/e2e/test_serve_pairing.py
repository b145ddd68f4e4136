"""End to end over HTTPS: ``asr-harness serve`` as a subprocess and the official SDK pairing the lab's
clouds and mapping its network, as a DR script would, then removing the network mapping."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..workflows.conftest import Runbook

pytestmark = pytest.mark.sockets


@pytest.fixture(scope="module")
def book() -> Iterator[Runbook]:
    with Runbook.served("--seed", "9") as served:
        yield served


def test_policy_pairing_and_network_mapping_over_https(book: Runbook) -> None:
    book.create_policy()
    mapping = book.pair()
    assert (mapping.properties.state, mapping.properties.target_protection_container_friendly_name) == (
        "Paired", "Gold-Recovery")
    fabric, gold = book.container("Gold")
    container = book.asr.replication_protection_containers.get(book.rg, book.vault, fabric, gold)
    assert (container.properties.pairing_status, container.properties.role) == ("Paired", "Primary")
    (job,) = book.jobs("AssociateProtectionProfile")
    assert [t.state for t in job.properties.tasks] == ["Succeeded"] * 4
    network_mapping = book.map_poller().result()
    assert network_mapping.properties.state == "Paired"
    fabric, corp = book.network("primary", "Corp")
    book.asr.replication_network_mappings.begin_delete(book.rg, book.vault, fabric, corp, "map1").result()
    assert list(book.asr.replication_network_mappings.list(book.rg, book.vault)) == []
