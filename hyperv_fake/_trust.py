"""How a Hyper-V host judges a certificate (§1.3), on the virtual clock.

Chain, trust, validity, key and EKU come from ``simcore.pki.validate``; two checks are Hyper-V's
own: the *name* rule ("subject CN equals the host FQDN, or the SAN contains it", wildcard in the
first label allowed), which differs from pki's SAN-first rule, and revocation, which is mandatory
unless ``DisableCertRevocationCheck`` is set and needs a CRL (``TrustPolicy.revocation_needs_crl``).

Verifying signatures is the expensive part, so results are cached per (chain, roots, validity
status of every certificate involved): a cached answer is reused only while no certificate has
crossed a validity boundary.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cryptography import x509
from cryptography.x509.oid import NameOID

from simcore.pki import CertificateAuthority, Eku, hostname_matches, validate

from ._errors import RefusalReason
from .policy import TrustPolicy

__all__ = ["CertificateJudge", "names_of"]

Root = CertificateAuthority | x509.Certificate


def names_of(cert: x509.Certificate) -> tuple[str, ...]:
    """The names a certificate answers to for Hyper-V: its subject CN, then its SAN DNS names."""
    names = [str(attr.value) for attr in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names.extend(san.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        pass
    return tuple(names)


def _root_certificate(root: Root) -> x509.Certificate:
    return root.certificate if isinstance(root, CertificateAuthority) else root


class CertificateJudge:
    """Judges chains for one fabric under its ``TrustPolicy``, caching the signature work."""

    def __init__(self, policy: TrustPolicy) -> None:
        self.policy = policy
        self._cache: dict[tuple[object, ...], tuple[RefusalReason, ...]] = {}

    def judge(
        self,
        chain: Sequence[x509.Certificate],
        *,
        roots: Sequence[Root],
        expected_name: str | None,
        at: datetime,
        check_revocation: bool,
    ) -> tuple[RefusalReason, ...]:
        """Every reason to refuse ``chain`` (leaf first) at ``at``; empty when it is acceptable."""
        chain = tuple(chain)
        if not chain:
            return (RefusalReason.BROKEN_CHAIN,)
        reasons = list(self._chain_reasons(chain, tuple(roots), at))
        if check_revocation:
            reasons.extend(self._revocation_reasons(chain, roots))
        if expected_name is not None and not any(hostname_matches(n, expected_name) for n in names_of(chain[0])):
            reasons.append(RefusalReason.NAME_MISMATCH)
        order = list(RefusalReason)
        return tuple(sorted(set(reasons), key=order.index))

    def _chain_reasons(self, chain: tuple[x509.Certificate, ...], roots: tuple[Root, ...], at: datetime) -> tuple[RefusalReason, ...]:
        anchors = tuple(_root_certificate(root) for root in roots)
        status = tuple((at < c.not_valid_before_utc, at > c.not_valid_after_utc) for c in chain + anchors)
        key = (chain, anchors, status)
        cached = self._cache.get(key)
        if cached is None:
            result = validate(chain, purpose=Eku.SERVER_AND_CLIENT, expected_name=None, trust_roots=anchors,
                              at=at, check_revocation=False)
            cached = tuple(RefusalReason(reason.value) for reason in result.reasons
                           if self.policy.reject_weak_keys or reason.value != "WEAK_KEY")
            self._cache[key] = cached
        return cached

    def _revocation_reasons(self, chain: tuple[x509.Certificate, ...], roots: Sequence[Root]) -> list[RefusalReason]:
        authorities = [root for root in roots if isinstance(root, CertificateAuthority)]
        below_anchor = [c for c in chain if all(c != _root_certificate(root) for root in roots)]
        if any(authority.is_revoked(c) for authority in authorities for c in below_anchor):
            return [RefusalReason.REVOKED]
        top = chain[-1]
        answered = any(_root_certificate(a) == top or top.issuer == a.certificate.subject for a in authorities)
        if self.policy.revocation_needs_crl and not answered:
            return [RefusalReason.REVOCATION_OFFLINE]
        return []
