"""Guest IP configuration and Failover TCP/IP (§3.7): what the guest holds, what failover injects.

``GuestNetworkConfiguration`` mirrors ``Msvm_GuestNetworkAdapterConfiguration``;
``FailoverIPConfiguration`` what ``Set-VMNetworkAdapterFailoverConfiguration`` stores. At the first
boot after a failover the KVP integration component applies the failover settings — per address
family, only the families configured — if the guest can take them (§3.7 requirements).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ._errors import InvalidParameterError

__all__ = ["GuestNetworkConfiguration", "FailoverIPConfiguration", "failover_configuration", "MAX_GATEWAYS"]

MAX_GATEWAYS = 5
"""``DefaultGateways`` holds at most 5 entries (§3.7, ``Msvm_FailoverNetworkAdapterSettingData``)."""


@dataclass(frozen=True)
class GuestNetworkConfiguration:
    """One adapter's IP settings inside the guest (both families in one list, as WMI holds them)."""

    dhcp_enabled: bool = True
    ip_addresses: tuple[str, ...] = ()
    subnets: tuple[str, ...] = ()
    default_gateways: tuple[str, ...] = ()
    dns_servers: tuple[str, ...] = ()

    def without(self, version: int) -> GuestNetworkConfiguration:
        """These settings with every address of IP ``version`` removed."""
        pairs = [(a, s) for a, s in zip(self.ip_addresses, self.subnets) if ipaddress.ip_address(a).version != version]
        return replace(
            self,
            ip_addresses=tuple(a for a, _ in pairs), subnets=tuple(s for _, s in pairs),
            default_gateways=tuple(g for g in self.default_gateways if ipaddress.ip_address(g).version != version),
            dns_servers=tuple(d for d in self.dns_servers if ipaddress.ip_address(d).version != version),
        )


@dataclass(frozen=True)
class FailoverIPConfiguration:
    """``Get-VMNetworkAdapterFailoverConfiguration`` for one adapter; empty means "keep the guest's"."""

    ipv4_address: str | None = None
    ipv4_subnet_mask: str | None = None
    ipv4_default_gateway: tuple[str, ...] = ()
    ipv4_preferred_dns_server: str | None = None
    ipv4_alternate_dns_server: str | None = None
    ipv6_address: str | None = None
    ipv6_subnet_prefix_length: int | None = None
    ipv6_default_gateway: tuple[str, ...] = ()
    ipv6_preferred_dns_server: str | None = None
    ipv6_alternate_dns_server: str | None = None

    @property
    def empty(self) -> bool:
        return self.ipv4_address is None and self.ipv6_address is None

    def applied_to(self, guest: GuestNetworkConfiguration) -> GuestNetworkConfiguration:
        """The guest's settings after injection: each configured family replaces the guest's, statically."""
        result = guest
        families = (
            (4, self.ipv4_address, self.ipv4_subnet_mask, self.ipv4_default_gateway,
             (self.ipv4_preferred_dns_server, self.ipv4_alternate_dns_server)),
            (6, self.ipv6_address, None if self.ipv6_subnet_prefix_length is None else str(self.ipv6_subnet_prefix_length),
             self.ipv6_default_gateway, (self.ipv6_preferred_dns_server, self.ipv6_alternate_dns_server)),
        )
        for version, address, subnet, gateways, dns in families:
            if address is None or subnet is None:
                continue
            result = result.without(version)
            result = GuestNetworkConfiguration(
                dhcp_enabled=False,
                ip_addresses=(*result.ip_addresses, address), subnets=(*result.subnets, subnet),
                default_gateways=(*result.default_gateways, *gateways),
                dns_servers=(*result.dns_servers, *(d for d in dns if d)),
            )
        return result


