"""Suite-wide hypothesis profile choice: the profiles are ``drlab.profiles``' (registered for
consumers too by the plugin); ``ci`` when ``CI=true``, else ``dev``, unless ``HYPOTHESIS_PROFILE``
or ``--hypothesis-profile`` names one (``soak`` for long fault-injection runs, bounded by the
plugin's time budget, ``drlab.budget``).
"""

from __future__ import annotations

import os

from hypothesis import settings

_explicit = os.environ.get("HYPOTHESIS_PROFILE")
settings.load_profile(_explicit or ("ci" if os.environ.get("CI", "").lower() == "true" else "dev"))
