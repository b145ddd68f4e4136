"""Build one site of a lab with the emulators' own cmdlets: what an administrator would have done.

A VMM server, a host group holding the site's Hyper-V hosts (added with a Run As account), per
network a logical network with a site on the host group, a VM network and a static IP pool, the
site's clouds (DR flag, network resources, the Hyper-V capability profile) and the VMs of those
clouds, started with their workloads. Everything goes through the public cmdlets, so the lab's
history shows how it was built, and a model refusal is the emulators' own error.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from hyperv_fake import HyperVFabric, HyperVHost
from scvmm_fake import (
    Cloud, Credential, DefaultGateway, HostGroup, IPv4AddressType, LogicalNetwork, NetworkAdapterSpec, RunAsAccount,
    StaticIPAddressPool, SubnetVLan, VirtualMachine, VMMServer, VMNetwork,
)
from simcore import Simulation

from .spec import CloudSpec, LabSpec, NetworkSpec, Role, VMSpec

__all__ = ["Site", "build_site", "add_host", "add_cloud", "add_vm", "HOST_ADMIN", "CAPABILITY_PROFILE"]

#: The Run As account VMM manages the site's hosts with.
HOST_ADMIN = "HostAdmin"
#: Every lab cloud offers the Hyper-V capability profile.
CAPABILITY_PROFILE = "Hyper-V"


@dataclass
class Site:
    """One built datacenter: its VMM server, the Run As account it manages hosts with, and the objects
    the lab made in it, by name."""

    role: Role
    vmm: VMMServer
    host_group: HostGroup
    admin: RunAsAccount
    hosts: list[HyperVHost] = field(default_factory=list)
    clouds: dict[str, Cloud] = field(default_factory=dict)
    vm_networks: dict[str, VMNetwork] = field(default_factory=dict)
    pools: dict[str, StaticIPAddressPool] = field(default_factory=dict)
    vms: dict[str, VirtualMachine] = field(default_factory=dict)


def build_site(sim: Simulation, hyperv: HyperVFabric, spec: LabSpec, role: Role) -> Site:
    """The ``role`` site of ``spec`` on ``sim``: VMM server, hosts, networks, clouds, running VMs."""
    site_spec = spec.site(role)
    vmm = VMMServer(sim, site_spec.vmm, fqdn=site_spec.vmm_fqdn)
    group = vmm.new_sc_vm_host_group(role.value.capitalize())
    admin = vmm.new_sc_run_as_account(HOST_ADMIN, credential=Credential(f"{site_spec.domain}\\hvadmin"))
    site = Site(role, vmm, group, admin)
    for _ in range(spec.hosts_per_site):
        add_host(hyperv, site, spec)
    for network in spec.networks:
        _add_network(site, network, site_spec.domain)
    for cloud_spec in spec.clouds_of(role):
        add_cloud(site, spec, cloud_spec)
    for vm_spec in spec.vms or ():
        if spec.cloud(vm_spec.cloud).site is role:
            add_vm(site, spec, vm_spec)
    return site


def add_host(hyperv: HyperVFabric, site: Site, spec: LabSpec) -> HyperVHost:
    """The site's next Hyper-V host (``<prefix><n>``), under VMM management in the site's host group,
    so in every cloud of the site (``Add-SCVMHost``)."""
    site_spec, index = spec.site(site.role), len(site.hosts)
    host = hyperv.add_host(site_spec.host_name(index), fqdn=site_spec.host_fqdn(index), domain=site_spec.domain)
    site.vmm.add_sc_vm_host(host, credential=site.admin, vm_host_group=site.host_group)
    site.hosts.append(host)
    return host


def add_cloud(site: Site, spec: LabSpec, cloud_spec: CloudSpec) -> Cloud:
    """A cloud over the site's host group (``New-SCCloud``) with its networks and the Hyper-V capability
    profile (``Set-SCCloud``)."""
    vmm = site.vmm
    cloud = vmm.new_sc_cloud(cloud_spec.name, vm_host_group=[site.host_group],
                             disaster_recovery_supported=cloud_spec.disaster_recovery)
    resources = [site.vm_networks[name].logical_network for name in _canonical(spec, spec.cloud_networks(cloud_spec))]
    site.clouds[cloud_spec.name] = vmm.set_sc_cloud(cloud, add_cloud_resource=resources,
                                                    add_capability_profile=[CAPABILITY_PROFILE])
    return site.clouds[cloud_spec.name]


def add_vm(site: Site, spec: LabSpec, vm_spec: VMSpec) -> VirtualMachine:
    """A VM placed in its cloud with a static-address NIC per network (``New-SCVirtualMachine``), started
    with its workload."""
    cloud_spec = spec.cloud(vm_spec.cloud)
    nics = [NetworkAdapterSpec(site.vm_networks[name], ipv4_address_type=IPv4AddressType.Static)
            for name in _canonical(spec, spec.vm_networks(vm_spec))]
    vm = site.vmm.new_sc_virtual_machine(vm_spec.name, cloud=site.clouds[cloud_spec.name],
                                         operating_system=vm_spec.operating_system, virtual_network_adapters=nics)
    vm.vm_host.host.start_vm(vm_spec.name)
    vm.vm_host.host.set_vm_workload(vm_spec.name, writes_per_second=vm_spec.writes_per_second)
    site.vms[vm_spec.name] = vm
    return vm


def _add_network(site: Site, network: NetworkSpec, domain: str) -> LogicalNetwork:
    """Logical network, its site on the host group, VM network and pool; the logical network."""
    vmm, subnet = site.vmm, ipaddress.IPv4Network(network.subnet(site.role))
    logical = vmm.new_sc_logical_network(network.name)
    definition = vmm.new_sc_logical_network_definition(
        f"{network.name}-{site.role.value.capitalize()}", logical_network=logical,
        subnet_vlan=[SubnetVLan(str(subnet), 0)], vm_host_group=[site.host_group])
    site.vm_networks[network.name] = vmm.new_sc_vm_network(network.name, logical_network=logical)
    site.pools[network.name] = vmm.new_sc_static_ip_address_pool(
        f"{network.name}-Pool", subnet=str(subnet), logical_network_definition=definition,
        ip_address_range_start=str(subnet[10]), ip_address_range_end=str(subnet[-2]),
        default_gateway=[DefaultGateway(str(subnet[1]))], dns_server=[str(subnet[2])], dns_suffix=domain)
    return logical


def _canonical(spec: LabSpec, names: tuple[str, ...]) -> list[str]:
    """``names`` as the networks spell them (the spec matches names case-insensitively)."""
    by_folded = {network.name.casefold(): network.name for network in spec.networks}
    return [by_folded[name.casefold()] for name in names]
