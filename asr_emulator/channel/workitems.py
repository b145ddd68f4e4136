"""Work items: what ASR wants a Provider to do, handed out under leases (PROTOCOL.md §Work items).

An item is ``Pending`` until a lease hands it to its Provider with a fresh token for
``LEASE_SECONDS``; a lease that lapses makes it leasable again (``attempt`` counts the hand-outs).
The first report completes it for good: a repeated report (a retry after a lost answer) changes
nothing, so no item is ever completed twice. Expiry is judged lazily, at the next lease call.
Long work renews its lease (and reports progress) before it lapses. When the job that sent an item
stops (failed, timed out, cancelled), the item is ``Withdrawn``: it is never leased again, a renewal
is refused, and a late report is acknowledged without effect, so its work never runs afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import islice
from dataclasses import dataclass, field
from typing import Any

__all__ = ["WorkItem", "WorkQueue"]


@dataclass(eq=False)
class WorkItem:
    """One unit of work for one Provider. ``on_done(item)`` runs once, when it completes."""

    id: str
    provider: str
    kind: str
    payload: dict[str, Any]
    created: float
    state: str = "Pending"  # Pending | Leased | Completed | Withdrawn
    lease_token: str | None = None
    lease_expires: float | None = None
    attempt: int = 0
    outcome: str | None = None  # Succeeded | Failed
    result: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    progress: dict[str, Any] = field(default_factory=dict)
    on_done: Callable[[WorkItem], None] | None = field(default=None, repr=False)
    on_withdraw: Callable[[WorkItem], None] | None = field(default=None, repr=False)

    @property
    def finished(self) -> bool:
        """Reported or withdrawn: nothing more will happen to it."""
        return self.state in ("Completed", "Withdrawn")

    def withdraw(self) -> None:
        """Its job stopped: never lease it again (``models.tasks.Work``)."""
        if not self.finished:
            self.state, self.lease_token, self.lease_expires = "Withdrawn", None, None
            on_withdraw = self.on_withdraw
            self._let_go()
            if on_withdraw is not None:
                on_withdraw(self)

    def _let_go(self) -> None:
        """Finished, it never calls back again: drop the callbacks, and with them the job run they
        hold (its continuations, timers, tasks), which would otherwise live as long as the item — and
        every live object is walked again by each of the garbage collector's full collections."""
        self.on_done = self.on_withdraw = None

    def leasable(self, now: float) -> bool:
        return self.state == "Pending" or (self.state == "Leased" and self.lease_expires is not None
                                           and now > self.lease_expires)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "payload": self.payload, "leaseToken": self.lease_token,
                "leaseExpiresAt": self.lease_expires, "attempt": self.attempt}


class WorkQueue:
    """The work items of one vault's Providers, in creation order.

    Each Provider's unfinished items are indexed apart (finished ones leave the index when next met),
    so a heartbeat or a lease costs what is outstanding for that Provider, not every item ever sent.
    """

    def __init__(self) -> None:
        self._items: dict[str, WorkItem] = {}
        self._open: dict[str, dict[str, WorkItem]] = {}  # provider -> its unfinished items, in creation order

    def add(self, item: WorkItem) -> WorkItem:
        self._items[item.id] = item
        self._open.setdefault(item.provider, {})[item.id] = item
        return item

    def get(self, item_id: str) -> WorkItem | None:
        return self._items.get(item_id)

    def pending_for(self, provider: str, now: float) -> list[WorkItem]:
        """``provider``'s leasable items, in creation order."""
        return list(self._leasable(provider, now))

    def _leasable(self, provider: str, now: float) -> Iterator[WorkItem]:
        found = self._open.get(provider)
        if not found:
            return iter(())
        finished = [key for key, item in found.items() if item.finished]
        for key in finished:
            del found[key]
        return (item for item in found.values() if item.leasable(now))

    def lease(self, provider: str, now: float, *, seconds: float, limit: int, token: Callable[[], str]) -> list[WorkItem]:
        """Hand ``provider`` up to ``limit`` leasable items, each with a new token until ``now + seconds``
        (looking no further than the ``limit``-th)."""
        leased = list(islice(self._leasable(provider, now), limit))
        for item in leased:
            item.state, item.lease_token, item.lease_expires = "Leased", token(), now + seconds
            item.attempt += 1
        return leased

    def renew(self, item: WorkItem, now: float, seconds: float, progress: dict[str, Any]) -> bool:
        """Extend a leased item's lease to ``now + seconds`` and keep its progress; False (nothing
        changes) unless it is leased."""
        if item.state != "Leased":
            return False
        item.lease_expires = now + seconds
        item.progress = progress
        return True

    def complete(self, item: WorkItem, outcome: str, result: dict[str, Any], error: dict[str, Any] | None) -> bool:
        """Record the first report of ``item``; False (and nothing changes) if it was already
        complete or withdrawn."""
        if item.finished:
            return False
        item.state, item.outcome, item.result, item.error = "Completed", outcome, result, error
        on_done = item.on_done
        item._let_go()
        if on_done is not None:
            on_done(item)
        return True

    def forget_provider(self, provider: str) -> None:
        """Drop every item of a removed Provider."""
        self._items = {key: item for key, item in self._items.items() if item.provider != provider}
        self._open.pop(provider, None)
