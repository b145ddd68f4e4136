"""Pairing auto-configuration (DESIGN.md, Invariants): once a cloud pairing succeeded, every host of
both clouds — and any host added later — is a configured Replica server for it with no manual step:
replication enabled with the pairing's authentication and port, a valid certificate for that use,
the peer site trusted, the peer's hosts authorized (``scvmm_fake.pairing_problems`` says what a host
lacks). Judged from the lab's state now: each violation names the host, its cloud and its defects."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scvmm_fake import pairing_problems

from ._verdict import Verdict, Violation

if TYPE_CHECKING:
    from ..lab import Lab

__all__ = ["pairing_configured"]

_RULE = "pairing-configured"


def pairing_configured(lab: Lab) -> Verdict:
    """Judge every host of every paired cloud of both sites' VMM servers."""
    from .._lab.spec import Role

    violations: list[Violation] = []
    checked = 0
    for role in (Role.primary, Role.recovery):
        vmm = lab.sites[role].vmm
        for cloud in vmm.get_sc_cloud():
            for record in vmm.cloud_pairings(cloud.name):
                for host in cloud.hosts():
                    checked += 1
                    problems = pairing_problems(host.host, record)
                    if problems:
                        violations.append(Violation(_RULE, None, f"{host.name} of {vmm.name}'s cloud {cloud.name} "
                                                    f"is not configured for its pairing: {'; '.join(problems)}", ()))
    return Verdict("pairing configured", tuple(violations), checked)
