"""The fault catalogue: fault rules of every category for a lab, valid by construction, from a seeded draw.

``rules_for(lab, category, rng, window)`` returns rules naming that lab's nodes, each in force within
the virtual-time ``window`` (start, end) and healing by itself by its end, drawn from ``rng`` only —
the same lab, category, seed and window give the same rules. Every rule is honoured at a point of
a component (see each module for what it does there):

* ``network`` — partition, drop, delay, duplicate or reset on the Provider channel (``net.send``,
  VMM server ↔ ASR) or on Hyper-V replication traffic (``hyperv_fake._traffic``), or the sites cut off;
* ``api`` — ARM's front door (``asr_emulator.front_door``): 429 with Retry-After, 503, 500, slow,
  the request dropped or the answer lost;
* ``identity`` — a certificate judged expired, revoked or untrusted (``pki.validate``), a
  registration key refused as expired (``asr.registration``), the proxy's credentials changed;
* ``component`` — the Provider crashed, a VMM server down, a host crashed, replica storage full
  (``Outage`` rules);
* ``time`` — a node's clock skewed or jumped forward (``Skew``, point ``clock``);
* ``data`` — a replication log lost at the replica, duplicated, or corrupt on apply (``hyperv.log``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from simcore import (
    Action, Corrupt, Delay, Drop, Duplicate, Fail, FaultRule, Match, Outage, Partition, Reset, Respond, Skew,
)

from ._lab.spec import Role

if TYPE_CHECKING:
    from .lab import Lab

__all__ = ["CATEGORIES", "rules_for"]

CATEGORIES = ("network", "api", "identity", "component", "time", "data")

#: Per-check probability of an event fault (drop, delay, ...): most messages still get through, so
#: a run under faults makes progress; states (partitions, outages, skews) hold for their window.
EVENT_PROBABILITY = 0.3

_OPERATIONS = (None, "ReplicationJobs_Get", "ReplicationProtectedItems_Get", "ReplicationRecoveryPlans_Get",
               "OperationResults_Get", "OperationStatus_Get")


def _span(rng: random.Random, window: tuple[float, float]) -> tuple[float, float]:
    start, end = window
    begin = rng.uniform(start, start + (end - start) / 2)
    return begin, rng.uniform(begin + (end - begin) / 10, end)


def _hosts(lab: Lab, role: Role) -> tuple[str, ...]:
    return tuple(host.name for host in lab.sites[role].hosts)


def _vmms(lab: Lab) -> list[str]:
    return [lab.sites[role].vmm.name for role in Role]


def _network(lab: Lab, rng: random.Random) -> tuple[Action, Match, bool]:
    """(action, match, is a state) for one network fault."""
    action = rng.choice([Partition(), Drop(), Delay(rng.uniform(1.0, 90.0), rng.uniform(0.0, 10.0)),
                         Duplicate(rng.randint(1, 2)), Reset()])
    where = rng.choice(["channel", "replication", "sites"])
    primary, recovery = _hosts(lab, Role.primary), _hosts(lab, Role.recovery)
    if where == "sites":
        return Partition(), Match(src=primary, dst=recovery, bidirectional=True), True
    if isinstance(action, Partition):
        if where == "channel":
            return action, Match(src=rng.choice(_vmms(lab)), dst=lab.service.channel.node, bidirectional=True), True
        return action, Match(src=primary, dst=recovery, bidirectional=True), True
    if where == "channel":
        return action, Match(point="net.send", src=rng.choice(_vmms(lab)), dst=lab.service.channel.node,
                             bidirectional=True), False
    return action, Match(point="net.send", src=primary, dst=recovery, where={"traffic": "replication"}), False


def _api(lab: Lab, rng: random.Random) -> tuple[Action, Match, bool]:
    action = rng.choice([Respond(429, "TooManyRequests", "The request was throttled.", retry_after=rng.randint(1, 60)),
                         Respond(503, "ServiceUnavailable", "The service is temporarily unavailable."),
                         Respond(500, "InternalServerError", "An internal server error occurred."),
                         Delay(rng.uniform(1.0, 60.0)), Drop(), Reset()])
    operation = rng.choice(_OPERATIONS)
    where = {} if operation is None else {"operation": operation}
    if isinstance(action, (Drop, Reset)):  # only reads: a client retries those (azure-core's method list)
        where = {"method": "GET", **where}
    return action, Match(point="arm.request", where=where), False


def _identity(lab: Lab, rng: random.Random) -> tuple[Action, Match, bool]:
    kind = rng.choice(["replication", "channel", "key"] + (["proxy"] if lab.proxy is not None else []))
    reason = rng.choice(["EXPIRED", "REVOKED", "UNTRUSTED_ROOT"])
    if kind == "replication":
        node = rng.choice(_hosts(lab, Role.primary) + _hosts(lab, Role.recovery))
        return Fail(reason, "injected"), Match(point="pki.validate", where={"node": node, "use": "replication"}), True
    if kind == "channel":
        node = rng.choice([*_vmms(lab), lab.service.channel.node])
        return Fail(reason, "injected"), Match(point="pki.validate", where={"node": node, "use": "channel"}), True
    if kind == "key":
        return Fail("RegistrationKeyExpired", "injected"), Match(point="asr.registration"), True
    return Fail("CredentialsChanged", "injected"), Match(point="proxy.auth"), True


def _component(lab: Lab, rng: random.Random) -> tuple[Action, Match, bool]:
    point = rng.choice(["provider.process", "vmm.server", "hyperv.host", "hyperv.storage"])
    if point in ("provider.process", "vmm.server"):
        node = rng.choice(_vmms(lab))
    elif point == "hyperv.host":
        node = rng.choice(_hosts(lab, Role.primary) + _hosts(lab, Role.recovery))
    else:
        node = rng.choice(_hosts(lab, Role.recovery))
    return Outage(), Match(point=point, where={"node": node}), True


def _time(lab: Lab, rng: random.Random) -> tuple[Action, Match, bool]:
    node = rng.choice([*_hosts(lab, Role.primary), *_hosts(lab, Role.recovery), *_vmms(lab),
                       lab.service.channel.node])
    seconds = rng.choice([rng.uniform(-900.0, 900.0), rng.uniform(3600.0, 30 * 86400.0)])  # a skew, a jump
    return Skew(seconds), Match(point="clock", where={"node": node}), True


def _data(lab: Lab, rng: random.Random) -> tuple[Action, Match, bool]:
    action = rng.choice([Drop(), Duplicate(), Corrupt()])
    return action, Match(point="hyperv.log", src=_hosts(lab, Role.primary), dst=_hosts(lab, Role.recovery)), False


_MAKERS: dict[str, Callable[[Lab, random.Random], tuple[Action, Match, bool]]] = {
    "network": _network, "api": _api, "identity": _identity, "component": _component, "time": _time,
    "data": _data,
}


def rules_for(lab: Lab, category: str, rng: random.Random, window: tuple[float, float]) -> list[FaultRule]:
    """One rule of ``category`` for ``lab``, in force within ``window`` and healing by its end.

    Raises ``ValueError`` for an unknown category or a window that is empty or already over."""
    maker = _MAKERS.get(category)
    if maker is None:
        raise ValueError(f"fault categories are {', '.join(CATEGORIES)}; got {category!r}")
    start, end = window
    if not (end > start and end > lab.now):
        raise ValueError(f"the window ({start!r}, {end!r}) must be non-empty and end after now ({lab.now!r})")
    begin, finish = _span(rng, (max(start, lab.now), end))
    action, match, state = maker(lab, rng)
    data = category == "data"  # one log lost, duplicated or corrupt: its effect (a resync) is the point
    return [FaultRule(action, match, probability=1.0 if state or data else EVENT_PROBABILITY,
                      count=1 if data else None, start=begin, end=finish, name=f"{category}-{rng.getrandbits(32):08x}")]
