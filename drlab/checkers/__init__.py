"""Invariant checkers over lab histories, Jepsen-style (DESIGN.md §Invariants): each reads a history
(and no live state) and returns a verdict naming the events that break a rule."""

from .ordering import RULES, Verdict, Violation, check_ordering

__all__ = ["RULES", "Verdict", "Violation", "check_ordering"]
