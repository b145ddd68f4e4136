"""The simulated network: initiators, partitions, exactly-once delivery after heal, typed failures."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simcore import (
    ConnectionClosed, ConnectionRefused, ConnectionReset, ConnectTimeout, Delay, Drop, Duplicate, FaultRule, Match,
    NetworkConfigError, Partition, Refuse, Reset, Simulation, UnknownNode,
)

NODES = ("hv1", "hv2", "vmm")


def _lab(seed: int = 0) -> tuple[Simulation, dict[str, list[tuple[float, str, object]]]]:
    """Three nodes, each listening on 443 and logging (time, sender, payload) of what arrives."""
    sim = Simulation(seed)
    received: dict[str, list[tuple[float, str, object]]] = {n: [] for n in NODES}
    for i, name in enumerate(NODES, start=1):
        sim.network.add_node(name, address=f"10.0.0.{i}", fqdn=f"{name}.contoso.com")

        def accept(server, name=name):
            server.on_message = lambda payload, server=server: received[name].append((sim.clock.now, server.peer, payload))

        sim.network.listen(name, 443, accept)
    return sim, received


def test_connections_record_their_initiator_and_resolve_names() -> None:
    sim, received = _lab()
    client = sim.network.connect("vmm", "hv1.contoso.com", 443)
    other = sim.network.connect("hv2", "10.0.0.3", 443)
    assert (client.connection.initiator, client.connection.target) == ("vmm", "hv1")
    assert (other.connection.initiator, other.connection.target) == ("hv2", "vmm")
    opened = sim.history.select(op="net.connect", phase="ok")
    assert [(e.details["src"], e.details["dst"]) for e in opened] == [("vmm", "hv1"), ("hv2", "vmm")]


def test_messages_arrive_after_latency_in_order_and_replies_flow_back() -> None:
    sim, received = _lab()
    sim.network.set_latency("hv1", "hv2", 0.25)
    client = sim.network.connect("hv1", "hv2", 443)
    replies: list[object] = []
    client.on_message = replies.append
    for i in range(5):
        client.send(i)
    sim.advance(0.2)
    assert received["hv2"] == []
    sim.advance(0.1)
    assert [p for _, _, p in received["hv2"]] == [0, 1, 2, 3, 4]
    assert {t for t, _, _ in received["hv2"]} == {0.25}


# A generated scenario: messages on several connections, partitions (one or both ways) starting
# and healing at generated instants, and the invariants checked from the receivers' logs.
DIRECTIONS = [(a, b) for a in NODES for b in NODES if a != b]
instants = st.integers(0, 120).map(lambda half_seconds: half_seconds / 2)
partition_spec = st.tuples(st.sampled_from(DIRECTIONS), st.booleans(), instants, st.integers(1, 40).map(float))


@st.composite
def partition_scenarios(draw: st.DrawFn) -> tuple[list, list]:
    """Partitions, plus sends at random and sends aimed into each partition's window."""
    partitions = draw(st.lists(partition_spec, min_size=1, max_size=4))
    plan = draw(st.lists(st.tuples(st.sampled_from(DIRECTIONS), instants), max_size=20))
    for (src, dst), both, start, length in partitions:
        inside = st.floats(start, start + length, exclude_max=True)
        ways = [(src, dst), (dst, src)] if both else [(src, dst)]
        plan += draw(st.lists(st.tuples(st.sampled_from(ways), inside), max_size=4))
    return partitions, plan


@given(partition_scenarios(), st.integers(0, 2**16))
def test_no_message_crosses_an_active_partition_and_all_arrive_exactly_once_after_heal(
    scenario: tuple[list, list], seed: int,
) -> None:
    partitions, plan = scenario
    sim, received = _lab(seed)
    # every link is open before the first partition: what a partition catches must be held
    links = {(a, b): sim.network.connect(a, b, 443) for a in NODES for b in NODES if a != b}
    windows = []
    for (src, dst), both, start, length in partitions:
        rule = FaultRule(Partition(), Match(src=src, dst=dst, bidirectional=both), start=start, end=start + length)
        sim.faults.add(rule)
        windows.append(rule)
    sent: list[tuple[str, str, int]] = []

    def send(src: str, dst: str, tag: int) -> None:
        links[(src, dst)].send(tag)
        sent.append((src, dst, tag))

    for tag, ((src, dst), at) in enumerate(plan):
        sim.scheduler.call_at(at, send, src, dst, tag)
    sim.run_until_idle()

    arrivals = [(t, sender, node, tag) for node, log in received.items() for t, sender, tag in log]
    for t, sender, node, _ in arrivals:
        for rule in windows:
            m = rule.match
            blocked = (sender, node) == (m.src, m.dst) or (m.bidirectional and (node, sender) == (m.src, m.dst))
            assert not (blocked and rule.start <= t < rule.end), f"a message crossed {rule.describe()} at t={t}"
    assert sorted(tag for *_, tag in arrivals) == sorted(tag for *_, tag in sent), "lost or duplicated"
    for (src, dst) in links:
        tags_in_order = [tag for s, d, tag in sent if (s, d) == (src, dst)]
        assert [tag for _, s, tag in received[dst] if s == src] == tags_in_order, "a connection reordered"


