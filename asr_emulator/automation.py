"""An emulated Azure Automation: accounts holding runbooks, each run as its own automation job on the
lab clock — what a recovery plan's ``AutomationRunbookActionDetails`` action starts (hyperv-scvmm.md
§5.7 [D:ASR-Runbooks]).

Facts [D:ASR-Runbooks]: a runbook is named by its ARM id (``…/Microsoft.Automation/automationAccounts/
{account}/runbooks/{runbook}``); "the Automation account must be in the same subscription as the Azure
Site Recovery vault"; the runbook is passed the recovery plan context as its ``$RecoveryPlanContext``
parameter (built by ``workflows.plan_actions``). A runbook here is a Python callable taking a
``RunbookContext``, or a ``DeclaredRunbook`` (output, a terminating exception, duration).

Policy (``policy.AUTOMATION_JOB_STATUSES``; Azure Automation is not in the reference): a job is ``Running`` from its
start, then ``Completed``, ``Failed`` (the runbook raised, or declared an exception) or ``Stopped``
(stopped before its end); a callable runs when the job starts (its effects then) and the job ends once
the virtual seconds it slept (or declared) have passed; its output is the lines it wrote, joined by
newlines. Account and runbook names compare case-insensitively, as ARM names do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Union

from simcore import Simulation, Timer

__all__ = ["DeclaredRunbook", "RunbookContext", "RunbookBody", "AutomationJob", "AutomationAccount", "Automation",
           "RUNBOOK_ID"]

#: The ARM id of a runbook (fact: the shape of ``runbookId``, asr-api.md §8 [TF22649]).
RUNBOOK_ID = ("/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Automation/"
              "automationAccounts/{account}/runbooks/{runbook}")


def _seconds(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < float("inf"):
        raise ValueError(f"{what} must be a finite number >= 0, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class DeclaredRunbook:
    """A runbook given by what it does: its output, a terminating ``exception`` (fails the job), seconds."""

    output: str = ""
    exception: str | None = None
    seconds: float = 0.0

    def __post_init__(self) -> None:
        _seconds(self.seconds, "seconds")


@dataclass(eq=False)
class RunbookContext:
    """What a running runbook sees: ``context``, the ``$RecoveryPlanContext`` JSON object; ``write_output``
    (``Write-Output``) and ``sleep`` (virtual seconds the runbook takes)."""

    context: dict[str, Any]
    output: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def write_output(self, text: str) -> None:
        self.output.append(str(text))

    def sleep(self, seconds: float) -> None:
        self.seconds += _seconds(seconds, "sleep")


RunbookBody = Union[Callable[[RunbookContext], None], DeclaredRunbook]


@dataclass(eq=False)
class AutomationJob:
    """One run of a runbook; ``on_end`` is told once it stopped (Completed, Failed or Stopped)."""

    id: str
    account: AutomationAccount
    runbook: str
    context: dict[str, Any]
    start_time: float
    status: str = "Running"
    output: str = ""
    exception: str | None = None
    end_time: float | None = None
    on_end: Callable[[AutomationJob], None] | None = field(default=None, repr=False)
    _timer: Timer | None = field(default=None, repr=False)

    @property
    def ended(self) -> bool:
        return self.status != "Running"

    def _end(self, status: str, now: float) -> None:
        if self.ended:
            return
        self.status, self.end_time = status, now
        if self._timer is not None:
            self._timer.cancel()
        on_end, self.on_end = self.on_end, None
        if on_end is not None:
            on_end(self)

    def to_json(self) -> dict[str, Any]:
        return {"jobId": self.id, "account": self.account.name, "runbook": self.runbook, "status": self.status,
                "startTime": self.start_time, "endTime": self.end_time, "output": self.output,
                "exception": self.exception, "context": self.context}


@dataclass(eq=False)
class AutomationAccount:
    """``Microsoft.Automation/automationAccounts/{name}`` with its runbooks and their jobs, oldest first."""

    automation: Automation
    subscription_id: str
    resource_group: str
    name: str
    _runbooks: dict[str, tuple[str, RunbookBody]] = field(default_factory=dict, repr=False)
    jobs: list[AutomationJob] = field(default_factory=list, repr=False)

    def register(self, name: str, body: RunbookBody) -> str:
        """Publish ``body`` as the runbook ``name`` (replacing one of that name); its ARM id."""
        if not isinstance(name, str) or not name.strip() or "/" in name:
            raise ValueError(f"a runbook name is a non-empty string without '/', got {name!r}")
        if not (callable(body) or isinstance(body, DeclaredRunbook)):
            raise TypeError(f"a runbook is a callable or a DeclaredRunbook, got {body!r}")
        self._runbooks[name.lower()] = (name, body)
        return self.runbook_id(name)

    def runbook_id(self, name: str) -> str:
        return RUNBOOK_ID.format(subscription=self.subscription_id, group=self.resource_group, account=self.name,
                                 runbook=name)

    @property
    def runbooks(self) -> list[str]:
        return [self._runbooks[key][0] for key in sorted(self._runbooks)]

    def find(self, name: str) -> tuple[str, RunbookBody] | None:
        return self._runbooks.get(name.lower())

    def start(self, name: str, context: dict[str, Any], on_end: Callable[[AutomationJob], None]) -> AutomationJob:
        """Run the runbook ``name`` (which ``find`` found) with ``context`` as a new job."""
        found = self.find(name)
        assert found is not None
        runbook, body = found
        sim = self.automation.sim
        job = AutomationJob(sim.random.uuid("automation"), self, runbook, context, sim.clock.now, on_end=on_end)
        self.jobs.append(job)
        run = RunbookContext(context)
        if isinstance(body, DeclaredRunbook):
            run.output.extend([body.output] if body.output else [])
            job.exception, run.seconds = body.exception, body.seconds
        else:
            try:
                body(run)
            except Exception as error:  # noqa: BLE001 - the user's runbook threw: its job fails
                job.exception = f"{type(error).__name__}: {error}"
        job.output = "\n".join(run.output)
        status = "Completed" if job.exception is None else "Failed"
        self.automation.record(job, "Running")
        job._timer = sim.scheduler.call_later(run.seconds, lambda: self._ended(job, status),
                                              label=f"automation job {job.id}")
        return job

    def stop(self, job: AutomationJob) -> None:
        """Stop ``job`` before its end (nothing if it ended)."""
        self._ended(job, "Stopped")

    def _ended(self, job: AutomationJob, status: str) -> None:
        if not job.ended:
            job._end(status, self.automation.sim.clock.now)
            self.automation.record(job, status)


class Automation:
    """The Automation accounts of one emulated cloud, by (subscription, resource group, name)."""

    def __init__(self, sim: Simulation, node: str = "automation") -> None:
        self.sim = sim
        self.node = node
        self._accounts: dict[tuple[str, str, str], AutomationAccount] = {}

    def account(self, subscription_id: str, resource_group: str, name: str) -> AutomationAccount:
        """The account of that name, made if it does not exist."""
        for what, value in (("subscription_id", subscription_id), ("resource_group", resource_group), ("name", name)):
            if not isinstance(value, str) or not value.strip() or "/" in value:
                raise ValueError(f"{what} must be a non-empty string without '/', got {value!r}")
        key = (subscription_id.lower(), resource_group.lower(), name.lower())
        found = self._accounts.get(key)
        if found is None:
            found = self._accounts[key] = AutomationAccount(self, subscription_id, resource_group, name)
        return found

    @property
    def accounts(self) -> list[AutomationAccount]:
        return [self._accounts[key] for key in sorted(self._accounts)]

    def resolve(self, runbook_id: str) -> tuple[AutomationAccount, str] | None:
        """(account, runbook name) for a runbook ARM id, or None if no such account holds it."""
        parts = [part for part in runbook_id.split("/") if part]
        if len(parts) != 10 or [p.lower() for p in (parts[0], parts[2], parts[4], parts[5], parts[6], parts[8])] != [
                "subscriptions", "resourcegroups", "providers", "microsoft.automation", "automationaccounts",
                "runbooks"]:
            return None
        account = self._accounts.get((parts[1].lower(), parts[3].lower(), parts[7].lower()))
        found = None if account is None else account.find(parts[9])
        if account is None or found is None:
            return None
        return account, found[0]

    def reset(self) -> None:
        for account in self.accounts:
            for job in account.jobs:
                account.stop(job)
        self._accounts.clear()

    def record(self, job: AutomationJob, status: str) -> None:
        self.sim.history.record(self.node, "automation.job", "info", {
            "job": job.id, "account": job.account.name, "runbook": job.runbook, "status": status})
