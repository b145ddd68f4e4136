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
from typing import TypedDict

from ._errors import InvalidParameterError

__all__ = [
    "GuestNetworkConfiguration", "FailoverIPConfiguration", "FailoverSettings", "failover_configuration",
    "MAX_GATEWAYS",
]

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
            (6, self.ipv6_address,
             None if self.ipv6_subnet_prefix_length is None else str(self.ipv6_subnet_prefix_length),
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


class FailoverSettings(TypedDict, total=False):
    """The parameters of ``Set-VMNetworkAdapterFailoverConfiguration`` (§3.7), in snake_case."""

    ipv4_address: str
    ipv4_subnet_mask: str
    ipv4_default_gateway: str | Sequence[str]
    ipv4_preferred_dns_server: str
    ipv4_alternate_dns_server: str
    ipv6_address: str
    ipv6_subnet_prefix_length: int
    ipv6_default_gateway: str | Sequence[str]
    ipv6_preferred_dns_server: str
    ipv6_alternate_dns_server: str
    clear_failover_ipv4_settings: bool
    clear_failover_ipv6_settings: bool


_CLEARED = {version: {f"ipv{version}_{name}": () if name == "default_gateway" else None
                      for name in ("address", "subnet_mask" if version == 4 else "subnet_prefix_length",
                                   "default_gateway", "preferred_dns_server", "alternate_dns_server")}
            for version in (4, 6)}


def failover_configuration(current: FailoverIPConfiguration, settings: FailoverSettings, *, cmdlet: str,
                           vm_name: str) -> FailoverIPConfiguration:
    """``current`` changed as the cmdlet's parameters say, or ``InvalidParameterError`` (32773)."""

    def refuse(message: str) -> None:
        raise InvalidParameterError(message, cmdlet=cmdlet, vm_name=vm_name)

    unknown = sorted(set(settings) - set(FailoverSettings.__annotations__))
    if unknown:
        refuse(f"A parameter cannot be found that matches parameter name '{unknown[0]}'.")
    given: dict[str, object] = {k: v for k, v in settings.items() if v is not None and not k.startswith("clear_")}
    for key in ("ipv4_default_gateway", "ipv6_default_gateway"):
        if key in given:
            given[key] = _gateways(given[key])  # type: ignore[arg-type]
    result = current
    for version, length in ((4, "subnet_mask"), (6, "subnet_prefix_length")):
        family = {k: v for k, v in given.items() if k.startswith(f"ipv{version}_")}
        for key, value in family.items():
            if key.endswith(("address", "gateway", "dns_server")):
                for address in (value if isinstance(value, tuple) else (value,)):
                    try:
                        ok = ipaddress.ip_address(address).version == version
                    except ValueError:
                        ok = False
                    if not ok:
                        refuse(f"The value '{address}' for parameter '{key}' is not a valid IPv{version} address.")
        if f"ipv{version}_address" in family and f"ipv{version}_{length}" not in family:
            refuse(f"The parameter 'IPv{version}{length.title().replace('_', '')}' is required when "
                   f"'IPv{version}Address' is specified.")
        if len(family.get(f"ipv{version}_default_gateway", ())) > MAX_GATEWAYS:  # type: ignore[arg-type]
            refuse(f"At most {MAX_GATEWAYS} default gateways can be specified.")
        if settings.get(f"clear_failover_ipv{version}_settings"):
            if family:
                refuse(f"IPv{version} settings cannot be set and cleared in the same call.")
            result = replace(result, **_CLEARED[version])  # type: ignore[arg-type]
    mask = given.get("ipv4_subnet_mask")
    if mask is not None:
        try:
            ipaddress.IPv4Network(f"0.0.0.0/{mask}")
        except ValueError:
            refuse(f"The value '{mask}' for parameter 'IPv4SubnetMask' is not a valid subnet mask.")
    prefix = given.get("ipv6_subnet_prefix_length")
    if prefix is not None and not (isinstance(prefix, int) and 0 <= prefix <= 128):
        refuse(f"The value {prefix!r} for parameter 'IPv6SubnetPrefixLength' is out of range (0-128).")
    result = replace(result, **given)  # type: ignore[arg-type]
    for version in (4, 6):  # WMI: "IPAddresses and DHCPEnabled must be set" (§3.7)
        others = [getattr(result, key) for key in _CLEARED[version] if not key.endswith("_address")]
        if getattr(result, f"ipv{version}_address") is None and any(v not in (None, ()) for v in others):
            refuse(f"The parameter 'IPv{version}Address' is required when other IPv{version} failover settings "
                   "are specified.")
    return result
