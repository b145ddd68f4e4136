"""Site Recovery events (``replicationEvents``): what the service reports about jobs and health.

Shape from asr-api.md §9: ``eventCode, description, eventType, affectedObjectFriendlyName,
affectedObjectCorrelationId, severity, timeOfOccurrence, fabricId, providerSpecificDetails,
eventSpecificDetails, healthErrors``. This issue raises one kind (policy.JOB_EVENT_SEVERITY): a
``JobStatus`` event when a job fails; later issues add health events through ``Vault.events``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Event"]


@dataclass(frozen=True)
class Event:
    name: str
    event_code: str
    description: str
    event_type: str
    severity: str
    time: float
    affected_object_friendly_name: str = ""
    affected_object_correlation_id: str = ""
    fabric_id: str | None = None
    event_specific_details: dict[str, Any] | None = None
    provider_specific_details: dict[str, Any] | None = None
    health_errors: list[dict[str, Any]] = field(default_factory=list)
