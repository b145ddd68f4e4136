"""Property: certificate trust after pairing (DESIGN.md "Certificate trust"; hyperv-scvmm.md §1.3, §5.3),
each history judged by ``drlab.checkers.certificate_trust`` too.

After a pairing through the SDK, a defect is injected into a generated host of either cloud — its
certificate or its trust store — and for every defect:

1. replicating a VM between that host and a generated host of the peer cloud, in the generated
   direction, is refused by Hyper-V with the defect's own reason (and by the host that judges);
2. after the next Provider poll, the pairing read through the SDK
   (``replicationProtectionContainerMappings``) is not ``Normal`` and its ``healthErrorDetails`` hold
   exactly one item, for that host and that defect (its catalogue code, every ``HealthError`` field);
3. once the certificate or root is put right — reinstalled, or by VMM configuring its hosts again —
   replication succeeds, and after the next poll the pairing reads ``Normal`` with ``[]``.

ASR is read after each change and a poll, *before* any replication is tried: creating a VM to
replicate moves the fabric's revision too, and must not be what makes the Provider notice. So the
property also holds the cost rule to its promise: the defect (or the clock) alone moves
``dr_revision``.

The defects:

* **expired** — the host is given a site certificate that lives ``lifetime`` seconds more, and the
  clock passes its end. Nobody calls anything at the expiry: the inventory changes because
  ``dr_revision`` counts ``dr_deadline()`` passing (checked: the deadline is the expiry).
* **revoked** — pairing turns the revocation check off on every paired host (policy
  ``PAIRING_REVOCATION_CHECK``), so a revoked certificate alone is refused by no one. The defect
  is therefore the host's certificate revoked at its site CA *and* an administrator turning the
  revocation check back on (``DisableCertRevocationCheck`` = 0) on the peer host that judges it,
  caching the CA's current CRL there (``certutil -addstore CA``) so the check can be answered (with
  no CRL the peer would refuse REVOCATION_OFFLINE, a different defect). VMM, which keeps the CA,
  reports the revocation.
* **wrong EKU** — a site certificate for the host's FQDN with only server, only client, or no
  extended key usage.
* **wrong name** — a site certificate with both usages whose CN and SAN are another host's FQDN or
  a name in another domain.
* **peer root removed** — the peer site's root deleted from the host's Trusted Root store.

Hosts check their own certificate when it is configured (``TrustPolicy.validate_on_configure``)
in generated cases; for wrong EKU and wrong name they never do, since ``Set-VMReplicationServer``
would refuse the certificate and the defect could not be made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import event, given, settings, strategies as st

from asr_emulator.catalogue import PAIRING_HOST_DEFECTS
from drlab import Lab, Role
from drlab.checkers import certificate_trust
from hyperv_fake import HyperVHost, HyperVPolicy, TrustPolicy
from simcore import JUDGMENT_OP
from simcore.pki import Eku

from . import defects
from .conftest import Runbook
from .defects import DEFECTS, attempt, configure, configured, issue
from .hosts import replicate
from .test_pairing_health import FIELDS

EXAMPLES = max(6, settings.default.max_examples * 2 // 5)  # per defect: five defects share the budget
PEER = {Role.primary: Role.recovery, Role.recovery: Role.primary}
SOURCE = {Role.primary: "CloudPairingProviderErrorOnPrimary", Role.recovery: "CloudPairingProviderErrorOnRecovery"}


@dataclass(frozen=True)
class Case:
    hosts: int  # per site
    role: Role  # the defective host's cloud
    host: int  # its index in the site (mod hosts)
    peer: int  # the peer cloud's host it replicates with (mod hosts)
    outbound: bool  # the defective host is the primary of the replication
    strict: bool  # TrustPolicy.validate_on_configure
    lifetime: int  # expired: seconds the short-lived certificate has left
    eku: Eku  # wrong_eku: the usage the certificate has
    other_domain: bool  # wrong_name: a name in another domain, else another host's FQDN
    by_vmm: bool  # restored by VMM configuring the hosts again, else reinstalled by hand


cases = st.builds(
    Case, hosts=st.integers(1, 3), role=st.sampled_from(list(Role)), host=st.integers(0, 2), peer=st.integers(0, 2),
    outbound=st.booleans(), strict=st.booleans(), lifetime=st.integers(60, 7200),
    eku=st.sampled_from([Eku.SERVER_AUTH, Eku.CLIENT_AUTH, Eku.NONE]), other_domain=st.booleans(),
    by_vmm=st.booleans())


class Scene:
    """One lab, paired through the SDK, with the defective host ``host`` and its peer ``peer``."""

    def __init__(self, lab: Lab, case: Case) -> None:
        self.lab, self.case = lab, case
        self.book = Runbook.of(lab)
        self.book.create_policy()
        self.book.pair()
        self.host: HyperVHost = lab.sites[case.role].hosts[case.host % case.hosts]
        self.peer: HyperVHost = lab.sites[PEER[case.role]].hosts[case.peer % case.hosts]
        self.original = configured(self.host)
        self.attempts = 0

    def replicate_across(self) -> tuple[Any, str] | None:
        """One replication attempt in the case's direction; None if it succeeded."""
        self.attempts += 1
        name = f"vm{self.attempts}"
        primary, replica = (self.host, self.peer) if self.case.outbound else (self.peer, self.host)
        return attempt(primary, replica, name)

    def next_sync(self) -> None:
        self.lab.advance(self.lab.providers[Role.primary].poll_interval + 1)

    def pairing(self) -> dict[str, Any]:
        """The mapping's ``properties`` as the SDK received them."""
        fabric, container = self.book.container("Gold")
        response = self.book.asr.replication_protection_container_mappings.get(
            self.book.rg, self.book.vault, fabric, container, "pairing1", cls=lambda pipeline, model, headers: pipeline)
        properties: dict[str, Any] = response.http_response.json()["properties"]
        return properties


