"""IP injection as the lab stands (hyperv-scvmm.md §5.5, asr-orchestration.md §A.7.1): every VM
running at a site as the outcome of its latest failover holds, in its guest, exactly the addresses
that failover's ``vmm.failover`` event says VMM injected — each inside a static pool of the site's
VMM, with the pool's mask and gateways, and granted there — and no two running VMs of a site hold the
same address: production VMs among themselves, and test failover VMs among themselves (a test VM may
reuse a production VM's address, not another test VM's: they share the test network). The last is
also judged over the history: no test failover is given an address another test VM of its site
holds (from its ``vmm.test-failover`` to its ``vmm.test-failover.cleanup``) — a test VM that is gone
by the end held it all the same. The VMware site's failover VMs are judged alike (``_vmware``)."""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from simcore import Event

from ._verdict import Verdict, Violation
from ._vmware import inmage_ip_injection

if TYPE_CHECKING:
    from ..lab import Lab

__all__ = ["ip_injection"]

_RULE = "ip-injection"

_TEST_VM_SUFFIX = " - Test"  # Hyper-V's test failover VM name (hyperv-scvmm.md §3.2)


def _latest_failovers(lab: Lab) -> dict[str, Event]:
    latest: dict[str, Event] = {}
    for event in lab.history.select(op="vmm.failover"):
        latest[str(event.details.get("vm"))] = event
    return latest


def _check_injected(vmm: Any, vm: Any, event: Event) -> list[Violation]:
    """The guest of ``vm`` against what ``event`` injected and ``vmm``'s pools."""
    injected = [str(a) for a in event.details.get("addresses") or []]
    guest = {address: config for config in vm.guest.network.values() for address in config.ip_addresses}
    found: list[Violation] = []
    if sorted(set(guest) & set(injected)) != sorted(injected):
        found.append(Violation(_RULE, None, f"{vm.name}'s guest holds {sorted(guest)}, not the injected {injected}", (event.index,)))
    for address in injected:
        pool = next((p for p in vmm.get_sc_static_ip_address_pool()
                     if ipaddress.ip_address(address) in p.subnet), None)
        config = guest.get(address)
        if pool is None:
            found.append(Violation(_RULE, None, f"{vm.name}'s {address} is in no static pool of {vmm.name}", (event.index,)))
            continue
        if not vmm.get_sc_ip_address(static_ip_address_pool=pool, ip_address=address):
            found.append(Violation(_RULE, None, f"{vm.name}'s {address} is not granted in {vmm.name}'s pool {pool.name}", (event.index,)))
        if config is not None and (config.subnets[:1] != (str(pool.subnet.netmask),) or config.default_gateways
                                   != tuple(str(g.ip_address) for g in pool.default_gateways)):
            found.append(Violation(_RULE, None, f"{vm.name}'s {address} lacks pool {pool.name}'s mask or gateways", (event.index,)))
    return found


def _test_holds(lab: Lab) -> list[Violation]:
    """Test failovers given an address another live test VM of the same VMM held (module docstring)."""
    found: list[Violation] = []
    held: dict[tuple[str, str], Event] = {}  # (VMM, address) -> the test failover holding it
    for event in lab.history.select(op="vmm.test-failover*"):
        test_vm = event.details.get("testVm")
        if event.op == "vmm.test-failover.cleanup":
            held = {key: e for key, e in held.items() if not (key[0] == event.node and e.details.get("testVm") == test_vm)}
            continue
        for address in event.details.get("addresses") or []:
            other = held.get((event.node, str(address)))
            if other is not None and other.details.get("testVm") != test_vm:
                found.append(Violation(_RULE, None, f"{test_vm} was given {address}, which {other.details.get('testVm')} "
                                       f"held at {event.node}'s site", (other.index, event.index)))
            held[(event.node, str(address))] = event
    return found


def ip_injection(lab: Lab) -> Verdict:
    """Check the lab as it stands (module docstring)."""
    violations: list[Violation] = []
    latest = _latest_failovers(lab)
    checked = 0
    for site in lab.sites.values():
        holders: dict[tuple[bool, str], list[str]] = defaultdict(list)  # (in the test bubble, address) -> VMs
        for host in site.hosts:
            for vm in host.vms:
                if vm.state.value != "Running":
                    continue
                checked += 1
                for config in vm.guest.network.values():
                    for address in config.ip_addresses:
                        holders[(vm.name.endswith(_TEST_VM_SUFFIX), address)].append(vm.name)
                event = latest.get(vm.name)
                if event is not None and event.node == site.vmm.name:
                    violations += _check_injected(site.vmm, vm, event)
        violations += [Violation(_RULE, None, f"{', '.join(names)} all hold {address} at {site.vmm.name}'s site"
                                 + (" (test failover VMs)" if test else ""))
                       for (test, address), names in sorted(holders.items()) if len(names) > 1]
    inmage, judged = inmage_ip_injection(lab, _RULE)
    return Verdict("IP injection", tuple(violations + _test_holds(lab) + inmage), checked + judged)
