"""The simulated network: named nodes, listeners, connections and messages on the virtual clock.

Connections behave like TCP as far as the emulators can tell: the initiator is recorded, each
direction is FIFO, a partition holds messages (retransmission) and releases them in order when it
heals, and failures surface as typed socket errors at once — a partitioned ``connect`` raises
``ConnectTimeout`` instead of hanging. Faults come from the lab's ``FaultPlan`` at two points:
``net.connect`` and ``net.send`` (context keys ``src``, ``dst``, ``port``, ``conn``).
"""

from __future__ import annotations

import bisect
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._clock import Scheduler
from ._errors import (
    ConnectionClosed, ConnectionRefused, ConnectionReset, ConnectTimeout, NetworkConfigError, UnknownNode,
)
from ._faults import Delay, Drop, Duplicate, FaultPlan, FaultRule, Partition, Refuse, Reset
from ._history import History, Phase

__all__ = ["Node", "Endpoint", "Connection", "Network"]

#: One-way latency between two nodes unless ``set_latency`` says otherwise (1 ms, a LAN).
DEFAULT_LATENCY = 0.001

_CLOSE = object()  # in-band marker: the peer closed (a FIN travels behind the data)


@dataclass(frozen=True)
class Node:
    name: str
    address: str | None = None
    fqdn: str | None = None


class Endpoint:
    """One side of a connection. Set ``on_message``/``on_close`` or read ``inbox``."""

    def __init__(self, connection: Connection, node: str, peer: str) -> None:
        self.connection = connection
        self.node = node
        self.peer = peer
        self.on_message: Callable[[Any], None] | None = None
        self.on_close: Callable[[str], None] | None = None
        self.inbox: deque[Any] = deque()
        self.closed: str | None = None  # why: "closed", "peer closed", "reset"

    def send(self, payload: Any) -> None:
        """Queue ``payload`` for the peer; raises ``ConnectionClosed``/``ConnectionReset`` at once."""
        if self.closed == "reset":
            raise ConnectionReset(f"connection {self.connection.id} was reset")
        if self.closed is not None:
            raise ConnectionClosed(f"connection {self.connection.id} is {self.closed}")
        self.connection.network._send(self, payload)

    def close(self) -> None:
        """Close this side for sending (like ``shutdown(SHUT_WR)``): the peer sees
        ``on_close("peer closed")`` after the data already sent; what the peer sent still arrives."""
        if self.closed is None:
            self.closed = "closed"
            self.connection.network._send(self, _CLOSE)

    def _deliver(self, payload: Any) -> None:
        if payload is _CLOSE:
            if self.closed is None:
                self.closed = "peer closed"
                if self.on_close is not None:
                    self.on_close("peer closed")
            self.connection.network._closed(self.connection)
            return
        if self.closed is not None and self.closed != "closed":
            return
        if self.on_message is not None:
            self.on_message(payload)
        else:
            self.inbox.append(payload)

    def _reset(self) -> None:
        if self.closed not in (None, "closed"):
            return
        self.closed = "reset"
        if self.on_close is not None:
            self.on_close("reset")
        self.connection.network._closed(self.connection)


class Connection:
    """A connection opened by ``initiator`` to ``target``:``port``; ``client`` and ``server`` are its ends."""

    def __init__(self, network: Network, id: int, initiator: str, target: str, port: int) -> None:
        self.network = network
        self.id = id
        self.initiator = initiator
        self.target = target
        self.port = port
        self.client = Endpoint(self, initiator, target)
        self.server = Endpoint(self, target, initiator)

    def reset(self) -> None:
        """Reset both ends now (as a fault or a crash would)."""
        self.network._history.record(self.initiator, "net.reset", Phase.INFO, self._context())
        self.client._reset()
        self.server._reset()

    def _context(self) -> dict[str, Any]:
        return {"src": self.initiator, "dst": self.target, "port": self.port, "conn": self.id}

    def __repr__(self) -> str:
        return f"<Connection {self.id} {self.initiator} -> {self.target}:{self.port}>"


class _Direction:
    """One direction of one connection: send order, the last scheduled arrival, what a partition holds.

    ``held`` stays sorted by send sequence, so whatever a partition caught — sent into it, or caught
    in flight — drains in the order it was sent.
    """

    __slots__ = ("last_arrival", "sent", "held")

    def __init__(self) -> None:
        self.last_arrival = 0.0
        self.sent = 0
        self.held: list[tuple[int, Any]] = []

    def hold(self, seq: int, payload: Any) -> None:
        bisect.insort(self.held, (seq, payload), key=lambda item: item[0])


