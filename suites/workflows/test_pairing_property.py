"""Property: pairing auto-configuration (DESIGN.md invariants, hyperv-scvmm.md §5.3).

Over generated topologies (hosts per site, hosts added before and after pairing), policies of each
authentication type, and faults during pairing (Provider restarts, channel partitions), once the
pairing job has succeeded — re-run after a failure, which must converge — every host of both clouds
(later-added ones after their next sync) passes the VMM pairing predicate, and every primary host
replicates to a recovery host and every recovery host is replicated to, with no manual step.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, strategies as st
from azure.core.exceptions import HttpResponseError

from drlab import Lab, Role
from drlab._lab.topology import HOST_ADMIN
from simcore import FaultRule, Match, Partition

from .conftest import Runbook
from .hosts import assert_configured, replicate

AUTH = {"Certificate": (2, 8084), "Kerberos": (1, 8083)}


@dataclass(frozen=True)
class Scenario:
    hosts: int  # per site
    added_before: dict[Role, int]
    added_after: dict[Role, int]
    auth: str
    restart: Role | None
    partition: tuple[Role, float, float] | None  # whose channel, from, for how long (virtual s after the PUT)


roles = st.sampled_from(list(Role))
scenarios = st.builds(
    Scenario,
    hosts=st.integers(1, 3),
    added_before=st.fixed_dictionaries({Role.primary: st.integers(0, 1), Role.recovery: st.integers(0, 1)}),
    added_after=st.fixed_dictionaries({Role.primary: st.integers(0, 1), Role.recovery: st.integers(0, 1)}),
    auth=st.sampled_from(sorted(AUTH)),
    restart=st.none() | roles,
    partition=st.none() | st.tuples(roles, st.floats(0, 200), st.sampled_from([30.0, 300.0, 2400.0])),
)


def add_host(lab: Lab, role: Role, index: int) -> None:
    """A host joining the site's host group (and so its clouds), as an administrator adds one."""
    site, spec = lab.sites[role], lab.spec.site(role)
    name = f"{spec.host_prefix}x{index}"
    host = lab.hyperv.add_host(name, fqdn=f"{name}.{spec.domain}", domain=spec.domain)
    site.vmm.add_sc_vm_host(host, credential=site.vmm.get_sc_run_as_account(HOST_ADMIN)[0],
                            vm_host_group=site.host_group)
    site.hosts.append(host)


def run_pairing(lab: Lab, book: Runbook, scenario: Scenario) -> None:
    with lab.lock:  # the poller's thread waits for the lab until the scenario has moved time
        poller = book.pair_poller()
        if scenario.partition is not None:
            role, start, length = scenario.partition
            lab.advance(start)
            rule = lab.faults.add(FaultRule(Partition(), Match(src=lab.sites[role].vmm.name, dst=lab.service.node,
                                                               bidirectional=True)))
            lab.advance(length)
            lab.faults.heal(rule)
        if scenario.restart is not None:
            lab.providers[scenario.restart].restart()
    try:
        poller.result()
    except HttpResponseError as failed:
        assert failed.error.code == "150400"  # only a partition past the wait can fail it
        lab.advance(120)
        book.pair()  # a re-run converges


@given(scenarios)
def test_after_pairing_every_host_is_configured_and_any_primary_host_replicates(scenario: Scenario) -> None:
    with Lab(seed=3, hosts_per_site=scenario.hosts, vms_per_cloud=0) as lab:
        book = Runbook.of(lab)
        auth, port = AUTH[scenario.auth]
        book.create_policy(auth=auth, port=port)
        for role, count in scenario.added_before.items():
            for index in range(count):
                add_host(lab, role, index)
        lab.advance(120)  # discovered by the next sync
        run_pairing(lab, book, scenario)
        for role, count in scenario.added_after.items():
            for index in range(count):
                add_host(lab, role, 10 + index)
        lab.advance(2 * lab.providers[Role.primary].poll_interval)  # their next sync configures them
        assert_configured(lab)
        primaries, recoveries = lab.sites[Role.primary].hosts, lab.sites[Role.recovery].hosts
        for index in range(max(len(primaries), len(recoveries))):
            replicate(primaries[index % len(primaries)], recoveries[index % len(recoveries)], f"vm{index}",
                      port=port, auth=scenario.auth)
