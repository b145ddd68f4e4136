"""The operation table: every HTTP operation the two official SDKs can send, as typed rows."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import _optable_data

__all__ = ["OperationSpec", "OPERATIONS", "ASR_API_VERSION", "VAULT_API_VERSION"]

ASR_API_VERSION: str = _optable_data.ASR_API_VERSION
VAULT_API_VERSION: str = _optable_data.VAULT_API_VERSION


def _camel(snake: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_"))


@dataclass(frozen=True)
class OperationSpec:
    """One SDK operation: which SDK, its group and method, and what it puts on the wire."""

    sdk: str  # "asr" (azure-mgmt-recoveryservicessiterecovery) or "vaults" (azure-mgmt-recoveryservices)
    group: str  # e.g. "ReplicationPoliciesOperations"
    method: str  # e.g. "begin_create"
    http_method: str
    path: str
    statuses: tuple[int, ...]
    long_running: bool

    @property
    def key(self) -> tuple[str, str]:
        return (self.group, self.method)

    @property
    def operation_id(self) -> str:
        """The OpenAPI-style id, e.g. ``ReplicationPolicies_Create`` (``begin_`` dropped)."""
        group = self.group[: -len("Operations")] if self.group != "Operations" else "Operations"
        return f"{group}_{_camel(re.sub(r'^begin_', '', self.method))}"

    @property
    def sdk_name(self) -> str:
        """``group.method`` as a user of the SDK writes it, e.g. ``replication_policies.begin_create``."""
        group = self.group[: -len("Operations")] or "operations"
        snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", group).lower()
        return f"{snake}.{self.method}"

    @property
    def api_version(self) -> str:
        return ASR_API_VERSION if self.sdk == "asr" else VAULT_API_VERSION


OPERATIONS: tuple[OperationSpec, ...] = tuple(OperationSpec(*row) for row in _optable_data.ROWS)
