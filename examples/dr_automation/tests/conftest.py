"""The DR lab these tests run against, and the runbook's configuration for it.

Every test here gets, unless its own ``drlab`` marker says otherwise, a lab whose primary cloud
``Gold`` holds three VMs tagged for DR (the ``-dr`` suffix) and one that is not.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import settings

from dr_automation import DrConfig, Retry, Vault
from drlab import Lab, VMSpec

# the plugin registers the profiles; choosing one is the project's business, as it is here
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev"))

VMS = [VMSpec("db-01-dr", "Gold"), VMSpec("app-01-dr", "Gold"), VMSpec("web-01-dr", "Gold"),
       VMSpec("scratch-01", "Gold")]
TAGGED = ["app-01-dr", "db-01-dr", "web-01-dr"]


@pytest.fixture
def drlab_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The directory's default lab; a test's own ``drlab`` marker adds to it."""
    marker = request.node.get_closest_marker("drlab")
    return {"seed": 3, "vms": VMS, **(marker.kwargs if marker else {})}


def config_for(lab: Lab, **fields: Any) -> DrConfig:
    return DrConfig(lab.subscription_id, lab.resource_group, lab.vault_name, clouds={"Gold": "Gold-Recovery"},
                    networks={"Corp": "Corp"}, boot_order=(("db-*",), ("app-*",)), **fields)


@pytest.fixture
def config(lab: Lab) -> DrConfig:
    return config_for(lab)


@pytest.fixture
def vault(lab: Lab, asr_client: Any) -> Vault:
    return Vault(asr_client, lab.subscription_id, lab.resource_group, lab.vault_name)


@pytest.fixture
def retry(lab: Lab, config: DrConfig) -> Retry:
    """Back-off in the lab's virtual time: the waits take no wall time and show in the history."""
    return Retry(job_codes=config.transient_job_codes, sleep=lab.advance)
