"""What a drill's history says happened, as plain rows for the terminal and the report — read from the
history alone (plus the VMs' write rates), every time in seconds from the drill's start:

* ``vm_rows`` — per plan failover and VM: its start (the plan job's), failed over, booted, and
  RTO = from the plan's start to the VM booted at the recovery site; RPO = the data-loss window,
  the seconds of writes the source made that the target lacks once failed over (a planned
  failover's prepare recorded what was made; otherwise the recovery point's age);
* ``gantt`` — the plan's execution as bars: each group, each VM step inside it, each action
  (``asr_emulator.workflows.plan_events``);
* ``fault_windows`` — each fault rule from the instant it applied to its heal, with its firings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from hyperv_fake import DataImage
from simcore import Event, History

__all__ = ["vm_rows", "gantt", "fault_windows"]

_FAILOVERS = ("TestFailover", "PlannedFailover", "UnplannedFailover")
_STEP_OPS = ("plan.vm.shutdown", "plan.vm.failedOver", "plan.vm.booted", "plan.vm.cleanedUp", "plan.vm.committed",
             "plan.vm.reprotected", "plan.vm.failed")


def _t(time: float, start: float) -> float:
    return round(time - start, 3)


def _jobs(history: Iterable[Event]) -> dict[str, list[Event]]:
    """The plan events of each plan job, by job name, in history order."""
    jobs: dict[str, list[Event]] = {}
    for event in history:
        if event.op.startswith("plan."):
            jobs.setdefault(str(event.details.get("job")), []).append(event)
    return jobs


def _loss_window(history: History, vm: str, since: float, until: float, rate: float) -> float | None:
    """The data-loss window of ``vm``'s failover within [since, until] (module docstring)."""
    failover = next((e for e in history.select(op="vmm.failover", since=since, until=until)
                     if e.details.get("vm") == vm), None)
    if failover is None:
        return None
    prepared = [e for e in history.select(op="vmm.failover.prepared", since=since, until=failover.time)
                if e.details.get("vm") == vm]
    if not prepared or rate <= 0:
        rpo = failover.details.get("rpoSeconds")
        return None if rpo is None else float(rpo)
    made, held = DataImage.described(prepared[-1].details["image"]), DataImage.described(failover.details["image"])
    return round(max(made.last - held.last, 0) / rate, 3)


def vm_rows(history: History, start: float, rates: Mapping[str, float]) -> list[dict[str, Any]]:
    """One row per VM of every failover plan job (module docstring); ``rates``: VM -> writes a second."""
    rows = []
    for events in _jobs(history).values():
        operation = str(events[0].details.get("operation"))
        if operation not in _FAILOVERS or events[0].op != "plan.started":
            continue
        begun = events[0].time
        ended = next((e.time for e in events if e.op == "plan.finished"), history[-1].time)
        vms: dict[str, None] = {}  # in the order the groups name them
        for event in events:
            if event.op == "plan.group.started":
                vms.update(dict.fromkeys(str(vm) for vm in event.details.get("vms", [])))
        for vm in vms:
            steps = {e.op: e for e in events if e.op in _STEP_OPS and e.details.get("vm") == vm}
            booted, failed = steps.get("plan.vm.booted"), steps.get("plan.vm.failed")
            over = steps.get("plan.vm.failedOver")
            rows.append({
                "operation": operation, "job": str(events[0].details.get("job")), "vm": vm,
                "start": _t(begun, start), "failedOver": None if over is None else _t(over.time, start),
                "booted": None if booted is None else _t(booted.time, start),
                "failed": None if failed is None else str(failed.details.get("code")),
                "rto": None if booted is None else round(booted.time - begun, 3),
                "rpo": None if operation == "TestFailover" else _loss_window(history, vm, begun, ended,
                                                                             rates.get(vm, 0.0))})
    return rows


def gantt(history: History, start: float) -> list[dict[str, Any]]:
    """The bars of every plan job: groups, the VM steps in them, actions (module docstring)."""
    bars: list[dict[str, Any]] = []
    for events in _jobs(history).values():
        operation = str(events[0].details.get("operation"))
        finished = next((e.time for e in events if e.op == "plan.finished"), events[-1].time)
        starts = [e for e in events if e.op == "plan.group.started"]
        for at, group in enumerate(starts):
            label = str(group.details["group"])
            steps = [e for e in events if e.op in _STEP_OPS and e.details.get("group") == label]
            end = max([e.time for e in steps] or [starts[at + 1].time if at + 1 < len(starts) else finished])
            bars.append({"operation": operation, "group": label, "vm": None, "action": None,
                         "start": _t(group.time, start), "end": _t(end, start), "state": "group"})
            bars += [{"operation": operation, "group": label, "vm": str(step.details["vm"]), "action": None,
                      "start": _t(group.time, start), "end": _t(step.time, start),
                      "state": step.op.rsplit(".", 1)[-1]} for step in steps]
        opened: dict[tuple[str, str, str], Event] = {}
        for event in events:
            key = (str(event.details.get("group")), str(event.details.get("action")), str(event.details.get("when")))
            if event.op == "plan.action.started":
                opened[key] = event
            elif event.op == "plan.action.finished" and key in opened:
                bars.append({"operation": operation, "group": key[0], "vm": None, "action": key[1],
                             "start": _t(opened.pop(key).time, start), "end": _t(event.time, start),
                             "state": str(event.details.get("state"))})
    return bars


def fault_windows(history: History, start: float) -> list[dict[str, Any]]:
    """Each fault rule of the history: when it applied, when it healed (and why), how often it fired."""
    windows: dict[str, dict[str, Any]] = {}
    last = history[-1].time if len(history) else start
    for event in history.select(node="nemesis", op="fault.*"):
        name = str(event.details.get("rule"))
        if event.op == "fault.start":
            begins = event.details.get("start")
            windows[name] = {"rule": name, "action": event.details.get("action"), "match": event.details.get("match"),
                             "start": _t(max(float(begins), event.time) if begins is not None else event.time, start),
                             "end": None, "healed": None, "fired": 0}
        elif name in windows and event.op == "fault.fire":
            windows[name]["fired"] += 1
        elif name in windows and event.op == "fault.heal" and windows[name]["end"] is None:
            windows[name].update(end=_t(event.time, start), healed=event.details.get("why"))
    for window in windows.values():
        if window["end"] is None:
            window["end"] = _t(last, start)
    return list(windows.values())
