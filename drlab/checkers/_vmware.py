"""The data and address promises of the VMware site's failovers (the InMage scenario), judged from each
``cs.failover`` event of the configuration server against the machines and the fault plan's past.

Data: a recovered VM holds exactly what its source had written by the recovery point (no write the
source did not make, none it made up to the point missing), the point is one the master target
could have received (no newer than what it held, and the link from the process server up at some
instant between the point and the failover: a partition the whole time means the data never
crossed it), and, with an RPO bound, replication had reached to within it (an older point chosen
on purpose, ``LatestTag`` or ``Custom``, is the operator's trade, not data lost). Addresses: a
running failover VM holds its source's addresses, and no two running VMs of one vCenter share one
(test failover VMs are judged among themselves, as VMM's are).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from simcore import Event
from vmware_fake import Machine
from vmware_fake.policy import REPLICATION_PORT

from ._verdict import Violation

if TYPE_CHECKING:
    from ..lab import Lab

__all__ = ["inmage_data_loss", "inmage_ip_injection"]


def _machines(lab: Lab) -> dict[str, Machine]:
    """Every machine of the lab's VMware site by id: the vCenters' VMs and the physical servers."""
    site = lab.vmware
    if site is None:
        return {}
    found: list[Machine] = [*site.primary.vms.values(), *site.secondary.vms.values(),
                            *site.configuration_server.physical_servers.values()]
    return {machine.id: machine for machine in found}


def inmage_data_loss(lab: Lab, rule: str, rpo_seconds: float | None) -> tuple[list[Violation], int]:
    """Violations of the data promise by the site's failovers, and how many were judged."""
    site = lab.vmware
    if site is None:  # no configuration server: no failover of its (and no scan of the history)
        return [], 0
    machines = _machines(lab)
    events = lab.history.select(op="cs.failover")
    found: list[Violation] = []
    for event in events:
        details, name = event.details, str(event.details["name"])
        source = machines.get(str(details["source"]))
        at, point = event.time, float(details["pointTime"])
        if source is not None:
            made, held = source.workload.written(point), int(details["lastWrite"])
            if held != made:
                what = "writes its source did not make" if held > made else "fewer writes than its point promised"
                found.append(Violation(rule, None, f"{details['recoveryVmName']} ({name}) holds {what}: "
                                                   f"{held}, its source had {made} by {point:g}", (event.index,)))
        if point > float(details["replicatedUntil"]):
            found.append(Violation(rule, None, f"{name} failed over to {point:g}, newer than its master target held "
                                               f"({details['replicatedUntil']:g})", (event.index,)))
        link = ({"src": details["processServer"], "dst": details["masterTarget"], "port": REPLICATION_PORT},)
        spans = site.configuration_server.protection.partitions.blocked(link, point, at, touching=False)
        if any(begin <= point and end > at for begin, end in spans):  # up again at its end: the heal drains
            found.append(Violation(rule, None, f"{name} failed over to {point:g}, which its master target cannot "
                                               f"hold: partitioned from its process server all along", (event.index,)))
        rpo = float(details["rpoSeconds"])
        if rpo_seconds is not None and rpo > rpo_seconds:
            found.append(Violation(rule, None, f"{name} failed over with replication {rpo:g} s behind "
                                               f"(bound {rpo_seconds:g} s)", (event.index,)))
    return found, len(events)


def _latest(lab: Lab) -> dict[str, Event]:
    """The failover event that made each VM (by id), the latest one if a VM was recovered onto twice."""
    return {str(e.details["recoveryVm"]): e for e in lab.history.select(op="cs.failover")}


def inmage_ip_injection(lab: Lab, rule: str) -> tuple[list[Violation], int]:
    """Violations of the address promise by the site's running VMs, and how many were judged."""
    site = lab.vmware
    if site is None:
        return [], 0
    made, machines = _latest(lab), _machines(lab)
    found: list[Violation] = []
    checked = 0
    for vcenter in (site.primary, site.secondary):
        holders: dict[tuple[bool, str], list[str]] = defaultdict(list)
        for vm in vcenter.vms.values():
            if not vm.powered_on:
                continue
            event = made.get(vm.id)
            test = event is not None and event.details["kind"] == "Test"
            for nic in vm.nics:
                if nic.ip_address:
                    holders[(test, nic.ip_address)].append(vm.name)
            if event is None:
                continue
            checked += 1
            source = machines.get(str(event.details["source"]))
            wanted = [nic.ip_address for nic in source.nics] if source is not None else event.details["addresses"]
            if [nic.ip_address for nic in vm.nics] != wanted:
                found.append(Violation(rule, None, f"{vm.name} on {vcenter.name} holds {[n.ip_address for n in vm.nics]}, "
                                                   f"not its source's {wanted}", (event.index,)))
        found += [Violation(rule, None, f"{', '.join(names)} all hold {address} on {vcenter.name}"
                            + (" (test failover VMs)" if test else "")) for (test, address), names in sorted(holders.items())
                  if len(names) > 1]
    return found, checked
