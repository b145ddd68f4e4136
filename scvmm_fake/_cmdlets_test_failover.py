"""Test failover on the recovery VMM server, with IP injection from the test network's pool
(hyperv-scvmm.md §3.2, §5.5; asr-orchestration.md §A.4.3, §A.7).

``test_failover`` creates the test VM of a replica (Hyper-V ``Start-VMFailover -AsTest``) and starts
it. With a test VM network, each NIC gets an address from that network's static pool — the primary
NIC's own address when the pool holds it and it is free — granted in VMM and set as the replica
adapter's failover TCP/IP just before the test VM is created, so the guest boots with it (KVP);
without one the test VM is not connected. The replica's own failover settings are put back
afterwards: a test never changes what a real failover injects, and never takes a production
address. ``test_failover_cleanup`` stops the test VM and returns its addresses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from hyperv_fake import VM, HyperVError, ReplicationMode

from ._cmdlets_protection import ProtectionCmdlets
from ._ip_injection import IPInjection, failover_settings, primary_address
from ._pools import AllocatedIPAddress
from ._protection_record import text
from ._vms import VirtualMachine
from .errors import IPAddressError, InvalidParameter, ObjectNotFound, ReplicationFailed

__all__ = ["TestFailoverCmdlets"]


@dataclass
class _TestFailover:
    """A running test failover: its test VM and the addresses granted to it."""

    host: Any
    replica_name: str
    test_vm_name: str
    grants: list[AllocatedIPAddress] = field(default_factory=list)


class TestFailoverCmdlets(ProtectionCmdlets, IPInjection):
    """What ASR's ``TestFailover`` / ``TestFailoverCleanup`` jobs ask of the recovery server."""

    __test__ = False  # not a pytest class

    def _test_failovers(self) -> dict[str, _TestFailover]:
        state: dict[str, _TestFailover] = self.__dict__.setdefault("_running_test_failovers", {})
        return state

    def _replica_record(self, vm_id: str) -> VirtualMachine:
        self.reconcile_protection()
        placed = self._targets().get(vm_id)  # the replica this server registered is looked at first: no scan
        records = self._registry("VirtualMachine")
        replica_id = placed.replica_id if placed is not None else None
        known = [records[replica_id]] if replica_id is not None and replica_id in records else []
        for vm in chain(known, records.values()):
            rel = vm.vm.replication
            if vm.vm_id == vm_id and rel is not None and rel.mode is ReplicationMode.Replica:
                assert isinstance(vm, VirtualMachine)
                return vm
        raise ObjectNotFound(f"no replica of the virtual machine {vm_id!r} on {self.name}")

    def test_failover(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The test VM of the replica of ``vmId``, on ``vmNetworkId`` (a VM network of this server)
        or on no network; ``{testVmName, testVmId, networkConnectionStatus, nics}``."""
        vm_id = text(payload, "vmId")
        if vm_id in self._test_failovers():
            raise InvalidParameter(f"a test failover of {vm_id!r} is already running on {self.name}")
        record = self._replica_record(vm_id)
        network_id = payload.get("vmNetworkId")
        network = None
        if network_id is not None:
            network = self._registry("VMNetwork").get(str(network_id))
            if network is None:
                raise ObjectNotFound(f"no VM network with id {network_id!r} on {self.name}")
        host, hv = record.vm_host.host, record.vm
        primary_addresses = {str(nic.get("id")): list(nic.get("ipAddresses") or [])
                             for nic in payload.get("nics") or [] if isinstance(nic, dict)}
        running = _TestFailover(host, hv.name, "")
        saved = {adapter.name: adapter.failover for adapter in hv.adapters}
        nics: list[dict[str, Any]] = []
        try:
            for index, adapter in enumerate(hv.adapters):
                if network is None or not network.vm_subnets:
                    nics.append({"adapter": adapter.name, "vmNetworkId": None, "ipAddresses": []})
                    continue
                pool = self._pool_of(network)
                wanted = next(iter(primary_address(primary_addresses, index)), None)
                grant = self._grant(pool, wanted, f"test failover of {hv.name}")
                running.grants.append(grant)
                host.set_vm_network_adapter_failover_configuration(hv.name, vm_network_adapter_name=adapter.name,
                                                                   **failover_settings(pool, grant))
                nics.append({"adapter": adapter.name, "vmNetworkId": network.id, "ipAddresses": [str(grant.address)]})
            job = host.start_vm_failover(hv.name, as_test=True).wait()
            if not job.succeeded:
                raise ReplicationFailed(host.fqdn, "Start-VMFailover -AsTest", str(job.error))
            test_vm = job.result
            assert isinstance(test_vm, VM)
            running.test_vm_name = test_vm.name
            host.start_vm(test_vm.name)
        except (HyperVError, InvalidParameter, IPAddressError):
            self._release(running.grants)
            raise
        finally:
            for adapter in hv.adapters:
                adapter.failover = saved.get(adapter.name, adapter.failover)
        self._test_failovers()[vm_id] = running
        self._touch()
        connected = network is not None and bool(nics) and all(nic["ipAddresses"] for nic in nics)
        self._record("vmm.test-failover", {"vm": hv.name, "testVm": test_vm.name,
                                           "network": None if network is None else network.name,
                                           "addresses": [a for nic in nics for a in nic["ipAddresses"]]})
        return {"testVmName": test_vm.name, "testVmId": test_vm.id,
                "networkConnectionStatus": "Connected" if connected else "Disconnected", "nics": nics}

    def test_failover_cleanup(self, payload: dict[str, Any]) -> dict[str, Any]:
        """``Stop-VMFailover`` on the replica (the test VM goes) and its addresses back to the pool."""
        vm_id = text(payload, "vmId")
        running = self._test_failovers().pop(vm_id, None)
        if running is None:
            return {"cleaned": False}  # nothing left: cleaning up twice is done
        try:
            job = running.host.stop_vm_failover(running.replica_name).wait()
        except HyperVError as error:
            self._test_failovers()[vm_id] = running
            raise ReplicationFailed(running.host.fqdn, "Stop-VMFailover", str(error)) from error
        if not job.succeeded:
            self._test_failovers()[vm_id] = running
            raise ReplicationFailed(running.host.fqdn, "Stop-VMFailover", str(job.error))
        self._release(running.grants)
        self._touch()
        self._record("vmm.test-failover.cleanup", {"vm": running.replica_name, "testVm": running.test_vm_name})
        return {"cleaned": True}
