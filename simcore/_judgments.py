"""Every certificate judgment in the history, with what a checker needs to judge it again.

A component that judged a peer's chain (DESIGN.md, Invariants: certificate trust) records one
``pki.judgment`` event at the judge's node — ``ok`` when it accepted, ``fail`` when it refused —
holding the verdict's reasons (``injected``: those an identity fault added), the instant as the
judge's clock read it, the revocation status as the judge's own sources told it, the purpose and
name it asked for, the connection, the trusted root the chain leads to, and two descriptions:

* ``pki.chain`` — a chain's leaf (subject, issuer, names — CN and SANs — and EKU), its
  certificates, whether each is issued by the next, and the window all are valid in;
* ``pki.trust`` — a judge's trusted roots (subject, validity), recorded when that judge's set
  first appears or changes.

Certificates are named ``cert-N``, chains ``chain-N`` and trust sets ``trust-N`` in the order a
history first meets them: thumbprints and serials come from fresh keys and random serials on every
run, and the same seed must give the same history. Each description is recorded once, so the
history grows with judgments, not with the size of a chain or of a trust store. ``pki.traffic``
marks the first request acted on over a connection, so traffic over a refused connection shows.
Times are lab seconds (``Clock.to_seconds``). The facts are worked out here, apart from the
judge's own validation, so a judge that accepts what it should not is caught, not echoed.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import NameOID

from ._history import History, Phase
from .pki import CertificateAuthority, Eku, RevocationSource, thumbprint

if TYPE_CHECKING:
    from ._simulation import Simulation

__all__ = ["CHAIN_OP", "JUDGMENT_OP", "TRAFFIC_OP", "TRUST_OP", "Root", "record_judgment", "record_traffic"]

JUDGMENT_OP = "pki.judgment"
CHAIN_OP = "pki.chain"
TRUST_OP = "pki.trust"
TRAFFIC_OP = "pki.traffic"

Root = CertificateAuthority | x509.Certificate
_EKU_NAMES = {oid.dotted_string: purpose.value for purpose in (Eku.SERVER_AUTH, Eku.CLIENT_AUTH)
              for oid in purpose.oids}
#: How many (chain, roots) pairs keep their worked-out facts; channel chains are parsed afresh per
#: connection, so the cache is bounded (it only saves work: what is recorded never depends on it).
_CACHE_SIZE = 1024


def _digest(parts: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _cn(name: x509.Name) -> str:
    """The name's CN, else its organization (a test CA's random OU would make runs differ)."""
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        attrs = name.get_attributes_for_oid(oid)
        if attrs:
            return str(attrs[0].value)
    return ""


def _certificate(root: Root) -> x509.Certificate:
    return root.certificate if isinstance(root, CertificateAuthority) else root


def _issued_by(child: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Name linkage and a signature that verifies (the CA flag is the judge's to check)."""
    if child.issuer != issuer.subject:
        return False
    try:
        child.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _window(certs: Sequence[x509.Certificate]) -> tuple[datetime, datetime]:
    return max(c.not_valid_before_utc for c in certs), min(c.not_valid_after_utc for c in certs)


class _Trust:
    """A set of trusted roots: the thumbprints (its key) and what ``pki.trust`` tells of each root."""

    __slots__ = ("roots", "key", "certificates", "thumbprints")

    def __init__(self, roots: Sequence[Root]) -> None:
        self.roots = roots
        self.certificates = tuple(_certificate(root) for root in roots)
        self.thumbprints = tuple(thumbprint(cert) for cert in self.certificates)
        self.key = _digest(sorted(self.thumbprints))

    def details(self, sim: Simulation, ledger: _Ledger, name: str) -> dict[str, Any]:
        to_seconds = sim.clock.to_seconds
        return {"trust": name, "roots": [
            {"root": ledger.cert(print_), "subject": _cn(cert.subject),
             "validFrom": to_seconds(cert.not_valid_before_utc), "validUntil": to_seconds(cert.not_valid_after_utc)}
            for print_, cert in zip(self.thumbprints, self.certificates, strict=True)]}


class _Facts:
    """What cannot change for one chain under one set of roots: the chain's key and description, the
    trusted root it leads to (its top, or the root that issued its top), and which certificates
    revocation is asked about (every chain certificate that is not itself a trusted root)."""

    __slots__ = ("chain", "trust", "key", "root", "checked", "leaf", "certs", "linked", "window", "names",
                 "eku")

    def __init__(self, chain: Sequence[x509.Certificate], trust: _Trust) -> None:
        self.chain, self.trust = chain, trust
        self.certs = tuple(thumbprint(cert) for cert in chain)
        self.key = _digest(self.certs)
        self.leaf = chain[0]
        self.linked = all(_issued_by(child, parent) for child, parent in zip(chain, chain[1:], strict=False))
        top = chain[-1]
        anchors = dict(zip(trust.thumbprints, trust.certificates, strict=True))
        if self.certs[-1] in anchors:
            self.root: str | None = self.certs[-1]
        else:
            self.root = next((print_ for print_, cert in anchors.items() if _issued_by(top, cert)), None)
        self.checked = tuple(cert for cert, print_ in zip(chain, self.certs, strict=True) if print_ not in anchors)
        self.window = _window(chain)
        self.names = tuple(dict.fromkeys((*(str(a.value) for a in self.leaf.subject.get_attributes_for_oid(
            NameOID.COMMON_NAME)), *self._sans())))
        self.eku = self._usages()

    def _sans(self) -> list[str]:
        try:
            sans = self.leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound:
            return []
        return [*sans.get_values_for_type(x509.DNSName), *map(str, sans.get_values_for_type(x509.IPAddress))]

    def _usages(self) -> list[str]:
        try:
            usages = self.leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        except x509.ExtensionNotFound:
            return []
        return [_EKU_NAMES.get(oid.dotted_string, oid.dotted_string) for oid in usages]

    def details(self, sim: Simulation, ledger: _Ledger, name: str) -> dict[str, Any]:
        to_seconds = sim.clock.to_seconds
        return {"chain": name, "subject": _cn(self.leaf.subject), "issuer": _cn(self.leaf.issuer),
                "certs": [ledger.cert(print_) for print_ in self.certs], "linked": self.linked,
                "validFrom": to_seconds(self.window[0]), "validUntil": to_seconds(self.window[1]),
                "names": list(self.names), "eku": self.eku}


