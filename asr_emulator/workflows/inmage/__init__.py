"""Workflows of VMware VMs and physical servers protected to a secondary site (``InMage``,
vmware_fake/REFERENCE.md §7): ``protection`` (enable, disable, what the configuration server's
inventory says of each replication pair) and ``failover`` (test failover and cleanup, unplanned
failover, commit, reprotect). Their work is the configuration server's (its agent's work kinds,
PROTOCOL.md §5.3); the jobs are the VMM scenario's where a step means the same (policy
``INMAGE_*_SCENARIO``).
"""
