"""The pytest fixtures of asr-harness (registered by ``drlab.plugin``).

* ``lab`` — a fresh ``drlab.Lab`` per test (closed after it), built from the keyword arguments of
  the closest ``@pytest.mark.drlab(...)`` marker (``seed=0`` and the defaults otherwise), with its
  ``faults=[FaultRule, ...]`` in force from the start; ``checks=[...]`` (of ``data_loss``,
  ``ip_injection``, ``pairing_configured``, ``check_ordering``, ``work_once``, ``outbound_only``) run
  when the test ends and fail it on a violation; on a failed test the lab's seed, a one-line replay
  command and its history are attached to the report.
* ``asr_client`` — ``lab.azure_client()``, a ``SiteRecoveryManagementClient`` in-process.
* ``vault_client`` — ``lab.vault_client()``, a ``RecoveryServicesClient`` in-process.
* ``asr_aio_client`` — ``lab.azure_aio_client()``, the async SDK client in-process (``async with``
  it in an ``@pytest.mark.asyncio`` test; its sleeps advance the lab too).
* ``served_lab`` — ``asr-harness serve`` in a subprocess (the ``drlab`` marker's ``seed``, plus
  ``serve_options=[...]`` command-line options), as the ``ServeInfo`` of its ready line: the base
  URL, CA bundle and ids a client in any language needs. Stopped with SIGTERM after the test.
* ``drlab_options`` — the marker's keyword arguments; override it in a conftest to change the
  default lab of a whole directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

__all__ = ["drlab_options", "lab", "asr_client", "asr_aio_client", "vault_client", "served_lab"]


@pytest.fixture
def drlab_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """``Lab`` keyword arguments: those of the closest ``drlab`` marker (class or module markers apply
    when the test has none of its own)."""
    marker = request.node.get_closest_marker("drlab")
    if marker is None:
        return {}
    if marker.args:
        raise pytest.UsageError(f"@pytest.mark.drlab takes keyword arguments only (Lab's), got {marker.args!r}")
    return dict(marker.kwargs)


#: The marker's options that are not ``Lab``'s: ``faults`` (simcore fault rules in force from the
#: start), ``checks`` (names of ``drlab.checkers`` run when the test ends), ``serve_options``.
_NOT_LAB_OPTIONS = ("faults", "checks", "serve_options")

def _end_checks(lab: Any, names: Any) -> list[str]:
    """The verdicts of the named checkers that found violations, as text."""
    from .checkers import JUDGES

    unknown = [name for name in names if name not in JUDGES]
    if unknown:
        raise pytest.UsageError(f"@pytest.mark.drlab(checks=...) takes {', '.join(JUDGES)}; got {unknown}")
    verdicts = [JUDGES[name](lab) for name in names]
    return [str(verdict) for verdict in verdicts if not verdict.ok]


@pytest.fixture
def lab(drlab_options: dict[str, Any], request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh two-site lab, Providers registered, the marker's ``faults`` in force; when the test
    ends the marker's ``checks`` run (a violation fails it), and a failed test's report gets the
    lab's seed, the command that replays it and its history."""
    from drlab import Lab

    with Lab(**{k: v for k, v in drlab_options.items() if k not in _NOT_LAB_OPTIONS}) as built:
        for rule in drlab_options.get("faults", ()):
            built.faults.add(rule)
        yield built
        report = getattr(request.node, "drlab_call_report", None)
        if report is not None and report.failed:
            replay = f"replay: python -m pytest '{request.node.nodeid}'  (the same seed, the same history)"
            report.sections.append(("drlab history", f"seed={built.seed}\n{replay}\n{built.history.dumps()}"))
        violated = _end_checks(built, drlab_options.get("checks", ()))
        if violated:
            pytest.fail("\n".join(violated), pytrace=False)


@pytest.fixture
def asr_client(lab: Any) -> Any:
    """``SiteRecoveryManagementClient`` on the lab's in-process transport."""
    return lab.azure_client()


@pytest.fixture
def vault_client(lab: Any) -> Any:
    """``RecoveryServicesClient`` on the lab's in-process transport."""
    return lab.vault_client()


@pytest.fixture
def asr_aio_client(lab: Any) -> Any:
    """The async ``SiteRecoveryManagementClient`` on the lab's in-process async transport."""
    return lab.azure_aio_client()


@pytest.fixture
def served_lab(drlab_options: dict[str, Any]) -> Iterator[Any]:
    """``asr-harness serve`` for the marker's ``seed`` (and ``serve_options``), as its ``ServeInfo``."""
    import signal

    from .serve_process import ServeProcess

    options = [str(option) for option in drlab_options.get("serve_options", ())]
    process = ServeProcess.start("--seed", str(drlab_options.get("seed", 0)), *options)
    try:
        yield process.info
    finally:
        stopped = process.stop(signal.SIGTERM)
    if stopped.returncode != 0:
        pytest.fail(f"asr-harness serve ended with {stopped.returncode}: {stopped.stderr.strip()[-500:]}")
