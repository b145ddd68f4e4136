"""Rolling a cancelled failover back on both VMM servers (hyperv-scvmm.md §3.3, §3.4, §5.6): what ASR
asks after a client cancelled a planned or unplanned failover job that was under way.

On the recovery server, a replica failed over and not committed (``FailedOverWaitingCompletion``) is
``Stop-VMFailover``-ed — Hyper-V turns it off and discards the failover ("cancel: ``Stop-VMFailover``
/ ``RevertFailover``") — its failover addresses go back to their pools and its adapters' failover
TCP/IP is cleared. On the primary server, a primary prepared for planned failover is
``Stop-VMFailover``-ed ("cancels that action and restarts replication, which allows you to start the
primary virtual machine") and, when the cancelled job had shut it down, started again. Each step looks
at what the hosts say, not at what ASR last heard, so it undoes work whose report never reached ASR,
and converges when run again.
"""

from __future__ import annotations

from typing import Any

from hyperv_fake import HyperVError, ReplicationState, VMState

from ._cmdlets_test_failover import TestFailoverCmdlets
from ._protection_record import flag, text
from ._vms import IPv4AddressType
from .errors import ReplicationFailed

__all__ = ["FailoverCancelCmdlets"]

#: How ``failover`` describes the addresses it grants ("failover of <VM>"): the grants a rollback returns.
_FAILOVER_GRANT = "failover of "


def _stop_failover(host: Any, vm_name: str) -> None:
    try:
        job = host.stop_vm_failover(vm_name)
    except HyperVError as error:
        raise ReplicationFailed(host.fqdn, "Stop-VMFailover", str(error)) from error
    if not job.succeeded:
        raise ReplicationFailed(host.fqdn, "Stop-VMFailover", str(job.error))


class FailoverCancelCmdlets(TestFailoverCmdlets):
    """``cancel_failover`` (recovery side) and ``cancel_failover_on_primary`` (not cmdlets: the
    Provider calls them)."""

    def cancel_failover(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Undo the failover of the replica of ``vmId``; ``{reverted, released}`` (whether Hyper-V had
        failed it over, the addresses returned to their pools)."""
        record = self._replica_record(text(payload, "vmId"))
        host, hv = record.vm_host.host, record.vm
        reverted = hv.replication is not None and hv.replication.state is ReplicationState.FailedOverWaitingCompletion
        if reverted:
            _stop_failover(host, hv.name)
        grants = []
        for vnic in record.virtual_network_adapters:
            if vnic.allocation is not None and vnic.allocation.description.startswith(_FAILOVER_GRANT):
                grants.append(vnic.allocation)
                vnic.allocation, vnic.ipv4_address_type = None, IPv4AddressType.Dynamic
        released = [str(grant.address) for grant in grants]
        for adapter in hv.adapters:
            if adapter.failover.ipv4_address is not None:
                host.set_vm_network_adapter_failover_configuration(hv.name, vm_network_adapter_name=adapter.name,
                                                                   clear_failover_ipv4_settings=True)
        self._release(grants)
        self._touch()
        self._record("vmm.failover.cancelled", {"vm": hv.name, "reverted": reverted, "released": released})
        return {"reverted": reverted, "released": released}

    def cancel_failover_on_primary(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Cancel the prepare of the primary ``vmmVmId`` and, with ``startVm``, start it again if it is
        off; ``{prepareCancelled, started}``."""
        vm = self._vm_with_id(text(payload, "vmmVmId"))
        host, hv = vm.vm_host.host, vm.vm
        prepared = hv.replication is not None and hv.replication.state is ReplicationState.PreparedForFailover
        if prepared:
            _stop_failover(host, hv.name)
        start = flag(payload, "startVm") and hv.state is VMState.Off
        if start:
            try:
                host.start_vm(hv.name)
            except HyperVError as error:
                raise ReplicationFailed(host.fqdn, "Start-VM", str(error)) from error
        self._touch()
        self._record("vmm.failover.cancelled", {"vm": vm.name, "side": "primary", "prepareCancelled": prepared,
                                                "started": start})
        return {"prepareCancelled": prepared, "started": start}
