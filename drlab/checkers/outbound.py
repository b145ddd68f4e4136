"""Outbound only (asr_emulator/channel/PROTOCOL.md §1, hyperv-scvmm.md §4): the on-premises agents
open every connection of the Provider channel; ASR never opens one to a site. Judged from the
history's ``net.connect`` events (simcore's network records each attempt, refused ones too): every
attempt that involves the ASR channel node has it as the destination, and none starts there."""

from __future__ import annotations

from collections.abc import Iterable

from simcore import Event

from ._verdict import Verdict, Violation

__all__ = ["outbound_only"]

_RULE = "outbound-only"


def outbound_only(history: Iterable[Event], *, asr: str = "asr") -> Verdict:
    """Judge every connection attempt of ``history`` against the ASR node named ``asr``."""
    attempts = [e for e in history if e.op == "net.connect" and e.phase.value == "invoke"
                and asr in (e.details.get("src"), e.details.get("dst"))]
    violations = tuple(
        Violation(_RULE, None, f"{asr} opened a connection to {e.details.get('dst')}:{e.details.get('port')}",
                  (e.index,))
        for e in attempts if e.details.get("src") == asr)
    return Verdict("outbound only", violations, len(attempts))
