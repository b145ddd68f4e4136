"""Retries around the SDK: what is worth trying again, how often, how long to wait between tries."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TypeVar

from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError

T = TypeVar("T")
log = logging.getLogger(__name__)

#: HTTP statuses worth a retry: a timeout, throttling, the service or a gateway in trouble.
TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})


class TransientError(RuntimeError):
    """An operation kept failing transiently until the retries ran out; ``__cause__`` is the last error."""


def is_transient(error: BaseException, job_codes: Collection[str] = ()) -> bool:
    """A lost connection or response, a transient status, or a failed job whose error code is one of
    ``job_codes`` (a long-running operation's failure carries its job's error code)."""
    if isinstance(error, (ServiceRequestError, ServiceResponseError)):
        return True
    if isinstance(error, HttpResponseError):
        code = getattr(error.error, "code", None) if error.error is not None else None
        return error.status_code in TRANSIENT_STATUS or (code is not None and code in job_codes)
    return False


@dataclass
class Retry:
    """Call an operation up to ``attempts`` times, waiting ``first_delay`` seconds, then ``factor``
    times longer after each transient failure. ``sleep`` is how to wait (``time.sleep`` by default;
    a test passes its lab's clock)."""

    attempts: int = 5
    first_delay: float = 30.0
    factor: float = 2.0
    job_codes: frozenset[str] = frozenset()
    sleep: Callable[[float], None] = field(default=time.sleep)

    def __call__(self, what: str, operation: Callable[[], T]) -> T:
        delay, attempt = self.first_delay, 1
        while True:
            try:
                return operation()
            except Exception as error:
                if not is_transient(error, self.job_codes):
                    raise
                if attempt >= self.attempts:
                    raise TransientError(f"{what}: still failing after {attempt} attempts: {error}") from error
                log.warning("%s: transient failure (attempt %d of %d), retrying in %g s: %s",
                            what, attempt, self.attempts, delay, error)
            self.sleep(delay)
            delay, attempt = delay * self.factor, attempt + 1
