"""``ReplicationMachine``: a hypothesis state machine over one VM replicated between two hosts.

Rules mix every replication operation, the workload, virtual time and network partitions. Each
operation is aimed at a *role* — the host where the VM is primary, or where it is the replica —
so that runs go deep; wrong-host and wrong-state calls still happen (a role with no such host
falls back to a host that holds no relationship) and are covered exhaustively by the
state × operation table. A refused operation must change nothing; the invariants of
``check_fabric`` hold after every step; and every failover is checked for data loss where it
happens: planned loses no write, unplanned loses only writes after its point, a test failover
holds its point.

Short runs (the CI profile: 25 examples of 20 steps, many of them narrowed by hypothesis's swarm
testing to a handful of rules) must still reach those checks, so:

* most runs start protected, most of those with recovery points already kept, and open with a
  failover sequence, a fire drill first or not (``start``'s ``opening``);
* composite rules run the sequences an administrator runs — §3.3 planned (``planned_failover``),
  §3.4 unplanned after losing the primary (``unplanned_failover``), §3.2 test (``fire_drill``) —
  after bringing the pair back to failover-ready with ordinary, checked operations (``_ready``);
* the single operations stay, so wrong-state and wrong-host refusals still happen.

Each successful failover is counted in ``failovers`` by kind and reported as a hypothesis
``event`` (see ``pytest --hypothesis-show-statistics``).

Reuse it as zarr users reuse ``zarr.testing``::

    from hyperv_fake.testing import ReplicationMachine
    TestReplication = ReplicationMachine.TestCase
"""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from simcore import FaultRule, Match, Partition
from simcore.pki import CertificateAuthority

from .._enums import ReplicationMode, ReplicationState, VMState
from .._errors import HyperVError
from .._host import HyperVHost
from .._image import DataImage
from .._jobs import HyperVJob
from .._points import RecoveryPoint
from .._relationship import Relationship
from ._invariants import check_fabric
from ._lab import GiB, ReplicaPair
from ._vocabulary import (
    DELAYS, FAILOVERS, LOSSES, OPENINGS, PICKS, PLANNED, REFUSED, ROLES, TEST, UNPLANNED_LATEST, UNPLANNED_OLDER,
    UPTIMES, count_event, note_step,
)

__all__ = ["ReplicationMachine"]

