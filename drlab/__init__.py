"""drlab — what users touch: labs, transports, fixtures, the runbook, machines, checkers and the CLI.

``Lab(seed=...)`` builds a two-site DR lab (ASR with a vault, two VMM servers with registered
Providers, Hyper-V hosts, clouds, networks and VMs) on one deterministic simulation; the specs
describe its topology and ``ProxySpec`` a custom proxy for the Providers; ``Lab.add_vmware_site``
(``VMwareSiteSpec``) adds a VMware site of the InMage scenario. ``drlab.runbook`` holds
the SDK steps of a DR runbook, ``drlab.machines`` the state machines to run or subclass,
``drlab.checkers`` the invariants as verdicts over a lab and its history, ``drlab.strategies``
hypothesis strategies for labs, policies and faults; the pytest plugin's
fixtures are in ``drlab.fixtures``.

Names load on first use (PEP 562), so ``asr-harness demo`` does not import every emulator.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    ".lab": ("Lab", "LabStartError"),
    ".discovered": ("discovered",),
    "._lab.topology": ("Site",),
    "._lab.wiring": ("ProxySpec",),
    "._lab.vmware": ("VMwareSiteSpec", "VMwareSite"),
    "._lab.spec": ("CloudSpec", "NetworkSpec", "VMSpec", "SiteSpec", "Role",
                   "LabConfigError", "UnknownCloud", "UnknownNetwork", "DuplicateName"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'drlab' has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
