"""Fixtures of the fault suites: the Hyper-V suite's session CA and two-host lab factory."""

from __future__ import annotations

from ..hyperv.conftest import ca, make_pair

__all__ = ["ca", "make_pair"]
