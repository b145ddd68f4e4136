"""Invariant checkers over a lab and its history, Jepsen-style (DESIGN.md, Invariants): each returns
a ``Verdict`` whose violations name the rule and the history events that break it.

* ``data_loss`` — no failover gives its target a write its source did not make; a planned one loses
  no acknowledged write; optionally, no failover's recovery point is older than an RPO bound.
* ``ip_injection`` — every running VM that failed over holds, in its guest, exactly the addresses
  its failover injected: each in a pool of its site's VMM with the pool's mask and gateways, granted
  there, and held by no other running VM of the site.
* ``check_ordering`` — recovery-plan jobs ran their groups in order (``RULES``: shutdown before
  failover, failover before boot, boot order, actions around their group, manual waits, planned
  stops at an error, unplanned completes); it reads the history alone.
* ``work_once`` — a Provider executes each work item at most once (a lost report is sent again,
  the work is not run again); it reads the history alone.
* ``outbound_only`` — every connection of the Provider channel is opened by an on-premises agent,
  never by ASR; it reads the history alone.
* ``certificate_trust`` — every chain a Hyper-V host (replication) or the Provider channel's either
  end accepted chained to a root the judge trusted, was valid then, not revoked, for the right usage
  and name; every refusal has a reason the record does not contradict; no request was acted on over
  a refused connection (``TRUST_RULES``); it reads the history alone.
* ``pairing_configured`` — every host of every paired cloud (hosts added later too) is configured
  for its pairing: Replica server, authentication and port, certificate, trust, authorization.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ._verdict import Verdict, Violation
from .certificate_trust import RULES as TRUST_RULES
from .certificate_trust import certificate_trust
from .data_loss import data_loss
from .ip_injection import ip_injection
from .ordering import RULES, check_ordering
from .outbound import outbound_only
from .pairing import pairing_configured
from .work_once import work_once

if TYPE_CHECKING:
    from ..lab import Lab

__all__ = ["Verdict", "Violation", "data_loss", "ip_injection", "RULES", "check_ordering", "work_once",
           "outbound_only", "pairing_configured", "TRUST_RULES", "certificate_trust", "JUDGES"]

#: Every checker as a judge of a lab after a run, by its name: those that read the history alone are
#: given the lab's (the marker's ``checks=`` and the drill's verdicts both judge through these).
JUDGES: dict[str, Callable[[Lab], Verdict]] = {
    "check_ordering": lambda lab: check_ordering(lab.history),
    "data_loss": data_loss,
    "ip_injection": ip_injection,
    "work_once": lambda lab: work_once(lab.history),
    "outbound_only": lambda lab: outbound_only(lab.history, asr=lab.service.channel.node),
    "pairing_configured": pairing_configured,
    "certificate_trust": lambda lab: certificate_trust(lab.history),
}
