"""The invariants of Hyper-V Replica as a plain function over a fabric (DESIGN "Invariants").

* modes agree: the two sides of a relationship are Primary and Replica; their states agree
  (checked when no exchange is in flight, since the real product is also briefly inconsistent);
* at most one test replica per replica VM, and it is the one the replica knows (§3.2);
* recovery points are ordered, hourly, and no more than ``RecoveryHistory`` (§2.8);
* a replica never holds a write its primary did not make (its latest state and every point are
  prefixes of what the primary wrote).
"""

from __future__ import annotations

from collections import Counter

from .._enums import ReplicationMode, ReplicationState
from .._fabric import HyperVFabric
from .._points import RECOVERY_POINT_INTERVAL
from .._relationship import FAILED_OVER_STATES, INITIAL_REPLICATION_STATES, Relationship

__all__ = ["InvariantViolation", "check_relationship", "check_fabric"]


class InvariantViolation(AssertionError):
    """An invariant of Hyper-V Replica does not hold; the message names it and the VM."""


def _fail(rule: str, rel: Relationship, detail: str) -> None:
    where = f"{rel.vm.name} on {rel.vm.host.name} ({rel.mode.value}, {rel.state.value})"
    raise InvariantViolation(f"{rule}: {where}: {detail}")


def _quiescent(rel: Relationship) -> bool:
    busy = rel.vm.busy
    return rel.transfer is None and rel.ir_timer is None and (busy is None or busy.done)


def check_relationship(replica: Relationship) -> None:
    """Check one replica relationship and, if it is linked, the primary it is linked to."""
    if replica.mode is not ReplicationMode.Replica:
        _fail("mode", replica, "not a replica")
    _check_points(replica)
    _check_test_replica(replica)
    link = replica.link
    if link is None:
        return
    primary = link.primary
    link.settle()
    if primary.mode is not ReplicationMode.Primary or primary.link is not link:
        _fail("modes agree", primary, "the replica's primary is not a linked Primary")
    if replica.state is not ReplicationState.WaitingForInitialReplication:
        written = primary.vm.workload.image(link.fabric.sim.clock.now)
        for image, what in [(replica.applied, "latest state"), *((p.image, p.name) for p in replica.recovery_points())]:
            if not image.is_prefix_of(written):
                _fail("no write the primary did not make", replica, f"{what} holds {image.describe()} but the "
                      f"primary wrote {written.describe()}")
    if _quiescent(primary) and _quiescent(replica):
        _check_states(primary, replica)


def _check_states(primary: Relationship, replica: Relationship) -> None:
    pre_ir = primary.state in INITIAL_REPLICATION_STATES
    if replica.state is ReplicationState.WaitingForInitialReplication and primary.initial_replication_done:
        _fail("states agree", replica, f"waits for initial replication its primary completed ({primary.state.value})")
    if pre_ir and replica.state is not ReplicationState.WaitingForInitialReplication:
        _fail("states agree", replica, f"its primary is still {primary.state.value}")
    if primary.state is ReplicationState.PreparedForFailover and not (
            replica.planned_ready or replica.state in FAILED_OVER_STATES):
        _fail("states agree", replica, "its primary is prepared but it holds no planned point")


def _check_points(rel: Relationship) -> None:
    points = [point for point in rel.recovery_points() if not point.latest]
    if len(points) > rel.settings.recovery_history:
        _fail("retention", rel, f"{len(points)} points kept, RecoveryHistory is {rel.settings.recovery_history}")
    for earlier, later in zip(points, points[1:]):
        if not earlier.time < later.time or not earlier.image.is_prefix_of(later.image):
            _fail("points ordered", rel, f"{earlier.describe()} then {later.describe()}")
    if points and rel.points_anchor is not None:
        for point in points:
            hours = (point.time - rel.points_anchor) / RECOVERY_POINT_INTERVAL
            if abs(hours - round(hours)) > 1e-6:
                _fail("points hourly", rel, f"point at {point.time} is not on the hour of {rel.points_anchor}")
    latest = rel.latest_point()
    if points and latest is not None and not points[-1].image.is_prefix_of(latest.image):
        _fail("points ordered", rel, "an additional point is newer than the latest point")


def _check_test_replica(rel: Relationship) -> None:
    tests = [vm for vm in rel.vm.host.vms if vm.replication_mode is ReplicationMode.TestReplica]
    counts = Counter(vm.name for vm in tests)
    if any(count > 1 for count in counts.values()):
        _fail("one test replica", rel, f"test VMs {sorted(counts.elements())}")
    if rel.test_vm is not None and rel.test_vm not in tests:
        _fail("one test replica", rel, "its test VM is gone from the host")


def check_fabric(fabric: HyperVFabric) -> None:
    """Every replica relationship of every host in ``fabric``."""
    for host in fabric.hosts:
        for vm in host.vms:
            if vm.replication is not None and vm.replication.mode is ReplicationMode.Replica:
                check_relationship(vm.replication)
