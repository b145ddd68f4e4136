"""Protected VMs as the vault keeps them: ``replicationProtectedItems/{name}`` (asr-orchestration.md
§A.3.4, §B.2.2).

A ``ProtectedItem`` lives under the primary cloud's container. What it says about replication is
what the VMM servers last reported through their Providers (``replication``, the VM's entry of the
DR inventory), never read from a host; ``lastReplicatedTime`` is derived from the reported cycle
when it is read, so a healthy replicating VM costs nothing per cycle. The protection workflow
(``asr_emulator.workflows.protection``) owns ``state`` and the test-failover fields.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from simcore import Clock

from ..policy import PROTECTION_STATES, REPAIR_REPLICATION_STATES, TEST_FAILOVER_ACTIVE
from ..wire.render import fmt_time
from .health import HealthError, health_of
from .jobs import Job
from .mappings import ContainerRef
from .replication_health import ReplicationCondition, conditions

__all__ = ["ProtectedItem", "NO_SCENARIO_START", "UNMAPPED_NETWORK"]

#: Facts (§A.3.4): ``currentScenario`` of an item no job runs on, and the recovery network id of an
#: unmapped NIC (§A.7.2).
NO_SCENARIO_START = "1753-01-01T01:01:01Z"
UNMAPPED_NETWORK = "00000000-0000-0000-0000-000000000000"

#: Fact (§A.3.4): the health error of a VM never test-failed-over. Policy: ``errorCategory``
#: "TestFailover" and ``customerResolvability`` "Allowed" (the 2017 record predates both fields).
_NO_TEST_FAILOVER = ReplicationCondition(
    "161011", "ReplicationUnitFailoverValidatorError", "Error",
    "No successful test failover has been done on the virtual machine '{vm}'.",
    "No successful test failover has been done on the virtual machine after it was replicated.",
    "Do a test failover on the virtual machine.")


@dataclass(eq=False)
class ProtectedItem:
    """One VM protected from ``primary`` to ``recovery`` with the pairing's policy."""

    name: str
    vm_name: str
    vm_id: str  # the Hyper-V VM GUID
    vmm_vm_id: str
    primary: ContainerRef
    recovery: ContainerRef
    protectable_item_id: str
    provider_id: str
    recovery_fabric_id: str
    policy_id: str
    policy_name: str
    vault_id: str
    clock: Clock = field(repr=False)
    vm: dict[str, Any] = field(default_factory=dict, repr=False)  # the VM's last inventory entry
    replica: dict[str, Any] = field(default_factory=dict, repr=False)  # the other site's, once it exists
    #: (code, source) of each replication health error shown -> when it was first reported
    health_since: dict[tuple[str, str], float] = field(default_factory=dict, repr=False)
    state: str = "UnprotectedStatesBegin"
    active_location: str = "Primary"
    recovery_host: str | None = None
    protected_at: float | None = None
    last_test_failover: float | None = None  # the start of the last successful test failover's job
    last_failover: float | None = None  # the start of the last successful failover's job
    test_vm: dict[str, Any] | None = None  # what the recovery VMM answered, while a test failover is up
    job: Job | None = field(default=None, repr=False)  # the last job started on it
    nics: list[dict[str, Any]] = field(default_factory=list)
    #: the ARM id of the point ChangePit applied, and the failover it belongs to (``last_failover``)
    applied_point: tuple[float | None, str] | None = None

    @property
    def active(self) -> ContainerRef:
        """The container of the site the VM runs at now (``activeLocation``): a failover leaves it."""
        return self.primary if self.active_location == "Primary" else self.recovery

    @property
    def standby(self) -> ContainerRef:
        """The other site's container: where the replica is and a failover goes."""
        return self.recovery if self.active_location == "Primary" else self.primary

    @property
    def direction(self) -> str:
        """``failoverDirection`` of a failover from here, and of the replication a reversal sets up
        once failed over (asr-orchestration.md §A.4.1, §B.2.1): from the active site to the other."""
        return f"{self.active_location}To{'Recovery' if self.active_location == 'Primary' else 'Primary'}"

    def vmm_vm_id_on(self, ref: ContainerRef) -> str:
        """VMM's id of the VM on ``ref``'s site: the protectable item's on the primary, the replica's
        (as the recovery VMM reported it) on the recovery site."""
        return self.vmm_vm_id if ref is self.primary else str(self.replica.get("id", ""))

    @property
    def replication(self) -> dict[str, Any] | None:
        """What the primary VMM last reported of the VM's replication (None before it replicates)."""
        found = self.vm.get("replication")
        return found if isinstance(found, dict) else None

    def nic_addresses(self, site: ContainerRef | None = None) -> list[dict[str, Any]]:
        """Each NIC's id and static addresses on ``site`` (the primary by default): what VMM's IP
        injection keeps where the target pool holds them (the ``nics`` of a failover's work items)."""
        key = "recoveryStaticIPAddress" if site is self.recovery else "staticIPAddress"
        return [{"id": nic["nicId"], "ipAddresses": [c[key] for c in nic["ipConfigs"] if c.get(key)]}
                for nic in self.nics]

    @property
    def running(self) -> Job | None:
        """The job running on the item now, if any."""
        job = self.job
        return job if job is not None and job.underway else None

    @property
    def allowed_operations(self) -> list[str]:
        if self.running is not None:
            return []
        if self.test_vm is not None:
            return list(TEST_FAILOVER_ACTIVE[2])
        allowed = list(PROTECTION_STATES[self.state].allowed_operations)
        return ["RepairReplication", *allowed] if self.state == "Protected" and self.needs_repair else allowed

    @property
    def needs_repair(self) -> bool:
        """Policy ``REPAIR_REPLICATION_STATES``: the side that is the replication primary reports a
        state only a resynchronization leaves."""
        reports = (entry.get("replication") for entry in (self.vm, self.replica))
        return any(isinstance(report, dict) and report.get("mode") == "Primary"
                   and report.get("state") in REPAIR_REPLICATION_STATES for report in reports)

    def failover_recovery_point_id(self) -> str:
        """The point ChangePit applied to this failover, until the item is protected again (policy
        ``APPLIED_POINT_SHOWN_UNTIL_PROTECTED``); ``""`` otherwise, as recorded (§A.4.6)."""
        applied = self.applied_point
        if applied is None or applied[0] != self.last_failover or self.state == "Protected":
            return ""
        return applied[1]

    def _test_failover_state(self) -> tuple[str, str]:
        if self.test_vm is not None:
            return TEST_FAILOVER_ACTIVE[0], TEST_FAILOVER_ACTIVE[1]
        if self.last_test_failover is None:
            return "None", "None"
        return "MarkedForDeletion", "Cleaning up test environment"  # stays so after a cleanup (§A.3.4)

    def last_replicated(self) -> float | None:
        """The last replication cycle the replica received: derived from the reported cycle while
        replication is healthy (anchor + k x frequency), else what was reported."""
        report = self.replication
        if report is None:
            return None
        anchor, frequency = report.get("cycleAnchor"), report.get("frequencySeconds")
        if report.get("health") == "Normal" and isinstance(anchor, (int, float)) and frequency:
            now = self.clock.now
            return float(anchor) + float(frequency) * max(math.floor((now - float(anchor)) / float(frequency)), 0)
        last = report.get("lastReplicationTime")
        return float(last) if isinstance(last, (int, float)) else None

    def observe_health(self, now: float) -> None:
        """Note when each replication health error the two sides now report was first seen."""
        current = {(c.code, c.source) for c, _ in self._conditions()}
        self.health_since = {key: self.health_since.get(key, now) for key in sorted(current)}

    def _conditions(self) -> list[tuple[ReplicationCondition, bool]]:
        """(condition, on the recovery site) for what each side's VMM reports (policy: none while
        protection is being enabled or initial replication runs)."""
        if self.state in ("UnprotectedStatesBegin", "ProtectedStatesBegin"):
            return []
        found: list[tuple[ReplicationCondition, bool]] = []
        for entry, recovery_site in ((self.vm, False), (self.replica, True)):
            report = entry.get("replication") if entry else None
            if isinstance(report, dict):
                found += [(c, recovery_site) for c in conditions(report, replica_side=report.get("mode") == "Replica")]
        return found

    def _error(self, condition: ReplicationCondition, *, error_type: str | None, category: str, since: float | None,
               names: dict[str, str]) -> HealthError:
        message = condition.message.format(**names)
        return HealthError(
            error_source=condition.source, error_type=error_type, error_level=condition.level, error_category=category,
            error_code=condition.code, summary_message=message, error_message=message,
            possible_causes=condition.causes, recommended_action=condition.action,
            creation_time_utc=fmt_time(self.clock, since) or "", entity_id=self.name,
            error_id=f"{self.name}:{condition.code}", customer_resolvability="Allowed")

    def _replication_errors(self) -> list[HealthError]:
        errors = []
        for condition, recovery_site in self._conditions():
            site = self.recovery if recovery_site else self.primary
            errors.append(self._error(
                condition, error_type=None, category="Replication",
                since=self.health_since.get((condition.code, condition.source), self.clock.now),
                names={"vm": self.vm_name, "vmm": site.fabric_friendly_name, "cloud": site.friendly_name}))
        return errors

    def health_errors(self) -> list[dict[str, Any]]:
        errors = [error.to_json() for error in self._replication_errors()]
        if self.state != "Protected" or self.last_test_failover is not None:
            return errors
        untested = self._error(_NO_TEST_FAILOVER, error_type="TestFailoverValidator", category="TestFailover",
                               since=self.protected_at, names={"vm": self.vm_name})
        return [untested.to_json(), *errors]

    def arm_properties(self) -> dict[str, Any]:
        state = PROTECTION_STATES[self.state]
        report = self.replication or {}
        errors = self.health_errors()
        job = self.running
        ir = report.get("initialReplication")
        return {
            "friendlyName": self.vm_name, "protectedItemType": "HyperVVirtualMachine",
            "protectableItemId": self.protectable_item_id, "recoveryServicesProviderId": self.provider_id,
            "primaryFabricFriendlyName": self.primary.fabric_friendly_name,
            "recoveryFabricFriendlyName": self.recovery.fabric_friendly_name,
            "recoveryFabricId": self.recovery_fabric_id,
            "primaryProtectionContainerFriendlyName": self.primary.friendly_name,
            "recoveryProtectionContainerFriendlyName": self.recovery.friendly_name,
            "protectionState": state.name, "protectionStateDescription": state.description,
            "activeLocation": self.active_location,
            "testFailoverState": self._test_failover_state()[0],
            "testFailoverStateDescription": self._test_failover_state()[1],
            "allowedOperations": self.allowed_operations,
            "replicationHealth": health_of(self._replication_errors()),
            "failoverHealth": "Critical" if any(e["errorCode"] == "161011" for e in errors) else "Normal",
            "healthErrors": errors,
            "policyId": self.policy_id, "policyFriendlyName": self.policy_name,
            **({} if self.last_failover is None else {
                "lastSuccessfulFailoverTime": fmt_time(self.clock, self.last_failover)}),  # absent until then (§A.3.4)
            "lastSuccessfulTestFailoverTime": fmt_time(self.clock, self.last_test_failover),
            "currentScenario": {"scenarioName": "None", "jobId": f"{self.vault_id}/replicationJobs/None",
                                "startTime": NO_SCENARIO_START} if job is None else {
                "scenarioName": job.scenario_name, "jobId": f"{self.vault_id}/replicationJobs/{job.name}",
                "startTime": fmt_time(self.clock, job.start_time)},
            "failoverRecoveryPointId": self.failover_recovery_point_id(),
            "providerSpecificDetails": {
                "instanceType": "HyperVReplica2012R2",
                "lastReplicatedTime": fmt_time(self.clock, self.last_replicated()),
                "vmNics": self.nics, "vmId": self.vm_id,
                "vmProtectionState": state.name, "vmProtectionStateDescription": state.description,
                "initialReplicationDetails": {
                    "initialReplicationType": str(report.get("initialReplicationType", "OverNetwork")),
                    "initialReplicationProgressPercentage": "100" if ir == "Completed" else "0"},
                "vMDiskDetails": [dict(disk) for disk in self.vm.get("diskDetails", [])],
            },
            "recoveryContainerId": self.recovery.arm_id,
        }
