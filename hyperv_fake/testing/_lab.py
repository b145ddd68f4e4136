"""Ready-made labs for tests: two hosts that are each other's Replica server, and VMs to protect.

``ReplicaPair.build()`` does what an administrator (or ASR's pairing) would: a certificate per host
from one CA, the CA trusted on both, the Replica firewall rules enabled, both hosts enabled as
Replica servers accepting the peer. Certificates are ECDSA (fast); pass a ``ca`` to share one CA
across many labs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from simcore import Simulation
from simcore.pki import CertificateAuthority, Eku, IssuedCertificate

from .._enums import RecoveryAuthenticationType, ReplicationAuthenticationType
from .._fabric import HyperVFabric
from .._host import HyperVHost
from .._jobs import HyperVJob
from .._server import HTTP_LISTENER_RULE, HTTPS_LISTENER_RULE
from .._vm import VM
from ..policy import HyperVPolicy

__all__ = ["ReplicaPair", "host_certificate", "configure_replica_server", "GiB"]

GiB = 2**30


def host_certificate(ca: CertificateAuthority, fqdn: str, at: datetime, *, days: float = 365.0,
                     eku: Eku = Eku.SERVER_AND_CLIENT, names: tuple[str, ...] | None = None,
                     key_type: str = "ecdsa", key_size: int | None = None) -> IssuedCertificate:
    """A Replica host certificate (§1.3: client and server EKU, CN and SAN the FQDN) valid from a day before ``at``."""
    return ca.issue(fqdn, sans=list(names if names is not None else (fqdn,)), eku=eku,
                    not_before=at - timedelta(days=1), not_after=at + timedelta(days=days),
                    key_type=key_type, key_size=key_size)


def configure_replica_server(
    host: HyperVHost,
    *,
    certificate: IssuedCertificate | None,
    thumbprint: str | None = None,
    roots: tuple[CertificateAuthority, ...] = (),
    authentication: RecoveryAuthenticationType = RecoveryAuthenticationType.Certificate,
    kerberos_port: int = 80,
    certificate_port: int = 443,
    allowed_primary_servers: tuple[str, ...] = (),
    storage: str = "D:\\Hyper-V\\Replica",
    trust_group: str = "DEFAULT",
) -> None:
    """Enable ``host`` as a Replica server; with no ``allowed_primary_servers`` it accepts any server.

    Its certificate is ``certificate`` (imported with its key) or one already in the store (``thumbprint``).
    """
    for root in roots:
        host.import_certificate(root)
    if certificate is not None:
        thumbprint = host.import_pfx_certificate(certificate)
    host.set_net_firewall_rule(HTTP_LISTENER_RULE, enabled=True, local_port=kerberos_port)
    host.set_net_firewall_rule(HTTPS_LISTENER_RULE, enabled=True, local_port=certificate_port)
    uses_certificate = authentication is not RecoveryAuthenticationType.Kerberos
    host.set_vm_replication_server(
        replication_enabled=True, allowed_authentication_type=authentication,
        certificate_thumbprint=thumbprint if uses_certificate else None,
        kerberos_authentication_port=kerberos_port,
        certificate_authentication_port=certificate_port if uses_certificate else None,
        replication_allowed_from_any_server=not allowed_primary_servers,
        default_storage_location=storage if not allowed_primary_servers else None)
    for server in allowed_primary_servers:
        host.new_vm_replication_authorization_entry(server, storage, trust_group)


@dataclass
class ReplicaPair:
    """A primary host and a replica host on one simulation, configured as each other's Replica server."""

    sim: Simulation
    fabric: HyperVFabric
    primary: HyperVHost
    replica: HyperVHost
    ca: CertificateAuthority
    authentication: ReplicationAuthenticationType = ReplicationAuthenticationType.Certificate
    port: int = 443
    certificates: dict[str, IssuedCertificate] = field(default_factory=dict)

    @property
    def thumbprints(self) -> dict[str, str]:
        return {name: certificate.thumbprint for name, certificate in self.certificates.items()}

    @classmethod
    def build(
        cls,
        *,
        seed: int = 0,
        ca: CertificateAuthority | None = None,
        policy: HyperVPolicy | None = None,
        authentication: ReplicationAuthenticationType = ReplicationAuthenticationType.Certificate,
        names: tuple[str, str] = ("hv1", "hv2"),
        domain: str = "contoso.com",
        sim: Simulation | None = None,
        fabric: HyperVFabric | None = None,
        certificates: dict[str, IssuedCertificate] | None = None,
    ) -> ReplicaPair:
        """Two hosts named ``names`` in ``domain``; ``certificates`` (by host name) reuses issued ones,
        so that two labs built alike replay alike, thumbprints included."""
        sim = sim if sim is not None else Simulation(seed=seed)
        fabric = fabric if fabric is not None else HyperVFabric(sim, policy=policy)
        ca = ca if ca is not None else CertificateAuthority.root(f"{domain} Root CA")
        hosts, issued = [], {}
        kerberos = authentication is ReplicationAuthenticationType.Kerberos
        for name in names:
            fqdn = f"{name}.{domain}"
            host = fabric.add_host(name, fqdn=fqdn, domain=domain)
            certificate = None if kerberos else (certificates or {}).get(name) or host_certificate(
                ca, fqdn, sim.clock.utcnow())
            configure_replica_server(
                host, certificate=certificate, roots=() if kerberos else (ca,),
                authentication=(RecoveryAuthenticationType.Kerberos if kerberos
                                else RecoveryAuthenticationType.Certificate))
            if certificate is not None:
                issued[name] = certificate
            hosts.append(host)
        return cls(sim, fabric, hosts[0], hosts[1], ca, authentication, 80 if kerberos else 443, issued)

    def add_vm(self, name: str, *, disk_bytes: int = 40 * GiB, writes_per_second: float = 10.0,
               generation: int = 2, adapters: int = 1, start: bool = True) -> VM:
        """A VM on the primary with one disk, ``adapters`` synthetic adapters and a steady workload."""
        host = self.primary
        vm = host.new_vm(name, generation=generation)
        host.add_vm_hard_disk_drive(name, f"D:\\VMs\\{name}\\disk0.vhdx", size_bytes=disk_bytes)
        for index in range(adapters):
            host.add_vm_network_adapter(name, name="Network Adapter" if index == 0 else f"Network Adapter {index + 1}")
        host.set_vm_workload(name, writes_per_second=writes_per_second)
        if start:
            host.start_vm(name)
        return vm

    def enable(self, name: str, *, host: HyperVHost | None = None, **settings: Any) -> HyperVJob:
        """``Enable-VMReplication`` from ``host`` (the primary) to the other host of the pair."""
        source = host or self.primary
        target = self.replica if source is self.primary else self.primary
        return source.enable_vm_replication(
            name, target.fqdn, self.port, self.authentication,
            certificate_thumbprint=self.thumbprints.get(source.name), **settings)

    def protect(self, name: str, **settings: Any) -> VM:
        """Enable replication and run initial replication to completion; raises if either fails."""
        for job in (self.enable(name, **settings), None):
            if job is None:
                job = self.primary.start_vm_initial_replication(name)
            job.wait()
            if job.error is not None:
                raise job.error
        return self.primary.get_vm(name)
