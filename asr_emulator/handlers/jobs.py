"""Jobs on the wire (asr-api.md §9): get, list with ``$filter``, cancel / restart / resume, export.

Job actions are long-running operations whose ``operationresults`` id is the job's own name
(PowerShell reads that id as a job name); their poll ends with the job itself once it stops running.
"""

from __future__ import annotations

import re
from datetime import datetime
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import InvalidFilter, InvalidParameter, InvalidRequestContent
from ..http import HttpResponse
from ..models.job_query import JOB_QUERY_FIELDS, JobQuery
from ..models.jobs import JOB_STATES, Job
from ..models.vault import Vault
from ..policy import EXPORT_BLOB_BASE
from ..routing.registry import handles
from ..wire.call import Call
from ..wire.odata import parse_filter
from ..wire.render import fmt_time, job_json
from ..workflows import failover_cancel, recovery_plan

_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})?$")
_OUTPUT_TYPES = ("Json", "Xml", "Excel")  # enum ExportJobOutputSerializationType


def _seconds(call: Call, text: str, where: str) -> float:
    match = _TIME.match(text.strip())
    try:
        if match is None:
            raise ValueError(text)
        stamp = datetime.fromisoformat(match.group(1) + (match.group(3) or "Z").replace("Z", "+00:00"))
    except ValueError:
        raise InvalidParameter(f"The value '{text}' of '{where}' is invalid: expected an ISO 8601 time.",
                               target=where) from None
    fraction = float("0." + match.group(2)) if match.group(2) else 0.0
    return call.service.sim.clock.to_seconds(stamp) + fraction


def _query(call: Call, values: dict[str, list[str]], where: str) -> JobQuery:
    """A ``JobQuery`` from field → values (field names as in ``JOB_QUERY_FIELDS``, lower-cased)."""
    known = {name.lower(): name for name in JOB_QUERY_FIELDS}
    for name in values:
        if name not in known:
            raise InvalidFilter(f"The {where} field '{name}' is not supported; supported fields: "
                                + ", ".join(JOB_QUERY_FIELDS) + ".", target=where)

    def one(name: str) -> str | None:
        found = values.get(name.lower())
        if found is None:
            return None
        if len(found) != 1:
            raise InvalidFilter(f"The {where} field '{name}' takes one value.", target=where)
        return found[0]

    status = values.get("jobstatus")
    if status is not None:
        for state in status:
            if state not in JOB_STATES:
                raise InvalidParameter(f"The value '{state}' of '{where}.jobStatus' is invalid: allowed values are "
                                       + ", ".join(JOB_STATES) + ".", target=f"{where}.jobStatus")
    start, end = one("startTime"), one("endTime")
    types, names = values.get("affectedobjecttypes"), values.get("jobname")
    return JobQuery(
        start_time=_seconds(call, start, f"{where}.startTime") if start is not None else None,
        end_time=_seconds(call, end, f"{where}.endTime") if end is not None else None,
        fabric_id=one("fabricId"),
        affected_object_types=frozenset(t.lower() for t in types) if types is not None else None,
        job_status=frozenset(s.lower() for s in status) if status is not None else None,
        job_name=frozenset(n.lower() for n in names) if names is not None else None,
    )


def _newest_first(jobs: Iterable[Job]) -> list[Job]:
    return sorted(jobs, key=lambda job: (job.start_time or 0.0, job.sequence), reverse=True)


@handles("ReplicationJobsOperations", "get")
def get_job(call: Call) -> HttpResponse:
    vault = call.vault()
    job = call.service.backend.job(vault, call.params["jobName"])
    return call.json(job_json(vault, job, call.service.sim.clock))


@handles("ReplicationJobsOperations", "list")
def list_jobs(call: Call) -> HttpResponse:
    """Newest first (policy). ``$filter``: see ``wire.odata`` and ``models.job_query``."""
    vault = call.vault()
    text = call.query.get("$filter", "").strip()
    query = JobQuery()
    if text:
        clauses: dict[str, list[str]] = {}
        for name, values in parse_filter(text):
            clauses.setdefault(name, []).extend(values)
        query = _query(call, clauses, "$filter")
    clock = call.service.sim.clock
    jobs = [job for job in _newest_first(vault.jobs.values()) if query.matches(job)]
    return call.page(jobs, lambda job: job_json(vault, job, clock))


