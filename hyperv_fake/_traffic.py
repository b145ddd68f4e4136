"""Drop, delay, duplicate and reset faults on replication cycles, decided at each attempt's own instant.

A replication cycle (or a §3.6 retry) is one log sent from the primary host to the Replica server:
the fault plan is asked about it at point ``net.send`` with context ``src``/``dst``/``port`` (the
hosts and the Replica port), ``vm`` and ``traffic="replication"``, as the network asks about any
message. Partitions stay the partition timeline's business; this is about the other actions.

Replication is closed-form (``_link``), so to ask at the right instant a link that some rule could
match keeps a background timer on its next attempt; the decision is taken when the link settles
to that instant (by the timer or by an observation at the same instant, whichever runs first), so
the same seed gives the same draws whatever is observed. A link no rule could match costs nothing.
What each decision does (policy TRAFFIC_FAULT_EFFECTS):

* Drop — the log is lost: the attempt fails CONNECTION_TIMED_OUT, retried with the §3.6 back-off;
* Reset — the attempt fails CONNECTION_RESET, retried likewise (a network error, §3.6 recoverable);
* Delay — the log lands ``seconds`` later (+ jitter); the next cycle follows from there, and cycles
  it overran are missed (§2.7: "If a transfer overruns, the next one is delayed");
* Duplicate — the replica receives the same log again and discards it (logs are applied in
  sequence, §2.6 "out-of-sequence log"), so nothing changes but the history.

A log that got through is then asked about at point ``hyperv.log`` (same context): what happens to
it at the replica (policy DATA_FAULT_EFFECTS). Drop — it is lost before it is applied; Corrupt — it
is invalid when applied (its recovery point would be corrupt); either way the replica cannot apply
the sequence and the primary needs resynchronisation (§2.6: "an out-of-sequence or invalid log is
applied"), detected at that attempt. Duplicate — applied once, as above.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simcore import STATES, Action, Corrupt, Delay, Drop, Duplicate, FaultRule, Reset, Simulation

from ._errors import Refusal, RefusalReason

if TYPE_CHECKING:
    from ._link import Link

__all__ = ["TrafficFaults", "Decision"]

POINT = "net.send"
LOG_POINT = "hyperv.log"


@dataclass(frozen=True)
class _Unapplied(Action):
    """What a lost or corrupt log comes to for the link: the replica cannot apply it."""

    what: str = "lost"


def _decides(rule: FaultRule, context: dict[str, Any]) -> bool:
    """Is ``rule`` an event rule that could decide an attempt with ``context`` (sent, or applied)?"""
    return not isinstance(rule.action, STATES) and (rule.match.matches(POINT, context)
                                                    or rule.match.matches(LOG_POINT, context))


class Decision:
    """What the fault plan said about the attempt at ``at``: a loss (``refusal``) or a late landing."""

    __slots__ = ("at", "refusal", "late", "resync")

    def __init__(self, at: float, refusal: Refusal | None = None, late: float = 0.0, resync: str = "") -> None:
        self.at = at
        self.refusal = refusal
        self.late = late
        self.resync = resync  # why the replica could not apply the log (a resync is needed), if it could not


class TrafficFaults:
    """Which links the fault plan could touch, their attempt timers, and the plan's decisions."""

    def __init__(self, sim: Simulation, links: Callable[[], list[Link]]) -> None:
        self._sim = sim
        self._links = links
        self._deciding = False  # a rule used up while deciding heals inside the link's own settle
        sim.faults.on_add(self._plan_changed)
        sim.faults.on_heal(self._plan_changed)

    @staticmethod
    def context(link: Link) -> dict[str, Any]:
        return {"src": link.src, "dst": link.dst, "port": link.port, "vm": link.primary.vm.name,
                "traffic": "replication"}

    def watches(self, link: Link) -> bool:
        """Could any rule of the plan (active now or later) decide this link's attempts?"""
        context = self.context(link)
        return any(_decides(rule, context) for rule in self._sim.faults.rules)

    def _plan_changed(self, rule: FaultRule) -> None:
        for link in self._links():
            if not _decides(rule, self.context(link)):
                continue  # a rule about something else: this link's attempts are asked as before
            if not self._deciding:
                link.settle()  # up to now under the old plan, so that the next attempt is ahead
            link.watched = self.watches(link)
            self.arm(link)

    # -- deciding ------------------------------------------------------------------------------------

    def decide(self, link: Link) -> None:
        """If the link's next attempt falls now, ask the plan about it (once) and record what it does."""
        now = self._sim.clock.now
        if not link.watched or (link.decision is not None and link.decision.at == now):
            return
        attempt = link.next_attempt()
        if attempt is None or abs(attempt - now) > 1e-9:
            return
        self._deciding = True
        try:
            context = self.context(link)
            action = self._sim.faults.check(POINT, context)
            if not isinstance(action, (Drop, Reset, Delay)):  # it got there: what becomes of it at the replica
                action = self._log_effect(action, self._sim.faults.check(LOG_POINT, context))
        finally:
            self._deciding = False
        link.decision = self._effect(link, now, action)
        if link.decision is not None:
            link.fabric.moved(link.primary.vm.id)  # statistics and health will read differently

    @staticmethod
    def _log_effect(sent: Action | None, applied: Action | None) -> Action | None:
        """One action for the attempt: a lost (Drop) or corrupt log at the replica as ``_Unapplied``."""
        if isinstance(applied, (Drop, Corrupt)):
            return _Unapplied("lost" if isinstance(applied, Drop) else "corrupt")
        return applied if applied is not None else sent

    def _effect(self, link: Link, now: float, action: Action | None) -> Decision | None:
        host, vm = link.primary.vm.host, link.primary.vm.name
        if isinstance(action, _Unapplied) and link.replica is not None:
            link.replica.vm.host.record("hyperv.replication.log", "fail", {"vm": vm, "log": action.what})
            why = f"the replica could not apply the log ({action.what}): resynchronization required (§2.6)"
            return Decision(now, refusal=Refusal(RefusalReason.INVALID_REPLICA_STATE, "replica", why), resync=why)
        if isinstance(action, (Drop, Reset)):
            reason = RefusalReason.CONNECTION_TIMED_OUT if isinstance(action, Drop) else RefusalReason.CONNECTION_RESET
            detail = (f"the replication log to {link.dst} was lost" if isinstance(action, Drop)
                      else f"the connection to {link.dst} was reset")
            host.record("hyperv.replication.cycle", "fail", {"vm": vm, "reason": reason.value})
            return Decision(now, refusal=Refusal(reason, "primary", detail))
        if isinstance(action, Delay):
            late = action.seconds + (self._sim.random.stream("network").uniform(0.0, action.jitter)
                                     if action.jitter else 0.0)
            if late > 0:
                host.record("hyperv.replication.cycle", "info", {"vm": vm, "delayed": late})
                refusal = Refusal(RefusalReason.CONNECTION_TIMED_OUT, "primary",
                                  f"the replication log is {late:g} s late")
                return Decision(now, refusal=refusal, late=late)
        if isinstance(action, Duplicate) and link.replica is not None:
            link.replica.vm.host.record("hyperv.replication.log", "info",
                                        {"vm": vm, "copies": action.copies, "applied": "once"})
        return None

    # -- timers ----------------------------------------------------------------------------------------

    def arm(self, link: Link) -> None:
        """Keep a timer on the link's next attempt while the plan could decide it (none otherwise)."""
        if link.attempt_timer is not None:
            link.attempt_timer.cancel()
            link.attempt_timer = None
        if not link.watched or link.replica is None:
            return
        attempt = link.next_attempt()
        if attempt is not None and attempt >= self._sim.clock.now:
            link.attempt_timer = self._sim.scheduler.call_at(
                attempt, link.settle, label=f"replication-attempt:{link.primary.vm.name}", background=True)
