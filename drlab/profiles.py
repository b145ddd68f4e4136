"""The hypothesis profiles asr-harness suites run under, registered for every project that loads
the plugin (so ``--hypothesis-profile=soak`` works in a consumer's run too).

* ``dev`` (default here): quick, randomized, with the example database.
* ``ci``: derandomized, no database, no deadline, bounded examples and stateful steps, so a CI run is
  deterministic and fits its time budget.
* ``soak``: long runs for fault-injection campaigns, bounded by a wall-time budget (``drlab.budget``:
  an hour unless ``--drlab-budget`` or ``DRLAB_BUDGET`` says otherwise), so a soak run finishes.
"""

from __future__ import annotations

from collections.abc import Mapping

from hypothesis import HealthCheck, settings
from hypothesis.errors import InvalidArgument

__all__ = ["register_profiles", "load_from_environment", "PROFILES", "ENV"]

PROFILES = ("dev", "ci", "soak")
#: Policy: the environment variable naming the profile to load (``HYPOTHESIS_PROFILE=ci``), as this
#: repository's suites read it; ``--hypothesis-profile`` still wins (hypothesis loads it afterwards).
ENV = "HYPOTHESIS_PROFILE"


def register_profiles() -> None:
    settings.register_profile("dev", max_examples=30, stateful_step_count=20, deadline=None)
    settings.register_profile(
        "ci", derandomize=True, database=None, deadline=None, print_blob=True, max_examples=25,
        stateful_step_count=20, suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile(
        "soak", max_examples=2_000, stateful_step_count=200, deadline=None,
        suppress_health_check=[HealthCheck.too_slow])


def load_from_environment(environ: Mapping[str, str]) -> str | None:
    """Load the profile ``environ`` names, if any (its name); an unregistered one is a ``ValueError``."""
    name = environ.get(ENV)
    if not name:
        return None
    try:
        settings.load_profile(name)
    except InvalidArgument:
        raise ValueError(f"${ENV} names no registered hypothesis profile: {name!r} (drlab's: "
                         f"{', '.join(PROFILES)})") from None
    return name
