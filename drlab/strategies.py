"""Hypothesis strategies for DR labs, each value valid by construction and shrinking towards a small lab:

* ``lab_topologies()`` — ``Lab`` keyword arguments: a seed, 1–3 hosts a site, primary clouds (each
  DR-flagged or not) with 0–3 VMs, one recovery cloud, and networks whose VMs' NICs sit on them.
* ``replication_policies()`` — ``providerSpecificInput`` bodies of Hyper-V Replica policies the
  service accepts (HyperVReplica2012R2 or 2012, ports, recovery points, app-consistent frequency,
  compression, authentication, initial replication over the network or offline).
* ``inmage_policies()`` — ``providerSpecificInput`` bodies of InMage policies the service accepts
  (multi-VM sync on or off, RPO threshold, retention, app-consistent frequency within their bounds).
* ``vmware_sites()`` — ``VMwareSiteSpec``s of the VMware scenario: 0–3 VMs and 0–2 physical servers
  (one machine at least), 1–2 ESXi hosts a vCenter, a write rate; it shrinks towards one VM.
* ``recovery_plan_groups(items)`` — the ``groups`` of a recovery plan body over protected items (their
  ARM ids), as the SDK sends them: the Shutdown and Failover groups and 1–7 Boot groups holding a
  non-empty subset of the items, each in one group, with start and end actions (manual, and the
  lab's scripts and runbooks when named) filtered by failover type and direction; it shrinks towards
  one item in one group without actions.
* ``network_maps(networks)`` — the network mappings a runbook creates: a non-empty subset of the
  primary site's VM networks, each mapped to one of the recovery site's (by default its networks of
  the same names), as (primary, recovery) name pairs in order.
* ``dr_scenarios()`` — whole DR scenarios for ``drlab.experiments``: a seed, a drill scenario (VMs,
  boot groups, hosts a site) and the fault categories its faults are drawn from; ``.run()`` runs the
  drill (pair, map, protect, a plan's test failover, cleanup and planned failover) and returns it with
  every verdict. It shrinks towards one VM, one group and no faults.
* ``site_faults(lab)`` — fault rules of ``simcore`` by category (``"sites"``: the sites' hosts cut
  off from each other; ``"channel"``: a VMM server's channel to ASR partitioned, dropped or
  delayed; every category of ``drlab.fault_catalogue``: network, api, identity, component,
  time, data; ``"vmware"``: the lab's VMware site's process server cut off from its master target on
  the replication port, or its configuration server's channel to ASR partitioned, dropped or
  delayed), each healing by itself within ``heal_within`` virtual seconds of the lab's now.
* ``catalogue_faults(lab, category, window)`` — the catalogue's rules of one category within a window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from simcore import Delay, Drop, FaultRule, Match, Partition
from vmware_fake.policy import REPLICATION_PORT

from asr_emulator.policy import INMAGE_POLICY_LIMITS, MAX_PLAN_BOOT_GROUPS, PLAN_ACTION_FAILOVER_TYPES

from ._lab.spec import CloudSpec, NetworkSpec, Role, VMSpec
from ._lab.vmware import VMwareSiteSpec
from .experiments.categories import channel_fault, sites_partition
from .fault_catalogue import CATEGORIES, rules_for

if TYPE_CHECKING:
    from .experiments.scenario import Drill, Scenario
    from .lab import Lab

__all__ = ["lab_topologies", "replication_policies", "inmage_policies", "vmware_sites", "recovery_plan_groups", "network_maps", "dr_scenarios",
           "DRScenario", "site_faults", "catalogue_faults", "FAULT_CATEGORIES"]

FAULT_CATEGORIES = ("sites", "channel", *CATEGORIES, "vmware")


@st.composite
def lab_topologies(draw: st.DrawFn, *, max_hosts: int = 3, max_clouds: int = 3, max_vms_per_cloud: int = 3,
                   networks: bool = True) -> dict[str, Any]:
    """``Lab(**drawn)`` builds; its smallest is one host a site and one primary cloud without VMs."""
    flags = draw(st.lists(st.booleans(), min_size=1, max_size=max_clouds))
    clouds = [CloudSpec(f"C{i}", disaster_recovery=dr) for i, dr in enumerate(flags)] + [CloudSpec("R", Role.recovery)]
    specs = [NetworkSpec("Corp", "10.1.0.0/24", "10.2.0.0/24")]
    if networks and draw(st.booleans()):
        specs.append(NetworkSpec("Data", "172.16.0.0/24", "172.17.0.0/24"))
    vms = [VMSpec(f"C{i}-vm{j}", f"C{i}", networks=tuple(draw(st.sampled_from(
               [["Corp"], [s.name for s in specs]]))) if networks else None)
           for i in range(len(flags)) for j in range(draw(st.integers(0, max_vms_per_cloud)))]
    drawn: dict[str, Any] = {"seed": draw(st.integers(0, 2**16)), "hosts_per_site": draw(st.integers(1, max_hosts)),
                             "clouds": clouds, "vms": vms}
    if networks:
        drawn["networks"] = tuple(specs)
    return drawn


@st.composite
def replication_policies(draw: st.DrawFn) -> dict[str, Any]:
    """A policy input the service accepts (asr-api.md §6: the providers' bounds)."""
    kind = draw(st.sampled_from(["HyperVReplica2012R2", "HyperVReplica2012"]))
    points = draw(st.integers(0, 24 if kind == "HyperVReplica2012R2" else 15))
    body: dict[str, Any] = {
        "instanceType": kind, "replicationPort": draw(st.integers(1, 65535)), "recoveryPoints": points,
        "applicationConsistentSnapshotFrequencyInHours": draw(st.integers(1, min(12, points - 1)))
        if points > 1 and draw(st.booleans()) else 0,
        "compression": draw(st.sampled_from(["Enable", "Disable"])),
        "allowedAuthenticationType": draw(st.sampled_from([1, 2])),
        "replicaDeletion": draw(st.sampled_from(["Required", "NotRequired"]))}
    if kind == "HyperVReplica2012R2" and draw(st.booleans()):
        body["replicationFrequencyInSeconds"] = draw(st.sampled_from([30, 300, 900]))
    if draw(st.booleans()):
        body.update(initialReplicationMethod="Offline", offlineReplicationImportPath="\\\\f\\in",
                    offlineReplicationExportPath="\\\\f\\out")
    return body


@st.composite
def inmage_policies(draw: st.DrawFn) -> dict[str, Any]:
    """An InMage policy input the service accepts (policy ``INMAGE_POLICY_LIMITS``: app-consistent points
    never sparser than the retention window)."""
    (low_rpo, high_rpo), (low_history, high_history), (_, high_app) = (
        INMAGE_POLICY_LIMITS[name] for name in ("recoveryPointThresholdInMinutes", "recoveryPointHistory",
                                                "appConsistentFrequencyInMinutes"))
    history = draw(st.integers(low_history, high_history))
    return {"instanceType": "InMage", "multiVmSyncStatus": draw(st.sampled_from(["Enable", "Disable"])),
            "recoveryPointThresholdInMinutes": draw(st.integers(low_rpo, high_rpo)),
            "recoveryPointHistory": history,
            "appConsistentFrequencyInMinutes": draw(st.integers(0, min(high_app, history)))}


@st.composite
def vmware_sites(draw: st.DrawFn, *, max_vms: int = 3, max_physical: int = 2) -> VMwareSiteSpec:
    """A ``VMwareSiteSpec`` with at least one machine; it shrinks towards one VM on one host."""
    physical = draw(st.integers(0, max_physical))
    vms = draw(st.integers(0 if physical else 1, max_vms))
    return VMwareSiteSpec(vms=tuple(f"vmw-{i}" for i in range(vms)), physical_servers=tuple(
        f"phys-{i}" for i in range(physical)), hosts_per_site=draw(st.integers(1, 2)),
        write_rate=draw(st.sampled_from([0.0, 0.5, 2.0])))


_DIRECTIONS = ("PrimaryToRecovery", "RecoveryToPrimary")


def _action(label: str, when: str, k: int, kind: tuple[str, str], types: list[str], directions: list[str]
            ) -> dict[str, Any]:
    """One group action as the SDK sends it: ``kind`` is ("manual", ""), ("script", path) or ("runbook", id)."""
    what, target = kind
    details: dict[str, Any] = {"instanceType": "ManualActionDetails", "description": f"{label} {when} step {k}"}
    if what == "script":
        details = {"instanceType": "ScriptActionDetails", "path": target, "fabricLocation": "Recovery"}
    elif what == "runbook":
        details = {"instanceType": "AutomationRunbookActionDetails", "runbookId": target, "fabricLocation": "Recovery"}
    return {"actionName": f"{label}-{when}-{k}", "failoverTypes": types, "failoverDirections": directions,
            "customDetails": details}


def _actions(label: str, when: str, kinds: st.SearchStrategy[tuple[str, str]]
             ) -> st.SearchStrategy[list[dict[str, Any]]]:
    """0–2 actions of a group's ``when`` side, named after it (names are unique in a plan)."""
    action = st.tuples(kinds, st.lists(st.sampled_from(PLAN_ACTION_FAILOVER_TYPES), min_size=1, unique=True),
                       st.lists(st.sampled_from(_DIRECTIONS), min_size=1, unique=True))
    return st.lists(action, max_size=2).map(lambda drawn: [
        _action(label, when, k, kind, types, directions) for k, (kind, types, directions) in enumerate(drawn)])


@st.composite
def recovery_plan_groups(draw: st.DrawFn, items: Sequence[str], *, max_boot_groups: int = MAX_PLAN_BOOT_GROUPS,
                         actions: bool = True, scripts: Sequence[str] = (), runbooks: Sequence[str] = ()
                         ) -> list[dict[str, Any]]:
    """``properties.groups`` of a plan over ``items`` (protected items' ARM ids) the service accepts;
    with ``actions``, manual ones and — given library paths ``scripts`` and runbook ids ``runbooks`` of
    the lab — recovery-site scripts and runbooks too."""
    if not items:
        raise ValueError("a recovery plan needs at least one protected item")
    kinds = st.one_of(st.just(("manual", "")), *(st.sampled_from([(what, target) for target in targets])
                                                  for what, targets in (("script", scripts), ("runbook", runbooks))
                                                  if targets))
    chosen = draw(st.lists(st.sampled_from(list(items)), min_size=1, max_size=min(len(items), 100), unique=True))
    count = draw(st.integers(1, min(len(chosen), max_boot_groups)))
    cuts = sorted(draw(st.lists(st.integers(1, len(chosen) - 1), min_size=count - 1, max_size=count - 1, unique=True))
                  ) if count > 1 else []
    bounds = [0, *cuts, len(chosen)]

    def group(group_type: str, label: str, members: Sequence[str]) -> dict[str, Any]:
        return {"groupType": group_type,
                "replicationProtectedItems": [{"id": item, "virtualMachineId": item.rsplit("/", 1)[-1]}
                                              for item in members],
                "startGroupActions": draw(_actions(label, "start", kinds)) if actions else [],
                "endGroupActions": draw(_actions(label, "end", kinds)) if actions else []}

    return [group("Shutdown", "Shutdown", []), group("Failover", "Failover", []),
            *(group("Boot", f"Group{k + 1}", chosen[bounds[k]:bounds[k + 1]]) for k in range(count))]


def network_maps(networks: Sequence[str], recovery: Sequence[str] | None = None
                 ) -> st.SearchStrategy[list[tuple[str, str]]]:
    """(primary network, recovery network) pairs: each of a non-empty subset of ``networks`` (in their
    order) mapped once, to one of ``recovery`` (default: the same names, as the lab builds its sites)."""
    targets = list(networks if recovery is None else recovery)
    if not networks or not targets:
        raise ValueError("a network mapping needs a primary and a recovery network")
    return st.lists(st.tuples(st.sampled_from(list(networks)), st.sampled_from(targets)), min_size=1,
                    max_size=len(networks), unique_by=lambda pair: pair[0]).map(
        lambda pairs: sorted(pairs, key=lambda pair: list(networks).index(pair[0])))


@dataclass(frozen=True)
class DRScenario:
    """A whole DR scenario: the drill ``scenario`` at ``seed``, its faults drawn from ``faults``
    (categories of ``drlab.experiments.categories``; none: a drill without faults)."""

    seed: int
    scenario: Scenario
    faults: tuple[str, ...] = ()

    def run(self) -> Drill:
        """Run the drill (``drlab.experiments.scenario.run_drill``): its lab is closed, its verdicts set."""
        from .experiments.scenario import run_drill
        return run_drill(self.seed, self.scenario, categories=self.faults)


@st.composite
def dr_scenarios(draw: st.DrawFn, *, categories: Sequence[str] | None = None, max_vms: int = 4,
                 max_groups: int = 3, max_hosts: int = 2) -> DRScenario:
    """A ``DRScenario`` the drill runs: 1–``max_vms`` VMs in 1–``max_groups`` boot groups on
    1–``max_hosts`` hosts a site, and 0–2 fault categories of ``categories`` (default: all)."""
    from .experiments.categories import CATEGORIES as REGISTERED
    from .experiments.scenario import Scenario
    names = list(REGISTERED if categories is None else categories)
    unknown = [name for name in names if name not in REGISTERED]
    if unknown:
        raise ValueError(f"fault categories are {', '.join(REGISTERED)}; got {', '.join(unknown)}")
    vms = draw(st.integers(1, max_vms))
    scenario = Scenario(vms=vms, groups=draw(st.integers(1, min(vms, max_groups))),
                        hosts_per_site=draw(st.integers(1, max_hosts)), small=True)
    faults = draw(st.lists(st.sampled_from(names), max_size=2, unique=True)) if names else []
    return DRScenario(draw(st.integers(0, 2**16)), scenario, tuple(faults))


def site_faults(lab: Lab, categories: Sequence[str] | None = None, *, heal_within: float = 3_600.0
                ) -> st.SearchStrategy[FaultRule]:
    """One fault rule of ``categories`` for ``lab``'s nodes, ending within ``heal_within`` s from now
    (default: every category the lab has nodes for, ``"vmware"`` only with a VMware site)."""
    if categories is None:
        categories = [name for name in FAULT_CATEGORIES if name != "vmware" or lab.vmware is not None]
    unknown = sorted(set(categories) - set(FAULT_CATEGORIES))
    if unknown or not categories:
        raise ValueError(f"fault categories are {', '.join(FAULT_CATEGORIES)}; got {list(categories)}")
    now = lab.now
    ends = st.floats(1.0, heal_within).map(lambda seconds: now + seconds)
    choices: list[st.SearchStrategy[FaultRule]] = []
    if "sites" in categories:
        choices.append(ends.map(lambda end: sites_partition(lab, end=end)))
    if "channel" in categories:
        vmms = [lab.sites[role].vmm.name for role in (Role.primary, Role.recovery)]
        actions = st.one_of(st.just(Partition()), st.just(Drop()),
                            st.builds(Delay, st.floats(0.0, 120.0), st.floats(0.0, 30.0)))
        choices.append(st.builds(lambda vmm, action, end: channel_fault(lab, vmm, action, end=end),
                                 st.sampled_from(vmms), actions, ends))
    choices.extend(catalogue_faults(lab, category, (now, now + heal_within)).map(lambda rules: rules[0])
                   for category in CATEGORIES if category in categories)
    if "vmware" in categories:
        choices.append(_vmware_faults(lab, ends))
    return st.one_of(choices)


def _vmware_faults(lab: Lab, ends: st.SearchStrategy[float]) -> st.SearchStrategy[FaultRule]:
    """The VMware site's replication link cut, or its configuration server's channel faulted (``ValueError``
    for a lab without one)."""
    site = lab.vmware
    if site is None:
        raise ValueError("the vmware fault category needs a lab with a VMware site (Lab.add_vmware_site)")
    link = Match(src=site.process_server.node.name, dst=site.master_target.node.name, port=REPLICATION_PORT,
                 bidirectional=True)
    actions = st.one_of(st.just(Partition()), st.just(Drop()),
                        st.builds(Delay, st.floats(0.0, 120.0), st.floats(0.0, 30.0)))
    return st.one_of(ends.map(lambda end: FaultRule(Partition(), link, end=end)),
                     st.builds(lambda action, end: channel_fault(lab, site.configuration_server.name, action, end=end),
                               actions, ends))


def catalogue_faults(lab: Lab, category: str, window: tuple[float, float]) -> st.SearchStrategy[list[FaultRule]]:
    """``fault_catalogue.rules_for(lab, category, rng, window)`` for a drawn, shrinkable ``rng``."""
    if category not in CATEGORIES:
        raise ValueError(f"catalogue categories are {', '.join(CATEGORIES)}; got {category!r}")
    return st.randoms(use_true_random=False).map(lambda rng: rules_for(lab, category, rng, window))
