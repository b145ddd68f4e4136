"""Retry: transient failures are tried again after a growing wait, others are raised at once, and
retries that run out say so."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError, ServiceRequestError
from azure.core.pipeline.transport import HttpRequest, HttpResponse

from dr_automation import Retry, TransientError
from dr_automation.retry import is_transient


class Status(HttpResponse):
    """A response with only a status, as HttpResponseError reads it."""

    def __init__(self, status: int) -> None:
        super().__init__(HttpRequest("GET", "https://management.azure.com/"), None)
        self.status_code = status


def failing(errors: list[Exception]) -> Callable[[], str]:
    """An operation that raises ``errors`` one call after the other, then succeeds."""
    def operation() -> str:
        if errors:
            raise errors.pop(0)
        return "done"
    return operation


def test_transient_failures_are_retried_with_back_off() -> None:
    waits: list[float] = []
    retry = Retry(attempts=4, first_delay=10, factor=3, sleep=waits.append)
    errors: list[Exception] = [ServiceRequestError("connection reset"), HttpResponseError(response=Status(503)),
                               HttpResponseError(response=Status(429))]
    assert retry("listing", failing(errors)) == "done"
    assert waits == [10, 30, 90]


def test_a_permanent_failure_is_raised_at_once() -> None:
    waits: list[float] = []
    with pytest.raises(ResourceNotFoundError):
        Retry(sleep=waits.append)("get", failing([ResourceNotFoundError("no such vault")]))
    assert waits == []


def test_retries_that_run_out_raise_a_transient_error_with_the_last_cause() -> None:
    waits: list[float] = []
    last = HttpResponseError(response=Status(500))
    with pytest.raises(TransientError, match="still failing after 2 attempts") as caught:
        Retry(attempts=2, sleep=waits.append)("create", failing([ServiceRequestError("down"), last]))
    assert caught.value.__cause__ is last and waits == [30]


def test_a_failed_job_is_transient_only_when_its_code_is_configured_so() -> None:
    error = HttpResponseError(message="job failed", response=Status(200))
    error.error = type("ODataV4Format", (), {"code": "ProviderBusy"})()
    assert is_transient(error, {"ProviderBusy"}) and not is_transient(error, {"Other"})
