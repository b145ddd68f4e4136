"""asr_emulator — the Azure Site Recovery service and its vault API, emulated in-process.

``AsrService(sim)`` answers the ARM REST surface that ``azure-mgmt-recoveryservicessiterecovery``
2.0.0 and ``azure-mgmt-recoveryservices`` 4.3.0 drive (``handle(HttpRequest) -> HttpResponse``);
its ``backend`` holds vaults, policies, jobs and the stores later issues fill. ``policy`` names
every behaviour chosen where the real service is undocumented.
"""

from . import policy
from .errors import (
    ArmError, AuthenticationFailed, BadRequest, Conflict, InvalidApiVersion, InvalidFilter, InvalidParameter,
    InvalidRequestContent, JobActionNotAllowed, MethodNotAllowed, MissingApiVersion, NoRoute, NotImplementedOperation,
    ResourceNotFound,
)
from .http import Handler, HttpRequest, HttpResponse
from .models.backend import AsrBackend
from .models.jobs import Job, JobFailure, ProviderError
from .models.policies import Policy, PolicySettings
from .models.tasks import Group, ManualAction, Skipped, Step, Task, WaitForWork
from .models.resources import KINDS, ResourceKind, ResourceStore, StoredResource
from .models.vault import Operation, Vault, VaultRegistry
from .service import AsrService

__all__ = [
    "AsrService", "AsrBackend", "policy",
    "HttpRequest", "HttpResponse", "Handler",
    "Vault", "VaultRegistry", "Operation", "Policy", "PolicySettings", "Job", "JobFailure", "ProviderError",
    "Task", "Step", "WaitForWork", "ManualAction", "Skipped", "Group",
    "ResourceKind", "ResourceStore", "StoredResource", "KINDS",
    "ArmError", "BadRequest", "InvalidRequestContent", "InvalidParameter", "InvalidFilter", "JobActionNotAllowed",
    "MissingApiVersion", "InvalidApiVersion", "AuthenticationFailed", "ResourceNotFound", "NoRoute",
    "MethodNotAllowed", "Conflict", "NotImplementedOperation",
]
