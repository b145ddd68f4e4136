"""The kernel's error hierarchy: one base, one precise class per kind of misuse or failure.

Every error raised for bad input is raised *before* any state changes, so a caller that catches
it can carry on with the lab exactly as it was.
"""

from __future__ import annotations

__all__ = [
    "SimcoreError",
    "SchedulingError",
    "DeadlineExceeded",
    "UnknownNode",
    "NetworkConfigError",
    "FaultRuleError",
    "HistoryFormatError",
    "NetworkError",
    "ConnectionRefused",
    "ConnectTimeout",
    "ConnectionReset",
    "ConnectionClosed",
]


class SimcoreError(Exception):
    """Base of every error the kernel raises."""


class SchedulingError(SimcoreError, ValueError):
    """A callback was scheduled at an impossible time (in the past, negative delay, bad interval)."""


class DeadlineExceeded(SimcoreError, TimeoutError):
    """`run_until(predicate, within=...)` reached its virtual deadline with the predicate false."""


class UnknownNode(SimcoreError, KeyError):
    """A network operation named a node that was never added."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "unknown node"


class NetworkConfigError(SimcoreError, ValueError):
    """A node, address, listener or link was configured inconsistently (duplicate name, port in use)."""


class FaultRuleError(SimcoreError, ValueError):
    """A fault rule is malformed (probability outside [0, 1], empty window, unknown action)."""


class HistoryFormatError(SimcoreError, ValueError):
    """A history line could not be loaded, or an event's details are not JSON-representable."""


class NetworkError(SimcoreError, OSError):
    """A simulated socket failed; subclasses also derive from the matching builtin socket error."""


class ConnectionRefused(NetworkError, ConnectionRefusedError):
    """Nothing listens on the port, or a fault refuses the connection (a TCP RST to the SYN)."""


class ConnectTimeout(NetworkError, TimeoutError):
    """The target is unreachable (partitioned, or the SYN was dropped); raised at once, never a hang."""


class ConnectionReset(NetworkError, ConnectionResetError):
    """The connection was reset by a fault or by the peer."""


class ConnectionClosed(NetworkError, BrokenPipeError):
    """Sending on a connection that this side or the peer already closed."""
