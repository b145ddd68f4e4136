"""The LRO envelope as the real service uses it (asr-orchestration.md §A.0, §B.1).

Every mutating call answers 202, empty body, with ``Location: {resource or action parent}/
operationresults/{id}``, ``Azure-AsyncOperation: {vault}/replicationOperationStatus/{id}``, an
integer ``Retry-After`` and ``x-ms-request-id`` = the job's ARM id (§A.0.1). Two polls follow it:

* ``replicationOperationStatus/{id}`` (what azure-core polls when ``Azure-AsyncOperation`` is
  present): 200 + ``{error, id, name, properties, status, startTime, endTime, percentComplete}``
  (§A.0.2, §B.1.1); ``status`` per ``policy.OPERATION_STATUS`` / ``policy.ACTION_STATUS``.
* ``operationresults/{id}`` (the ``Location``, followed by PowerShell-style clients and by the
  SDK's final GET after a POST): 202 while the job runs; when it stops, 200 + the final resource,
  204 for a delete, 200 + the job for job actions (§A.0.3, §B.1.5); failed / cancelled as
  ``policy.CANCELLED_OPERATION_ERROR`` says (never 5xx, never ``Retry-After`` on an error).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simcore import DeadlineExceeded

from ..errors import ArmError, ResourceNotFound
from ..http import HttpResponse
from ..models.jobs import Job
from ..models.vault import Operation, Vault
from ..policy import (
    ACTION_STATUS, CANCELLED_OPERATION_ERROR, LRO_FIXED_API_VERSION, OPERATION_STATUS,
    OPERATION_STATUS_END_TIME_FRACTION, STATUS_RETRY_AFTER_WHILE_RUNNING,
)
from .call import json_response, operation_key
from .render import asr_prefix, fmt_time

if TYPE_CHECKING:
    from ..service import AsrService

__all__ = ["poll_operation", "operation_status", "lro_headers", "async_operation_url", "register_operation",
           "STATUS_COLLECTION"]

#: The collection of the operation-status resource (§A.0.1); not an SDK operation.
STATUS_COLLECTION = "replicationOperationStatus"
_STATUS_KEY = [STATUS_COLLECTION.lower()]


def async_operation_url(base_url: str, vault: Vault, status_id: str, api_version: str) -> str:
    """``Azure-AsyncOperation``: ``{V}/replicationOperationStatus/{id}`` on the request's host (§A.0.1)."""
    version = LRO_FIXED_API_VERSION or api_version
    return f"{base_url}{asr_prefix(vault)}/{STATUS_COLLECTION}/{status_id}?api-version={version}"


def _job_request_id(vault: Vault, job: Job) -> str:
    """The ``x-ms-request-id`` of every LRO answer: the job's ARM id (§A.0.1, §A.0.2, §B.1.5)."""
    return f"{asr_prefix(vault)}/replicationJobs/{job.name}"


def lro_headers(service: AsrService, vault: Vault, operation: Operation, location: str, base_url: str,
                api_version: str) -> dict[str, str]:
    """The headers of a 202 (the initial answer, or a ``Location`` poll while the job runs)."""
    return {
        "Location": location, "Retry-After": str(int(service.retry_after)),
        "Azure-AsyncOperation": async_operation_url(base_url, vault, operation.status_id, api_version),
        "x-ms-request-id": _job_request_id(vault, operation.job),
    }


def register_operation(vault: Vault, below_vault: list[str], operation: Operation) -> None:
    """Record ``operation`` for its ``Location`` (keyed by the resource it acts on) and for its
    status (keyed by its status id alone; no collection is called ``replicationOperationStatus``)."""
    vault.operations[operation_key(below_vault, operation.id)] = operation
    vault.operations[operation_key(_STATUS_KEY, operation.status_id)] = operation


