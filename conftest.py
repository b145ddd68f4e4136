"""Suite-wide hypothesis profiles.

* ``dev`` (default): quick, randomized, with the example database.
* ``ci`` (selected when ``CI=true``): derandomized, no database, no deadline, bounded examples
  and stateful steps, so CI is deterministic and fits its time budget.
* ``soak``: long runs for fault-injection campaigns; select with ``--hypothesis-profile=soak``
  or ``HYPOTHESIS_PROFILE=soak``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=30, stateful_step_count=20, deadline=None)
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    max_examples=25,
    stateful_step_count=20,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "soak",
    max_examples=2_000,
    stateful_step_count=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

_explicit = os.environ.get("HYPOTHESIS_PROFILE")
settings.load_profile(_explicit or ("ci" if os.environ.get("CI", "").lower() == "true" else "dev"))
