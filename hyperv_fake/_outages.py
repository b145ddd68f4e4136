"""A host crashing and rebooting, and a replica volume filling up: Outage rules on a Hyper-V host.

* ``hyperv.host`` (context ``node``: the host's name) — the host crashes: its running VMs are off,
  its cmdlets fail (the RPC server is unavailable) and it neither sends nor receives replication
  (its partners retry, §3.6). On reboot the VMs stay off (policy HOST_CRASH_EFFECTS) and every
  primary relationship it holds needs resynchronisation: its log "is not closed gracefully (host
  crash)" (§2.6) — Resynchronization Required, Critical, started automatically if the settings say
  so; the replicas it holds accept log again and their primaries catch up.
* ``hyperv.storage`` (context ``node``) — the host's replica storage is full: it cannot apply log,
  a recoverable error retried with the back-off ("low disk", §3.6), Critical while it lasts (§2.5:
  storage on either side); a long one passes the 50 % tracking-log rule and needs a resync (§2.6).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._enums import ReplicationState, VMState
from ._errors import Refusal, RefusalReason
from ._relationship import FAILED_OVER_STATES

if TYPE_CHECKING:
    from ._host import HyperVHost
    from ._link import Link

__all__ = ["HostOutages"]


class HostOutages:
    """Watches one host's crash and storage points."""

    def __init__(self, host: HyperVHost) -> None:
        self.host = host
        outages = host.fabric.sim.outages
        context = {"node": host.name}
        outages.watch("hyperv.host", context, down=self._crash, up=self._reboot)
        outages.watch("hyperv.storage", context, down=lambda: self._storage(full=True),
                      up=lambda: self._storage(full=False))

    def _links(self) -> list[Link]:
        return [link for link in self.host.fabric.links() if self.host.name in (link.src, link.dst)]

    def _crash(self) -> None:
        host = self.host
        host.record("hyperv.host.crash", "info", {})
        for vm in host.vms:
            if vm.state is VMState.Running:
                host.stop_vm(vm.name, turn_off=True)
        refusal = Refusal(RefusalReason.CONNECTION_TIMED_OUT, "primary", f"the host {host.fqdn} is not responding")
        for link in self._links():
            link.unreachable(refusal)
        host.crashed = True

    def _reboot(self) -> None:
        host = self.host
        host.crashed = False
        host.record("hyperv.host.reboot", "info", {})
        for link in self._links():
            link.unreachable(None)
            primary = link.primary
            if link.src == host.name and primary.state not in FAILED_OVER_STATES and primary.ships:
                primary.set_state(ReplicationState.WaitingForStartResynchronize,
                                  "the log was not closed gracefully: the host crashed (§2.6)")
                host.resync_required(primary, host.now)

    def _storage(self, *, full: bool) -> None:
        host = self.host
        host.record("hyperv.storage.full" if full else "hyperv.storage.freed", "info", {})
        refusal = Refusal(RefusalReason.INSUFFICIENT_DISK_SPACE, "replica",
                          f"there is not enough space on the replica storage of {host.fqdn}")
        for link in self._links():
            if link.dst == host.name:
                link.storage_full(refusal if full else None)
