"""How a Hyper-V host judges a certificate (§1.3), on the virtual clock.

Chain, trust, key and EKU come from ``simcore.pki.validate``; the rest is Hyper-V's own or per call:
the *name* rule ("subject CN equals the host FQDN, or the SAN contains it", wildcard in the first
label allowed), which differs from pki's SAN-first rule; validity at the instant of the exchange;
and revocation, mandatory unless ``DisableCertRevocationCheck`` is set, which needs a CRL — a
trusted root imported as a ``CertificateAuthority``, or a CRL cached in the host's store that is
current at the instant (``TrustPolicy.revocation_needs_crl``) — and is asked afresh every time (a
CA announces nothing).

Verifying signatures is the expensive part, so what cannot change for one chain under one set of
trusted roots is worked out once. Chains and root sets are immutable tuples that hosts hand out
as the same objects, so the cache is keyed by their identity and checks it on every hit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cryptography import x509
from cryptography.x509.oid import NameOID

from simcore.pki import CertificateAuthority, Eku, hostname_matches, validate

from ._errors import RefusalReason
from .policy import TrustPolicy

__all__ = ["CertificateJudge", "names_of", "current_crls", "listed"]

Root = CertificateAuthority | x509.Certificate
_ORDER = {reason: index for index, reason in enumerate(RefusalReason)}
_TIME = frozenset({RefusalReason.NOT_YET_VALID, RefusalReason.EXPIRED})


def names_of(cert: x509.Certificate) -> tuple[str, ...]:
    """The names a certificate answers to for Hyper-V: its subject CN, then its SAN DNS names."""
    names = [str(attr.value) for attr in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names.extend(san.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        pass
    return tuple(names)


def current_crls(crls: Sequence[x509.CertificateRevocationList],
                 at: datetime) -> tuple[x509.CertificateRevocationList, ...]:
    """The CRLs that answer at ``at``: issued by then and not past their ``nextUpdate`` (a CRL is
    trusted as given; its signature is not checked)."""
    return tuple(crl for crl in crls if crl.last_update_utc <= at
                 and (crl.next_update_utc is None or at <= crl.next_update_utc))


def listed(crl: x509.CertificateRevocationList, cert: x509.Certificate) -> bool:
    """Does ``crl`` revoke ``cert`` (same issuer, serial listed)?"""
    return crl.issuer == cert.issuer and crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None


def _certificate(root: Root) -> x509.Certificate:
    return root.certificate if isinstance(root, CertificateAuthority) else root


class _Facts:
    """What never changes for one chain under one set of roots."""

    __slots__ = ("chain", "roots", "reasons", "valid_from", "valid_until", "names", "authorities", "checked",
                 "answered", "_matches")

    def __init__(self, chain: tuple[x509.Certificate, ...], roots: tuple[Root, ...], policy: TrustPolicy,
                 at: datetime) -> None:
        self.chain, self.roots = chain, roots
        anchors = tuple(_certificate(root) for root in roots)
        top = chain[-1]
        path = chain + tuple(a for a in anchors if a == top or a.subject == top.issuer)
        self.valid_from = max(c.not_valid_before_utc for c in path)
        self.valid_until = min(c.not_valid_after_utc for c in path)
        result = validate(chain, purpose=Eku.SERVER_AND_CLIENT, expected_name=None, trust_roots=anchors, at=at,
                          check_revocation=False)
        self.reasons = tuple(RefusalReason(r.value) for r in result.reasons
                             if RefusalReason(r.value) not in _TIME
                             and (policy.reject_weak_keys or r.value != "WEAK_KEY"))
        self.names = names_of(chain[0])
        self.authorities = tuple(root for root in roots if isinstance(root, CertificateAuthority))
        self.checked = tuple(c for c in chain if c not in anchors)
        self.answered = any(a.certificate == top or a.certificate.subject == top.issuer for a in self.authorities)
        self._matches: dict[str, bool] = {}

    def answers_to(self, name: str) -> bool:
        """Does the leaf's CN or a SAN DNS name cover ``name`` (§1.3)?"""
        known = self._matches.get(name)
        if known is None:
            known = self._matches[name] = any(hostname_matches(n, name) for n in self.names)
        return known


class CertificateJudge:
    """Judges chains for one fabric under its ``TrustPolicy``, caching the signature work."""

    def __init__(self, policy: TrustPolicy) -> None:
        self.policy = policy
        self._facts: dict[tuple[int, int], _Facts] = {}

    def judge(
        self,
        chain: Sequence[x509.Certificate],
        *,
        roots: Sequence[Root],
        expected_name: str | None,
        at: datetime,
        check_revocation: bool,
        crls: Sequence[x509.CertificateRevocationList] = (),
    ) -> tuple[RefusalReason, ...]:
        """Every reason to refuse ``chain`` (leaf first) at ``at``, in a fixed order; empty when acceptable.
        ``crls``: the host's cached CRLs (those current at ``at`` answer for their issuer's certificates)."""
        chain, roots = tuple(chain), tuple(roots)
        if not chain:
            return (RefusalReason.BROKEN_CHAIN,)
        facts = self._facts_of(chain, roots, at)
        reasons = list(facts.reasons)
        if at < facts.valid_from:
            reasons.append(RefusalReason.NOT_YET_VALID)
        if at > facts.valid_until:
            reasons.append(RefusalReason.EXPIRED)
        if check_revocation:
            current = current_crls(crls, at)
            if any(authority.is_revoked(c) for authority in facts.authorities for c in facts.checked) \
                    or any(listed(crl, c) for crl in current for c in facts.checked):
                reasons.append(RefusalReason.REVOKED)
            elif self.policy.revocation_needs_crl and not facts.answered \
                    and not all(any(crl.issuer == c.issuer for crl in current) for c in facts.checked):
                reasons.append(RefusalReason.REVOCATION_OFFLINE)
        if expected_name is not None and not facts.answers_to(expected_name):
            reasons.append(RefusalReason.NAME_MISMATCH)
        return tuple(sorted(set(reasons), key=_ORDER.__getitem__))

    def _facts_of(self, chain: tuple[x509.Certificate, ...], roots: tuple[Root, ...], at: datetime) -> _Facts:
        key = (id(chain), id(roots))
        facts = self._facts.get(key)
        if facts is None or facts.chain is not chain or facts.roots is not roots:
            facts = self._facts[key] = _Facts(chain, roots, self.policy, at)
        return facts


