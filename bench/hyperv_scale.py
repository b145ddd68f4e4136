"""Hyper-V Replica at scale: 1,000 VMs on 10 host pairs, every 30 s, 24 additional recovery points.

Each scenario enables and initially replicates every VM (certificate authentication over the
simulated network), lets virtual time run, then fails every VM over — planned: shut down,
``-Prepare``, ``Start-VMFailover`` on the replica, ``-Reverse``, start — and checks that no write was
lost. The 24 h and the 240 h scenarios run in the same process; replication between observations is
computed in closed form, so their wall times should barely differ.

    .venv/bin/python bench/hyperv_scale.py

Targets (issue 3): 24 h scenario <= 2 s wall, peak memory <= 300 MB, 240 h / 24 h wall ratio <= 1.5.
"""

from __future__ import annotations

import gc
import resource
import sys
import time

from hyperv_fake import HyperVFabric, ReplicationState
from hyperv_fake.testing import GiB, ReplicaPair
from simcore import Simulation
from simcore.pki import CertificateAuthority, IssuedCertificate

PAIRS = 10
VMS_PER_PAIR = 100
TARGET_WALL, TARGET_MB, TARGET_RATIO = 2.0, 300.0, 1.5


def scenario(hours: float, ca: CertificateAuthority, certificates: dict[str, IssuedCertificate],
             *, pairs: int = PAIRS, vms: int = VMS_PER_PAIR) -> tuple[float, float]:
    """Run one scenario; returns its wall time and CPU time in seconds."""
    gc.collect()  # start from a clean heap: the previous scenario's object graph is garbage now
    started, cpu = time.perf_counter(), time.process_time()
    sim = Simulation(seed=1)
    fabric = HyperVFabric(sim)
    labs = [ReplicaPair.build(sim=sim, fabric=fabric, ca=ca, names=(f"hv{i}a", f"hv{i}b"), certificates=certificates)
            for i in range(pairs)]
    names = [f"vm{n:03d}" for n in range(vms)]
    for lab in labs:
        for name in names:
            lab.add_vm(name, disk_bytes=40 * GiB, writes_per_second=10.0)
    jobs = [lab.enable(name, replication_frequency_sec=30, recovery_history=24) for lab in labs for name in names]
    sim.run_until_idle()
    jobs = [lab.primary.start_vm_initial_replication(name) for lab in labs for name in names]
    sim.run_until_idle()
    assert all(job.succeeded for job in jobs)

    sim.advance(hours * 3600)

    for lab in labs:
        for name in names:
            lab.primary.stop_vm(name)
    jobs = [lab.primary.start_vm_failover(name, prepare=True) for lab in labs for name in names]
    sim.run_until_idle()
    assert all(job.succeeded for job in jobs)
    for lab in labs:
        for name in names:
            written = lab.primary.get_vm(name).workload.image(sim.clock.now)
            lab.replica.start_vm_failover(name)
            held = lab.replica.get_vm(name).workload.image(sim.clock.now)
            assert held == written, f"{name} lost writes in a planned failover"
            assert len(lab.replica.get_vm_snapshot(name)) == min(24, int(hours)) + 1
            lab.replica.set_vm_replication(name, reverse=True)
    sim.run_until_idle()
    for lab in labs:
        for name in names:
            lab.replica.start_vm(name)
            assert lab.replica.get_vm_replication(name).state is ReplicationState.Replicating
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> int:
    ca = CertificateAuthority.root("bench Root CA")
    now = Simulation().clock.utcnow()
    from hyperv_fake.testing import host_certificate  # noqa: PLC0415 - only the bench needs it here

    certificates = {f"hv{i}{side}": host_certificate(ca, f"hv{i}{side}.contoso.com", now, days=3650)
                    for i in range(PAIRS) for side in "ab"}
    scenario(1, ca, certificates, pairs=1, vms=10)  # warm-up: imports, caches
    day, day_cpu = scenario(24, ca, certificates)
    ten_days, ten_days_cpu = scenario(240, ca, certificates)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ratio = ten_days / day
    print(f"hyperv_scale: {PAIRS * VMS_PER_PAIR} VMs on {PAIRS} host pairs, 30 s frequency, 24 recovery points")
    print(f"  24 h virtual + failover of every VM : {day:6.3f} s wall, {day_cpu:6.3f} s CPU"
          f"  (target <= {TARGET_WALL:g} s)")
    print(f"  240 h virtual + failover of every VM: {ten_days:6.3f} s wall, {ten_days_cpu:6.3f} s CPU")
    print(f"  ratio 240 h / 24 h (wall)           : {ratio:6.3f}  (CPU {ten_days_cpu / day_cpu:.3f};"
          f" target <= {TARGET_RATIO:g})")
    print(f"  peak memory (max RSS)               : {peak_mb:6.1f} MB  (target <= {TARGET_MB:g} MB)")
    ok = day <= TARGET_WALL and ratio <= TARGET_RATIO and peak_mb <= TARGET_MB
    print("  all targets met" if ok else "  TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
