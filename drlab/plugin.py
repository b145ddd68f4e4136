"""The pytest plugin of asr-harness (entry point ``pytest11: drlab = drlab.plugin``).

Registers the ``drlab`` marker, the fixtures of ``drlab.fixtures`` (``lab``, ``asr_client``,
``asr_aio_client``, ``vault_client``, ``served_lab``, ``drlab_options``), the hypothesis profiles
``dev``/``ci``/``soak`` and the session's time budget (``--drlab-budget``, ``drlab.budget``):

    @pytest.mark.drlab(seed=7, hosts_per_site=3)
    def test_fabrics(asr_client, lab):
        assert len(list(asr_client.replication_fabrics.list(lab.resource_group, lab.vault_name))) == 2
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest
from hypothesis import is_hypothesis_test, settings

from . import budget
from .fixtures import (  # noqa: F401 - pytest finds fixtures here
    asr_aio_client, asr_client, drlab_options, lab, served_lab, vault_client,
)
from .profiles import load_from_environment, register_profiles

register_profiles()  # before hypothesis' own plugin reads --hypothesis-profile

MARKER = ("drlab(seed=0, **lab_options): build the `lab` fixture as drlab.Lab(seed=..., **lab_options) "
          "(hosts_per_site=, clouds=, networks=, vms=, vms_per_cloud=, proxy=, sockets=, ...); faults=[FaultRule] "
          "in force from the start, checks=['data_loss', 'ip_injection', 'check_ordering', 'certificate_trust'] run "
          "at the end, serve_options=[...] for served_lab")


#: Policy: pytest-asyncio warns on every run whose configuration leaves its fixture loop scope unset;
#: for a consumer who did not choose one, the plugin chooses ``function`` (pytest-asyncio's announced
#: future default), so a run with asr-harness installed prints no warning of its making.
ASYNCIO_LOOP_SCOPE = ("asyncio_default_fixture_loop_scope", "function")


#: the budget given (option or environment), the session's budget, a test's run under it
_SECONDS = pytest.StashKey["float | None"]()
_BUDGET = pytest.StashKey["budget.Budget | None"]()
_RUN = pytest.StashKey[budget.Run]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("drlab").addoption(
        "--drlab-budget", type=float, default=None, metavar="SECONDS",
        help=f"wall-time budget of the session's hypothesis tests (also ${budget.ENV}; "
             f"{budget.SOAK_BUDGET:g} under the soak profile): once spent, tests stop generating examples")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)
    name, scope = ASYNCIO_LOOP_SCOPE
    if config.pluginmanager.hasplugin("asyncio") and not config.getini(name):
        # pytest has no public way to give another plugin's option a value; its value cache is where
        # getini, and so pytest-asyncio's own pytest_configure after this one, reads it from
        config._inicache[name] = scope
    config.stash[_SECONDS] = _budget_seconds(config)
    try:
        load_from_environment(os.environ)  # before hypothesis' plugin loads --hypothesis-profile over it
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None


def _budget_seconds(config: pytest.Config) -> float | None:
    """The option's budget, else the environment's; a bad one is a usage error."""
    seconds, text = config.getoption("drlab_budget"), os.environ.get(budget.ENV, "")
    try:
        seconds = seconds if seconds is not None else float(text) if text else None
    except ValueError:
        raise pytest.UsageError(f"${budget.ENV} must be seconds, got {text!r}") from None
    if seconds is not None and not seconds >= 0:
        raise pytest.UsageError(f"the drlab budget must be seconds >= 0, got {seconds!r}")
    return seconds


def pytest_sessionstart(session: pytest.Session) -> None:
    """Start the budget's clock (the soak profile's budget when none was given: profiles are loaded by now)."""
    seconds = session.config.stash.get(_SECONDS, None)
    if seconds is None and settings.get_current_profile_name() == "soak":
        seconds = budget.SOAK_BUDGET
    session.config.stash[_BUDGET] = None if seconds is None else budget.Budget(seconds)


def session_budget(config: pytest.Config) -> budget.Budget | None:
    """The session's time budget (``None``: unbounded), once the session has started."""
    return config.stash.get(_BUDGET, None)


def pytest_runtest_setup(item: pytest.Item) -> None:
    spent = session_budget(item.config)
    if spent is not None and spent.spent():
        pytest.skip(f"drlab budget of {spent.seconds:g} s spent before this test started")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Under a budget, the test's examples run between checkpoints (``drlab.budget``)."""
    bound = session_budget(item.config)
    if bound is None:
        return (yield)
    run = item.stash[_RUN] = budget.Run(bound)
    test = getattr(item, "obj", None)
    # a @given test's body is reassignable there (a state machine's runTest has none: Budgeted checks)
    handle: Any = getattr(test, "hypothesis", None) if is_hypothesis_test(test) else None
    inner = getattr(handle, "inner_test", None)
    if inner is not None:
        handle.inner_test = run.around(inner)
    budget.current = run
    try:
        return (yield)
    finally:
        budget.current = None
        if inner is not None:
            handle.inner_test = inner


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """Keep the call's report on the item, so the ``lab`` fixture can add its history to a failure; a
    test the budget stopped passed with the examples it ran, and says so."""
    report = yield
    if report.when == "call":
        run = item.stash.get(_RUN, None)
        if run is not None and run.stopped and report.skipped:
            report.outcome, report.longrepr = "passed", None
            report.sections.append(("drlab budget", f"stopped by the budget after {run.examples} examples, "
                                                    "all passed"))
        item.drlab_call_report = report  # type: ignore[attr-defined]
    return report
