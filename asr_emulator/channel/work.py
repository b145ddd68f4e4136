"""Sending work to Providers from a job: the ``WaitForWork`` tasks workflows are written with.

``wait_for_work`` builds a task that, when the engine starts it, queues one work item per
(Provider, kind, payload), the job's name added to the payload — each payload may be computed at that moment from what earlier tasks
collected — and completes when every item has been reported. A Provider's failure report fails the
task with its error (``providerErrorDetails``); no report within the timeout fails it with
``catalogue.PROVIDER_NOT_RESPONDING`` and withdraws what is still outstanding.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..catalogue import PROVIDER_NOT_RESPONDING
from ..models.jobs import Job, JobFailure, ProviderError
from ..models.tasks import WaitForWork, Work
from ..models.vault import Vault
from .policy import WORK_TIMEOUT_SECONDS
from .records import ProviderRecord
from .state import VaultChannel
from .workitems import WorkItem

if TYPE_CHECKING:
    from .service import ChannelService

__all__ = ["Send", "wait_for_work", "provider_failure", "reported_failure"]


@dataclass(frozen=True)
class Send:
    """One work item to queue: for ``provider``, of ``kind``, with ``payload``."""

    provider: ProviderRecord
    kind: str
    payload: dict[str, Any]


def provider_failure(item: WorkItem) -> JobFailure:
    """The job failure a Provider's ``Failed`` report stands for."""
    return reported_failure(item.error or {})


def reported_failure(error: dict[str, Any]) -> JobFailure:
    """The job failure a Provider's ``{errorCode, errorMessage, …}`` stands for (``providerErrorDetails``)."""
    code = int(error.get("errorCode", 0))
    message = str(error.get("errorMessage", ""))
    return JobFailure(str(code), message, str(error.get("possibleCauses", "")), str(error.get("recommendedAction", "")),
                      provider_error=ProviderError(code, message))


def wait_for_work(
    service: ChannelService,
    vault: Vault,
    *,
    task_id: str,
    name: str,
    friendly_name: str,
    sends: Callable[[], Sequence[Send]],
    collect: Callable[[Sequence[WorkItem]], Any] | None = None,
    timeout: float = WORK_TIMEOUT_SECONDS,
) -> WaitForWork:
    """A task that sends ``sends()`` when it starts and waits for every report.

    ``collect(items)`` runs once all succeeded (its return value, if any, is the job's output).
    """
    waiting = _Waiting(service, service.vault_channel(vault), sends, collect, timeout)
    return WaitForWork(task_id=task_id, name=name, friendly_name=friendly_name, send=waiting.send,
                       collect=waiting.judge, timeout=timeout, timed_out=waiting.timed_out)


class _Waiting:
    """What a ``wait_for_work`` task does when it starts, is reported or times out: one small object
    rather than a closure apiece — a drill keeps thousands of finished tasks, and every live object
    is walked again by each full garbage collection."""

    __slots__ = ("service", "channel", "sends", "collect", "timeout", "targets")

    def __init__(self, service: ChannelService, channel: VaultChannel, sends: Callable[[], Sequence[Send]],
                 collect: Callable[[Sequence[WorkItem]], Any] | None, timeout: float) -> None:
        self.service, self.channel, self.sends, self.collect, self.timeout = service, channel, sends, collect, timeout
        self.targets: list[ProviderRecord] = []

    def send(self, job: Job, notify: Callable[[], None]) -> list[Work]:
        service, channel = self.service, self.channel
        self.targets = []
        items: list[Work] = []
        for order in self.sends():
            self.targets.append(order.provider)
            item = channel.work.add(WorkItem(
                service.backend.new_id(), order.provider.name, order.kind, {"jobName": job.name, **order.payload},
                service.sim.clock.now,
                on_done=lambda _item: notify(),
                on_withdraw=lambda withdrawn: service.record_withdrawal(channel, withdrawn)))
            service.sim.history.record(service.node, "channel.workitem", "info",
                                       {"item": item.id, "kind": item.kind, "state": "Pending"})
            items.append(item)
        service.sim.network.changed(service.node)  # a standing Provider poll resumes (simcore standings)
        return items

    def judge(self, items: Sequence[Work]) -> Any:
        reports = [item for item in items if isinstance(item, WorkItem)]
        for item in reports:
            if item.outcome == "Failed":
                raise provider_failure(item)
        return self.collect(reports) if self.collect is not None else None

    def timed_out(self) -> JobFailure:
        servers = ", ".join(target.machine_name for target in self.targets) or "(none)"
        return PROVIDER_NOT_RESPONDING.failure(server=servers, seconds=self.timeout)
