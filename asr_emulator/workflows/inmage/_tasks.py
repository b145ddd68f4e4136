"""The two kinds of task an InMage job is made of, from a scenario's ``TaskTiming``: one that waits for
the configuration server's work, and one ASR does itself."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ...channel.records import ProviderRecord
from ...channel.work import Send, wait_for_work
from ...channel.workitems import WorkItem
from ...models.tasks import Skipped, Task
from ...models.vault import Vault
from ...policy import TaskTiming

if TYPE_CHECKING:
    from ...channel.service import ChannelService

__all__ = ["server_work", "local", "skipped"]


def server_work(service: ChannelService, vault: Vault, timing: TaskTiming, server: ProviderRecord, kind: str,
                payload: Callable[[], dict[str, Any]], *,
                collect: Callable[[Sequence[WorkItem]], Any] | None = None) -> Task:
    """``timing``'s task: the configuration server's agent runs ``kind`` with ``payload()`` (computed when
    the task starts), within the task's timeout."""
    return wait_for_work(service, vault, task_id=timing.task_id or service.backend.new_id(), name=timing.name,
                         friendly_name=timing.friendly_name, timeout=service.backend.timings.seconds(timing),
                         sends=lambda: [Send(server, kind, payload())], collect=collect)


def local(service: ChannelService, timing: TaskTiming, action: Callable[[], Any] | None = None, *,
          seconds: float | None = None) -> Task:
    """``timing``'s task, done by ASR in its (policy) duration or ``seconds``."""
    backend = service.backend
    return backend.step(timing.name, timing.friendly_name, action=action, task_id=timing.task_id or None,
                        seconds=backend.timings.seconds(timing) if seconds is None else seconds)


def skipped(service: ChannelService, timing: TaskTiming) -> Task:
    return Skipped(task_id=timing.task_id or service.backend.new_id(), name=timing.name,
                   friendly_name=timing.friendly_name)
