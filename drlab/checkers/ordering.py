"""The failover-ordering checker: Jepsen-style, over a lab's history (DESIGN.md §Invariants, "Failover
ordering"; hyperv-scvmm.md §5.7, §5.6).

It reads only the recovery-plan events (``asr_emulator.workflows.plan_events``) and judges each plan job
on its own. Rules (each violation names the events that break it):

* ``shutdown-before-failover``: in a planned failover the Shutdown group runs, and the Failover group
  starts only once every one of its VMs was shut down (or failed to be);
* ``failover-before-boot``: every VM failed over (or failed to) before any Boot group starts;
* ``boot-order``: Boot group k + 1 starts only after every VM of group k booted (or failed to), and
  after group k started;
* ``actions-around-group``: a group's start actions finish before any VM step of that group, its end
  actions start after the last one;
* ``manual-waits``: nothing of a job happens between a manual action's waiting and its resumption;
* ``planned-stops``: after a VM step or a group action (manual, script, runbook) failed in a planned
  failover, no group starts, and after a failed action no other action starts — until the job is
  restarted (another ``plan.started``);
* ``unplanned-completes``: an unplanned failover that last finished other than cancelled started, over
  all its runs, every one of its groups and of its actions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from simcore import Event

from ._verdict import Verdict, Violation

__all__ = ["Violation", "Verdict", "check_ordering", "RULES"]

RULES = ("shutdown-before-failover", "failover-before-boot", "boot-order", "actions-around-group", "manual-waits",
         "planned-stops", "unplanned-completes")
_VM_STEPS = ("plan.vm.shutdown", "plan.vm.failedOver", "plan.vm.booted", "plan.vm.failed")


@dataclass
class _Job:
    """The plan events of one job, in history order."""

    name: str
    events: list[Event] = field(default_factory=list)

    def of(self, *ops: str) -> list[Event]:
        return [e for e in self.events if e.op in ops]

    @property
    def operation(self) -> str:
        return str(self.events[0].details.get("operation", ""))

    def group_start(self, label: str) -> Event | None:
        return next((e for e in self.of("plan.group.started") if e.details["group"] == label), None)

    def steps(self, label: str) -> list[Event]:
        """The VM steps recorded for the group ``label``."""
        return [e for e in self.of(*_VM_STEPS) if e.details.get("group") == label]


def _all_done(job: _Job, vms: Iterable[str], ops: Sequence[str], before: Event) -> list[str]:
    """The VMs among ``vms`` with no event of ``ops`` (or a failure) before ``before``."""
    done = {e.details["vm"] for e in job.events if e.index < before.index and e.op in (*ops, "plan.vm.failed")}
    return [vm for vm in vms if vm not in done]


def _shutdown(job: _Job) -> list[Violation]:
    failover = job.group_start("Failover")
    if job.operation != "PlannedFailover" or failover is None:
        return []
    shutdown = job.group_start("Shutdown")
    if shutdown is None or shutdown.index > failover.index:
        return [Violation("shutdown-before-failover", job.name, "the Failover group started without the Shutdown "
                          "group before it", (failover.index,))]
    missing = _all_done(job, failover.details["vms"], ("plan.vm.shutdown",), failover)
    return [Violation("shutdown-before-failover", job.name, f"the Failover group started before {vm} was shut down",
                      (failover.index,)) for vm in missing]


def _failover(job: _Job) -> list[Violation]:
    failover = job.group_start("Failover")
    boots = [e for e in job.of("plan.group.started") if e.details["groupType"] == "Boot"]
    if failover is None or not boots or job.operation not in ("PlannedFailover", "UnplannedFailover", "TestFailover"):
        return []
    first = boots[0]
    missing = _all_done(job, failover.details["vms"], ("plan.vm.failedOver",), first)
    return [Violation("failover-before-boot", job.name, f"{first.details['group']} started before {vm} failed over",
                      (first.index,)) for vm in missing]


def _boot_order(job: _Job) -> list[Violation]:
    found = []
    starts = {e.details["group"]: e for e in job.of("plan.group.started") if e.details["groupType"] == "Boot"}
    labels = sorted(starts, key=lambda label: int(label.rsplit(" ", 1)[-1]))
    for label in labels:
        k = int(label.rsplit(" ", 1)[-1])
        if k == 1:
            continue
        previous, start = starts.get(f"Group {k - 1}"), starts[label]
        if previous is None or previous.index > start.index:
            found.append(Violation("boot-order", job.name, f"{label} started before Group {k - 1}", (start.index,)))
            continue
        for vm in _all_done(job, previous.details["vms"], ("plan.vm.booted",), start):
            found.append(Violation("boot-order", job.name, f"{label} started before {vm} of Group {k - 1} booted",
                                   (previous.index, start.index)))
    return found


def _actions(job: _Job) -> list[Violation]:
    found = []
    for action in job.of("plan.action.started", "plan.action.finished"):
        label, when = action.details["group"], action.details["when"]
        steps = job.steps(label)
        if when == "start" and action.op == "plan.action.finished":
            early = [s for s in steps if s.index < action.index]
            found += [Violation("actions-around-group", job.name, f"{s.details['vm']} of {label} ran before its start "
                                f"action '{action.details['action']}' finished", (s.index, action.index))
                      for s in early]
        if when == "end" and action.op == "plan.action.started":
            late = [s for s in steps if s.index > action.index]
            found += [Violation("actions-around-group", job.name, f"{s.details['vm']} of {label} ran after its end "
                                f"action '{action.details['action']}' started", (action.index, s.index))
                      for s in late]
    return found


def _manual(job: _Job) -> list[Violation]:
    found = []
    waiting: Event | None = None
    for event in job.events:
        if event.op == "plan.manual.waiting":
            waiting = event
        elif waiting is not None and event.op in ("plan.manual.resumed", "plan.finished"):
            waiting = None
        elif waiting is not None and event.op != "plan.action.started":
            found.append(Violation("manual-waits", job.name, f"{event.op} while the manual action "
                                   f"'{waiting.details['action']}' waited", (waiting.index, event.index)))
    return found


def _failed(event: Event) -> bool:
    return event.op == "plan.vm.failed" or (event.op == "plan.action.finished" and event.details["state"] == "Failed")


def _planned(job: _Job) -> list[Violation]:
    if job.operation != "PlannedFailover":
        return []
    found = []
    failure: Event | None = None
    for event in job.events:
        if event.op == "plan.started":  # a restarted job runs again
            failure = None
        elif failure is None and _failed(event):
            failure = event
        elif failure is not None and (event.op == "plan.group.started" or (
                event.op == "plan.action.started" and failure.op == "plan.action.finished")):
            what = failure.details.get("vm") or f"the action '{failure.details['action']}'"
            found.append(Violation("planned-stops", job.name, f"{event.details.get('action') or event.details['group']}"
                                   f" started after {what} failed", (failure.index, event.index)))
    return found


def _unplanned(job: _Job) -> list[Violation]:
    started, finished = job.of("plan.started"), job.of("plan.finished")
    if job.operation != "UnplannedFailover" or not started or not finished or finished[-1].details["state"] == "Cancelled":
        return []
    ran = {e.details["group"] for e in job.of("plan.group.started")}
    found = [Violation("unplanned-completes", job.name, f"the job finished without starting {label}",
                       (finished[-1].index,)) for label in started[0].details.get("groups", []) if label not in ran]
    acted = {(e.details["action"], e.details["group"], e.details["when"]) for e in job.of("plan.action.started")}
    return found + [Violation("unplanned-completes", job.name, f"the job finished without starting the action "
                              f"'{a['action']}' of {a['group']}", (finished[-1].index,))
                    for a in started[0].details.get("actions", []) if (a["action"], a["group"], a["when"]) not in acted]


_CHECKS = (_shutdown, _failover, _boot_order, _actions, _manual, _planned, _unplanned)


def check_ordering(history: Iterable[Event]) -> Verdict:
    """Judge every recovery-plan job of ``history`` (a ``simcore.History`` or its events)."""
    jobs: dict[str, _Job] = {}
    for event in history:
        if event.op.startswith("plan."):
            name = str(event.details.get("job", ""))
            jobs.setdefault(name, _Job(name)).events.append(event)
    violations = tuple(v for job in jobs.values() for check in _CHECKS for v in check(job))
    return Verdict("ordering", violations, len(jobs))
