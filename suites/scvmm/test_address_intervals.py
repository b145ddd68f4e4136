"""``IntervalList``, the pool's incremental record of taken addresses, always equals the set it
stands for: any sequence of adds and discards gives the intervals a fresh sort would give."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from scvmm_fake._addresses import AddressSet, IntervalList

OPERATIONS = st.lists(st.tuples(st.booleans(), st.integers(min_value=0, max_value=40)), max_size=200)


@given(OPERATIONS)
def test_intervals_follow_adds_and_discards(operations: list[tuple[bool, int]]) -> None:
    intervals, reference = IntervalList(), set()
    for adding, value in operations:
        if adding:
            intervals.add(value)
            reference.add(value)
        else:
            intervals.discard(value)
            reference.discard(value)
        assert intervals.as_set(4) == AddressSet.of(sorted(reference), 4)


def test_a_split_and_a_join() -> None:
    intervals = IntervalList()
    for value in (1, 2, 3, 5):
        intervals.add(value)
    assert intervals.as_set(4).intervals == ((1, 3), (5, 5))
    intervals.add(4)
    assert intervals.as_set(4).intervals == ((1, 5),)
    intervals.discard(3)
    assert intervals.as_set(4).intervals == ((1, 2), (4, 5))
