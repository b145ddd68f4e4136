"""Host-name matching against certificate names (RFC 6125 subset).

Rules (case-insensitive, one trailing dot ignored):

* a pattern without ``*`` matches only the identical name;
* a wildcard is allowed only as the *entire first label* and must be followed
  by at least two labels: ``*.contoso.com`` matches ``hv1.contoso.com`` but not
  ``a.b.contoso.com`` nor ``contoso.com``; ``*.com``, ``h*.contoso.com`` and
  ``hv1.*.com`` never match anything;
* the expected name itself must be concrete (a ``*`` in it never matches);
* IP addresses compare by value, never by wildcard.
"""

from __future__ import annotations

import ipaddress

__all__ = ["hostname_matches", "parse_ip"]


def parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address ``text`` spells, or None if it is not one."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _labels(name: str) -> list[str] | None:
    name = name.lower()
    if name.endswith("."):
        name = name[:-1]
    labels = name.split(".")
    if not name or any(not label for label in labels):
        return None
    return labels


def hostname_matches(pattern: str, hostname: str) -> bool:
    """Does certificate name ``pattern`` cover the concrete ``hostname``?"""
    if not isinstance(pattern, str) or not isinstance(hostname, str):
        return False
    ip = parse_ip(hostname)
    if ip is not None:
        return parse_ip(pattern) == ip
    want = _labels(hostname)
    have = _labels(pattern)
    if want is None or have is None or any("*" in label for label in want):
        return False
    if "*" not in pattern:
        return have == want
    if have[0] != "*" or any("*" in label for label in have[1:]) or len(have) < 3:
        return False
    return len(want) == len(have) and want[1:] == have[1:]
