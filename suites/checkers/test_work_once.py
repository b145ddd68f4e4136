"""``drlab.checkers.work_once`` (PROTOCOL.md §5.1): a work item executed twice at a Provider is a violation
naming both executions; a run cut short by the channel, a pending run, or the same id at two Providers is not."""

from __future__ import annotations

from drlab.checkers import work_once
from simcore import History


def _history(*events: tuple[str, str, dict[str, str]]) -> History:
    history = History()
    for node, phase, details in events:
        history.record(node, "provider.work", phase, details)
    return history


def test_a_second_execution_of_an_item_is_a_violation() -> None:
    verdict = work_once(_history(("vmm-ny", "invoke", {"item": "a", "kind": "Failover"}),
                                 ("vmm-ny", "ok", {"item": "a", "kind": "Failover"}),
                                 ("vmm-ny", "fail", {"item": "a", "kind": "Failover", "error": "already failed over"})))
    assert not verdict.ok
    (violation,) = verdict.violations
    assert (violation.rule, violation.events) == ("work-once", (1, 2))
    assert "ran work item a (Failover) 2 times" in violation.message


def test_channel_failures_pending_runs_and_other_providers_are_not_second_executions() -> None:
    verdict = work_once(_history(("vmm-ny", "fail", {"item": "a", "error": "channel"}),
                                 ("vmm-ny", "info", {"item": "a", "pending": "job running"}),
                                 ("vmm-ny", "ok", {"item": "a"}), ("vmm-chi", "ok", {"item": "b"}),
                                 ("vmm-chi", "fail", {"item": "c", "error": "refused"})))
    assert verdict.ok and verdict.checked == 3
