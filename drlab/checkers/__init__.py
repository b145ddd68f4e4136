"""Invariant checkers over a lab and its history, Jepsen-style: each returns a ``Verdict`` that
names the events violating its rule, so a failed property says what went wrong and when.

* ``data_loss`` — no failover gives its target a write its source did not make; a planned one loses
  no acknowledged write; optionally, no failover's recovery point is older than an RPO bound.
* ``ip_injection`` — every running VM that failed over holds, in its guest, exactly the addresses
  its failover injected: each in a pool of its site's VMM with the pool's mask and gateways, granted
  there, and held by no other running VM of the site.
"""

from ._verdict import Verdict, Violation
from .data_loss import data_loss
from .ip_injection import ip_injection

__all__ = ["Verdict", "Violation", "data_loss", "ip_injection"]
