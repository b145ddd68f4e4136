"""The fault categories a campaign draws from: ONE registry, name -> generator.

A generator is ``(lab, rng, window) -> list[FaultRule]``: the rules of one fault of its category for
``lab``'s nodes, drawn from ``rng`` (a ``random.Random`` seeded from the run's seed, so the same seed
draws the same rules) and active within ``window`` = (start, end) in the lab's virtual seconds.
A new category plugs in with one line in ``CATEGORIES``.

* ``sites`` — the two sites' hosts cut off from each other (replication traffic held) for a while;
* ``channel`` — one VMM server's channel to ASR partitioned, its messages dropped, or delayed
  (``drlab.strategies.site_faults`` draws the same rules for hypothesis);
* ``network``, ``api``, ``identity``, ``component``, ``time``, ``data`` — ``drlab.fault_catalogue``'s
  (its ``FAULTS.md`` says what each does), one rule of the category within the window.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from simcore import Action, Delay, Drop, FaultRule, Match, Partition

from .._lab.spec import Role
from ..fault_catalogue import rules_for

if TYPE_CHECKING:
    from ..lab import Lab

__all__ = ["Generator", "CATEGORIES", "generate", "sites_partition", "channel_fault", "UnknownCategory"]

Window = tuple[float, float]
Generator = Callable[["Lab", random.Random, Window], list[FaultRule]]

#: Policy: a drawn fault lasts 30 s to 10 min of virtual time (a WAN blip to an outage that outlives
#: a Provider's lease and a job's retries), its messages lost or delayed with one of these odds.
FAULT_SECONDS = (30.0, 600.0)
PROBABILITIES = (1.0, 0.5, 0.2)


class UnknownCategory(ValueError):
    """A category the registry does not have (the message lists those it has)."""


def sites_partition(lab: Lab, *, start: float | None = None, end: float | None = None) -> FaultRule:
    """The primary site's hosts and the recovery site's cut off from each other."""
    hosts = [tuple(h.name for h in lab.sites[role].hosts) for role in (Role.primary, Role.recovery)]
    return FaultRule(Partition(), Match(src=hosts[0], dst=hosts[1], bidirectional=True), start=start, end=end)


def channel_fault(lab: Lab, vmm: str, action: Action, *, probability: float = 1.0, start: float | None = None,
                  end: float | None = None) -> FaultRule:
    """``action`` on the channel between the VMM server ``vmm`` and ASR, both ways."""
    point = None if isinstance(action, Partition) else "net.send"
    return FaultRule(action, Match(point=point, src=vmm, dst=lab.service.channel.node, bidirectional=True),
                     probability=probability, start=start, end=end)


def _span(rng: random.Random, window: Window) -> tuple[float, float]:
    """A fault's (start, end) inside ``window``: it starts in the window and lasts ``FAULT_SECONDS``."""
    first, last = window
    start = round(rng.uniform(first, last), 3)
    return start, min(round(start + rng.uniform(*FAULT_SECONDS), 3), max(last, start + 1.0))


def _sites(lab: Lab, rng: random.Random, window: Window) -> list[FaultRule]:
    start, end = _span(rng, window)
    return [sites_partition(lab, start=start, end=end)]


def _channel(lab: Lab, rng: random.Random, window: Window) -> list[FaultRule]:
    vmm = rng.choice([lab.sites[role].vmm.name for role in (Role.primary, Role.recovery)])
    kind = rng.choice(("partition", "drop", "delay"))
    start, end = _span(rng, window)
    if kind == "partition":
        return [channel_fault(lab, vmm, Partition(), start=start, end=end)]
    action: Action = Drop() if kind == "drop" else Delay(round(rng.uniform(0.0, 120.0), 3), round(rng.uniform(0.0, 30.0), 3))
    return [channel_fault(lab, vmm, action, probability=rng.choice(PROBABILITIES), start=start, end=end)]


def _catalogue(category: str) -> Generator:
    """The catalogue's rules of ``category`` as a registry generator."""
    return lambda lab, rng, window: rules_for(lab, category, rng, window)


CATEGORIES: dict[str, Generator] = {
    "sites": _sites,
    "channel": _channel,
    "network": _catalogue("network"),
    "api": _catalogue("api"),
    "identity": _catalogue("identity"),
    "component": _catalogue("component"),
    "time": _catalogue("time"),
    "data": _catalogue("data"),
}


def check_categories(names: Sequence[str]) -> tuple[str, ...]:
    """``names`` as a tuple, every one a category of the registry (else ``UnknownCategory``)."""
    unknown = [name for name in names if name not in CATEGORIES]
    if unknown or not names:
        raise UnknownCategory(f"fault categories are {', '.join(CATEGORIES)}; got {', '.join(names) or 'none'}")
    return tuple(names)


def generate(lab: Lab, categories: Sequence[str], rng: random.Random, window: Window, *,
             most: int = 3) -> list[FaultRule]:
    """One to ``most`` faults, each of a category drawn from ``categories``, inside ``window``."""
    rules: list[FaultRule] = []
    for _ in range(rng.randint(1, most)):
        rules += CATEGORIES[rng.choice(check_categories(categories))](lab, rng, window)
    return rules
