"""A protected VM's replication health errors, from what each VMM server reports of its side
(asr-orchestration.md §A.4.4, §B.2.2): the recorded codes, sources and texts.

* primary side (``ReplicationUnitProviderErrorOnPrimary``): ``67501`` Error while Hyper-V reports the
  replication Critical, ``67518`` Warning while it reports Warning (cycles missed), ``67502`` Warning
  while replication is paused;
* replica side (``ReplicationUnitProviderErrorOnReplica``): ``67506`` Warning while the replica is
  failed over and not yet reversed, and ``67518`` while its side reports Warning.

Texts the records elide ("…") are completed by policy, in the recorded pattern; ``errorType`` is null
as recorded, ``errorCategory`` "Replication" and ``customerResolvability`` "Allowed" are policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ReplicationCondition", "conditions", "RPO_EXCEEDED"]


@dataclass(frozen=True)
class ReplicationCondition:
    """One health error's recorded fields, with ``{vm}``, ``{vmm}`` and ``{cloud}`` to fill in."""

    code: str
    source: str
    level: str
    message: str
    causes: str
    action: str


_PRIMARY, _REPLICA = "ReplicationUnitProviderErrorOnPrimary", "ReplicationUnitProviderErrorOnReplica"
NOT_WORKING = ReplicationCondition(
    "67501", _PRIMARY, "Error", "Replication activity isn't working as expected for virtual machine '{vm}' in "
    "'{vmm}'|'{cloud}'.", "Replication traffic could not be sent to or processed by the recovery server.",
    "Fix any issues, then resume or resynchronize replication.")
CYCLES_MISSED = ReplicationCondition(
    "67518", "", "Warning", "More than 20% of the replication cycles of virtual machine '{vm}' in '{vmm}'|'{cloud}' "
    "have been missed.", "Replication cycles could not complete in the last monitoring interval.",
    "Check the network between the sites and the recovery server's storage.")
PAUSED = ReplicationCondition(
    "67502", _PRIMARY, "Warning", "Replication was paused for virtual machine '{vm}' in '{vmm}'|'{cloud}'.",
    "Replication was paused.", "Resume replication.")
FAILED_OVER = ReplicationCondition(
    "67506", _REPLICA, "Warning", "Virtual machine '{vm}' in '{vmm}'|'{cloud}' is failed over.",
    "The virtual machine has failed over.", "Complete pending operation on the virtual machine.")

#: Fact (vmware_fake/REFERENCE.md §6, the policy's RPO threshold: "An alert is generated if continuous
#: replication exceeds this limit"). Policy: no InMage health error was recorded, so its code and texts
#: are the emulator's, in the recorded pattern; a Warning on the primary side while the pair's RPO, as
#: the configuration server last reported it, is at or over the threshold.
RPO_EXCEEDED = ReplicationCondition(
    "67530", _PRIMARY, "Warning", "The RPO of virtual machine '{vm}' in '{vmm}'|'{cloud}' has exceeded the "
    "threshold of its replication policy.", "Replication data from the process server is not reaching the "
    "master target.", "Check the network between the process server and the master target.")

_FAILED_OVER_STATES = ("FailedOverWaitingCompletion", "FailedOver")


def conditions(report: dict[str, Any] | None, *, replica_side: bool) -> list[ReplicationCondition]:
    """The conditions one side's replication report (a DR inventory VM's ``replication``) shows."""
    if not report:
        return []
    state, health = str(report.get("state", "")), str(report.get("health", "Normal"))
    source = _REPLICA if replica_side else _PRIMARY
    found: list[ReplicationCondition] = []
    if replica_side and report.get("mode") == "Replica" and state in _FAILED_OVER_STATES:
        found.append(FAILED_OVER)
    if not replica_side and health == "Critical":
        found.append(NOT_WORKING)
    if health in ("Warning", "Critical") and state not in _FAILED_OVER_STATES:
        found.append(ReplicationCondition(CYCLES_MISSED.code, source, CYCLES_MISSED.level, CYCLES_MISSED.message,
                                          CYCLES_MISSED.causes, CYCLES_MISSED.action))
    if not replica_side and state in ("Suspended", "Paused"):
        found.append(PAUSED)
    return found
