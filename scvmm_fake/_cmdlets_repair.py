"""Repairing a VM's replication on the VMM server of its primary side: what ASR's
``RepairReplication`` job asks (hyperv-scvmm.md §2.3, §2.6).

A primary whose replication needs resynchronization ("Resynchronization required",
``WaitingForStartResynchronize``) or is in error is resynchronized with ``Resume-VMReplication
-Resynchronize`` on its host: tracking restarts, the disks are compared block by block and only the
differing blocks sent, the replica's recovery points are deleted; the relationship is
``Replicating`` again when Hyper-V's job ends. The operation answers only then (None while the job
runs: call again), and converges when run again: a primary that replicates already is left alone.
"""

from __future__ import annotations

from typing import Any

from hyperv_fake import HyperVError, HyperVJob, ReplicationMode, ReplicationState

from ._cmdlets_protection import ProtectionCmdlets
from ._protection_record import text
from ._vms import VirtualMachine
from .errors import ObjectNotFound, ReplicationFailed

__all__ = ["RepairCmdlets"]

_RESYNC = "Resume-VMReplication -Resynchronize"


class RepairCmdlets(ProtectionCmdlets):
    """``resynchronize_replication`` (not a cmdlet: the Provider calls it)."""

    def _resynchronizing(self) -> dict[str, HyperVJob]:
        """Hyper-V VM id → the resynchronization job started for it and not yet answered."""
        state: dict[str, HyperVJob] = self.__dict__.setdefault("_resynchronizing_jobs", {})
        return state

    def _primary_record(self, vm_id: str) -> VirtualMachine:
        """This server's VM that is the replication primary of the Hyper-V VM ``vm_id``."""
        for vm in self._all("VirtualMachine"):
            rel = vm.vm.replication
            if vm.vm_id == vm_id and rel is not None and rel.mode is ReplicationMode.Primary:
                assert isinstance(vm, VirtualMachine)
                return vm
        raise ObjectNotFound(f"no replication primary of the virtual machine {vm_id!r} on {self.name}")

    def resynchronize_replication(self, payload: dict[str, Any]) -> dict[str, Any] | None:
        """``Resume-VMReplication -Resynchronize`` of the primary of ``vmId``; ``{state}`` once its
        replication runs again, None while Hyper-V's job runs; ``ReplicationFailed`` if Hyper-V refused
        or the job failed."""
        vm_id = text(payload, "vmId")
        record = self._primary_record(vm_id)
        host, hv = record.vm_host.host, record.vm
        job = self._resynchronizing().get(vm_id)
        if job is not None:
            if not job.done:
                return None
            del self._resynchronizing()[vm_id]
            self._touch()
            if not job.succeeded:
                raise ReplicationFailed(host.fqdn, _RESYNC, str(job.error))
            self._record("vmm.replication.resynchronized", {"vm": hv.name})
        rel = hv.replication
        assert rel is not None
        before = rel.state
        if before is ReplicationState.Replicating:
            return {"state": before.value}
        try:
            job = host.resume_vm_replication(hv.name, resynchronize=True)
        except HyperVError as error:
            raise ReplicationFailed(host.fqdn, _RESYNC, str(error)) from error
        self._record("vmm.replication.resynchronize", {"vm": hv.name, "host": host.fqdn, "from": before.value})
        self._resynchronizing()[vm_id] = job
        return self.resynchronize_replication(payload) if job.done else None