_EMPTY = _Direction()


class Network:
    """Nodes, listeners and connections, delivering through the scheduler under the fault plan."""

    def __init__(self, scheduler: Scheduler, history: History, faults: FaultPlan, rng: random.Random) -> None:
        self._scheduler = scheduler
        self._history = history
        self._faults = faults
        self._rng = rng
        self._nodes: dict[str, Node] = {}
        self._aliases: dict[str, str] = {}
        self._listeners: dict[tuple[str, int], Callable[[Endpoint], None]] = {}
        self._latency: dict[frozenset[str], float] = {}
        self._directions: dict[tuple[int, str], _Direction] = {}
        self._connections: dict[int, Connection] = {}  # open ones; a fully closed one is forgotten
        self.opened = 0  # connections ever opened: the last one's id
        self._generations: dict[str, int] = {}
        faults.on_heal(self._on_heal)

    # -- topology -----------------------------------------------------------------------------

    def add_node(self, name: str, *, address: str | None = None, fqdn: str | None = None) -> Node:
        names = [name] + [alias for alias in (address, fqdn) if alias]
        for alias in names:
            if alias.lower() in self._aliases:
                raise NetworkConfigError(f"{alias!r} already names node {self._aliases[alias.lower()]!r}")
        node = Node(name, address, fqdn)
        self._nodes[name] = node
        for alias in names:
            self._aliases[alias.lower()] = name
        return node

    def node(self, name_or_alias: str) -> Node:
        """The node named, or addressed, by ``name_or_alias`` (name, address or FQDN)."""
        name = self._aliases.get(name_or_alias.lower())
        if name is None:
            raise UnknownNode(f"no node named or addressed {name_or_alias!r}")
        return self._nodes[name]

    @property
    def nodes(self) -> tuple[Node, ...]:
        return tuple(self._nodes.values())

    @property
    def connections(self) -> tuple[Connection, ...]:
        """The connections not yet closed on both sides, oldest first."""
        return tuple(self._connections.values())

    def changed(self, node: str) -> None:
        """Note that what ``node`` serves changed: a client polling it may now hear something new.

        Servers call this on every change a poll could observe; clients that stood their polls
        down (``Scheduler.standings``) compare ``generation`` to know when to resume.
        """
        name = self.node(node).name
        self._generations[name] = self._generations.get(name, 0) + 1

    def generation(self, node: str) -> int:
        """How many changes ``node`` has announced with ``changed``."""
        return self._generations.get(self.node(node).name, 0)

    def set_latency(self, a: str, b: str, seconds: float) -> None:
        """One-way latency between ``a`` and ``b`` (both directions)."""
        if not seconds >= 0:
            raise NetworkConfigError(f"latency must be >= 0, got {seconds!r}")
        key = frozenset((self.node(a).name, self.node(b).name))
        self._latency[key] = seconds

    def latency(self, a: str, b: str) -> float:
        """The one-way latency between ``a`` and ``b`` (names, addresses or FQDNs)."""
        return self._latency.get(frozenset((self.node(a).name, self.node(b).name)), DEFAULT_LATENCY)

    def listen(self, node: str, port: int, accept: Callable[[Endpoint], None]) -> None:
        """Accept connections to ``node``:``port``; ``accept(server_endpoint)`` runs for each."""
        name = self.node(node).name
        if not 0 < port < 65536:
            raise NetworkConfigError(f"port must be within 1..65535, got {port!r}")
        if (name, port) in self._listeners:
            raise NetworkConfigError(f"{name}:{port} already has a listener")
        self._listeners[(name, port)] = accept

    def unlisten(self, node: str, port: int) -> None:
        name = self.node(node).name
        if self._listeners.pop((name, port), None) is None:
            raise NetworkConfigError(f"nothing listens on {name}:{port}")

    # -- connections --------------------------------------------------------------------------

    def connect(self, src: str, dst: str, port: int) -> Endpoint:
        """Open a connection from ``src`` to ``dst``:``port``; return the initiator's endpoint."""
        initiator, target = self.node(src).name, self.node(dst).name
        context = {"src": initiator, "dst": target, "port": port}
        self._history.record(initiator, "net.connect", Phase.INVOKE, context)
        if self._faults.blocks("net.connect", context) is not None:
            self._refuse(context, "unreachable")
            raise ConnectTimeout(f"connect to {dst}:{port} timed out: {target} is unreachable from {initiator}")
        action = self._faults.check("net.connect", context)
        if isinstance(action, (Drop, Partition)):
            self._refuse(context, "timed out")
            raise ConnectTimeout(f"connect to {dst}:{port} timed out")
        accept = self._listeners.get((target, port))
        if accept is None or isinstance(action, (Refuse, Reset)):
            self._refuse(context, "refused")
            raise ConnectionRefused(f"connection to {dst}:{port} refused")
        self.opened += 1
        connection = Connection(self, self.opened, initiator, target, port)
        self._connections[connection.id] = connection
        self._history.record(initiator, "net.connect", Phase.OK, {**context, "conn": connection.id})
        accept(connection.server)
        return connection.client

    def _refuse(self, context: dict[str, Any], why: str) -> None:
        self._history.record(context["src"], "net.connect", Phase.FAIL, {**context, "error": why})

    def _send(self, sender: Endpoint, payload: Any) -> None:
        connection = sender.connection
        receiver = connection.server if sender is connection.client else connection.client
        context = {"src": sender.node, "dst": receiver.node, "port": connection.port, "conn": connection.id}
        direction = self._direction(connection, sender.node)
        direction.sent += 1
        seq = direction.sent
        if direction.held or self._faults.blocks("net.send", context) is not None:
            direction.hold(seq, payload)
            return
        extra, copies = 0.0, 1
        if payload is not _CLOSE:
            action = self._faults.check("net.send", context)
            if isinstance(action, Drop):
                return
            if isinstance(action, Reset):
                connection.reset()
                raise ConnectionReset(f"connection {connection.id} reset")
            if isinstance(action, Delay):
                extra = action.seconds + (self._rng.uniform(0.0, action.jitter) if action.jitter else 0.0)
            elif isinstance(action, Duplicate):
                copies += action.copies
        arrival = max(self._scheduler.clock.now + self._latency_between(context) + extra, direction.last_arrival)
        direction.last_arrival = arrival
        for _ in range(copies):
            self._scheduler.call_at(arrival, self._arrive, direction, receiver, context, seq, payload, label="net.deliver")

    def _latency_between(self, context: dict[str, Any]) -> float:
        return self._latency.get(frozenset((context["src"], context["dst"])), DEFAULT_LATENCY)

    def _arrive(self, direction: _Direction, receiver: Endpoint, context: dict[str, Any], seq: int, payload: Any) -> None:
        if direction.held or self._faults.blocks("net.send", context) is not None:
            direction.hold(seq, payload)  # caught in flight by a partition: retransmitted after heal
            return
        receiver._deliver(payload)

    def _direction(self, connection: Connection, sender: str) -> _Direction:
        key = (connection.id, sender)
        direction = self._directions.get(key)
        if direction is None:
            direction = self._directions[key] = _Direction()
        return direction

    def _closed(self, connection: Connection) -> None:
        """Forget a connection once both ends are closed and nothing it carried is held, so a long
        run's memory follows the open connections, not every connection ever made."""
        if connection.client.closed is None or connection.server.closed is None:
            return
        keys = [(connection.id, connection.initiator), (connection.id, connection.target)]
        was_reset = "reset" in (connection.client.closed, connection.server.closed)
        if not was_reset and any(self._directions.get(key, _EMPTY).held for key in keys):
            return  # a FIN still held by a partition: forgotten when it drains
        for key in keys:
            self._directions.pop(key, None)
        self._connections.pop(connection.id, None)

    def _on_heal(self, rule: FaultRule) -> None:
        """A partition healed: each direction it held drains in order one latency from now."""
        if not isinstance(rule.action, Partition):
            return
        for (conn_id, sender), direction in self._directions.items():
            if direction.held:
                connection = self._connections[conn_id]
                receiver = connection.server if sender == connection.initiator else connection.client
                context = {"src": sender, "dst": receiver.node, "port": connection.port, "conn": conn_id}
                when = max(self._scheduler.clock.now + self._latency_between(context), direction.last_arrival)
                self._scheduler.call_at(when, self._drain, direction, receiver, context, label="net.drain")

    def _drain(self, direction: _Direction, receiver: Endpoint, context: dict[str, Any]) -> None:
        # Messages still in flight when the partition healed joined ``held`` on arrival, so the
        # drain delivers everything in the order it was sent.
        if self._faults.blocks("net.send", context) is not None:
            return
        direction.last_arrival = max(direction.last_arrival, self._scheduler.clock.now)
        held, direction.held = direction.held, []
        for _, payload in held:
            receiver._deliver(payload)
