"""The pytest plugin of asr-harness (entry point ``pytest11: drlab = drlab.plugin``).

Registers the ``drlab`` marker, the fixtures of ``drlab.fixtures`` (``lab``, ``asr_client``,
``vault_client``, ``drlab_options``) and the hypothesis profiles ``dev``/``ci``/``soak``::

    @pytest.mark.drlab(seed=7, hosts_per_site=3)
    def test_fabrics(asr_client, lab):
        assert len(list(asr_client.replication_fabrics.list(lab.resource_group, lab.vault_name))) == 2
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from .fixtures import asr_client, drlab_options, lab, vault_client  # noqa: F401 - pytest finds fixtures here
from .profiles import register_profiles

register_profiles()  # before hypothesis' own plugin reads --hypothesis-profile

MARKER = ("drlab(seed=0, **lab_options): build the `lab` fixture as drlab.Lab(seed=..., **lab_options) "
          "(hosts_per_site=, clouds=, networks=, vms=, vms_per_cloud=, proxy=, sockets=, ...)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """Keep the call's report on the item, so the ``lab`` fixture can add its history to a failure."""
    report = yield
    if report.when == "call":
        item.drlab_call_report = report  # type: ignore[attr-defined]
    return report
