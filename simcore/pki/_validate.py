"""Certificate-chain validation against a virtual clock.

``validate`` never raises on a bad chain: it collects *every* defect it finds
and returns them as :class:`Reason` values in a fixed order (the declaration
order of :class:`Reason`). Checks are independent of one another so that a
chain with several injected defects reports exactly those defects.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from cryptography import x509

from ._authority import CertificateAuthority
from ._certificate import IssuedCertificate, common_name
from ._eku import Eku
from ._keys import is_weak_key
from ._names import hostname_matches, parse_ip
from ._revocation import RevocationSource

__all__ = ["Reason", "Validation", "validate"]


class Reason(str, enum.Enum):
    """Why a chain was refused. Declaration order is the reporting order:
    path problems first, then per-certificate status, then leaf fitness."""

    BROKEN_CHAIN = "BROKEN_CHAIN"
    UNTRUSTED_ROOT = "UNTRUSTED_ROOT"
    REVOKED = "REVOKED"
    NOT_YET_VALID = "NOT_YET_VALID"
    EXPIRED = "EXPIRED"
    WEAK_KEY = "WEAK_KEY"
    WRONG_EKU = "WRONG_EKU"
    NAME_MISMATCH = "NAME_MISMATCH"


_ORDER = {reason: index for index, reason in enumerate(Reason)}


@dataclass(frozen=True)
class Validation:
    """Outcome of :func:`validate`; truthy iff the chain was accepted.

    ``reasons`` is deduplicated and sorted in :class:`Reason` order;
    ``details`` holds human-readable notes (not part of equality).
    """

    reasons: tuple[Reason, ...] = ()
    details: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "reasons", tuple(sorted(set(self.reasons), key=_ORDER.__getitem__)))

    @property
    def ok(self) -> bool:
        return not self.reasons

    @property
    def reason(self) -> Reason | None:
        """The first reason in reporting order, or None if accepted."""
        return self.reasons[0] if self.reasons else None

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        if self.ok:
            return "certificate accepted"
        return "certificate refused: " + ", ".join(r.value for r in self.reasons)


def _describe(cert: x509.Certificate) -> str:
    try:
        return cert.subject.rfc4514_string() or "<empty subject>"
    except Exception:
        return "<unprintable subject>"


def _well_formed(cert: object) -> bool:
    """Can every field the checks read be parsed without raising?"""
    if not isinstance(cert, x509.Certificate):
        return False
    try:
        cert.subject, cert.issuer, cert.serial_number  # noqa: B018
        cert.not_valid_before_utc, cert.not_valid_after_utc  # noqa: B018
        cert.extensions  # noqa: B018
        cert.public_key()
    except Exception:
        return False
    return True


def _coerce_chain(chain: object) -> list[object]:
    if isinstance(chain, IssuedCertificate):
        return list(chain.chain)
    if isinstance(chain, (x509.Certificate, CertificateAuthority)):
        chain = [chain]
    try:
        items = list(chain)  # type: ignore[call-overload]
    except Exception:
        return [chain]
    return [i.certificate if isinstance(i, (CertificateAuthority, IssuedCertificate)) else i for i in items]


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except Exception:
        return False


def _issued_by(child: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Name linkage, issuer is a CA, and the signature verifies."""
    try:
        if child.issuer != issuer.subject or not _is_ca(issuer):
            return False
        child.verify_directly_issued_by(issuer)
    except Exception:
        return False
    return True


