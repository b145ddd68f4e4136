"""Certificate trust (DESIGN.md, Invariants; hyperv-scvmm.md §1.3 for Hyper-V Replica, §5.2 and
asr_emulator/channel/PROTOCOL.md §2 for the Provider's channel): every chain a component accepted —
a Hyper-V host at the replication handshake (use "replication"), ASR judging a Provider's client
certificate or a Provider judging ASR's server certificate (use "channel") — was trustworthy at
that moment, as the judge's clock read it; every refused chain was refused with a reason; and no
request was acted on over a connection a judgment refused.

Judged from the history alone: the ``pki.judgment`` events (``simcore.record_judgment``) and the
``pki.chain`` / ``pki.trust`` descriptions they name, and ``pki.traffic``. ``RULES`` names every
rule; a violation names the judgment and the descriptions it was judged by. The name rule is the
most lenient of the judges' (the leaf's CN or any SAN covers the name), so a component with a
stricter one (pki's SAN-first) is never blamed for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from simcore import CHAIN_OP, JUDGMENT_OP, TRAFFIC_OP, TRUST_OP, Event
from simcore.pki import Eku, hostname_matches

from ._verdict import Verdict, Violation

__all__ = ["RULES", "certificate_trust"]

#: Every rule this checker judges, by name.
RULES = ("accepted-broken-chain", "accepted-untrusted-root", "accepted-not-yet-valid", "accepted-expired",
         "accepted-revoked", "accepted-wrong-usage", "accepted-wrong-name", "refused-without-reason",
         "refused-contradicted", "traffic-after-refusal")

#: Refusal reasons the record can contradict, and the fact that does: a chain refused as expired
#: while it was valid at the instant, revoked while the judge's sources said it was not.
_CONTRADICTED = {
    "EXPIRED": lambda facts: facts["at"] <= facts["validUntil"],
    "NOT_YET_VALID": lambda facts: facts["at"] >= facts["validFrom"],
    "REVOKED": lambda facts: facts["revocation"] != "revoked",
}


class _Record:
    """The descriptions seen so far: chains by id, trust sets by digest (each with its event)."""

    def __init__(self) -> None:
        self.chains: dict[str, Event] = {}
        self.trusts: dict[str, Event] = {}
        self.refused: dict[int, Event] = {}  # the first refusal of each connection

    def read(self, event: Event) -> None:
        if event.op == CHAIN_OP:
            self.chains.setdefault(str(event.details.get("chain")), event)
        elif event.op == TRUST_OP:
            self.trusts.setdefault(str(event.details.get("trust")), event)


def _window(chain: Mapping[str, Any], trust: Event | None, root: str | None) -> tuple[float, float]:
    """When every certificate of the path is valid: the chain's window and the anchoring root's."""
    start, end = float(chain["validFrom"]), float(chain["validUntil"])
    for described in (trust.details.get("roots", ()) if trust is not None else ()):
        if described.get("root") == root:
            start, end = max(start, float(described["validFrom"])), min(end, float(described["validUntil"]))
    return start, end


def _accepted(judgment: Event, chain: Event | None, trust: Event | None) -> list[tuple[str, str]]:
    """The rules an acceptance breaks, each with why."""
    facts = judgment.details
    if chain is None:
        return [("accepted-broken-chain", "a chain that is empty or does not parse")]
    described = chain.details
    broken: list[tuple[str, str]] = []
    if not described.get("linked", False):
        broken.append(("accepted-broken-chain", "a chain whose certificates are not each issued by the next"))
    root = facts.get("root")
    trusted = [r.get("root") for r in (trust.details.get("roots", ()) if trust is not None else ())]
    if root is None or root not in trusted:
        broken.append(("accepted-untrusted-root", f"a chain issued by {described.get('issuer')!r}, which leads to "
                                                  "no root it trusted"))
    start, end = _window(described, trust, root)
    at = float(facts["at"])
    if at < start:
        broken.append(("accepted-not-yet-valid", f"a chain valid only from t={start:g} at t={at:g}"))
    if at > end:
        broken.append(("accepted-expired", f"a chain that expired at t={end:g} at t={at:g}"))
    if facts.get("revocation") == "revoked":
        broken.append(("accepted-revoked", "a chain its revocation sources said was revoked"))
    needed = {purpose.value for purpose in (Eku.SERVER_AUTH, Eku.CLIENT_AUTH)
              if any(oid in Eku(facts["purpose"]).oids for oid in purpose.oids)}
    missing = sorted(needed - set(described.get("eku", ())))
    if missing:
        broken.append(("accepted-wrong-usage", f"a leaf without the {', '.join(missing)} usage"))
    name = facts.get("name")
    if name is not None and not any(hostname_matches(n, name) for n in described.get("names", ())):
        broken.append(("accepted-wrong-name", f"a leaf that does not answer to {name!r}"))
    return broken


def _refused(judgment: Event, chain: Event | None, trust: Event | None) -> list[tuple[str, str]]:
    """The rules a refusal breaks: no reason given, or a reason the record contradicts."""
    facts = judgment.details
    reasons = list(facts.get("reasons", ()))
    if not reasons:
        return [("refused-without-reason", "no reason given")]
    if chain is None:
        return []
    start, end = _window(chain.details, trust, facts.get("root"))
    known = {**facts, "validFrom": start, "validUntil": end, "at": float(facts["at"])}
    injected = set(facts.get("injected", ()))
    return [("refused-contradicted", f"{reason}, which the record contradicts")
            for reason in reasons if reason not in injected and reason in _CONTRADICTED
            and _CONTRADICTED[reason](known)]


def certificate_trust(history: Iterable[Event]) -> Verdict:
    """Judge every certificate judgment of ``history`` (a ``simcore.History`` or its events)."""
    record = _Record()
    violations: list[Violation] = []
    checked = 0
    for event in history:
        record.read(event)
        if event.op == TRAFFIC_OP:
            refusal = record.refused.get(int(event.details.get("conn", -1)))
            if refusal is not None:
                violations.append(Violation(
                    "traffic-after-refusal", None, f"{event.node} acted on {event.details.get('use')} traffic over "
                    f"connection {event.details.get('conn')}, which {refusal.node} refused", (refusal.index, event.index)))
            continue
        if event.op != JUDGMENT_OP:
            continue
        checked += 1
        facts = event.details
        chain = record.chains.get(str(facts.get("chain")))
        trust = record.trusts.get(str(facts.get("trust")))
        accepted = event.phase.value == "ok"
        if not accepted and facts.get("conn") is not None:
            record.refused.setdefault(int(facts["conn"]), event)
        subject = chain.details.get("subject") if chain is not None else None
        verb = "accepted" if accepted else "refused"
        named = tuple(e.index for e in (chain, trust) if e is not None) + (event.index,)
        for rule, why in (_accepted if accepted else _refused)(event, chain, trust):
            violations.append(Violation(rule, None, f"{event.node} {verb} {subject!r} for {facts.get('use')} at "
                                                    f"t={event.time:g}: {why}", named))
    return Verdict("certificate trust", tuple(violations), checked)
