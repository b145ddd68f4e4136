"""The VMM server: a node of the lab's network with its cmdlets, in-process and sans-IO."""

from __future__ import annotations

from simcore import Simulation

from ._cmdlets_accounts import AccountCmdlets
from ._cmdlets_cloud import CloudCmdlets
from ._cmdlets_fabric import FabricCmdlets
from ._cmdlets_network import NetworkCmdlets
from ._cmdlets_pairing import PairingCmdlets
from ._cmdlets_pools import PoolCmdlets
from ._cmdlets_failover import FailoverCmdlets
from ._cmdlets_recovery_point import RecoveryPointCmdlets
from ._cmdlets_failover_cancel import FailoverCancelCmdlets
from ._cmdlets_repair import RepairCmdlets
from ._cmdlets_replica_settings import ReplicaSettingsCmdlets
from ._cmdlets_scripts import ScriptCmdlets
from ._cmdlets_vm import VMCmdlets
from ._core import ServerCore
from ._hostgroups import ROOT_HOST_GROUP_NAME, HostGroup
from ._inventory import Inventory, take_inventory
from ._jobs import Job, JobStatus
from ._library import LibraryShare
from .policy import VmmPolicy

__all__ = ["VMMServer"]


class VMMServer(
    VMCmdlets, FabricCmdlets, AccountCmdlets, ScriptCmdlets, NetworkCmdlets, CloudCmdlets, RecoveryPointCmdlets,
    FailoverCmdlets, FailoverCancelCmdlets, ReplicaSettingsCmdlets, RepairCmdlets, PairingCmdlets, PoolCmdlets,
    ServerCore,
):
    """One VMM server (name, FQDN) on ``sim``'s network, with the root host group "All Hosts" and
    the default library share. Cmdlets are methods named as the VMM cmdlets in snake_case."""

    def __init__(
        self,
        sim: Simulation,
        name: str,
        *,
        fqdn: str | None = None,
        address: str | None = None,
        policy: VmmPolicy | None = None,
    ) -> None:
        super().__init__(sim, name, fqdn or name, policy or VmmPolicy())
        self.node = sim.network.add_node(name, address=address, fqdn=fqdn)
        self.root_host_group = self._add("HostGroup", HostGroup(self._new_id(), ROOT_HOST_GROUP_NAME))
        share = self.policy.default_library_share
        self._add("LibraryShare", LibraryShare(self._new_id(), share, f"\\\\{self.fqdn}\\{share}"))

    def __repr__(self) -> str:
        return f"VMMServer({self.name!r}, fqdn={self.fqdn!r})"

    # -- jobs -----------------------------------------------------------------------------------

    def get_sc_job(self, name: str | None = None, *, id: str | None = None, running: bool = False) -> list[Job]:
        """``Get-SCJob [-Name] [-ID] [-Running]``, oldest first."""
        def query() -> list[Job]:
            return [
                job for job in self._job_runner.jobs
                if (name is None or job.name.casefold() == name.casefold())
                and (id is None or job.id == id)
                and (not running or job.status is JobStatus.Running)
            ]
        return self._read("Get-SCJob", {"name": name, "id": id, "running": running}, query)

    def restart_sc_job(self, job: Job) -> object:
        """``Restart-SCJob``: rerun a failed job after validating its cmdlet again (§4)."""
        return self._runner.call("Restart-SCJob", {"job": job.id}, lambda: self._job_runner.restart(job))

    # -- what the ASR Provider reports ------------------------------------------------------------

    def dr_inventory(self) -> Inventory:
        """The clouds with ``DisasterRecoverySupported``, their VM networks and VMs (with their
        replication), and for paired clouds the pairings with their hosts' defects, as plain data in
        a deterministic order (§4). Not a cmdlet: what the Provider sends to ASR."""
        replication = self._replication_reports()
        return take_inventory(self.name, self.fqdn, self.sim.clock.now, self._all("Cloud"), self._all("VMNetwork"),
                              self._all("VirtualMachine"), self._all("StaticIPAddressPool"), replication=replication,
                              pairings=self._dr_pairings())
