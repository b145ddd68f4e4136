"""What the InMage scenario (VMware VMs and physical servers to a secondary site, vmware_fake/REFERENCE.md)
uses of the SDK: each operation a runbook of it calls, with the provider-specific model it sends or reads.

``IMPLEMENTATION_COVERAGE.md`` lists them by scenario (``_coverage``): an operation is marked implemented
when the router binds it; suites/vmware/test_inmage_runbook_sdk.py runs every one so marked through the
SDK and checks it answered. ``NOT_IN_SCENARIO`` are the failover-family operations the SDK has no InMage
input for: refused for an InMage item as the state table says (policy ``INMAGE_PROTECTION_STATES``).
"""

from __future__ import annotations

__all__ = ["INMAGE_OPERATIONS", "NOT_IN_SCENARIO"]

#: (operationId, the InMage / VMware model it carries, or "")
INMAGE_OPERATIONS: tuple[tuple[str, str], ...] = (
    ("ReplicationFabrics_List", "VMwareDetails"),
    ("ReplicationFabrics_Get", "VMwareDetails"),
    ("ReplicationRecoveryServicesProviders_ListByReplicationFabrics", ""),
    ("ReplicationRecoveryServicesProviders_RefreshProvider", ""),
    ("ReplicationvCenters_Create", "AddVCenterRequest"),
    ("ReplicationvCenters_Get", "VCenter"),
    ("ReplicationvCenters_List", "VCenter"),
    ("ReplicationvCenters_ListByReplicationFabrics", "VCenter"),
    ("ReplicationvCenters_Update", "UpdateVCenterRequest"),
    ("ReplicationvCenters_Delete", ""),
    ("ReplicationPolicies_Create", "InMagePolicyInput"),
    ("ReplicationPolicies_Get", "InMagePolicyDetails"),
    ("ReplicationProtectionContainers_ListByReplicationFabrics", ""),
    ("ReplicationProtectionContainerMappings_Create", ""),
    ("ReplicationProtectableItems_ListByReplicationProtectionContainers", "VMwareVirtualMachineDetails"),
    ("ReplicationProtectedItems_Create", "InMageEnableProtectionInput"),
    ("ReplicationProtectedItems_Get", "InMageReplicationDetails"),
    ("ReplicationProtectedItems_ListByReplicationProtectionContainers", "InMageReplicationDetails"),
    ("ReplicationProtectedItems_TestFailover", "InMageTestFailoverInput"),
    ("ReplicationProtectedItems_TestFailoverCleanup", ""),
    ("ReplicationProtectedItems_UnplannedFailover", "InMageUnplannedFailoverInput"),
    ("ReplicationProtectedItems_FailoverCommit", ""),
    ("ReplicationProtectedItems_Reprotect", "InMageReprotectInput"),
    ("ReplicationProtectedItems_Delete", "InMageDisableProtectionProviderSpecificInput"),
    ("RecoveryPoints_ListByReplicationProtectedItems", ""),
    ("RecoveryPoints_Get", ""),
    ("ReplicationRecoveryPlans_Create", ""),
    ("ReplicationRecoveryPlans_TestFailover", "RecoveryPlanInMageFailoverInput"),
    ("ReplicationRecoveryPlans_TestFailoverCleanup", ""),
    ("ReplicationRecoveryPlans_UnplannedFailover", "RecoveryPlanInMageFailoverInput"),
    ("ReplicationRecoveryPlans_FailoverCommit", ""),
    ("ReplicationRecoveryPlans_Reprotect", ""),
    ("ReplicationJobs_Resume", ""),
)

#: operationIds with no InMage input in the SDK (REFERENCE.md §10.3)
NOT_IN_SCENARIO: tuple[str, ...] = (
    "ReplicationProtectedItems_PlannedFailover", "ReplicationProtectedItems_ApplyRecoveryPoint",
    "ReplicationRecoveryPlans_PlannedFailover",
)