def inject(scene: Scene, defect: str) -> None:
    lab, case, host = scene.lab, scene.case, scene.host
    if defect == "expired":
        short = issue(lab, case.role, host, lifetime=case.lifetime)
        configure(host, short)
        expiry = lab.sim.clock.to_seconds(short.not_after)
        deadline = lab.sites[case.role].vmm.dr_deadline()
        assert deadline is not None and expiry < deadline <= expiry + 1e-5, (expiry, deadline)
        lab.run_until(deadline)  # nothing is called at the expiry itself
    elif defect == "revoked":
        defects.revoke(lab, case.role, host, scene.peer)
    elif defect == "wrong_eku":
        configure(host, issue(lab, case.role, host, eku=case.eku))
    elif defect == "wrong_name":
        site = lab.sites[case.role]
        sibling = next((h.fqdn for h in site.hosts if h is not host), f"hv-elsewhere.{host.fqdn.split('.', 1)[1]}")
        name = f"{host.fqdn.split('.')[0]}.fabrikam.com" if case.other_domain else sibling
        configure(host, issue(lab, case.role, host, name=name))
    else:
        defects.remove_peer_root(lab, case.role, host)


def restore(scene: Scene, defect: str) -> None:
    lab, case, host = scene.lab, scene.case, scene.host
    if case.by_vmm:
        defects.reconfigure(lab, case.role)
    elif defect == "peer_root_removed":
        defects.restore_peer_root(lab, case.role, host)
    elif defect == "revoked":
        configure(host, issue(lab, case.role, host))  # a new certificate; the revoked one stays revoked
    else:
        host.set_vm_replication_server(certificate_thumbprint=scene.original.thumbprint)


@pytest.mark.parametrize("defect", sorted(DEFECTS))
@settings(max_examples=EXAMPLES)
@given(case=cases)
def test_a_certificate_defect_is_refused_with_its_reason_shown_by_asr_and_healed(defect: str, case: Case) -> None:
    strict = case.strict and defect not in ("wrong_eku", "wrong_name")
    for label in (f"host in {case.role.value}", "host is primary" if case.outbound else "host is replica",
                  "restored by VMM" if case.by_vmm else "restored by hand", f"validate_on_configure={strict}"):
        event(label)
    policy = HyperVPolicy(trust=TrustPolicy(validate_on_configure=strict))
    with Lab(seed=5, hosts_per_site=case.hosts, vms_per_cloud=0, hyperv_policy=policy) as lab:
        scene = Scene(lab, case)
        expected = DEFECTS[defect]
        assert scene.replicate_across() is None  # sound before the defect
        scene.next_sync()
        inject(scene, defect)

        # 2. ASR shows it on the pairing after the next poll (read before any replication is tried, so
        #    that what moves the inventory is the defect itself, or the clock)
        scene.next_sync()
        properties = scene.pairing()
        assert properties["health"] != "Normal"
        items = properties["healthErrorDetails"]
        assert [(item["entityId"], item["errorCode"]) for item in items] == [
            (scene.host.fqdn, PAIRING_HOST_DEFECTS[expected.kind.value].code)], items
        (item,) = items
        assert list(item) == FIELDS and item["errorSource"] == SOURCE[case.role]
        assert all(item[key] for key in FIELDS if key not in ("innerHealthErrors", "recoveryProviderErrorMessage"))
        assert item["innerHealthErrors"] == []

        # 1. refused by Hyper-V, with the defect's reason, by the host that judges
        refused = scene.replicate_across()
        assert refused is not None, "replication across the defect succeeded"
        reason, side = refused
        judge_is_host = not expected.judged_by_peer or (strict and case.outbound and defect == "expired")
        host_side = "primary" if case.outbound else "replica"
        peer_side = "replica" if case.outbound else "primary"
        assert (reason, side) == (expected.reason, host_side if judge_is_host else peer_side)
        if not judge_is_host:  # the peer judged the chain at the handshake: its refusal is in the history
            assert expected.reason.value in lab.history.select(op=JUDGMENT_OP, phase="fail")[-1].details["reasons"]
        scene.next_sync()

        # 3. restored: the pairing is Normal again after the next poll, and replication works
        restore(scene, defect)
        scene.next_sync()
        properties = scene.pairing()
        assert (properties["health"], properties["healthErrorDetails"]) == ("Normal", [])
        primary, replica = (scene.host, scene.peer) if case.outbound else (scene.peer, scene.host)
        replicate(primary, replica, "healed")
        verdict = certificate_trust(lab.history)
        assert verdict.ok, str(verdict)
