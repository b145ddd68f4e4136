"""The runbook under the lab's faults (the marker's ``faults=``): a job failing once with a code the
configuration calls transient is retried and the setup completes; the same failure with a code it
does not know stops the runbook at once; the recovery site cut off from ASR for twenty minutes
delays protection without losing a VM or a write."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError

from drlab import Lab
from simcore import Fail, FaultRule, Match, Partition

from dr_automation import Retry, Vault, map_networks, pair_clouds

from .conftest import TAGGED, config_for
from .test_runbook import set_up

PAIRING_FAILS_ONCE = FaultRule(Fail("ProviderBusy", "The Provider is busy; try again later."),
                               Match(point="asr.task", where={"scenario": "AssociateProtectionProfile"}), count=1)
RECOVERY_SITE_OFFLINE = FaultRule(Partition(), Match(src="vmm-chi", dst="asr", bidirectional=True), end=1_200,
                                  name="recovery site offline")


@pytest.mark.drlab(faults=[PAIRING_FAILS_ONCE])
def test_a_transient_job_failure_is_retried(lab: Lab, vault: Vault) -> None:
    config = config_for(lab, transient_job_codes=frozenset({"ProviderBusy"}))
    started = lab.now
    assert pair_clouds(vault, config, Retry(job_codes=config.transient_job_codes, sleep=lab.advance)) == [
        "gold-to-gold-recovery"]
    assert len(lab.history.select(op="fault.fire")) == 1 and lab.now - started >= 30  # one back-off, virtual
    assert map_networks(vault, config, Retry(sleep=lab.advance)) == ["corp-to-corp"]


@pytest.mark.drlab(faults=[PAIRING_FAILS_ONCE])
def test_a_job_failure_not_known_to_be_transient_stops_the_runbook(lab: Lab, vault: Vault) -> None:
    with pytest.raises(HttpResponseError) as caught:
        pair_clouds(vault, config_for(lab), Retry(sleep=lab.advance))
    assert caught.value.error is not None and caught.value.error.code == "ProviderBusy"


@pytest.mark.drlab(faults=[RECOVERY_SITE_OFFLINE], checks=["data_loss"])
def test_protection_rides_out_the_recovery_site_offline(lab: Lab, vault: Vault, retry: Retry) -> None:
    assert set_up(vault, config_for(lab), retry, lab) == TAGGED
    failed_polls = lab.history.select(node="vmm-chi", op="provider.poll", phase="fail")
    assert failed_polls and all(poll.time < 1_200 for poll in failed_polls)  # the cut was felt, then healed
    assert all(item.properties.protection_state == "Protected" for item in vault.protected("Gold").values())
