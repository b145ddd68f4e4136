"""Answers to ``GET .../operationresults/{jobName}`` — the ``Location`` of every ASR LRO (asr-api.md §3.4).

202 (+ the same ``Location`` and ``Retry-After``) while the job runs; when it stops: 200 + the
final resource, 204 for a delete, 200 + the job for job actions; a failed job's poll is a 400 ARM
error carrying the job's numeric-string code (never 5xx, which azure-core would retry, and never
``Retry-After`` on an error).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simcore import DeadlineExceeded

from ..errors import ArmError, ResourceNotFound
from ..http import HttpResponse
from ..models.vault import Operation, Vault
from ..policy import CANCELLED_OPERATION_ERROR
from .call import json_response, operation_key

if TYPE_CHECKING:
    from ..service import AsrService

__all__ = ["poll_operation"]


def _advance(service: AsrService, operation: Operation) -> None:
    """Serve mode: let virtual time run until the job stops running, at most ``advance_on_poll`` s."""
    try:
        service.sim.run_until(lambda: not operation.job.running, within=service.advance_on_poll)
    except DeadlineExceeded:
        pass


def poll_operation(service: AsrService, vault: Vault, below_vault: list[str], operation_id: str, url: str) -> HttpResponse:
    operation = vault.operations.get(operation_key(below_vault, operation_id))
    if operation is None:
        raise ResourceNotFound(f"The operation '{operation_id}' was not found in vault '{vault.name}'.", target="operationId")
    job = operation.job
    if job.running and service.advance_on_poll:
        _advance(service, operation)
    request_id = {"x-ms-request-id": service.request_id()}
    if job.running:
        return HttpResponse(202, {"Location": url, "Retry-After": str(int(service.retry_after)), **request_id})
    render = operation.render or (lambda output: output)
    if operation.kind == "job":
        return json_response(200, render(job), request_id)
    if job.state in ("Succeeded", "Suspended"):
        if operation.kind == "delete":
            return HttpResponse(204, request_id)
        return json_response(200, render(job.output), request_id)
    if job.state == "Failed" and job.errors:
        failure = job.errors[-1].failure
        raise ArmError(failure.message, code=failure.code, details=[{
            "code": failure.code, "message": failure.message, "possibleCauses": failure.possible_causes,
            "recommendedAction": failure.recommended_action, "activityId": job.activity_id,
        }])
    code, message = CANCELLED_OPERATION_ERROR
    raise ArmError(message.format(job=job.name), code=code)
