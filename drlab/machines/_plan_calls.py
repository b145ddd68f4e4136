"""The recovery-plan calls the plan machines share: start a plan operation through the SDK, and see its
plan job through — manual actions resumed by the operator a while after they wait."""

from __future__ import annotations

from typing import Any

from ..lab import Lab
from ..runbook import Runbook

__all__ = ["begin_plan_operation", "finish_plan_job"]


def begin_plan_operation(book: Runbook, plan: str, operation: str, direction: str, *,
                         source_site_operations: str = "Required") -> Any:
    """The poller of ``operation`` (a plan's allowed-operation name) on ``plan`` in ``direction``."""
    plans, args = book.asr.replication_recovery_plans, (book.rg, book.vault, plan)
    failover = {"failoverDirection": direction, "providerSpecificDetails": []}
    if operation == "TestFailover":
        return plans.begin_test_failover(*args, {"properties": {**failover, "networkType": "NoNetworkAttachAsInput"}})
    if operation == "TestFailoverCleanup":
        return plans.begin_test_failover_cleanup(*args, {"properties": {"comments": "drill over"}})
    if operation == "PlannedFailover":
        return plans.begin_planned_failover(*args, {"properties": failover})
    if operation == "UnplannedFailover":
        return plans.begin_unplanned_failover(*args, {"properties": {
            **failover, "sourceSiteOperations": source_site_operations}})
    if operation == "Commit":
        return plans.begin_failover_commit(*args)
    return plans.begin_reprotect(*args)


def finish_plan_job(lab: Lab, book: Runbook, plan: str, poller: Any, *, resume_after: float) -> Any:
    """Wait for ``poller``, then for ``plan``'s job, resuming each manual action ``resume_after`` virtual
    seconds after it waits; the job's properties."""
    jobs = book.asr.replication_jobs
    poller.result()
    name = book.asr.replication_recovery_plans.get(book.rg, book.vault, plan).properties.current_scenario.job_id
    name = name.rsplit("/", 1)[-1]
    while (job := jobs.get(book.rg, book.vault, name).properties).state in ("Suspended", "InProgress"):
        if job.state == "Suspended":
            lab.advance(resume_after)
            jobs.begin_resume(book.rg, book.vault, name, {"properties": {"comments": "approved"}}).result()
        else:
            lab.run_until(lambda: jobs.get(book.rg, book.vault, name).properties.state != "InProgress", within=7_200)
    return job
