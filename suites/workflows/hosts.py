"""What a pairing left on the hosts, read from the hosts' own state, and a VM replicated across it."""

from __future__ import annotations

from hyperv_fake import HyperVHost, ReplicationState
from drlab import Lab, Role
from scvmm_fake import pairing_problems

GiB = 1024 ** 3


def paired_hosts(lab: Lab, role: Role) -> list[HyperVHost]:
    """The hosts of ``role``'s site (every lab cloud spans all hosts of its site)."""
    return list(lab.sites[role].hosts)


def assert_configured(lab: Lab) -> None:
    """Every host of both sites passes the VMM pairing predicate for the pairing it is in."""
    for role in Role:
        vmm = lab.sites[role].vmm
        for cloud in vmm.get_sc_cloud():
            for record in vmm.cloud_pairings(cloud.name):
                for host in cloud.hosts():
                    problems = pairing_problems(host.host, record)
                    assert problems == [], (host.name, problems)


def replicate(primary: HyperVHost, replica: HyperVHost, name: str, *, port: int = 8084,
              auth: str = "Certificate") -> None:
    """Enable replication of a new VM ``name`` from ``primary`` to ``replica`` and run its initial
    replication: both succeed with what pairing configured, no manual step."""
    primary.new_vm(name)
    primary.add_vm_hard_disk_drive(name, f"D:\\{name}.vhdx", size_bytes=GiB)
    thumbprint = primary.get_vm_replication_server().certificate_thumbprint if auth == "Certificate" else None
    job = primary.enable_vm_replication(name, replica.fqdn, port, auth, certificate_thumbprint=thumbprint).wait()
    assert job.succeeded, job.error
    job = primary.start_vm_initial_replication(name).wait()
    assert job.succeeded, job.error
    assert primary.get_vm_replication(name).state is ReplicationState.Replicating


def replicate_one_vm(lab: Lab) -> None:
    replicate(paired_hosts(lab, Role.primary)[0], paired_hosts(lab, Role.recovery)[0], "across")
