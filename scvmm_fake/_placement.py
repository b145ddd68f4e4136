"""Where a VM can run and where its NICs get addresses: reachability of VM networks from hosts,
host choice, and the pools that serve a VM subnet on a host.

Fact (§5.5): VMs are placed "on hosts that can access the mapped VM network". Policy, not fact
(``SITE_INHERITANCE``, ``PLACEMENT``, ``POOL_ATTACHMENT``): a host reaches a VM network when a
site of its logical network serves the host's group or an ancestor; among eligible hosts the one
with the fewest VMs wins, then by name; a site-backed subnet is served by the pools of sites that
serve the host (its own site, for a VLAN subnet), on one of the subnet's subnets; a
network-virtualization subnet by its own pools.
"""

from __future__ import annotations

from collections.abc import Iterable

from ._hostgroups import VMHost
from ._networks import IsolationType, VMNetwork, VMSubnet
from ._pools import StaticIPAddressPool

__all__ = ["reaches", "choose_host", "pools_serving"]


def reaches(host: VMHost, vm_network: VMNetwork) -> bool:
    """True if a site of the VM network's logical network serves the host's group."""
    return any(site.serves(host.vm_host_group) for site in vm_network.logical_network.logical_network_definitions)


def choose_host(candidates: Iterable[VMHost]) -> VMHost | None:
    """The candidate with the fewest VMs on its Hyper-V host, then the first by name."""
    return min(candidates, key=lambda host: (host.host.vm_count, host.name.casefold(), host.id), default=None)


def pools_serving(vm_subnet: VMSubnet, host: VMHost | None, pools: Iterable[StaticIPAddressPool]) -> list[StaticIPAddressPool]:
    """The pools a NIC on ``vm_subnet`` (on ``host``, if known) can take a static address from."""
    if vm_subnet.vm_network.isolation_type is IsolationType.WindowsNetworkVirtualization:
        return [pool for pool in pools if pool.vm_subnet is vm_subnet]
    subnets = [item.subnet for item in vm_subnet.subnet_vlans]
    logical_network = vm_subnet.vm_network.logical_network
    return [
        pool for pool in pools
        if pool.logical_network_definition is not None
        and pool.logical_network_definition.logical_network is logical_network
        and vm_subnet.logical_network_definition in (None, pool.logical_network_definition)
        and (host is None or pool.logical_network_definition.serves(host.vm_host_group))
        and pool.subnet in subnets
    ]
