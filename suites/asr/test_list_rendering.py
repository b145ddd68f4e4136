"""A list renders only the page it returns: walking N items page by page renders each item once,
so listing costs O(N), not O(N²). Order and ``nextLink`` are those of the unpaged list."""

from __future__ import annotations

from typing import Any

import pytest

from asr_emulator import AsrService
from asr_emulator.handlers import policies
from drlab.azure_transport import site_recovery_client

from .conftest import RG, h2012r2


def test_each_page_renders_only_its_items(sim: Any, vault: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    service = AsrService(sim, page_size=3)
    service.backend.vaults.add(vault)
    asr = site_recovery_client(service)
    for i in range(7):
        asr.replication_policies.begin_create(
            RG, vault.name, f"pol{i}", {"properties": {"providerSpecificInput": h2012r2()}}).result()
    rendered: list[str] = []
    original = policies.policy_json

    def counting(vault: Any, policy: Any) -> Any:
        rendered.append(policy.name)
        return original(vault, policy)
    monkeypatch.setattr(policies, "policy_json", counting)
    assert [p.name for p in asr.replication_policies.list(RG, vault.name)] == [f"pol{i}" for i in range(7)]
    assert rendered == [f"pol{i}" for i in range(7)]  # once each, in list order: three pages, seven renders
