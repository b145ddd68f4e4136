"""The data promise of every failover in a lab's history (hyperv-scvmm.md §3.3–3.4): the target never
holds a write its source did not make; a planned failover (the source shut down and prepared first)
loses none; and, with ``rpo_seconds``, no failover goes to a point older than that.

A failover is the target VMM's ``vmm.failover`` event: the recovery point's time, the RPO it
measured and what the failed-over VM holds, read from it once Hyper-V failed it over (``image``);
a planned one's source recorded what it had written when its final log went
(``vmm.failover.prepared``, ``image``). "No write the source did not make"
is judged against the source VM's data now, for every failover whose source has not taken data
from elsewhere since (a later failover onto it): a primary's data only grows. The VMware site's
failovers are judged alike (``_vmware``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hyperv_fake import DataImage
from simcore import Event

from ._verdict import Verdict, Violation
from ._vmware import inmage_data_loss

if TYPE_CHECKING:
    from ..lab import Lab

__all__ = ["data_loss"]

_RULE = "data-loss"


def _source_vm(lab: Lab, target_vmm: str, name: str) -> Any:
    """The Hyper-V VM ``name`` at the site whose VMM is not ``target_vmm``."""
    for site in lab.sites.values():
        if site.vmm.name != target_vmm:
            return next((vm for host in site.hosts for vm in host.vms if vm.name == name), None)
    return None


def data_loss(lab: Lab, *, rpo_seconds: float | None = None) -> Verdict:
    """Check every failover in ``lab``'s history (module docstring)."""
    violations: list[Violation] = []
    failovers = lab.history.select(op="vmm.failover")
    prepared: dict[tuple[str, str], Event] = {}  # (VMM, VM) -> its last prepare before the failover at hand
    events = lab.history.select(where=lambda e: e.op in ("vmm.failover", "vmm.failover.prepared"))
    for at, event in enumerate(events):
        name = str(event.details.get("vm"))
        if event.op == "vmm.failover.prepared":
            prepared[(event.node, name)] = event
            continue
        held = DataImage.described(event.details["image"])
        prepare = next((p for (vmm, vm), p in prepared.items() if vm == name and vmm != event.node), None)
        prepared = {key: p for key, p in prepared.items() if key[1] != name}  # used up by this failover
        overwritten = any(later.op == "vmm.failover" and later.node != event.node and later.details.get("vm") == name
                          for later in events[at + 1:])
        source = _source_vm(lab, event.node, name)
        if not overwritten and source is not None and not held.is_prefix_of(source.workload.image(lab.now)):
            violations.append(Violation(_RULE, None, f"{name} holds writes its source did not make "
                                               f"(held {held.describe()}, source {source.workload.image(lab.now).describe()})",
                                               (event.index,)))
        if prepare is not None and not event.details.get("changedFrom"):
            made = DataImage.described(prepare.details["image"])
            if not made.is_prefix_of(held):
                violations.append(Violation(_RULE, None, f"the planned failover of {name} lost writes "
                                                   f"{held.last + 1}..{made.last}", (prepare.index, event.index)))
        rpo = event.details.get("rpoSeconds")
        if rpo_seconds is not None and isinstance(rpo, (int, float)) and rpo > rpo_seconds:
            violations.append(Violation(_RULE, None, f"{name} failed over to a point {rpo:g} s old (bound {rpo_seconds:g} s)",
                                        (event.index,)))
    inmage, judged = inmage_data_loss(lab, _RULE, rpo_seconds)
    return Verdict("data loss", tuple(violations + inmage), len(failovers) + judged)
