"""A VMware site beside a lab's VMM sites (the InMage scenario, ``vmware_fake``): a primary and a
secondary vCenter, a configuration server with a process server in the primary site, a master target
in the secondary one (the secondary-site architecture, vmware_fake/REFERENCE.md §1) and one in the
primary site for failback (the docs: reprotect needs a master target on the primary site), VMs and
physical servers with the Mobility service, and the configuration server registered to the lab's vault.

``Lab.add_vmware_site(VMwareSiteSpec(...))`` builds it without touching the VMM sites: the default
two-VMM lab is unchanged. Building it lets the vCenters' discovery end (vmware_fake policy
``VCENTER_DISCOVERY_SECONDS``: the lab clock moves on by that much) before the Mobility service is
pushed. Every parameter is checked first (``LabConfigError``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509

from simcore import Simulation
from simcore.pki import CertificateAuthority
from vmware_fake import (
    GIB, ConfigurationServer, MasterTarget, PhysicalServer, ProcessServer, VaultAgent, VCenter, VirtualMachine,
)

from .spec import LabConfigError

__all__ = ["VMwareSiteSpec", "VMwareSite", "build_vmware_site"]

_NETWORK = "VM Network"
_ACCOUNT = "vcenter-admin"


@dataclass(frozen=True)
class VMwareSiteSpec:
    """The VMware site: ``vms`` on the primary vCenter, ``physical_servers`` added to the configuration
    server (each with the Mobility service when ``mobility``), ``hosts_per_site`` ESXi hosts per
    vCenter, and each machine's write rate."""

    vms: tuple[str, ...] = ("vmw-web1", "vmw-db1")
    physical_servers: tuple[str, ...] = ("phys-app1",)
    hosts_per_site: int = 1
    write_rate: float = 1.0
    mobility: bool = True

    def __post_init__(self) -> None:
        for name in ("vms", "physical_servers"):
            value = getattr(self, name)
            if isinstance(value, str) or not all(isinstance(item, str) and item for item in value):
                raise LabConfigError(f"{name} must be a sequence of non-empty names, got {value!r}")
            object.__setattr__(self, name, tuple(value))
        names = [n.lower() for n in (*self.vms, *self.physical_servers)]
        if len(set(names)) != len(names):
            raise LabConfigError(f"VMware machine names must be unique, got {names!r}")
        if len(names) > 200:
            raise LabConfigError(f"at most 200 VMware machines, got {len(names)}")
        if isinstance(self.hosts_per_site, bool) or not isinstance(self.hosts_per_site, int) or self.hosts_per_site < 1:
            raise LabConfigError(f"hosts_per_site must be an int >= 1, got {self.hosts_per_site!r}")
        if not isinstance(self.write_rate, (int, float)) or not 0 <= self.write_rate < float("inf"):
            raise LabConfigError(f"write_rate must be a finite number >= 0, got {self.write_rate!r}")


@dataclass(eq=False)
class VMwareSite:
    """What ``build_vmware_site`` made."""

    primary: VCenter
    secondary: VCenter
    configuration_server: ConfigurationServer
    process_server: ProcessServer
    master_target: MasterTarget
    failback_master_target: MasterTarget
    agent: VaultAgent
    vms: dict[str, VirtualMachine]
    physical_servers: dict[str, PhysicalServer]


def _vcenter(sim: Simulation, name: str, address: str, hosts: int) -> VCenter:
    vcenter = VCenter(sim, name, fqdn=f"{name}.contoso.com", address=address)
    for index in range(1, hosts + 1):
        host = vcenter.add_host(f"esx{index}.{name}.contoso.com")
        vcenter.add_datastore(host.name, f"{name}-ds{index}", capacity_bytes=2048 * GIB)
        vcenter.add_port_group(host.name, _NETWORK)
    return vcenter


def build_vmware_site(sim: Simulation, spec: VMwareSiteSpec,
                      trusted_roots: Sequence[CertificateAuthority | x509.Certificate]) -> VMwareSite:
    """Build the site on ``sim``'s network; its agent is installed (trusting ``trusted_roots``), not registered."""
    primary = _vcenter(sim, "vc-primary", "10.20.0.10", spec.hosts_per_site)
    secondary = _vcenter(sim, "vc-secondary", "10.30.0.10", spec.hosts_per_site)
    cs = ConfigurationServer(sim, "cs1", fqdn="cs1.contoso.com", address="10.30.0.20")
    cs.add_run_as_account(_ACCOUNT, user_name="CONTOSO\\vcadmin", password="vc-password")
    ps = cs.add_process_server("ps1", fqdn="ps1.contoso.com", address="10.20.0.20")
    cs.add_vcenter(primary, account=_ACCOUNT, process_server=ps.name)
    cs.add_vcenter(secondary, account=_ACCOUNT)
    mt = cs.add_master_target("mt1", vcenter=secondary.name, fqdn="mt1.contoso.com", address="10.30.0.30")
    back = cs.add_master_target("mt-fb", vcenter=primary.name, fqdn="mt-fb.contoso.com", address="10.20.0.30")
    hosts = list(primary.hosts.values())
    vms: dict[str, VirtualMachine] = {}
    for index, name in enumerate(spec.vms):
        host = hosts[index % len(hosts)]
        datastore = next(iter(host.datastores.values())).name
        vms[name] = primary.create_vm(name, host=host.name, datastore=datastore,
                                      nics=((_NETWORK, f"10.20.1.{10 + index}"),), write_rate=spec.write_rate)
    servers = {name: cs.add_physical_server(name, ip_address=f"10.20.2.{10 + index}", write_rate=spec.write_rate)
               for index, name in enumerate(spec.physical_servers)}
    sim.run_until(lambda: all(found.completed for found in cs.vcenters.values()))  # VCENTER_DISCOVERY_SECONDS
    if spec.mobility:
        for name in (*spec.vms, *spec.physical_servers):
            cs.install_mobility_service(name, account=_ACCOUNT, process_server=ps.name)
    agent = VaultAgent(cs, trusted_roots=trusted_roots)
    return VMwareSite(primary, secondary, cs, ps, mt, back, agent, vms, servers)
