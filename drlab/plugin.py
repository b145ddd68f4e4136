"""The pytest plugin of asr-harness (entry point ``pytest11: drlab = drlab.plugin``).

Registers the ``drlab`` marker, the fixtures of ``drlab.fixtures`` (``lab``, ``asr_client``,
``asr_aio_client``, ``vault_client``, ``served_lab``, ``drlab_options``) and the hypothesis profiles ``dev``/``ci``/``soak``::

    @pytest.mark.drlab(seed=7, hosts_per_site=3)
    def test_fabrics(asr_client, lab):
        assert len(list(asr_client.replication_fabrics.list(lab.resource_group, lab.vault_name))) == 2
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from .fixtures import (  # noqa: F401 - pytest finds fixtures here
    asr_aio_client, asr_client, drlab_options, lab, served_lab, vault_client,
)
from .profiles import register_profiles

register_profiles()  # before hypothesis' own plugin reads --hypothesis-profile

MARKER = ("drlab(seed=0, **lab_options): build the `lab` fixture as drlab.Lab(seed=..., **lab_options) "
          "(hosts_per_site=, clouds=, networks=, vms=, vms_per_cloud=, proxy=, sockets=, ...); faults=[FaultRule] "
          "in force from the start, checks=['data_loss', 'ip_injection', 'check_ordering'] run at the end, "
          "serve_options=[...] for served_lab")


#: Policy: pytest-asyncio warns on every run whose configuration leaves its fixture loop scope unset;
#: for a consumer who did not choose one, the plugin chooses ``function`` (pytest-asyncio's announced
#: future default), so a run with asr-harness installed prints no warning of its making.
ASYNCIO_LOOP_SCOPE = ("asyncio_default_fixture_loop_scope", "function")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)
    name, scope = ASYNCIO_LOOP_SCOPE
    if config.pluginmanager.hasplugin("asyncio") and not config.getini(name):
        # pytest has no public way to give another plugin's option a value; its value cache is where
        # getini, and so pytest-asyncio's own pytest_configure after this one, reads it from
        config._inicache[name] = scope


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """Keep the call's report on the item, so the ``lab`` fixture can add its history to a failure."""
    report = yield
    if report.when == "call":
        item.drlab_call_report = report  # type: ignore[attr-defined]
    return report
