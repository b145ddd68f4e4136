"""Which jobs a query selects: the fields of ``JobQueryParameter`` (asr-api.md §9), as used by the
jobs list's ``$filter`` and by ``replicationJobs/export``.

Policy (the service's semantics are undocumented): ``startTime``/``endTime`` bound the job's start
time (inclusive); ``fabricId`` selects jobs about that fabric; ``affectedObjectTypes`` selects by
``targetInstanceType`` (``Any`` selects all); ``jobStatus`` by state; ``jobName`` by
``scenarioName``; ``timezoneOffset`` only shifts exported times.
"""

from __future__ import annotations

from dataclasses import dataclass

from .jobs import JOB_STATES, Job

__all__ = ["JobQuery", "JOB_QUERY_FIELDS"]

#: The query's field names, as JSON (export body) and as ``$filter`` names (case-insensitive).
JOB_QUERY_FIELDS = ("startTime", "endTime", "fabricId", "affectedObjectTypes", "jobStatus", "jobName", "timezoneOffset")


@dataclass(frozen=True)
class JobQuery:
    start_time: float | None = None
    end_time: float | None = None
    fabric_id: str | None = None
    affected_object_types: frozenset[str] | None = None
    job_status: frozenset[str] | None = None
    job_name: frozenset[str] | None = None

    @staticmethod
    def valid_states() -> tuple[str, ...]:
        return JOB_STATES

    def matches(self, job: Job) -> bool:
        started = job.start_time if job.start_time is not None else 0.0
        if self.start_time is not None and started < self.start_time:
            return False
        if self.end_time is not None and started > self.end_time:
            return False
        if self.fabric_id is not None and (job.fabric_id or "").lower() != self.fabric_id.lower():
            return False
        if self.affected_object_types is not None and "any" not in self.affected_object_types \
                and job.target_instance_type.lower() not in self.affected_object_types:
            return False
        if self.job_status is not None and job.state.lower() not in self.job_status:
            return False
        if self.job_name is not None and job.scenario_name.lower() not in self.job_name:
            return False
        return True
