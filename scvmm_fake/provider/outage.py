"""The Provider crashing and coming back: an Outage at ``provider.process``, or its VMM server down.

The Provider runs inside the VMM service (§5.1), so an Outage at point ``provider.process`` or
``vmm.server`` (context ``node``: the VMM server's name) stops it: no poll, no heartbeat, no report —
the channel answers nothing. When the last such outage heals the service starts again as
``restart`` does: the persistent store (registration, certificate, results of executed work) is
kept, what was in memory is gone, and polling resumes if it was polling when it went down.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simcore import Phase

if TYPE_CHECKING:
    from .agent import AsrProvider

__all__ = ["ProviderOutage", "POINTS"]

POINTS = ("provider.process", "vmm.server")


class ProviderOutage:
    """Watches both points for one Provider; it is down while either holds."""

    def __init__(self, provider: AsrProvider) -> None:
        self._provider = provider
        self._out = 0
        self._was_running = False
        for point in POINTS:
            provider.sim.outages.watch(point, {"node": provider.vmm.name}, down=self._down, up=self._up)

    @property
    def down(self) -> bool:
        return self._out > 0

    def _down(self) -> None:
        self._out += 1
        if self._out == 1:
            provider = self._provider
            self._was_running = provider.running
            provider.sim.history.record(provider.vmm.name, "provider.crash", Phase.INFO,
                                        {"was_running": self._was_running})
            provider.stop()

    def _up(self) -> None:
        self._out -= 1
        if self._out == 0 and self._was_running and self._provider.registration is not None:
            self._provider.restart()
