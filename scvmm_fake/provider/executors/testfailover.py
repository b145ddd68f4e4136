"""Test failover on the recovery VMM server: the work ASR's ``TestFailover`` and
``TestFailoverCleanup`` jobs send to the recovery site's Provider (asr-orchestration.md §A.4).

* ``TestFailover`` ``{jobName, vmId, vmName, vmNetworkId | null, nics: [{id, ipAddresses}]}`` →
  ``{testVmName, testVmId, networkConnectionStatus, nics: [{adapter, vmNetworkId, ipAddresses}]}``
  (``scvmm_fake._cmdlets_test_failover``: the test VM, addresses from the test network's pool);
* ``TestFailoverCleanup`` ``{jobName, vmId}`` → ``{cleaned}``.

Durations are policy ``TEST_FAILOVER_WORK_SECONDS``: the recorded tasks'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..policy import TEST_FAILOVER_WORK_SECONDS
from . import executes

if TYPE_CHECKING:
    from ..agent import AsrProvider


@executes("TestFailover", seconds=TEST_FAILOVER_WORK_SECONDS["TestFailover"])
def test_failover(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    return provider.vmm.test_failover(payload)


@executes("TestFailoverCleanup", seconds=TEST_FAILOVER_WORK_SECONDS["TestFailoverCleanup"])
def test_failover_cleanup(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    return provider.vmm.test_failover_cleanup(payload)

