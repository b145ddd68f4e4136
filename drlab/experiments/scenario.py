"""The drill: one DR rehearsal of a recovery plan, end to end through the official SDK, optionally under
a fault plan, judged by every checker (DESIGN.md §Invariants; hyperv-scvmm.md §5.7).

Setup, fault-free: build the lab, pair the clouds, map the network, protect every VM of the Gold
cloud and wait out initial replication, create a recovery plan of boot groups. Then the drill
proper, from its ``start`` (the instant its fault plan's times count from): the plan's test
failover into the recovery network and its cleanup, then its planned failover. A step whose job
fails does not stop the drill (its error code is its outcome); the checkers judge what happened.
The same seed, scenario and fault plan give the same history, byte for byte.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from azure.core.exceptions import AzureError, HttpResponseError

from simcore import FaultRuleError

from .._lab.spec import CloudSpec, LabConfigError, Role
from ..checkers import JUDGES, Verdict
from ..lab import Lab
from ..runbook import Runbook
from .categories import generate
from .fault_plans import FaultPlanError, plan_of, rules_of

__all__ = ["Scenario", "DEFAULT_SCENARIO", "CAMPAIGN_SCENARIO", "Drill", "run_drill", "CHECKERS", "STEPS",
           "PLAN", "FAULT_WINDOW"]

#: The plan operations of a drill, in order (the recorded scenario names, asr-orchestration.md §B.3.3).
STEPS = ("TestFailover", "TestFailoverCleanup", "PlannedFailover")
PLAN = "drill-plan"
#: Policy: generated faults start within the drill's first 25 virtual minutes, about as long as the
#: fault-free drill of the default lab takes, so they land while its plan jobs run.
FAULT_WINDOW = 1_500.0
#: Policy: initial replication of the drill's VMs is given a virtual hour (it takes minutes).
INITIAL_REPLICATION_SECONDS = 3_600.0
_SMALL_CLOUDS = (CloudSpec("Gold", Role.primary), CloudSpec("Gold-Recovery", Role.recovery))

#: Every invariant a drill is judged by: name -> checker of the lab after the drill.
CHECKERS: dict[str, Callable[[Lab], Verdict]] = {name: JUDGES[judge] for name, judge in (
    ("ordering", "check_ordering"), ("data-loss", "data_loss"), ("ip-injection", "ip_injection"),
    ("work-once", "work_once"), ("outbound-only", "outbound_only"), ("pairing-configured", "pairing_configured"))}


@dataclass(frozen=True)
class Scenario:
    """What a drill runs on: ``vms`` VMs in the Gold cloud spread over ``groups`` boot groups,
    ``hosts_per_site`` hosts a site; ``small`` leaves out the default lab's non-DR cloud."""

    vms: int = 2
    groups: int = 2
    hosts_per_site: int = 2
    small: bool = False

    def __post_init__(self) -> None:
        for name in ("vms", "groups", "hosts_per_site"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise LabConfigError(f"{name} must be an int >= 1, got {value!r}")

    def lab(self, seed: int) -> Lab:
        options: dict[str, Any] = {"clouds": _SMALL_CLOUDS} if self.small else {}
        return Lab(seed, hosts_per_site=self.hosts_per_site, vms_per_cloud=self.vms, **options)

    def boot_groups(self, vms: Sequence[str]) -> list[list[str]]:
        """``vms`` in order, cut into ``groups`` groups as even as can be (the first ones larger)."""
        count = min(self.groups, len(vms))
        size, extra = divmod(len(vms), count)
        out, at = [], 0
        for k in range(count):
            out.append(list(vms[at:at + size + (k < extra)]))
            at += size + (k < extra)
        return out

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT_SCENARIO = Scenario()
#: Policy: a campaign's scenario by default — one host a site, no non-DR cloud — so runs are fast.
CAMPAIGN_SCENARIO = Scenario(hosts_per_site=1, small=True)


@dataclass
class Drill:
    """A drill that ran: its lab, its start, the fault plan it ran under, each step's outcome
    ("Succeeded" or the error code of its failed job) and the verdicts."""

    seed: int
    scenario: Scenario
    lab: Lab
    start: float
    plan: list[dict[str, Any]]
    groups: list[list[str]]
    steps: dict[str, str] = field(default_factory=dict)
    verdicts: dict[str, Verdict] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(verdict.ok for verdict in self.verdicts.values())

    def digest(self) -> str:
        """The SHA-256 of the history's JSON Lines: two runs with the same digest had the same history."""
        return hashlib.sha256(self.lab.history.dumps().encode()).hexdigest()


def _natural(name: str) -> tuple[tuple[int, str], ...]:
    """A sort key that puts Gold-VM2 before Gold-VM10."""
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in re.split(r"(\d+)", name))


