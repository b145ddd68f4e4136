"""What a two-site lab is made of, as plain frozen values checked before anything is built.

``LabSpec`` holds the topology: a primary and a recovery site (one VMM server each, N Hyper-V
hosts), clouds flagged for DR or not, networks present at both sites (a logical network, a site
subnet, a VM network and a static IP pool per site) and VMs with workloads. Every check runs in
``LabSpec.__post_init__``, so a bad parameter raises a typed ``LabConfigError`` naming it and
nothing — no simulation, no server, no history — exists yet.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any
from dataclasses import dataclass
from enum import Enum

__all__ = [
    "Role", "SiteSpec", "CloudSpec", "NetworkSpec", "VMSpec", "LabSpec",
    "LabConfigError", "UnknownCloud", "UnknownNetwork", "DuplicateName",
    "DEFAULT_SITES", "DEFAULT_CLOUDS", "DEFAULT_NETWORKS",
]


class LabConfigError(ValueError):
    """A lab parameter that cannot be built; the message is one line naming the parameter."""


class UnknownCloud(LabConfigError):
    """A VM names a cloud no site defines."""


class UnknownNetwork(LabConfigError):
    """A cloud or a VM names a network the lab does not define."""


class DuplicateName(LabConfigError):
    """Two clouds of one site, two networks or two VMs share a name (VMM would refuse the second)."""


class Role(str, Enum):
    """Which side of the DR pair a site is."""

    primary = "primary"
    recovery = "recovery"


def _normalize_networks(spec: CloudSpec | VMSpec, who: str) -> None:
    if spec.networks is not None:
        object.__setattr__(spec, "networks", _tuple_of(spec.networks, f"{who} networks"))


def _tuple_of(value: Iterable[object] | str, what: str) -> tuple[Any, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise LabConfigError(f"{what} must be a sequence, got {value!r}")
    return tuple(value)


def _count(value: object, what: str, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise LabConfigError(f"{what} must be an int >= {minimum}, got {value!r}")


def _name(value: object, what: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise LabConfigError(f"a {what} needs a non-empty name, got {value!r}")


def _unique(seen: dict[str, Any], name: str, item: object, what: str) -> None:
    if name.casefold() in seen:
        raise DuplicateName(f"two of the lab's {what}s are named {name!r}")
    seen[name.casefold()] = item


def _known_network(networks: dict[str, NetworkSpec], name: object, who: str) -> None:
    if not isinstance(name, str) or name.casefold() not in networks:
        known = [network.name for network in networks.values()]
        raise UnknownNetwork(f"{who}: no network named {name!r}; the lab's networks are {known}")


def _subnet(value: object, what: str) -> None:
    try:
        network = ipaddress.IPv4Network(value)
    except (ValueError, TypeError):
        raise LabConfigError(f"{what} must be an IPv4 subnet such as '10.1.0.0/24', got {value!r}") from None
    if network.prefixlen > 27:
        raise LabConfigError(f"{what} {value!r} is too small for a pool from .10 (at most a /27)")


@dataclass(frozen=True)
class SiteSpec:
    """One datacenter: its VMM server ``vmm`` (``<vmm>.<domain>``) and hosts ``<host_prefix><n>.<domain>``."""

    role: Role
    vmm: str
    domain: str
    host_prefix: str

    @property
    def vmm_fqdn(self) -> str:
        return f"{self.vmm}.{self.domain}"

    def host_name(self, index: int) -> str:
        return f"{self.host_prefix}{index + 1}"

    def host_fqdn(self, index: int) -> str:
        return f"{self.host_name(index)}.{self.domain}"


@dataclass(frozen=True)
class CloudSpec:
    """A VMM cloud over all hosts of its site; ``networks`` (default: every network) are its resources."""

    name: str
    site: Role = Role.primary
    disaster_recovery: bool = True
    networks: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "site", Role(self.site))
        except ValueError:
            raise LabConfigError(
                f"cloud {self.name!r}: site must be 'primary' or 'recovery', got {self.site!r}") from None
        _normalize_networks(self, f"cloud {self.name!r}")


@dataclass(frozen=True)
class NetworkSpec:
    """A network at both sites: logical network ``name`` with a site per VMM server, VM network
    ``name`` on it, and a static pool over the subnet (gateway ``.1``, DNS ``.2``, addresses from ``.10``)."""

    name: str
    primary_subnet: str
    recovery_subnet: str

    def subnet(self, role: Role) -> str:
        return self.primary_subnet if role is Role.primary else self.recovery_subnet


@dataclass(frozen=True)
class VMSpec:
    """A VM placed in ``cloud``, a static-address NIC on each of ``networks`` (default: the cloud's
    first), running with a workload of ``writes_per_second``."""

    name: str
    cloud: str
    networks: tuple[str, ...] | None = None
    operating_system: str = "Windows Server 2016"
    writes_per_second: float = 10.0

    def __post_init__(self) -> None:
        _normalize_networks(self, f"VM {self.name!r}")


DEFAULT_SITES = (
    SiteSpec(Role.primary, vmm="vmm-ny", domain="contoso.com", host_prefix="hv-ny-"),
    SiteSpec(Role.recovery, vmm="vmm-chi", domain="contoso.com", host_prefix="hv-chi-"),
)
DEFAULT_CLOUDS = (
    CloudSpec("Gold", Role.primary, disaster_recovery=True),
    CloudSpec("Bronze", Role.primary, disaster_recovery=False),
    CloudSpec("Gold-Recovery", Role.recovery, disaster_recovery=True),
)
DEFAULT_NETWORKS = (NetworkSpec("Corp", primary_subnet="10.1.0.0/24", recovery_subnet="10.2.0.0/24"),)


@dataclass(frozen=True)
class LabSpec:
    """The whole topology. ``vms`` default: ``vms_per_cloud`` VMs (``<cloud>-VM<n>``) in every
    primary cloud with a network, so a non-DR cloud has VMs that must stay invisible to ASR."""

    hosts_per_site: int = 2
    clouds: tuple[CloudSpec, ...] = DEFAULT_CLOUDS
    networks: tuple[NetworkSpec, ...] = DEFAULT_NETWORKS
    vms: tuple[VMSpec, ...] | None = None
    vms_per_cloud: int = 2
    sites: tuple[SiteSpec, SiteSpec] = DEFAULT_SITES

    def __post_init__(self) -> None:
        for name in ("clouds", "networks", "vms", "sites"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _tuple_of(value, name))
        _count(self.hosts_per_site, "hosts_per_site", minimum=1)
        _count(self.vms_per_cloud, "vms_per_cloud", minimum=0)
        self._check_sites()
        networks = self._check_networks()
        self._check_clouds(networks)
        if self.vms is None:
            object.__setattr__(self, "vms", self._default_vms())
        self._check_vms(networks)

    # -- lookups --------------------------------------------------------------------------------

    def site(self, role: Role) -> SiteSpec:
        return next(site for site in self.sites if site.role is role)

    def clouds_of(self, role: Role) -> tuple[CloudSpec, ...]:
        return tuple(cloud for cloud in self.clouds if cloud.site is role)

    def cloud(self, name: str) -> CloudSpec:
        for cloud in self.clouds:
            if cloud.name.casefold() == name.casefold():
                return cloud
        raise UnknownCloud(f"no cloud named {name!r}; the lab's clouds are {[c.name for c in self.clouds]}")

    def cloud_networks(self, cloud: CloudSpec) -> tuple[str, ...]:
        return cloud.networks if cloud.networks is not None else tuple(network.name for network in self.networks)

    def vm_networks(self, vm: VMSpec) -> tuple[str, ...]:
        if vm.networks is not None:
            return vm.networks
        return self.cloud_networks(self.cloud(vm.cloud))[:1]

    # -- checks ---------------------------------------------------------------------------------

    def _check_sites(self) -> None:
        if len(self.sites) != 2 or {site.role for site in self.sites} != set(Role):
            raise LabConfigError("sites: exactly one primary and one recovery SiteSpec are required")
        names = [site.vmm for site in self.sites] + [site.host_prefix for site in self.sites]
        if len({name.casefold() for name in names}) != len(names) or not all(names):
            raise DuplicateName(f"sites: VMM names and host prefixes must be non-empty and distinct, got {names}")

    def _check_networks(self) -> dict[str, NetworkSpec]:
        found: dict[str, NetworkSpec] = {}
        for network in self.networks:
            _name(network.name, "network")
            for role in Role:
                _subnet(network.subnet(role), f"network {network.name!r} {role.value}_subnet")
            _unique(found, network.name, network, "network")
        return found

    def _check_clouds(self, networks: dict[str, NetworkSpec]) -> None:
        per_site: dict[Role, dict[str, CloudSpec]] = {role: {} for role in Role}
        for cloud in self.clouds:
            _name(cloud.name, "cloud")
            _unique(per_site[cloud.site], cloud.name, cloud, f"cloud at the {cloud.site.value} site")
            for name in cloud.networks or ():
                _known_network(networks, name, f"cloud {cloud.name!r}")
        for role in Role:
            if not per_site[role]:
                raise LabConfigError(f"clouds: the {role.value} site needs at least one cloud")

    def _check_vms(self, networks: dict[str, NetworkSpec]) -> None:
        seen: dict[str, VMSpec] = {}
        for vm in self.vms or ():
            _name(vm.name, "VM")
            _unique(seen, vm.name, vm, "VM")
            cloud = self.cloud(vm.cloud)
            wanted = self.vm_networks(vm)
            if not wanted:
                raise UnknownNetwork(f"VM {vm.name!r}: cloud {cloud.name!r} has no network to connect it to")
            for name in wanted:
                _known_network(networks, name, f"VM {vm.name!r}")
                if name.casefold() not in {n.casefold() for n in self.cloud_networks(cloud)}:
                    raise UnknownNetwork(f"VM {vm.name!r}: network {name!r} is not a resource of cloud {cloud.name!r}")
            rate = vm.writes_per_second
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not rate >= 0:
                raise LabConfigError(f"VM {vm.name!r}: writes_per_second must be a number >= 0, got {rate!r}")

    def _default_vms(self) -> tuple[VMSpec, ...]:
        return tuple(
            VMSpec(f"{cloud.name}-VM{index + 1}", cloud.name)
            for cloud in self.clouds_of(Role.primary) if self.cloud_networks(cloud)
            for index in range(self.vms_per_cloud)
        )
