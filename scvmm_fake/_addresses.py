"""Address arithmetic for pools: parsing address sets and finding the lowest free address.

VMM writes an address set as ranges and singles, e.g. ``"10.0.0.25-10.0.0.35, 10.0.0.38"``
(``-IPAddressReservedSet``/``-VIPAddressSet``, §4 [D:VMM-NewSCStaticIPAddressPool]). Internally a
set is a sorted tuple of inclusive integer intervals, so membership and "next free" cost grows
with the number of intervals, never with the size of an IPv6 subnet.
"""

from __future__ import annotations

import bisect
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import InvalidParameter

__all__ = [
    "IPAddress", "IPNetwork", "AddressSet", "IntervalList", "parse_address", "parse_subnet", "lowest_free",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


_ADDRESS_TYPES = {4: ipaddress.IPv4Address, 6: ipaddress.IPv6Address}


def parse_address(text: str | IPAddress, what: str) -> IPAddress:
    """One IPv4 or IPv6 address, or ``InvalidParameter`` naming the parameter."""
    try:
        return ipaddress.ip_address(text)
    except ValueError as exc:
        raise InvalidParameter(f"{what}: {text!r} is not an IP address") from exc


def parse_subnet(text: str | IPNetwork, what: str) -> IPNetwork:
    """A subnet in CIDR notation with its host bits zero (VMM's ``-Subnet``), or ``InvalidParameter``."""
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        raise InvalidParameter(f"{what}: {text!r} is not a subnet in CIDR notation ({exc})") from exc


def _merge(intervals: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for first, last in sorted(intervals):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return tuple(merged)


@dataclass(frozen=True)
class AddressSet:
    """An immutable set of addresses of one IP version, as merged inclusive intervals."""

    version: int
    intervals: tuple[tuple[int, int], ...] = ()

    @classmethod
    def parse(cls, text: str | None, version: int, what: str) -> AddressSet:
        """Parse VMM's ``"a-b, c"`` notation; ``None`` or blank is the empty set."""
        intervals: list[tuple[int, int]] = []
        for item in (text or "").split(","):
            item = item.strip()
            if not item:
                continue
            first_text, _, last_text = item.partition("-")
            first = parse_address(first_text.strip(), what)
            last = parse_address(last_text.strip(), what) if last_text else first
            if first.version != version or last.version != version:
                raise InvalidParameter(f"{what}: {item!r} is not an IPv{version} address or range")
            if int(last) < int(first):
                raise InvalidParameter(f"{what}: range {item!r} ends before it starts")
            intervals.append((int(first), int(last)))
        return cls(version, _merge(intervals))

    @classmethod
    def of(cls, addresses: Iterable[IPAddress | int], version: int) -> AddressSet:
        return cls(version, _merge((int(a), int(a)) for a in addresses))

    def __contains__(self, address: object) -> bool:
        if not isinstance(address, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
            return False
        value = int(address)
        return address.version == self.version and any(f <= value <= l for f, l in self.intervals)

    def __len__(self) -> int:
        return sum(last - first + 1 for first, last in self.intervals)

    def overlaps(self, other: AddressSet) -> bool:
        return any(f <= ol and of <= l for f, l in self.intervals for of, ol in other.intervals)

    def within(self, first: IPAddress, last: IPAddress) -> bool:
        """True if every address of the set lies in ``first``..``last``."""
        return all(int(first) <= f and l <= int(last) for f, l in self.intervals)

    def union(self, other: AddressSet) -> AddressSet:
        return AddressSet(self.version, _merge(self.intervals + other.intervals))

    def __str__(self) -> str:
        make = _ADDRESS_TYPES[self.version]
        return ", ".join(
            str(make(f)) if f == l else f"{make(f)}-{make(l)}" for f, l in self.intervals
        )


def lowest_free(first: IPAddress, last: IPAddress, excluded: AddressSet) -> IPAddress | None:
    """The lowest address in ``first``..``last`` outside ``excluded``, or None if there is none."""
    candidate = int(first)
    for low, high in excluded.intervals:
        if high < candidate:
            continue
        if low > candidate:
            break
        candidate = high + 1
    if candidate > int(last):
        return None
    return type(first)(candidate)


class IntervalList:
    """A mutable set of integers kept as sorted, merged inclusive intervals: what a pool has taken.

    Adding or removing one address costs O(log k + k) for k intervals (a bisect and a list
    splice), not a sort of every address, so granting N addresses one by one stays O(N log N)
    overall; allocations from the lowest free address keep k small."""

    __slots__ = ("_lows", "_highs")

    def __init__(self) -> None:
        self._lows: list[int] = []
        self._highs: list[int] = []

    def add(self, value: int) -> None:
        """Add ``value`` (already present: nothing changes)."""
        lows, highs = self._lows, self._highs
        index = bisect.bisect_right(lows, value)  # intervals [0, index) start at or below value
        if index and highs[index - 1] >= value:
            return
        joins_left = index > 0 and highs[index - 1] == value - 1
        joins_right = index < len(lows) and lows[index] == value + 1
        if joins_left and joins_right:
            highs[index - 1] = highs[index]
            del lows[index], highs[index]
        elif joins_left:
            highs[index - 1] = value
        elif joins_right:
            lows[index] = value
        else:
            lows.insert(index, value)
            highs.insert(index, value)

    def discard(self, value: int) -> None:
        """Remove ``value`` (absent: nothing changes), splitting its interval if need be."""
        lows, highs = self._lows, self._highs
        index = bisect.bisect_right(lows, value) - 1
        if index < 0 or highs[index] < value:
            return
        low, high = lows[index], highs[index]
        if low == high:
            del lows[index], highs[index]
        elif value == low:
            lows[index] = value + 1
        elif value == high:
            highs[index] = value - 1
        else:
            highs[index] = value - 1
            lows.insert(index + 1, value + 1)
            highs.insert(index + 1, high)

    def as_set(self, version: int) -> AddressSet:
        """The addresses as an immutable ``AddressSet`` of IP ``version``."""
        return AddressSet(version, tuple(zip(self._lows, self._highs)))
