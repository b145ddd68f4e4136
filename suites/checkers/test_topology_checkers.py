"""The checkers of the channel and of pairing (``outbound_only``, ``pairing_configured``) pass on a
lab that keeps its promises — after pairing, protection and a host added to a paired cloud later —
and name what breaks in one broken on purpose: ASR opening a connection to a site, a paired host
whose Replica server was switched off."""

from __future__ import annotations

from typing import Any

import pytest

from drlab import Lab, Role
from drlab.checkers import outbound_only, pairing_configured

from ..workflows.conftest import Runbook


@pytest.fixture
def paired() -> Any:
    with Lab(seed=4) as lab:
        book = Runbook.of(lab)
        book.create_policy()
        book.protect("Gold-VM1")
        yield lab


def test_a_paired_and_protected_lab_passes_both(paired: Lab) -> None:
    paired.add_host(Role.recovery)  # a host joining a paired cloud is configured too
    paired.advance(600)
    channel = outbound_only(paired.history)
    assert channel.ok and channel.checked >= 2, str(channel)  # both Providers connected
    pairing = pairing_configured(paired)
    hosts = sum(len(site.hosts) for site in paired.sites.values())
    assert pairing.ok and pairing.checked >= hosts, str(pairing)


def test_asr_opening_a_connection_is_named_with_its_event(paired: Lab) -> None:
    vmm = paired.sites[Role.primary].vmm
    try:
        paired.network.connect(paired.service.channel.node, vmm.fqdn, 443)
    except Exception:  # refused or timed out: the attempt is what breaks the rule
        pass
    verdict = outbound_only(paired.history)
    (violation,) = verdict.violations
    event = paired.history[violation.events[0]]
    assert (violation.rule, event.op, event.details["src"]) == ("outbound-only", "net.connect", "asr")


def test_a_paired_host_no_longer_a_replica_server_is_named(paired: Lab) -> None:
    host = paired.sites[Role.recovery].hosts[0]
    host.set_vm_replication_server(replication_enabled=False)
    verdict = pairing_configured(paired)
    assert not verdict.ok and {v.rule for v in verdict.violations} == {"pairing-configured"}
    assert any(host.name in v.message and "not a Replica server" in v.message for v in verdict.violations)