class _Ledger:
    """What one history already holds: the names given to certificates, chains and trust sets (by
    their keys, in the order first met), and each judge's trust set as last told."""

    __slots__ = ("certs", "chains", "trusts", "told")

    def __init__(self) -> None:
        self.certs: dict[str, str] = {}
        self.chains: dict[str, str] = {}
        self.trusts: dict[str, str] = {}
        self.told: dict[str, str] = {}

    def cert(self, print_: str) -> str:
        name = self.certs.get(print_)
        if name is None:
            name = self.certs[print_] = f"cert-{len(self.certs) + 1}"
        return name


#: Each live history's ledger, by the history's identity (a ``History`` compares by its events, so it
#: is no dictionary key); an entry goes with its history.
_LEDGERS: dict[int, _Ledger] = {}
_TRUSTS: dict[int, _Trust] = {}
_FACTS: dict[tuple[int, int], _Facts] = {}


def _ledger_of(history: History) -> _Ledger:
    ledger = _LEDGERS.get(id(history))
    if ledger is None:
        ledger = _LEDGERS[id(history)] = _Ledger()
        weakref.finalize(history, _LEDGERS.pop, id(history), None)
    return ledger


def _trust_of(roots: Sequence[Root]) -> _Trust:
    trust = _TRUSTS.get(id(roots))
    if trust is None or trust.roots is not roots:
        if len(_TRUSTS) >= _CACHE_SIZE:
            _TRUSTS.clear()
        trust = _TRUSTS[id(roots)] = _Trust(roots)
    return trust


def _facts_of(chain: Sequence[x509.Certificate], trust: _Trust) -> _Facts | None:
    key = (id(chain), id(trust))
    facts = _FACTS.get(key)
    if facts is None or facts.chain is not chain or facts.trust is not trust:
        if not chain or not all(isinstance(cert, x509.Certificate) for cert in chain):
            return None
        try:
            facts = _Facts(chain, trust)
        except ValueError:  # a field that does not parse: the chain is described as unreadable
            return None
        if len(_FACTS) >= _CACHE_SIZE:
            _FACTS.clear()
        _FACTS[key] = facts
    return facts


def _revocation(facts: _Facts | None, sources: Sequence[RevocationSource] | None) -> str:
    if sources is None:
        return "unchecked"
    if facts is None:
        return "unknown"
    return "revoked" if any(source.is_revoked(cert) for source in sources for cert in facts.checked) else "good"


def record_judgment(sim: Simulation, chain: Sequence[x509.Certificate], *, node: str, use: str, purpose: Eku,
                    roots: Sequence[Root], at: datetime, expected_name: str | None,
                    revocation: Sequence[RevocationSource] | None, reasons: Sequence[str],
                    injected: Sequence[str] = (), conn: int | None = None) -> None:
    """Record ``node``'s judgment of ``chain`` (leaf first) for ``use``: accepted when ``reasons`` is
    empty. ``roots``: what the judge trusted; ``revocation``: the sources it asked (None: it did not
    check); ``injected``: the reasons an identity fault added; ``conn``: the connection judged."""
    history = sim.history
    ledger = _ledger_of(history)
    trust = _trust_of(roots)
    trust_name = ledger.trusts.get(trust.key)
    if trust_name is None:
        trust_name = ledger.trusts[trust.key] = f"trust-{len(ledger.trusts) + 1}"
    if ledger.told.get(node) != trust_name:
        ledger.told[node] = trust_name
        history.record(node, TRUST_OP, Phase.INFO, trust.details(sim, ledger, trust_name))
    facts = _facts_of(chain, trust)
    chain_name = root = None
    if facts is not None:
        chain_name = ledger.chains.get(facts.key)
        if chain_name is None:
            chain_name = ledger.chains[facts.key] = f"chain-{len(ledger.chains) + 1}"
            history.record(node, CHAIN_OP, Phase.INFO, facts.details(sim, ledger, chain_name))
        root = None if facts.root is None else ledger.cert(facts.root)
    history.record(node, JUDGMENT_OP, Phase.FAIL if reasons else Phase.OK, {
        "use": use, "chain": chain_name, "root": root, "trust": trust_name, "at": sim.clock.to_seconds(at),
        "revocation": _revocation(facts, revocation), "purpose": purpose.value, "name": expected_name,
        "conn": conn, "reasons": list(reasons), "injected": list(injected)})


def record_traffic(sim: Simulation, *, node: str, use: str, conn: int) -> None:
    """Record that ``node`` acted on a request over connection ``conn`` (once per connection: the
    caller records the first)."""
    sim.history.record(node, TRAFFIC_OP, Phase.INFO, {"use": use, "conn": conn})
