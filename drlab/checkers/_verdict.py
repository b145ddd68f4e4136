"""A checker's verdict: the rules it checked and every violation, each naming its events."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Verdict", "Violation"]


@dataclass(frozen=True)
class Violation:
    """One broken rule: which, in which job (where the rule is per job), why, and the history
    indexes of the events involved (none for a breach of the lab's state as it stands)."""

    rule: str
    job: str | None
    message: str
    events: tuple[int, ...] = ()

    def __str__(self) -> str:
        where = "" if self.job is None else f" job {self.job}"
        seen = f" (events {', '.join(map(str, self.events))})" if self.events else ""
        return f"[{self.rule}]{where}: {self.message}{seen}"


@dataclass(frozen=True)
class Verdict:
    """``ok`` (and true) when ``violations`` is empty; ``checked``: how many failovers, VMs or jobs
    the checker judged; ``str()`` lists the violations, one a line, for an assertion message."""

    checker: str
    violations: tuple[Violation, ...] = ()
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.violations

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        if self.ok:
            return f"{self.checker} ok ({self.checked} checked)"
        return f"{self.checker} violated:\n" + "\n".join(f"  {v}" for v in self.violations)