def test_a_one_way_partition_blocks_one_direction_only() -> None:
    sim, received = _lab()
    sim.network.connect("hv1", "hv2", 443)  # open before the partition
    client = sim.network.connect("hv1", "hv2", 443)
    replies: list[object] = []
    client.on_message = replies.append
    server = sim.network.connections[-1].server
    sim.faults.add(FaultRule(Partition(), Match(src="hv1", dst="hv2"), name="one-way"))
    client.send("request")
    server.send("push")
    sim.advance(10)
    assert received["hv2"] == [] and replies == ["push"]
    with pytest.raises(ConnectTimeout):
        sim.network.connect("hv1", "hv2", 443)
    sim.network.connect("hv2", "hv1", 443)  # the other way is open
    sim.faults.heal("one-way")
    sim.advance(1)
    assert [p for _, _, p in received["hv2"]] == ["request"]


def test_drop_duplicate_and_delay_faults() -> None:
    sim, received = _lab()
    client = sim.network.connect("hv1", "hv2", 443)
    sim.faults.add(FaultRule(Drop(), Match(point="net.send"), count=1))
    sim.faults.add(FaultRule(Duplicate(2), Match(point="net.send"), count=1))
    sim.faults.add(FaultRule(Delay(5.0), Match(point="net.send")))
    for payload in ("lost", "thrice", "late"):
        client.send(payload)
    sim.run_until_idle()
    assert [(t, p) for t, _, p in received["hv2"]] == [(0.001, "thrice")] * 3 + [(5.001, "late")]
    fired = [e.details["action"] for e in sim.history.select(op="fault.fire")]
    assert fired == ["drop", "duplicate", "delay"]


def test_probability_is_drawn_from_the_lab_seed() -> None:
    def delivered(seed: int) -> list[object]:
        sim, received = _lab(seed)
        client = sim.network.connect("hv1", "hv2", 443)
        sim.faults.add(FaultRule(Drop(), Match(point="net.send"), probability=0.5))
        for i in range(64):
            client.send(i)
        sim.run_until_idle()
        return [p for _, _, p in received["hv2"]]

    assert delivered(1) == delivered(1)
    assert delivered(1) != delivered(2)
    assert 10 < len(delivered(1)) < 54


def test_reset_and_refuse_fail_like_sockets() -> None:
    sim, received = _lab()
    client = sim.network.connect("hv1", "hv2", 443)
    closes: list[str] = []
    client.on_close = closes.append
    sim.faults.add(FaultRule(Reset(), Match(point="net.send"), count=1))
    with pytest.raises(ConnectionReset):
        client.send("x")
    assert closes == ["reset"]
    with pytest.raises(ConnectionReset):
        client.send("y")
    sim.faults.add(FaultRule(Refuse(), Match(point="net.connect", dst="hv2"), count=1))
    with pytest.raises(ConnectionRefused):
        sim.network.connect("hv1", "hv2", 443)
    with pytest.raises(ConnectionRefused):
        sim.network.connect("hv1", "hv2", 8080)  # nothing listens there
    assert isinstance(ConnectionRefused("x"), ConnectionRefusedError)


def test_close_travels_behind_the_data() -> None:
    sim, received = _lab()
    client = sim.network.connect("hv1", "hv2", 443)
    server = sim.network.connections[-1].server
    closes: list[str] = []
    server.on_close = closes.append
    client.send("last words")
    client.close()
    with pytest.raises(ConnectionClosed):
        client.send("after close")
    sim.run_until_idle()
    assert [p for _, _, p in received["hv2"]] == ["last words"] and closes == ["peer closed"]


def test_bad_topology_input_raises_and_changes_nothing() -> None:
    sim, _ = _lab()
    before = (sim.network.nodes, len(sim.history), sim.network.connections)
    with pytest.raises(UnknownNode, match="nowhere"):
        sim.network.connect("hv1", "nowhere", 443)
    with pytest.raises(UnknownNode):
        sim.network.connect("ghost", "hv1", 443)
    with pytest.raises(NetworkConfigError):
        sim.network.add_node("hv4", fqdn="HV1.contoso.com")  # FQDNs are case-insensitive
    with pytest.raises(NetworkConfigError):
        sim.network.listen("hv1", 443, lambda server: None)
    with pytest.raises(NetworkConfigError):
        sim.network.listen("hv1", 70000, lambda server: None)
    with pytest.raises(UnknownNode):
        sim.network.set_latency("hv1", "ghost", 1)
    assert (sim.network.nodes, len(sim.history), sim.network.connections) == before


def test_latency_is_readable_by_any_name_of_a_node() -> None:
    sim, _ = _lab()
    sim.network.set_latency("hv1", "hv2.contoso.com", 0.05)
    assert sim.network.latency("10.0.0.2", "hv1") == 0.05
    assert sim.network.latency("hv1", "vmm") == 0.001


def test_closed_connections_are_forgotten_so_memory_follows_open_ones() -> None:
    sim, received = _lab()
    for i in range(50):
        client = sim.network.connect("hv1", "hv2", 443)
        client.send(i)
        client.close()
        sim.advance(1)
    still_open = sim.network.connect("hv1", "vmm", 443)
    reset = sim.network.connect("hv2", "vmm", 443)
    reset.connection.reset()
    assert sim.network.connections == (still_open.connection,)
    assert len(sim.network._directions) <= 2
    assert [p for _, _, p in received["hv2"]] == list(range(50))
    assert sim.network.opened == 52 and still_open.connection.id == 51