def _eku_ok(leaf: x509.Certificate, purpose: Eku, require_extension: bool) -> bool:
    if not purpose.oids:
        return True
    try:
        usages = frozenset(leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        return not require_extension
    return purpose.satisfied_by(usages)


def _name_ok(leaf: x509.Certificate, expected: str) -> bool:
    """SAN DNS/IP entries decide; the subject CN counts only without a SAN extension."""
    if not isinstance(expected, str) or not expected:
        return False
    try:
        sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        cn = common_name(leaf)
        return bool(cn) and hostname_matches(cn, expected)
    ip = parse_ip(expected)
    if ip is not None:
        return ip in sans.get_values_for_type(x509.IPAddress)
    return any(hostname_matches(name, expected) for name in sans.get_values_for_type(x509.DNSName))


def _roots(trust_roots: Iterable[object]) -> tuple[list[x509.Certificate], list[CertificateAuthority]]:
    certs: list[x509.Certificate] = []
    cas: list[CertificateAuthority] = []
    if isinstance(trust_roots, (CertificateAuthority, x509.Certificate)):
        trust_roots = [trust_roots]
    for root in trust_roots:
        if isinstance(root, CertificateAuthority):
            cas.append(root)
            certs.append(root.certificate)
        elif isinstance(root, x509.Certificate):
            certs.append(root)
        else:
            raise TypeError(f"trust root must be an x509.Certificate or CertificateAuthority, got {root!r}")
    return certs, cas


def _sources(revocation: object, cas: list[CertificateAuthority]) -> list[RevocationSource]:
    given: list[object]
    if revocation is None:
        given = []
    elif isinstance(revocation, RevocationSource):
        given = [revocation]
    else:
        given = list(revocation)  # type: ignore[call-overload]
    out: list[RevocationSource] = []
    for source in [*given, *cas]:
        if not isinstance(source, RevocationSource):
            raise TypeError(f"revocation source needs is_revoked(cert), got {source!r}")
        if all(source is not seen for seen in out):
            out.append(source)
    return out


def validate(
    chain: Sequence[x509.Certificate] | IssuedCertificate | x509.Certificate,
    *,
    purpose: Eku,
    expected_name: str | None,
    trust_roots: Sequence[x509.Certificate | CertificateAuthority],
    at: datetime,
    check_revocation: bool = True,
    revocation: RevocationSource | Iterable[RevocationSource] | None = None,
    require_eku_extension: bool = True,
) -> Validation:
    """Validate ``chain`` (leaf first, then intermediates) at virtual time ``at``.

    * BROKEN_CHAIN: empty/malformed chain, or some cert not issued (name,
      CA flag, signature) by the next one;
    * UNTRUSTED_ROOT: the *top* of the chain neither is a trust root nor is
      issued by one (an intermediate given as a trust root is an anchor too);
    * REVOKED: some chain cert (not the anchor) is revoked per a source; the
      sources are ``revocation`` plus every CertificateAuthority in
      ``trust_roots`` (a CA answers for its whole subtree);
    * NOT_YET_VALID / EXPIRED: ``at`` outside ``[not_before, not_after]``
      (both ends inclusive, RFC 5280) for any cert in the path incl. anchor;
    * WEAK_KEY: any path cert with RSA/DSA < 2048 bits or EC < 256 bits;
    * WRONG_EKU: leaf lacks ``purpose``'s OIDs (anyExtendedKeyUsage does not
      count); a leaf without EKU fails unless ``require_eku_extension=False``;
    * NAME_MISMATCH: ``expected_name`` given and no SAN (or, without a SAN
      extension, the CN) matches it (see :func:`hostname_matches`).

    Raises only for caller errors (naive ``at``, bad trust root or source
    types); revocation-source exceptions propagate.
    """
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("at must be a timezone-aware datetime (virtual clock time)")
    if not isinstance(purpose, Eku):
        raise TypeError(f"purpose must be an Eku, got {purpose!r}")
    now = at.astimezone(timezone.utc)
    anchors, ca_roots = _roots(trust_roots)
    sources = _sources(revocation, ca_roots) if check_revocation else []

    items = _coerce_chain(chain)
    if not items or not all(_well_formed(c) for c in items):
        note = "BROKEN_CHAIN: chain is empty or holds something that is not a parseable certificate"
        return Validation((Reason.BROKEN_CHAIN,), (note,))
    certs: list[x509.Certificate] = items  # type: ignore[assignment]
    reasons: list[Reason] = []
    details: list[str] = []

    def flag(reason: Reason, note: str) -> None:
        reasons.append(reason)
        details.append(f"{reason.value}: {note}")

    for child, parent in zip(certs, certs[1:], strict=False):
        if not _issued_by(child, parent):
            flag(Reason.BROKEN_CHAIN, f"{_describe(child)} is not issued by {_describe(parent)}")

    top = certs[-1]
    path = list(certs)
    if top not in anchors:
        anchor = next((a for a in anchors if _issued_by(top, a)), None)
        if anchor is None:
            flag(Reason.UNTRUSTED_ROOT, f"{_describe(top)} does not chain to a trusted root")
        else:
            path.append(anchor)

    for cert in certs:
        if cert not in anchors and any(s.is_revoked(cert) for s in sources):
            flag(Reason.REVOKED, f"{_describe(cert)} (serial {cert.serial_number:x}) is revoked")

    for cert in path:
        if now < cert.not_valid_before_utc:
            flag(Reason.NOT_YET_VALID, f"{_describe(cert)} is valid from {cert.not_valid_before_utc.isoformat()}")
        if now > cert.not_valid_after_utc:
            flag(Reason.EXPIRED, f"{_describe(cert)} expired at {cert.not_valid_after_utc.isoformat()}")
        if is_weak_key(cert.public_key()):
            flag(Reason.WEAK_KEY, f"{_describe(cert)} has a weak key")

    leaf = certs[0]
    if not _eku_ok(leaf, purpose, require_eku_extension):
        flag(Reason.WRONG_EKU, f"{_describe(leaf)} lacks EKU for {purpose.name}")
    if expected_name is not None and not _name_ok(leaf, expected_name):
        flag(Reason.NAME_MISMATCH, f"{_describe(leaf)} is not valid for {expected_name!r}")
    return Validation(tuple(reasons), tuple(details))
