"""The faults the ASR-level machines inject between their operations: a VMM server's channel to ASR
cut both ways (healed inside the next operation, before ASR gives up on the work it waits for, or
when time passes) and a Provider restart."""

from __future__ import annotations

from simcore import FaultRule, Match, Partition

from .._lab.spec import Role
from ..lab import Lab

__all__ = ["SiteFaults", "SITE_FAULTS"]

SITE_FAULTS = ("primary channel cut", "recovery channel cut", "primary Provider restarts", "recovery Provider restarts")


class SiteFaults:
    """A mixin for a machine with ``self.lab``: ``_site_fault(name)`` for a name of ``SITE_FAULTS``,
    ``channel_cut`` the cut in force (one at a time), ``_heal_channel()`` its end."""

    lab: Lab
    channel_cut: FaultRule | None = None

    def _site_fault(self, fault: str) -> None:
        site = Role.primary if fault.startswith("primary") else Role.recovery
        if fault.endswith("channel cut") and self.channel_cut is None:
            self.channel_cut = self.lab.faults.add(FaultRule(Partition(), Match(
                src=self.lab.sites[site].vmm.name, dst=self.lab.service.channel.node, bidirectional=True)))
        elif fault.endswith("restarts"):
            self.lab.providers[site].restart()

    def _heal_channel(self) -> None:
        if self.channel_cut is not None:
            self.lab.faults.heal(self.channel_cut)
            self.channel_cut = None
