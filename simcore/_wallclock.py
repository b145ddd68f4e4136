"""Keep the wall clock of code under test in step with the lab's virtual clock, via freezegun.

Off by default (the emulators never read the wall clock); a caller that tests code calling
``datetime.now()`` or ``time.time()`` switches it on for a block::

    with follow_virtual_time(sim.clock):
        sim.advance(3600)          # datetime.now() inside callbacks sees the virtual instant

``real_asyncio=True`` keeps asyncio's loop on real monotonic time (freezegun #383/#437).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from freezegun import freeze_time

from ._clock import Clock

__all__ = ["follow_virtual_time"]


@contextmanager
def follow_virtual_time(clock: Clock) -> Iterator[None]:
    """Freeze the wall clock at the virtual instant and move it whenever the virtual clock moves."""
    with freeze_time(clock.utcnow(), real_asyncio=True) as frozen:
        stop = clock.watch(lambda _now: frozen.move_to(clock.utcnow()))
        try:
            yield
        finally:
            stop()