class ReplicationMachine(RuleBasedStateMachine):
    """One VM ("app"), two hosts, every operation; see the module docstring."""

    VM = "app"
    FAILOVERS: ClassVar[tuple[str, ...]] = FAILOVERS
    _ca: ClassVar[CertificateAuthority | None] = None

    def __init__(self) -> None:
        super().__init__()
        if ReplicationMachine._ca is None:  # one CA per process: key generation is the slow part
            ReplicationMachine._ca = CertificateAuthority.root("ReplicationMachine Root CA")
        self.lab = ReplicaPair.build(ca=ReplicationMachine._ca)
        self.sim = self.lab.sim
        self.hosts = (self.lab.primary, self.lab.replica)
        self.lab.add_vm(self.VM, disk_bytes=GiB, writes_per_second=5.0)
        self.partition: FaultRule | None = None
        self.prepared: DataImage | None = None  # what the primary held when -Prepare completed
        self.failovers: Counter[str] = Counter()  # successful failovers by kind (FAILOVERS)

    @initialize(protected=st.sampled_from([True, True, True, False]), history=st.sampled_from([3, 24, 2, 0]),
                warmup=st.sampled_from([3 * 3600.0, 0.0, 7 * 3600.0]), opening=OPENINGS)
    def start(self, protected: bool, history: int, warmup: float = 0.0,
              opening: tuple[tuple[str, dict[str, Any]], ...] = ()) -> None:
        """Most runs (``protected``) start from a replicating VM that has kept ``warmup`` seconds of recovery
        points and open with a failover sequence, so that even a run whose rules hypothesis narrowed to
        a few (swarm testing) reaches failover and its checks; the rest start unprotected."""
        if protected:
            self.lab.protect(self.VM, replication_frequency_sec=30, recovery_history=history)
            self.sim.advance(warmup)
            for name, arguments in opening:
                getattr(self, name)(**arguments)

    # -- helpers ---------------------------------------------------------------------------------------

    def _host(self, role: str) -> HyperVHost:
        """The host where the VM has ``role``; else one where it has no relationship; else the first."""
        mode = ReplicationMode.Primary if role == "primary" else ReplicationMode.Replica
        for wanted in (mode, ReplicationMode.None_):
            for host in self.hosts:
                vm = host.find_vm(self.VM)
                if vm is not None and vm.replication_mode is wanted:
                    return host
        return self.hosts[0]

    def _other(self, host: HyperVHost) -> HyperVHost:
        return self.hosts[1] if host is self.hosts[0] else self.hosts[0]

    def _relationship(self, host: HyperVHost) -> Relationship | None:
        vm = host.find_vm(self.VM)
        return vm.replication if vm is not None else None

    def _protected(self) -> bool:
        """Whether the VM has a replication relationship on either host."""
        return any(self._relationship(host) is not None for host in self.hosts)

    def _pick(self, host: HyperVHost, pick: int) -> tuple[list[RecoveryPoint], RecoveryPoint | None]:
        """``host``'s recovery points (oldest first, the latest last), and the one ``pick`` names: ``pick``
        points before the latest, or the oldest if there are fewer; None for the latest itself."""
        points = host.get_vm_snapshot(self.VM) if host.find_vm(self.VM) is not None else []
        back = min(pick, len(points) - 1)
        return points, points[-1 - back] if back > 0 else None

    def _reached(self, kind: str) -> None:
        self.failovers[kind] += 1
        count_event(kind)

    def _snapshot(self) -> list[Any]:
        check_fabric(self.lab.fabric)  # settles everything, so a refused call has nothing left to catch up
        now = self.sim.clock.now
        out: list[Any] = []
        for host in self.hosts:
            for vm in host.vms:
                rel = vm.replication
                out.append((host.name, vm.name, vm.state, vm.replication_mode, vm.workload.image(now),
                            None if rel is None else (rel.state, tuple(rel.points), rel.applied, rel.test_vm is None)))
        return out

    def _try(self, label: str, call: Any) -> Any:
        """Run an operation and wait for its job; if refused, nothing may have changed."""
        before = self._snapshot()
        try:
            result = call()
        except HyperVError as error:
            note_step(f"{label}: refused {error.return_code.name}: {error}")
            assert self._snapshot() == before, f"{label} was refused ({error}) but changed state"
            return REFUSED
        if isinstance(result, HyperVJob) and not result.done:
            self.sim.run_until(lambda: result.done, within=600.0)
        note_step(f"{label}: {result!r} {getattr(result, 'error', None) or ''}")
        return result

    # -- replication operations ------------------------------------------------------------------------

    @rule(frequency=st.sampled_from([30, 300, 900]), history=st.sampled_from([0, 2, 24]), vss=st.sampled_from([0, 1]))
    def enable(self, frequency: int, history: int, vss: int) -> None:
        host = self._host("primary")
        self._try(f"enable on {host.name}", lambda: self.lab.enable(
            self.VM, host=host, replication_frequency_sec=frequency, recovery_history=history,
            vss_snapshot_frequency_hour=vss if history else 0))

    @rule(history=st.sampled_from([3, 0, 24]))
    def start_over(self, history: int) -> None:
        """From wherever the run is: remove replication and protect the VM again (``_start_over``)."""
        self._start_over(history)

    @rule(role=ROLES)
    def start_initial_replication(self, role: str) -> None:
        host = self._host(role)
        self._try(f"start IR on {host.name}", lambda: host.start_vm_initial_replication(self.VM))

    @rule()
    def stop_initial_replication(self) -> None:
        host = self._host("primary")
        self._try(f"stop IR on {host.name}", lambda: host.stop_vm_initial_replication(self.VM))

    @rule(role=ROLES)
    def suspend(self, role: str) -> None:
        host = self._host(role)
        self._try(f"suspend on {host.name}", lambda: host.suspend_vm_replication(self.VM))

    @rule(role=ROLES, resynchronize=st.booleans())
    def resume(self, role: str, resynchronize: bool) -> None:
        host = self._host(role)
        self._try(f"resume on {host.name}", lambda: host.resume_vm_replication(self.VM, resynchronize=resynchronize))

    @rule()
    def cancel_resync(self) -> None:
        host = self._host("primary")
        self._try(f"stop replication on {host.name}", lambda: host.stop_vm_replication(self.VM))

    @rule(role=ROLES)
    def remove(self, role: str) -> None:
        host = self._host(role)
        self._try(f"remove on {host.name}", lambda: host.remove_vm_replication(self.VM))

    # -- failover ----------------------------------------------------------------------------------------

    @rule()
    def prepare(self) -> None:
        host = self._host("primary")
        job = self._try(f"prepare on {host.name}", lambda: host.start_vm_failover(self.VM, prepare=True))
        if job is not REFUSED and job.succeeded:
            self.prepared = host.get_vm(self.VM).workload.image(self.sim.clock.now)

    @rule(pick=st.integers(min_value=0, max_value=30))
    def failover(self, pick: int) -> None:
        """Fail over to the latest point (``pick`` 0) or an older one; check what the failed-over VM holds."""
        host = self._host("replica")
        points, point = self._pick(host, pick)
        rel = self._relationship(host)
        link = rel.link if rel is not None else None
        primary_image = link.primary.vm.workload.image(self.sim.clock.now) if link is not None else None
        planned = rel is not None and rel.planned_ready and point is None
        job = self._try(f"failover on {host.name} to {point.name if point else 'the latest point'}",
                        lambda: host.start_vm_failover(self.VM, recovery_point=point))
        if job is REFUSED or not job.succeeded:
            return
        held = host.get_vm(self.VM).workload.image(self.sim.clock.now)
        chosen = point if point is not None else points[-1]
        assert held.last == chosen.image.last and chosen.image.is_prefix_of(held), "failover holds its point"
        if primary_image is not None:  # unplanned: only writes after the point are lost
            assert chosen.image.is_prefix_of(primary_image), "the point holds writes the primary never made"
        if planned:  # planned: nothing is lost
            assert self.prepared is not None and self.prepared.is_prefix_of(held) and held.last == self.prepared.last, \
                "planned failover lost writes"
        self._reached(PLANNED if planned else UNPLANNED_LATEST if point is None else UNPLANNED_OLDER)

    @rule(ready=st.booleans())
    def planned_failover(self, ready: bool = False) -> None:
        """§3.3: shut the primary down, prepare, fail over, reverse, start; stops at the first refusal.
        With ``ready``, from a failover-ready pair (``_ready``); else from wherever the run is."""
        if ready:
            self._ready()
        primary = self._host("primary")
        replica = self._other(primary)
        if self._try(f"stop VM on {primary.name}", lambda: primary.stop_vm(self.VM)) is REFUSED:
            return
        self.prepare()
        rel = primary.get_vm(self.VM).replication
        if rel is None or rel.state is not ReplicationState.PreparedForFailover:
            return
        self.failover(0)
        job = self._try(f"reverse on {replica.name}", lambda: replica.set_vm_replication(self.VM, reverse=True))
        if job is not REFUSED and job.succeeded:
            self._try(f"start VM on {replica.name}", lambda: replica.start_vm(self.VM))

    @rule(uptime=UPTIMES, loss=LOSSES, pick=PICKS, cancel=st.booleans())
    def unplanned_failover(self, uptime: float, loss: str, pick: int, cancel: bool) -> None:
        """§3.4 from a failover-ready pair: the primary runs ``uptime`` seconds more, is lost (cut off, or
        its VM shut down) and the replica fails over to a point (``failover``); with ``cancel`` the
        failover is reverted and the primary comes back, else the run goes on from the failed-over pair."""
        self._ready()
        self.sim.advance(uptime)
        primary = self._host("primary")
        if loss == "shutdown":
            self._try(f"stop VM on {primary.name}", lambda: primary.stop_vm(self.VM))
        elif self.partition is None:
            self.partition_or_heal()
        self.failover(pick)
        if not cancel:
            return
        replica = self._host("replica")
        self._try(f"stop failover on {replica.name}", lambda: replica.stop_vm_failover(self.VM))
        if loss == "partition":
            if self.partition is not None:
                self.partition_or_heal()
        else:
            self._try(f"start VM on {primary.name}", lambda: primary.start_vm(self.VM))

    @rule()
    def test_failover(self) -> None:
        self._test_failover(self._host("replica"), 0)

    @rule(pick=PICKS, keep=st.booleans())
    def fire_drill(self, pick: int, keep: bool) -> None:
        """§3.2 from a failover-ready pair: a test failover to a point; unless ``keep``, its test VM is
        deleted again at once."""
        self._ready()
        host = self._host("replica")
        if self._test_failover(host, pick) and not keep:
            self._try(f"stop test failover on {host.name}", lambda: host.stop_vm_failover(self.VM))

    def _test_failover(self, host: HyperVHost, pick: int) -> bool:
        """A test failover on ``host`` to the point ``pick`` names (``_pick``); check that the test VM holds
        that point and that replication goes on. Whether it started."""
        points, point = self._pick(host, pick)
        rel = self._relationship(host)
        job = self._try(f"test failover on {host.name} to {point.name if point else 'the latest point'}",
                        lambda: host.start_vm_failover(self.VM, as_test=True, recovery_point=point))
        if job is REFUSED or not job.succeeded:
            return False
        assert rel is not None and rel.test_vm is not None, "a started test failover made no test VM"
        chosen = point if point is not None else points[-1]
        held = rel.test_vm.workload.image(self.sim.clock.now)
        assert held.last == chosen.image.last and chosen.image.is_prefix_of(held), "test failover holds its point"
        assert rel.state is ReplicationState.Replicating, "replication goes on during a test failover"
        self._reached(TEST)
        return True

    @rule(role=ROLES)
    def stop_failover(self, role: str) -> None:
        host = self._host(role)
        self._try(f"stop failover on {host.name}", lambda: host.stop_vm_failover(self.VM))

    @rule()
    def complete_failover(self) -> None:
        host = self._host("replica")
        self._try(f"complete failover on {host.name}", lambda: host.complete_vm_failover(self.VM))

    @rule()
    def reverse(self) -> None:
        host = self._host("replica")
        self._try(f"reverse on {host.name}", lambda: host.set_vm_replication(self.VM, reverse=True))

    # -- back to failover-ready ------------------------------------------------------------------------

    def _ready(self) -> None:
        """Bring a protected pair back to failover-ready, as an administrator would: heal the network,
        delete a test VM, cancel a failover not yet completed or a prepare, resume a suspended or failed
        replication, start a pending initial replication or resynchronization; where that is not enough
        (replication removed on one side, a completed failover...), start over (``_start_over``). Every
        step is an ordinary checked operation. An unprotected VM stays unprotected."""
        if not self._protected():
            return
        if self.partition is not None:
            self.partition_or_heal()
        replica = self._host("replica")
        rel = self._relationship(replica)
        if rel is not None and rel.mode is ReplicationMode.Replica and (
                rel.test_vm is not None or rel.state is ReplicationState.FailedOverWaitingCompletion):
            self._try(f"stop failover on {replica.name}", lambda: replica.stop_vm_failover(self.VM))
        primary = self._host("primary")
        rel = self._relationship(primary)
        state = rel.state if rel is not None and rel.is_primary else None
        if state is ReplicationState.PreparedForFailover:
            self._try(f"stop failover on {primary.name}", lambda: primary.stop_vm_failover(self.VM))
        elif state in (ReplicationState.Suspended, ReplicationState.Error):
            self._try(f"resume on {primary.name}", lambda: primary.resume_vm_replication(self.VM))
        elif state is ReplicationState.ReadyForInitialReplication:
            self._try(f"start IR on {primary.name}", lambda: primary.start_vm_initial_replication(self.VM))
        elif state is ReplicationState.WaitingForStartResynchronize:
            self._try(f"resume on {primary.name}", lambda: primary.resume_vm_replication(self.VM, resynchronize=True))
        if not self._replicating():
            self._start_over(3)

    def _replicating(self) -> bool:
        """The primary replicates (or resynchronizes) to the replica it is linked to, which has not failed over."""
        primary = self._relationship(self._host("primary"))
        replica = self._relationship(self._host("replica"))
        moving = (ReplicationState.Replicating, ReplicationState.Resynchronizing)
        return (primary is not None and replica is not None and primary.is_primary
                and replica.mode is ReplicationMode.Replica and primary.link is not None
                and primary.link is replica.link and primary.state in moving and replica.state in moving)

    def _start_over(self, history: int) -> None:
        """Remove replication from both hosts; stop and delete the VM on the host that does not keep it
        (it keeps it where the VM is primary, else where it runs); enable replication and run initial
        replication again."""
        holders = [host for host in self.hosts if host.find_vm(self.VM) is not None]
        if not holders:
            return
        primaries = [h for h in holders if (rel := self._relationship(h)) is not None and rel.is_primary]
        running = [h for h in holders if h.get_vm(self.VM).state is VMState.Running]
        keep = (primaries or running or holders)[0]
        for host in holders:
            if self._relationship(host) is not None:
                self._try(f"remove on {host.name}", lambda host=host: host.remove_vm_replication(self.VM))
        other = self._other(keep)
        if other.find_vm(self.VM) is not None:
            self._try(f"stop VM on {other.name}", lambda: other.stop_vm(self.VM))
            self._try(f"remove VM on {other.name}", lambda: other.remove_vm(self.VM))
        job = self._try(f"enable on {keep.name}", lambda: self.lab.enable(
            self.VM, host=keep, replication_frequency_sec=30, recovery_history=history))
        if job is not REFUSED and job.succeeded:
            self._try(f"start IR on {keep.name}", lambda: keep.start_vm_initial_replication(self.VM))

    # -- the VM, time and the network ---------------------------------------------------------------

    @rule(role=ROLES)
    def start_vm(self, role: str) -> None:
        host = self._host(role)
        self._try(f"start VM on {host.name}", lambda: host.start_vm(self.VM))

    @rule(role=ROLES)
    def stop_vm(self, role: str) -> None:
        host = self._host(role)
        self._try(f"stop VM on {host.name}", lambda: host.stop_vm(self.VM))

    @rule(role=ROLES)
    def remove_vm(self, role: str) -> None:
        host = self._host(role)
        self._try(f"remove VM on {host.name}", lambda: host.remove_vm(self.VM))

    @rule(rate=st.sampled_from([0.0, 1.0, 50.0]))
    def set_workload(self, rate: float) -> None:
        host = self._host("primary")
        self._try(f"workload on {host.name}", lambda: host.set_vm_workload(self.VM, writes_per_second=rate))

    @rule()
    def modify_vhd_offline(self) -> None:
        host = self._host("primary")
        self._try(f"offline VHD edit on {host.name}", lambda: host.modify_vhd_offline(self.VM))

    @rule(seconds=DELAYS)
    def advance(self, seconds: float) -> None:
        self.sim.advance(seconds)

    @rule()
    def partition_or_heal(self) -> None:
        if self.partition is None:
            cut = FaultRule(Partition(), Match(src="hv1", dst="hv2", bidirectional=True))
            self.partition = self.sim.faults.add(cut)
        else:
            self.sim.faults.heal(self.partition)
            self.partition = None
        note_step(f"partition {'on' if self.partition else 'healed'} at t={self.sim.clock.now:g}")

    # -- invariants -------------------------------------------------------------------------------------

    @invariant()
    def replication_invariants(self) -> None:
        check_fabric(self.lab.fabric)
