"""Hypothesis strategies for DR labs, each value valid by construction and shrinking towards a small lab:

* ``lab_topologies()`` — ``Lab`` keyword arguments: a seed, 1–3 hosts a site, primary clouds (each
  DR-flagged or not) with 0–3 VMs, one recovery cloud, and networks whose VMs' NICs sit on them.
* ``replication_policies()`` — ``providerSpecificInput`` bodies of Hyper-V Replica policies the
  service accepts (HyperVReplica2012R2 or 2012, ports, recovery points, app-consistent frequency,
  compression, authentication, initial replication over the network or offline).
* ``site_faults(lab)`` — fault rules of ``simcore`` by category (``"sites"``: the sites' hosts cut
  off from each other; ``"channel"``: a VMM server's channel to ASR partitioned, dropped or
  delayed; and every category of ``drlab.fault_catalogue``: network, api, identity, component,
  time, data), each healing by itself within ``heal_within`` virtual seconds of the lab's now.
* ``catalogue_faults(lab, category, window)`` — the catalogue's rules of one category within a window.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from simcore import Delay, Drop, FaultRule, Match, Partition

from ._lab.spec import CloudSpec, NetworkSpec, Role, VMSpec
from .fault_catalogue import CATEGORIES, rules_for

if TYPE_CHECKING:
    from .lab import Lab

__all__ = ["lab_topologies", "replication_policies", "site_faults", "catalogue_faults", "FAULT_CATEGORIES"]

FAULT_CATEGORIES = ("sites", "channel", *CATEGORIES)


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


def site_faults(lab: Lab, categories: Sequence[str] = FAULT_CATEGORIES, *, heal_within: float = 3_600.0
                ) -> st.SearchStrategy[FaultRule]:
    """One fault rule of ``categories`` for ``lab``'s nodes, ending within ``heal_within`` s from now."""
    unknown = sorted(set(categories) - set(FAULT_CATEGORIES))
    if unknown or not categories:
        raise ValueError(f"fault categories are {', '.join(FAULT_CATEGORIES)}; got {list(categories)}")
    now = lab.now
    ends = st.floats(1.0, heal_within).map(lambda seconds: now + seconds)
    choices: list[st.SearchStrategy[FaultRule]] = []
    if "sites" in categories:
        hosts = [tuple(h.name for h in lab.sites[role].hosts) for role in (Role.primary, Role.recovery)]
        choices.append(ends.map(lambda end: FaultRule(Partition(), Match(src=hosts[0], dst=hosts[1],
                                                                         bidirectional=True), end=end)))
    if "channel" in categories:
        vmms = [lab.sites[role].vmm.name for role in (Role.primary, Role.recovery)]
        asr = lab.service.channel.node
        actions = st.one_of(st.just(Partition()), st.just(Drop()),
                            st.builds(Delay, st.floats(0.0, 120.0), st.floats(0.0, 30.0)))
        choices.append(st.builds(
            lambda vmm, action, end: FaultRule(action, Match(point=None if isinstance(action, Partition) else "net.send",
                                                             src=vmm, dst=asr, bidirectional=True), end=end),
            st.sampled_from(vmms), actions, ends))
    choices.extend(catalogue_faults(lab, category, (now, now + heal_within)).map(lambda rules: rules[0])
                   for category in CATEGORIES if category in categories)
    return st.one_of(choices)


def catalogue_faults(lab: Lab, category: str, window: tuple[float, float]) -> st.SearchStrategy[list[FaultRule]]:
    """``fault_catalogue.rules_for(lab, category, rng, window)`` for a drawn, shrinkable ``rng``."""
    if category not in CATEGORIES:
        raise ValueError(f"catalogue categories are {', '.join(CATEGORIES)}; got {category!r}")
    return st.randoms(use_true_random=False).map(lambda rng: rules_for(lab, category, rng, window))
