"""A checker's verdict: the rule it checked and every violation, each naming its event."""

from __future__ import annotations

from dataclasses import dataclass

from simcore import Event

__all__ = ["Verdict", "Violation"]


@dataclass(frozen=True)
class Violation:
    """One breach of a rule: the event it shows in (None for a breach of the lab's state) and why."""

    event: Event | None
    reason: str

    def __str__(self) -> str:
        where = "" if self.event is None else f"event {self.event.index} ({self.event.op} at t={self.event.time:g}s): "
        return where + self.reason


@dataclass(frozen=True)
class Verdict:
    """``ok`` when ``violations`` is empty; ``str()`` lists them, one a line, for an assertion message."""

    rule: str
    violations: tuple[Violation, ...] = ()
    checked: int = 0  # how many events (or objects) the rule was checked on

    @property
    def ok(self) -> bool:
        return not self.violations

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        if self.ok:
            return f"{self.rule}: ok ({self.checked} checked)"
        return "\n".join([f"{self.rule}: {len(self.violations)} violation(s) in {self.checked} checked",
                          *(f"  {violation}" for violation in self.violations)])
