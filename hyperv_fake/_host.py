"""``HyperVHost``: one Hyper-V host, its cmdlets gathered from the families that implement them."""

from __future__ import annotations

from ._failover_cmdlets import FailoverCmdlets
from ._measure_cmdlets import MeasureCmdlets
from ._network_cmdlets import NetworkCmdlets
from ._pause_cmdlets import PauseCmdlets
from ._server_cmdlets import ServerCmdlets
from ._vm_cmdlets import VMCmdlets

__all__ = ["HyperVHost"]


class HyperVHost(FailoverCmdlets, PauseCmdlets, MeasureCmdlets, ServerCmdlets, NetworkCmdlets, VMCmdlets):
    """A Hyper-V host on the simulated network: VMs, Replica server, replication and failover cmdlets.

    Create hosts with ``HyperVFabric.add_host``. Method names are the cmdlets' in snake_case
    (``Enable-VMReplication`` → ``enable_vm_replication``), parameters likewise.
    """

    def __repr__(self) -> str:
        return f"<HyperVHost {self.name} ({self.fqdn}) {self.os_version.name}>"