def _setup(lab: Lab, scenario: Scenario) -> tuple[Runbook, list[list[str]]]:
    book = Runbook.of(lab)
    book.create_policy()
    book.pair()
    book.map_poller().result()
    vms = sorted((item.properties.friendly_name for item in book.protectable("Gold")), key=_natural)
    for vm in vms:
        book.enable_poller(vm).result()
    lab.advance(INITIAL_REPLICATION_SECONDS)
    groups = scenario.boot_groups(vms)
    book.create_plan(PLAN, [book.boot_group(*group) for group in groups])
    return book, groups


def _step(book: Runbook, operation: str) -> str:
    plans, forward = book.asr.replication_recovery_plans, "PrimaryToRecovery"
    try:
        if operation == "TestFailover":
            fabric, network = book.network("recovery", "Corp")
            plans.begin_test_failover(book.rg, book.vault, PLAN, {"properties": {
                "failoverDirection": forward, "networkType": "VmNetworkAsInput", "providerSpecificDetails": [],
                "networkId": f"{book.prefix()}/replicationFabrics/{fabric}/replicationNetworks/{network}"}}).result()
        elif operation == "TestFailoverCleanup":
            plans.begin_test_failover_cleanup(book.rg, book.vault, PLAN, {"properties": {"comments": "drill"}}).result()
        else:
            plans.begin_planned_failover(book.rg, book.vault, PLAN, {"properties": {
                "failoverDirection": forward, "providerSpecificDetails": []}}).result()
    except HttpResponseError as error:
        return str(getattr(error.error, "code", None) or error.status_code)
    except AzureError as error:  # the request or its answer lost (an api fault) after the SDK's retries
        return type(error).__name__
    return "Succeeded"


def run_drill(seed: int, scenario: Scenario = DEFAULT_SCENARIO, plan: Sequence[dict[str, Any]] | None = None, *,
              categories: Sequence[str] = ()) -> Drill:
    """Run the drill of ``scenario`` at ``seed`` under ``plan`` (fault rules, ``fault_plans``), or
    under faults drawn from ``categories`` with ``random.Random(seed)`` when no plan is given."""
    lab = scenario.lab(seed)
    try:
        if plan:
            rules_of(lab, plan, lab.now)  # refuse a bad plan before the setup's minutes of work
        book, groups = _setup(lab, scenario)
        start = lab.now
        if plan is None:
            drawn = generate(lab, categories, random.Random(seed), (start, start + FAULT_WINDOW)) if categories else []
            plan = plan_of(drawn, start)
        drill = Drill(seed, scenario, lab, start, [dict(rule) for rule in plan], groups)
        for rule in rules_of(lab, drill.plan, start):
            try:
                lab.faults.add(rule)
            except FaultRuleError as error:
                raise FaultPlanError(f"fault rule {rule.name}: {error}") from None
        for operation in STEPS:
            drill.steps[operation] = _step(book, operation)
        lab.faults.heal_all()
        drill.verdicts = {name: check(lab) for name, check in CHECKERS.items()}
        return drill
    finally:
        lab.close()
