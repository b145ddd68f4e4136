"""Certificate authorities built on :mod:`trustme`, issuing custom leaves.

trustme creates the root and intermediate CAs; leaves are signed here with
:mod:`cryptography` because trustme cannot set EKU or key size. Each CA keeps
its own revocation list (a simple CRL model) and a ledger of what it issued.
Nothing here reads a clock: every time comes from the caller's virtual clock.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from ._build import build_ca_cert, build_leaf_cert, general_name, whole_second_utc
from ._certificate import IssuedCertificate, pem
from ._eku import Eku
from ._errors import CertificateRequestError, PkiError
from ._keys import PrivateKey, generate_key, normalize_key_type

__all__ = ["CertificateAuthority"]

_ROOT_PATH_LENGTH = 9  # trustme's default
_TRUSTME_KEY = {"rsa": trustme.KeyType.RSA, "ecdsa": trustme.KeyType.ECDSA}


def _cert_of(obj: object) -> x509.Certificate:
    if isinstance(obj, x509.Certificate):
        return obj
    cert = getattr(obj, "certificate", None)
    if isinstance(cert, x509.Certificate):
        return cert
    raise TypeError(f"expected a certificate, IssuedCertificate or CertificateAuthority, got {obj!r}")


class CertificateAuthority:
    """A root or intermediate CA.

    ``chain`` runs from this CA up to, but *not including*, the root: empty
    for a root, ``(intermediate, ...)`` otherwise. So for a leaf it issued,
    ``leaf.chain == (leaf.certificate, *ca.chain)``.

    Build with :meth:`root` and :meth:`create_intermediate`, not directly.
    """

    def __init__(
        self,
        ca: trustme.CA,
        *,
        name: str,
        parent: CertificateAuthority | None,
        path_length: int,
    ) -> None:
        self._ca = ca
        self.name = name
        self.parent = parent
        self._path_length = path_length
        self._certificate = x509.load_pem_x509_certificate(ca.cert_pem.bytes())
        self._key: PrivateKey = serialization.load_pem_private_key(  # type: ignore[assignment]
            ca.private_key_pem.bytes(), password=None
        )
        self._children: list[CertificateAuthority] = []
        self._issued: list[x509.Certificate] = []
        self._revoked: dict[int, datetime] = {}
        if parent is not None:
            parent._children.append(self)

    # -- construction -----------------------------------------------------
    @classmethod
    def root(
        cls,
        name: str,
        *,
        key_type: str = "ecdsa",
        not_before: datetime | None = None,
        not_after: datetime | None = None,
    ) -> CertificateAuthority:
        """A new self-signed root CA (O=``name``).

        By default trustme makes it, valid 2000-01-01..3000-01-01. Give
        ``not_before``/``not_after`` to pick the validity (built with
        cryptography, then wrapped by ``trustme.CA.from_pem``).
        """
        kind = normalize_key_type(key_type)
        if not_before is None and not_after is None:
            ca = trustme.CA(organization_name=name, key_type=_TRUSTME_KEY[kind])
        else:
            ca = cls._custom_ca(name, kind, None, _ROOT_PATH_LENGTH, not_before, not_after)
        return cls(ca, name=name, parent=None, path_length=_ROOT_PATH_LENGTH)

    def create_intermediate(
        self,
        name: str,
        *,
        key_type: str = "ecdsa",
        not_before: datetime | None = None,
        not_after: datetime | None = None,
    ) -> CertificateAuthority:
        """A child CA signed by this one (trustme unless validity is given)."""
        if self._path_length <= 0:
            raise PkiError(f"CA {self.name!r} has path length 0 and cannot sign CAs")
        kind = normalize_key_type(key_type)
        length = self._path_length - 1
        if not_before is None and not_after is None:
            ca = trustme.CA(
                parent_cert=self._ca, path_length=length, organization_name=name, key_type=_TRUSTME_KEY[kind]
            )
        else:
            ca = self._custom_ca(name, kind, self, length, not_before, not_after)
        return CertificateAuthority(ca, name=name, parent=self, path_length=length)

    @staticmethod
    def _custom_ca(
        name: str,
        kind: str,
        parent: CertificateAuthority | None,
        path_length: int,
        not_before: datetime | None,
        not_after: datetime | None,
    ) -> trustme.CA:
        nb = whole_second_utc(not_before, "not_before") if not_before is not None else None
        na = whole_second_utc(not_after, "not_after") if not_after is not None else None
        nb = nb or whole_second_utc(trustme.DEFAULT_NOT_BEFORE.replace(tzinfo=timezone.utc), "not_before")
        na = na or whole_second_utc(trustme.DEFAULT_EXPIRY.replace(tzinfo=timezone.utc), "not_after")
        if na <= nb:
            raise CertificateRequestError("CA not_after must be later than not_before")
        key = generate_key(kind, None)
        cert = build_ca_cert(
            name=name,
            key=key,
            issuer_cert=None if parent is None else parent.certificate,
            issuer_key=None if parent is None else parent._key,
            path_length=path_length,
            not_before=nb,
            not_after=na,
        )
        key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        ca = trustme.CA.from_pem(pem(cert), key_pem)
        if parent is not None:
            ca.parent_cert = parent._ca
        return ca

    # -- identity ---------------------------------------------------------
    @property
    def certificate(self) -> x509.Certificate:
        return self._certificate

    @property
    def trustme(self) -> trustme.CA:
        """The underlying ``trustme.CA`` (e.g. for ``configure_trust``)."""
        return self._ca

    @property
    def is_root(self) -> bool:
        return self.parent is None

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        """This CA's cert and its ancestors', excluding the root."""
        out: list[x509.Certificate] = []
        node: CertificateAuthority | None = self
        while node is not None and node.parent is not None:
            out.append(node.certificate)
            node = node.parent
        return tuple(out)

    @property
    def issued(self) -> tuple[x509.Certificate, ...]:
        """Every leaf this CA issued, in order."""
        return tuple(self._issued)

    def cert_pem(self) -> bytes:
        return pem(self._certificate)

    def write_pem(self, path: str | os.PathLike[str]) -> None:
        """Write this CA's certificate as PEM (a trust file for ``ssl``)."""
        with open(path, "wb") as fh:
            fh.write(self.cert_pem())

    # -- issuing ----------------------------------------------------------
    def issue(
        self,
        subject: str,
        *,
        sans: Sequence[str] = (),
        eku: Eku = Eku.SERVER_AND_CLIENT,
        not_before: datetime,
        not_after: datetime,
        key_type: str = "rsa",
        key_size: int | None = None,
    ) -> IssuedCertificate:
        """Issue a leaf (CN=``subject``) valid ``[not_before, not_after]``.

        Times are virtual and must be aware; sub-second parts are truncated
        (X.509 has 1-second resolution). ``key_size`` defaults to 2048 for RSA
        and 256 (P-256) for ECDSA. Every check runs before the key is made, so
        a refused request issues nothing.
        """
        if not isinstance(subject, str):
            raise CertificateRequestError(f"subject must be a str, got {subject!r}")
        if isinstance(sans, str):
            raise CertificateRequestError("sans must be a sequence of names, not a single str")
        names = [general_name(s) for s in sans]
        if not subject and not names:
            raise CertificateRequestError("a certificate needs a subject or at least one SAN")
        if not isinstance(eku, Eku):
            raise CertificateRequestError(f"eku must be an Eku, got {eku!r}")
        nb = whole_second_utc(not_before, "not_before")
        na = whole_second_utc(not_after, "not_after")
        if na <= nb:
            raise CertificateRequestError(f"not_after ({na}) must be later than not_before ({nb})")
        key = generate_key(key_type, key_size)
        cert = build_leaf_cert(
            subject=subject,
            sans=names,
            eku=eku,
            not_before=nb,
            not_after=na,
            key=key,
            issuer_cert=self._certificate,
            issuer_key=self._key,
        )
        self._issued.append(cert)
        return IssuedCertificate(certificate=cert, private_key=key, chain=(cert, *self.chain))

    # -- revocation -------------------------------------------------------
    def _issued_by_me(self, cert: x509.Certificate) -> bool:
        if cert.issuer != self._certificate.subject or cert == self._certificate:
            return False
        try:
            cert.verify_directly_issued_by(self._certificate)
        except Exception:
            return False
        return True

    def revoke(self, cert: object, *, at: datetime | None = None) -> None:
        """Revoke a certificate this CA signed (leaf or child CA); idempotent.

        ``at`` is only the CRL revocation date (default: the cert's
        not_before); revocation takes effect for validation immediately.
        """
        target = _cert_of(cert)
        if not self._issued_by_me(target):
            raise PkiError(f"{self.name!r} did not issue {target.subject.rfc4514_string()!r}")
        when = target.not_valid_before_utc if at is None else whole_second_utc(at, "at")
        self._revoked.setdefault(target.serial_number, when)

    def is_revoked(self, cert: object) -> bool:
        """True if this CA or any CA below it revoked ``cert``. Never raises."""
        try:
            target = _cert_of(cert)
            mine = target.issuer == self._certificate.subject and target.serial_number in self._revoked
        except Exception:
            return False
        return mine or any(child.is_revoked(target) for child in self._children)

    @property
    def revoked_serials(self) -> frozenset[int]:
        """Serials this CA itself revoked (not its children's)."""
        return frozenset(self._revoked)

    def crl(self, *, last_update: datetime, next_update: datetime | None = None) -> x509.CertificateRevocationList:
        """Export this CA's revocations as a signed X.509 CRL (default: 7-day life)."""
        last = whole_second_utc(last_update, "last_update")
        nxt = last + timedelta(days=7) if next_update is None else whole_second_utc(next_update, "next_update")
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self._certificate.subject)
            .last_update(last)
            .next_update(nxt)
        )
        for serial, when in sorted(self._revoked.items()):
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
            )
        return builder.sign(self._key, hashes.SHA256())

    def __repr__(self) -> str:
        kind = "root" if self.is_root else "intermediate"
        return f"CertificateAuthority({self.name!r}, {kind})"