def _job_action(call: Call, action: str) -> HttpResponse:
    vault = call.vault()
    backend = call.service.backend
    job = backend.job(vault, call.params["jobName"])
    if action == "resume":
        body = call.body(required=False) or {}
        properties = Call.field(body, "properties", dict, "") or {}
        backend.engine.resume(job, Call.field(properties, "comments", str, "properties"))
    else:
        recovery_plan.restart_job(call.service.channel, vault, job)
    return call.accepted(vault, job, "action", _render_job(call, vault))


def _render_job(call: Call, vault: Vault) -> Callable[[Job], dict[str, Any]]:
    clock = call.service.sim.clock
    return lambda job: job_json(vault, job, clock)


@handles("ReplicationJobsOperations", "begin_cancel")
def cancel_job(call: Call) -> HttpResponse:
    """A failover under way is rolled back before the job reads Cancelled (``workflows.failover_cancel``)."""
    vault = call.vault()
    job = call.service.backend.job(vault, call.params["jobName"])
    failover_cancel.cancel_job(call.service.channel, vault, job)
    return call.accepted(vault, job, "action", _render_job(call, vault))


@handles("ReplicationJobsOperations", "begin_restart")
def restart_job(call: Call) -> HttpResponse:
    return _job_action(call, "restart")


@handles("ReplicationJobsOperations", "begin_resume")
def resume_job(call: Call) -> HttpResponse:
    return _job_action(call, "resume")


@handles("ReplicationJobsOperations", "begin_export")
def export_jobs(call: Call) -> HttpResponse:
    """An ``ExportJobs`` job whose output rows are the selected jobs (kept on ``job.output``)."""
    vault = call.vault()
    body = call.body()
    values: dict[str, list[str]] = {}
    for name in ("startTime", "endTime", "fabricId", "jobName"):
        value = Call.field(body, name, str, "")
        if value is not None:
            values[name.lower()] = [value]
    for name in ("affectedObjectTypes", "jobStatus"):
        value = Call.field(body, name, str, "")
        if value is not None:
            values[name.lower()] = [part.strip() for part in value.split(",") if part.strip()]
    offset = body.get("timezoneOffset")
    if offset is not None and (isinstance(offset, bool) or not isinstance(offset, (int, float))):
        raise InvalidRequestContent("The request content was invalid: the field 'timezoneOffset' must be a number.",
                                    target="timezoneOffset")
    output_type = Call.field(body, "jobOutputType", str, "") or "Json"
    if output_type not in _OUTPUT_TYPES:
        raise InvalidParameter(f"The value '{output_type}' of 'jobOutputType' is invalid: allowed values are "
                               + ", ".join(_OUTPUT_TYPES) + ".", target="jobOutputType")
    query = _query(call, values, "body")
    backend = call.service.backend
    clock = call.service.sim.clock
    name = backend.new_id()

    def export() -> list[dict[str, Any]]:
        shift = float(offset or 0) * 3600.0
        rows = []
        for job in _newest_first(vault.jobs.values()):
            if job.scenario_name != "ExportJobs" and query.matches(job):
                row = job_json(vault, job, clock)
                for field, t in (("startTime", job.start_time), ("endTime", job.end_time)):
                    if t is not None:
                        row["properties"][field] = fmt_time(clock, t + shift)
                rows.append(row)
        return rows

    details: dict[str, Any] = {"instanceType": "ExportJobDetails", "affectedObjectDetails": {},
                               "blobUri": f"{EXPORT_BLOB_BASE}/{name}.{output_type.lower()}", "sasToken": ""}
    job = backend.start_job(vault, "ExportJobs", target_object_id=name, target_object_name=vault.name,
                            actions={"ExportJobsTask": export}, custom_details=details,
                            client_request_id=call.client_request_id)
    return call.accepted(vault, job, "job", _render_job(call, vault))

