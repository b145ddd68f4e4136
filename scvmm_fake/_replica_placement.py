"""Where a replica VM goes: a host of the recovery cloud that the pairing made a Replica server and
that reaches every mapped recovery VM network (§5.5), chosen by the policy ``REPLICA_PLACEMENT``.

A pure function of what it is given, so the rule reads in one place and a test can break it on
purpose: every host not chosen has a reason, and a refusal lists them all.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from ._hostgroups import VMHost
from ._networks import VMNetwork
from ._placement import reaches
from .errors import PlacementError

__all__ = ["place_replica", "why_not"]


def why_not(host: VMHost, *, vm_name: str, vm_id: str, configured: Collection[str],
            networks: Sequence[VMNetwork], load: int, capacity: int | None) -> str | None:
    """Why ``host`` cannot hold the replica, or None if it can."""
    if host.host.fqdn not in configured or not host.host.replication_server.replication_enabled:
        return "not configured as a Replica server by the cloud's pairing"
    unreachable = [network.name for network in networks if not reaches(host, network)]
    if unreachable:
        return "cannot reach VM network " + ", ".join(repr(name) for name in unreachable)
    if host.host.find_vm(vm_name) is not None or host.host.find_vm_by_id(vm_id) is not None:
        return f"already holds a virtual machine named {vm_name!r} or with VM ID {vm_id}"
    if capacity is not None and load >= capacity:
        return f"is full ({load} of {capacity} virtual machines, policy replica_host_capacity)"
    return None


def place_replica(hosts: Sequence[VMHost], *, cloud_name: str, vm_name: str, vm_id: str, configured: Collection[str],
                  networks: Sequence[VMNetwork], load: Callable[[VMHost], int], capacity: int | None) -> VMHost:
    """The eligible host with the least load, then by name and id; ``PlacementError`` if none."""
    eligible: list[tuple[int, str, str, VMHost]] = []
    refused: list[str] = []
    for host in hosts:
        count = load(host)
        reason = why_not(host, vm_name=vm_name, vm_id=vm_id, configured=configured, networks=networks, load=count,
                         capacity=capacity)
        if reason is None:
            eligible.append((count, host.name.casefold(), host.id, host))
        else:
            refused.append(f"{host.name}: {reason}")
    if not eligible:
        why = "; ".join(refused) if refused else "the cloud has no hosts"
        raise PlacementError(f"no host of cloud {cloud_name!r} can hold the replica of {vm_name!r}: {why}")
    return min(eligible, key=lambda item: item[:3])[3]
