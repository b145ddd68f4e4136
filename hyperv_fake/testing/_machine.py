"""``ReplicationMachine``: a hypothesis state machine over one VM replicated between two hosts.

Rules mix every replication operation, the workload, virtual time and network partitions. Each
operation is aimed at a *role* — the host where the VM is primary, or where it is the replica —
so that runs go deep; wrong-host and wrong-state calls still happen (a role with no such host
falls back to a host that holds no relationship) and are covered exhaustively by the
state × operation table. A refused operation must change nothing; the invariants of
``check_fabric`` hold after every step; and every failover is checked for data loss where it
happens: planned loses no write, unplanned loses only writes after its point.

Reuse it as zarr users reuse ``zarr.testing``::

    from hyperv_fake.testing import ReplicationMachine
    TestReplication = ReplicationMachine.TestCase
"""

from __future__ import annotations

from typing import Any, ClassVar

from hypothesis import note
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from simcore import FaultRule, Match, Partition
from simcore.pki import CertificateAuthority

from .._enums import ReplicationMode, ReplicationState
from .._errors import HyperVError
from .._host import HyperVHost
from .._image import DataImage
from .._jobs import HyperVJob
from ._invariants import check_fabric
from ._lab import GiB, ReplicaPair

__all__ = ["ReplicationMachine"]

ROLES = st.sampled_from(["primary", "replica"])
REFUSED = object()
"""What ``_try`` returns for an operation that was refused."""
DELAYS = st.sampled_from([1.0, 30.0, 299.0, 3600.0, 6 * 3600.0, 30 * 3600.0])


def _note(message: str) -> None:
    """``note`` inside a hypothesis run; nothing when a test drives the machine's rules by hand."""
    try:
        note(message)
    except InvalidArgument:
        pass


class ReplicationMachine(RuleBasedStateMachine):
    """One VM ("app"), two hosts, every operation; see the module docstring."""

    VM = "app"
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

    @initialize(protected=st.booleans(), history=st.sampled_from([0, 3]))
    def start(self, protected: bool, history: int) -> None:
        """Most runs start from a replicating VM, so that 20 steps reach failover and its checks."""
        if protected:
            self.lab.protect(self.VM, replication_frequency_sec=30, recovery_history=history)

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
            _note(f"{label}: refused {error.return_code.name}: {error}")
            assert self._snapshot() == before, f"{label} was refused ({error}) but changed state"
            return REFUSED
        if isinstance(result, HyperVJob) and not result.done:
            self.sim.run_until(lambda: result.done, within=600.0)
        _note(f"{label}: {result!r} {getattr(result, 'error', None) or ''}")
        return result

    # -- replication operations ------------------------------------------------------------------------

    @rule(frequency=st.sampled_from([30, 300, 900]), history=st.sampled_from([0, 2, 24]), vss=st.sampled_from([0, 1]))
    def enable(self, frequency: int, history: int, vss: int) -> None:
        host = self._host("primary")
        self._try(f"enable on {host.name}", lambda: self.lab.enable(
            self.VM, host=host, replication_frequency_sec=frequency, recovery_history=history,
            vss_snapshot_frequency_hour=vss if history else 0))

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
        vm = host.find_vm(self.VM)
        points = host.get_vm_snapshot(self.VM) if vm is not None else []
        point = points[-1 - pick] if 0 < pick < len(points) else None
        rel = vm.replication if vm is not None else None
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

    @rule()
    def planned_failover(self) -> None:
        """§3.3: shut the primary down, prepare, fail over, reverse, start; stops at the first refusal."""
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

    @rule()
    def test_failover(self) -> None:
        host = self._host("replica")
        self._try(f"test failover on {host.name}", lambda: host.start_vm_failover(self.VM, as_test=True))

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
        _note(f"partition {'on' if self.partition else 'healed'} at t={self.sim.clock.now:g}")

    # -- invariants -------------------------------------------------------------------------------------

    @invariant()
    def replication_invariants(self) -> None:
        check_fabric(self.lab.fabric)
