"""IP injection at failover (hyperv-scvmm.md §5.5, asr-orchestration.md §A.7.1): for a NIC failing
over into a VM network, an address of that network's static pool — the primary NIC's own address
when the pool holds it and it is free ("the same IP is used if the pools match") — granted in VMM,
and the ``Set-VMNetworkAdapterFailoverConfiguration`` parameters that make the guest take it.
No static pool on the target network: the failover cannot be given an address (a typed error).
"""

from __future__ import annotations

from typing import Any

from ._cmdlets_pools import PoolCmdlets
from ._placement import pools_serving
from ._pools import AllocatedIPAddress, StaticIPAddressPool
from .errors import InvalidParameter, IPAddressError, NoStaticIPAddressPool

__all__ = ["IPInjection", "failover_settings", "primary_address"]


class IPInjection(PoolCmdlets):
    """Granting failover addresses from a target VM network's pool."""

    def _pool_of(self, network: Any) -> StaticIPAddressPool:
        pools = [p for p in self._all("StaticIPAddressPool") if isinstance(p, StaticIPAddressPool)]
        for subnet in network.vm_subnets:
            serving = pools_serving(subnet, None, pools)
            if serving:
                return serving[0]
        raise NoStaticIPAddressPool(f"VM network {network.name!r} on {self.name} has no static IP address pool: "
                                    "a failover into it cannot be given an address")

    def _grant_chosen(self, pool: StaticIPAddressPool, chosen: str, description: str) -> AllocatedIPAddress:
        """The address an operator chose for the NIC (the item's ``recoveryStaticIPAddress``): that
        one or none — taken, reserved or outside the pool, the failover fails (typed error)."""
        return self.grant_sc_ip_address(static_ip_address_pool=pool, grant_to_object_type="VirtualNetworkAdapter",
                                        ip_address=chosen, description=description)

    def _grant(self, pool: StaticIPAddressPool, wanted: str | None, description: str) -> AllocatedIPAddress:
        """The address ``wanted`` when the pool holds it and it is free (hyperv-scvmm.md §5.5: the
        same address when the pools match), else the pool's next free one."""
        if wanted is not None:
            try:
                return self.grant_sc_ip_address(static_ip_address_pool=pool, grant_to_object_type="VirtualNetworkAdapter",
                                                ip_address=wanted, description=description)
            except (IPAddressError, InvalidParameter):
                pass  # not in this pool, reserved or taken: the next free one
        return self.grant_sc_ip_address(static_ip_address_pool=pool, grant_to_object_type="VirtualNetworkAdapter",
                                        description=description)

    def _release(self, grants: list[AllocatedIPAddress]) -> None:
        """Return ``grants`` to their pools."""
        for grant in grants:
            self.revoke_sc_ip_address(grant)
        grants.clear()


def primary_address(addresses: dict[str, list[str]], index: int) -> list[str]:
    """The addresses of the primary VM's ``index``-th NIC (``addresses``: NIC id → addresses, in NIC order)."""
    values = list(addresses.values())
    return values[index] if index < len(values) else []


def failover_settings(pool: StaticIPAddressPool, grant: AllocatedIPAddress) -> dict[str, Any]:
    """``Set-VMNetworkAdapterFailoverConfiguration``'s parameters for ``grant`` in ``pool``."""
    settings: dict[str, Any] = {"ipv4_address": str(grant.address), "ipv4_subnet_mask": str(pool.subnet.netmask)}
    if pool.default_gateways:
        settings["ipv4_default_gateway"] = [str(g.ip_address) for g in pool.default_gateways]
    if pool.dns_servers:
        settings["ipv4_preferred_dns_server"] = str(pool.dns_servers[0])
        if len(pool.dns_servers) > 1:
            settings["ipv4_alternate_dns_server"] = str(pool.dns_servers[1])
    return settings
