"""The configuration file: JSON lists become the tuples and sets the runbook uses, an unknown key is
refused (a typo would otherwise protect nothing), and tags match case-insensitively."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dr_automation import DrConfig


def test_a_json_file_loads_with_its_lists_as_tuples_and_sets(tmp_path: Path) -> None:
    path = tmp_path / "dr.json"
    path.write_text(json.dumps({
        "subscription_id": "s", "resource_group": "g", "vault": "v", "clouds": {"Gold": "Gold-Recovery"},
        "networks": {"Corp": "Corp"}, "tags": ["*-dr", "sql-*"], "boot_order": [["sql-*"], ["app-*"]],
        "transient_job_codes": ["ProviderBusy"]}))
    config = DrConfig.load(path)
    assert (config.tags, config.boot_order, config.transient_job_codes) == (
        ("*-dr", "sql-*"), (("sql-*",), ("app-*",)), frozenset({"ProviderBusy"}))
    assert config.tagged("SQL-01") and config.tagged("web-01-DR") and not config.tagged("web-01")


def test_an_unknown_key_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown DR configuration keys: tag"):
        DrConfig.from_dict({"subscription_id": "s", "resource_group": "g", "vault": "v", "clouds": {},
                            "networks": {}, "tag": ["*-dr"]})