def _gateways(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def failover_configuration(
    current: FailoverIPConfiguration,
    *,
    cmdlet: str,
    vm_name: str,
    ipv4_address: str | None = None,
    ipv4_subnet_mask: str | None = None,
    ipv4_default_gateway: str | Sequence[str] | None = None,
    ipv4_preferred_dns_server: str | None = None,
    ipv4_alternate_dns_server: str | None = None,
    ipv6_address: str | None = None,
    ipv6_subnet_prefix_length: int | None = None,
    ipv6_default_gateway: str | Sequence[str] | None = None,
    ipv6_preferred_dns_server: str | None = None,
    ipv6_alternate_dns_server: str | None = None,
    clear_failover_ipv4_settings: bool = False,
    clear_failover_ipv6_settings: bool = False,
) -> FailoverIPConfiguration:
    """``current`` changed as the cmdlet's parameters say, or ``InvalidParameterError`` (32773)."""

    def refuse(message: str) -> None:
        raise InvalidParameterError(message, cmdlet=cmdlet, vm_name=vm_name)

    def check(values: Sequence[str | None], version: int, parameter: str) -> None:
        for value in values:
            try:
                ok = value is None or ipaddress.ip_address(value).version == version
            except ValueError:
                ok = False
            if not ok:
                refuse(f"The value '{value}' for parameter '{parameter}' is not a valid IPv{version} address.")

    gw4, gw6 = _gateways(ipv4_default_gateway), _gateways(ipv6_default_gateway)
    if ipv4_address is not None and ipv4_subnet_mask is None:
        refuse("The parameter 'IPv4SubnetMask' is required when 'IPv4Address' is specified.")
    if ipv6_address is not None and ipv6_subnet_prefix_length is None:
        refuse("The parameter 'IPv6SubnetPrefixLength' is required when 'IPv6Address' is specified.")
    check([ipv4_address, *gw4, ipv4_preferred_dns_server, ipv4_alternate_dns_server], 4, "IPv4Address")
    check([ipv6_address, *gw6, ipv6_preferred_dns_server, ipv6_alternate_dns_server], 6, "IPv6Address")
    if ipv4_subnet_mask is not None:
        try:
            ipaddress.IPv4Network(f"0.0.0.0/{ipv4_subnet_mask}")
        except ValueError:
            refuse(f"The value '{ipv4_subnet_mask}' for parameter 'IPv4SubnetMask' is not a valid subnet mask.")
    if ipv6_subnet_prefix_length is not None and not (
            isinstance(ipv6_subnet_prefix_length, int) and 0 <= ipv6_subnet_prefix_length <= 128):
        refuse(f"The value {ipv6_subnet_prefix_length!r} for parameter 'IPv6SubnetPrefixLength' is out of range (0-128).")
    if len(gw4) > MAX_GATEWAYS or len(gw6) > MAX_GATEWAYS:
        refuse(f"At most {MAX_GATEWAYS} default gateways can be specified.")
    ipv4_given = any(v is not None for v in (ipv4_address, ipv4_subnet_mask, ipv4_preferred_dns_server,
                                              ipv4_alternate_dns_server)) or bool(gw4)
    ipv6_given = any(v is not None for v in (ipv6_address, ipv6_subnet_prefix_length, ipv6_preferred_dns_server,
                                              ipv6_alternate_dns_server)) or bool(gw6)
    if (clear_failover_ipv4_settings and ipv4_given) or (clear_failover_ipv6_settings and ipv6_given):
        refuse("Settings of an address family cannot be set and cleared in the same call.")
    result = current
    if clear_failover_ipv4_settings:
        result = replace(result, ipv4_address=None, ipv4_subnet_mask=None, ipv4_default_gateway=(),
                         ipv4_preferred_dns_server=None, ipv4_alternate_dns_server=None)
    if clear_failover_ipv6_settings:
        result = replace(result, ipv6_address=None, ipv6_subnet_prefix_length=None, ipv6_default_gateway=(),
                         ipv6_preferred_dns_server=None, ipv6_alternate_dns_server=None)
    changes = {
        "ipv4_address": ipv4_address, "ipv4_subnet_mask": ipv4_subnet_mask,
        "ipv4_preferred_dns_server": ipv4_preferred_dns_server, "ipv4_alternate_dns_server": ipv4_alternate_dns_server,
        "ipv6_address": ipv6_address, "ipv6_subnet_prefix_length": ipv6_subnet_prefix_length,
        "ipv6_preferred_dns_server": ipv6_preferred_dns_server, "ipv6_alternate_dns_server": ipv6_alternate_dns_server,
    }
    result = replace(result, **{k: v for k, v in changes.items() if v is not None})
    if gw4:
        result = replace(result, ipv4_default_gateway=gw4)
    if gw6:
        result = replace(result, ipv6_default_gateway=gw6)
    for version in (4, 6):  # WMI: "IPAddresses and DHCPEnabled must be set" (§3.7)
        fields = [name for name in changes if name.startswith(f"ipv{version}_")] + [f"ipv{version}_default_gateway"]
        if getattr(result, f"ipv{version}_address") is None and any(getattr(result, f) not in (None, ()) for f in fields):
            refuse(f"The parameter 'IPv{version}Address' is required when other IPv{version} failover settings are specified.")
    return result