def _advance(service: AsrService, operation: Operation) -> None:
    """Serve mode: let virtual time run until the job stops running, at most ``advance_on_poll`` s."""
    try:
        service.sim.run_until(lambda: not operation.job.running, within=service.advance_on_poll)
    except DeadlineExceeded:
        pass


def _find(service: AsrService, vault: Vault, below_vault: list[str], operation_id: str) -> Operation:
    operation = vault.operations.get(operation_key(below_vault, operation_id))
    if operation is None:
        raise ResourceNotFound(f"The operation '{operation_id}' was not found in vault '{vault.name}'.", target="operationId")
    if operation.job.running and service.advance_on_poll:
        _advance(service, operation)
    return operation


def poll_operation(service: AsrService, vault: Vault, below_vault: list[str], operation_id: str, url: str,
                   base_url: str, api_version: str) -> HttpResponse:
    """``GET …/operationresults/{id}``: 202 while running, then the result (module docstring)."""
    operation = _find(service, vault, below_vault, operation_id)
    job = operation.job
    if job.running:
        return HttpResponse(202, lro_headers(service, vault, operation, url, base_url, api_version))
    headers = {"Azure-AsyncOperation": async_operation_url(base_url, vault, operation.status_id, api_version),
               "x-ms-request-id": _job_request_id(vault, job)}
    render = operation.render or (lambda output: output)
    if operation.kind in ("job", "action"):
        return json_response(200, render(job), headers)
    if job.state not in ("Failed", "Cancelled"):
        if operation.kind == "delete":
            return HttpResponse(204, headers)
        return json_response(200, render(job.output), headers)
    if job.state == "Failed" and job.errors:
        failure = job.errors[-1].failure
        raise ArmError(failure.message, code=failure.code, details=[{
            "code": failure.code, "message": failure.message, "possibleCauses": failure.possible_causes,
            "recommendedAction": failure.recommended_action, "activityId": job.activity_id,
        }])
    code, message = CANCELLED_OPERATION_ERROR
    raise ArmError(message.format(job=job.name), code=code)


def _status(operation: Operation) -> str:
    job = operation.job
    if operation.kind == "action" and not job.running:
        return ACTION_STATUS
    return OPERATION_STATUS.get(job.state, job.state)


def _status_error(operation: Operation) -> dict[str, Any] | None:
    """``error`` of the status body: ``{code, message, details: null}`` (§B.1.1, §A.0.4)."""
    job = operation.job
    if operation.kind == "action":
        return None
    if job.state == "Failed" and job.errors:
        failure = job.errors[-1].failure
        return {"code": failure.code, "message": failure.message, "details": None}
    if job.state == "Cancelled":
        code, message = CANCELLED_OPERATION_ERROR
        return {"code": code, "message": message.format(job=job.name), "details": None}
    return None


def operation_status(service: AsrService, vault: Vault, status_id: str) -> HttpResponse:
    """``GET {V}/replicationOperationStatus/{id}``: 200 + the recorded status body (§A.0.2), keys in
    the recorded order; ``endTime`` once finished (policy.OPERATION_STATUS_END_TIME_FRACTION)."""
    operation = _find(service, vault, _STATUS_KEY, status_id)
    job = operation.job
    clock = service.sim.clock
    end_time = None
    if not job.running and job.end_time is not None:
        end_time = clock.to_datetime(job.end_time).strftime("%Y-%m-%dT%H:%M:%S") + OPERATION_STATUS_END_TIME_FRACTION + "Z"
    body = {
        "error": _status_error(operation), "id": None, "name": job.name, "properties": None,
        "status": _status(operation), "startTime": fmt_time(clock, job.start_time),
        "endTime": end_time, "percentComplete": None,
    }
    headers = {"x-ms-request-id": _job_request_id(vault, job)}
    if job.running and STATUS_RETRY_AFTER_WHILE_RUNNING:
        headers["Retry-After"] = str(int(service.retry_after))
    return json_response(200, body, headers)
