"""The replication readings a VMM server reports for its DR clouds' VMs, kept between inventories.

A reading holds until its host says it moves (``ReplicationOutlook.next_change``) or the Hyper-V
fabric notes a move of that VM (``HyperVFabric.moved_since``); only those VMs are read from their
hosts again. So an inventory taken while one VM fails over reads one VM's replication, not every
VM's (a move the fabric cannot pin on one VM, or one too old to be kept, rereads them all).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hyperv_fake import VM, HyperVHost

from ._inventory_replication import InventoryReplication
from ._vms import VirtualMachine

__all__ = ["ReplicationReports"]


@dataclass(frozen=True)
class _Reading:
    host: HyperVHost
    vm: VM
    report: InventoryReplication | None  # None: the host has no replication for it
    next_change: float | None


class _FabricCursor:
    """The revision of one Hyper-V fabric as last read, and which VMs moved since."""

    def __init__(self, fabric: Any) -> None:
        self.fabric, self.revision = fabric, fabric.revision

    def moved(self) -> set[str] | None:
        found = self.fabric.moved_since(self.revision)
        self.revision = self.fabric.revision
        return None if found is None else set(found)


class ReplicationReports:
    """VMM id → the replication of each replicating VM of a DR cloud, read again only when it moved."""

    def __init__(self) -> None:
        self._readings: dict[str, _Reading] = {}
        self._cursors: list[_FabricCursor] = []
        self.due: float | None = None  # the earliest instant a kept reading moves by itself

    def _moves(self, vms: list[VirtualMachine]) -> dict[int, set[str] | None]:
        """The IDs of the VMs that moved (None: all may have) on each Hyper-V fabric ``vms`` live on,
        by the fabric's ``id()`` (looked up, never iterated)."""
        moves: dict[int, set[str] | None] = {}
        for vm in vms:
            fabric = vm.vm_host.host.fabric
            if id(fabric) in moves:
                continue
            cursor = next((c for c in self._cursors if c.fabric is fabric), None)
            if cursor is None:
                self._cursors.append(_FabricCursor(fabric))
            moves[id(fabric)] = None if cursor is None else cursor.moved()
        return moves

    def read(self, vms: Iterable[VirtualMachine], now: float) -> dict[str, InventoryReplication]:
        """The reports of ``vms`` (a VMM server's VMs of DR clouds that replicate), as of ``now``."""
        replicating = list(vms)
        moves = self._moves(replicating)
        kept: dict[str, _Reading] = {}
        reports: dict[str, InventoryReplication] = {}
        due: float | None = None
        for vm in replicating:
            host, hyperv_vm = vm.vm_host.host, vm.vm
            reading = self._readings.get(vm.id)
            moved = moves[id(host.fabric)]
            if (reading is None or reading.host is not host or reading.vm is not hyperv_vm or moved is None
                    or vm.vm_id in moved or (reading.next_change is not None and now >= reading.next_change)):
                outlook = host.replication_outlook(vm.vm_id)
                reading = _Reading(host, hyperv_vm, None if outlook is None else InventoryReplication.of(outlook),
                                   None if outlook is None else outlook.next_change)
            kept[vm.id] = reading
            if reading.report is not None:
                reports[vm.id] = reading.report
            if reading.next_change is not None and (due is None or reading.next_change < due):
                due = reading.next_change
        self._readings, self.due = kept, due
        return reports
