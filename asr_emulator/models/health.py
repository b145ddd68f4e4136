"""Health errors as the service renders them (``HealthError``, asr-orchestration.md §A.6, hyperv-scvmm.md §5.8).

A ``HealthError`` renders the recorded item's keys in the recorded order — ``innerHealthErrors``,
``errorSource``, ``errorType``, ``errorLevel``, ``errorCategory``, ``errorCode``,
``summaryMessage``, ``errorMessage``, ``possibleCauses``, ``recommendedAction``,
``creationTimeUtc``, ``recoveryProviderErrorMessage`` (null), ``entityId``, ``errorId``,
``customerResolvability`` — and ``health_of`` sums a list of them up as an entity's ``health``
(policy ``HEALTH_BY_ERROR_LEVEL``). Which errors an entity carries is its workflow's business.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..policy import HEALTH_BY_ERROR_LEVEL, HEALTHY

__all__ = ["HealthError", "health_of"]


@dataclass(frozen=True)
class HealthError:
    """One item of ``healthErrorDetails`` / ``healthErrors``; ``creation_time_utc`` is rendered text."""

    error_source: str
    error_type: str | None
    error_level: str
    error_category: str
    error_code: str
    summary_message: str
    error_message: str
    possible_causes: str
    recommended_action: str
    creation_time_utc: str
    entity_id: str
    error_id: str
    customer_resolvability: str

    def to_json(self) -> dict[str, Any]:
        return {
            "innerHealthErrors": [], "errorSource": self.error_source, "errorType": self.error_type,
            "errorLevel": self.error_level, "errorCategory": self.error_category, "errorCode": self.error_code,
            "summaryMessage": self.summary_message, "errorMessage": self.error_message,
            "possibleCauses": self.possible_causes, "recommendedAction": self.recommended_action,
            "creationTimeUtc": self.creation_time_utc, "recoveryProviderErrorMessage": None,
            "entityId": self.entity_id, "errorId": self.error_id,
            "customerResolvability": self.customer_resolvability,
        }


def health_of(errors: Iterable[HealthError]) -> str:
    """``Normal`` without errors, else the worst level's health (policy ``HEALTH_BY_ERROR_LEVEL``)."""
    levels = [HEALTH_BY_ERROR_LEVEL.get(error.error_level, HEALTHY) for error in errors]
    ranked = [HEALTHY, *dict.fromkeys(HEALTH_BY_ERROR_LEVEL.values())]
    return max(levels, key=ranked.index, default=HEALTHY)
