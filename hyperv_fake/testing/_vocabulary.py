"""The vocabulary of ``ReplicationMachine``: its argument strategies, the failover sequences a run
opens with, the kinds of failover it counts, and hypothesis ``note``/``event`` that also work when a
test drives the rules by hand."""

from __future__ import annotations

from typing import Any

from hypothesis import event, note
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

__all__ = ["ROLES", "REFUSED", "DELAYS", "PICKS", "UPTIMES", "LOSSES", "FIRE_DRILLS", "OPENINGS",
           "PLANNED", "UNPLANNED_LATEST", "UNPLANNED_OLDER", "TEST", "FAILOVERS", "note_step", "count_event"]

ROLES = st.sampled_from(["primary", "replica"])
REFUSED = object()
"""What ``_try`` returns for an operation that was refused."""
DELAYS = st.sampled_from([1.0, 30.0, 299.0, 3600.0, 6 * 3600.0, 30 * 3600.0])
PICKS = st.integers(min_value=0, max_value=3)
"""The recovery point a failover sequence chooses (``_pick``): a short run keeps a few."""
UPTIMES = st.sampled_from([2 * 3600.0, 5 * 3600.0, 30.0])
LOSSES = st.sampled_from(["partition", "shutdown"])
FIRE_DRILLS = st.fixed_dictionaries({"pick": PICKS, "keep": st.booleans()})
FAILOVER_SEQUENCES: st.SearchStrategy[tuple[str, dict[str, Any]]] = st.one_of(
    st.just(("planned_failover", {})),
    st.fixed_dictionaries({"uptime": UPTIMES, "loss": LOSSES, "pick": st.just(0), "cancel": st.booleans()})
    .map(lambda arguments: ("unplanned_failover", arguments)),
    st.fixed_dictionaries({"uptime": st.sampled_from([2 * 3600.0, 5 * 3600.0]), "loss": LOSSES,
                           "pick": st.integers(min_value=1, max_value=3), "cancel": st.booleans()})
    .map(lambda arguments: ("unplanned_failover", arguments)),
)
OPENINGS = st.tuples(st.none() | FIRE_DRILLS.map(lambda arguments: ("fire_drill", arguments)), FAILOVER_SEQUENCES) \
    .map(lambda steps: tuple(step for step in steps if step is not None))
"""How a protected run opens, as (rule name, arguments) steps: as a runbook does, a fire drill or not,
then a planned failover, an unplanned one to the latest point, or an unplanned one to an older point
after hours in which points were kept (if the run keeps any)."""

PLANNED = "planned failover"
UNPLANNED_LATEST = "unplanned failover to the latest point"
UNPLANNED_OLDER = "unplanned failover to an older point"
TEST = "test failover"
FAILOVERS = (PLANNED, UNPLANNED_LATEST, UNPLANNED_OLDER, TEST)
"""The kinds of successful failover that ``ReplicationMachine.failovers`` counts."""


def note_step(message: str) -> None:
    """``note`` inside a hypothesis run; nothing when a test drives the machine's rules by hand."""
    try:
        note(message)
    except InvalidArgument:
        pass


def count_event(value: str) -> None:
    """``event`` inside a hypothesis run; nothing when a test drives the machine's rules by hand."""
    try:
        event(value)
    except InvalidArgument:
        pass
