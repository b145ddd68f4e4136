"""Planned failover and its commit on the VMM servers: the work ASR's ``PlannedFailover`` and commit
jobs send (asr-orchestration.md §A.4.2; ``scvmm_fake._cmdlets_failover``).

* primary: ``ShutdownPrimaryVm`` ``{jobName, vmmVmId}`` → ``{}``; ``PrepareForFailover`` ``{jobName,
  vmmVmId}`` → ``{}``;
* recovery: ``Failover`` ``{jobName, vmId, nics: [{id, ipAddresses}]}`` → ``{nics: [{adapter,
  vmNetworkId, ipAddresses}]}`` (IP injection); ``StartReplicaVm`` ``{jobName, vmId}`` → ``{}``;
  ``CommitFailover`` ``{jobName, vmId}`` → ``{}``; ``ReverseReplication`` ``{jobName, vmId}`` →
  ``{primaryServer}``.

Durations are policy ``FAILOVER_WORK_SECONDS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..policy import FAILOVER_WORK_SECONDS
from . import executes

if TYPE_CHECKING:
    from ..agent import AsrProvider


@executes("ShutdownPrimaryVm", seconds=FAILOVER_WORK_SECONDS["ShutdownPrimaryVm"])
def shutdown_primary_vm(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    return provider.vmm.shutdown_primary_vm(payload)


@executes("PrepareForFailover", seconds=FAILOVER_WORK_SECONDS["PrepareForFailover"])
def prepare_for_failover(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    return provider.vmm.prepare_for_failover(payload)


@executes("Failover", seconds=FAILOVER_WORK_SECONDS["Failover"])
def failover(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    return provider.vmm.failover(payload)


@executes("StartReplicaVm", seconds=FAILOVER_WORK_SECONDS["StartReplicaVm"])
def start_replica_vm(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    return provider.vmm.start_replica_vm(payload)


@executes("CommitFailover", seconds=FAILOVER_WORK_SECONDS["CommitFailover"])
def commit_failover(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    return provider.vmm.commit_failover(payload)


@executes("ReverseReplication", seconds=FAILOVER_WORK_SECONDS["ReverseReplication"])
def reverse_replication(provider: AsrProvider, payload: dict[str, Any]) -> dict[str, Any]:
    return provider.vmm.reverse_replication(payload)
