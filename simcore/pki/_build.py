"""Low-level X.509 builders shared by the certificate authority.

Kept apart from :mod:`._authority` so the CA class stays about bookkeeping
(hierarchy, issued ledger, revocations) and this module about encoding.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from ._eku import Eku
from ._errors import CertificateRequestError
from ._keys import PrivateKey
from ._names import parse_ip

__all__ = ["build_ca_cert", "build_leaf_cert", "general_name", "whole_second_utc"]


def whole_second_utc(value: object, what: str) -> datetime:
    """Aware ``value`` in UTC, truncated to the second (X.509 resolution)."""
    if not isinstance(value, datetime):
        raise CertificateRequestError(f"{what} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise CertificateRequestError(f"{what} must be timezone-aware (virtual clock time)")
    return value.astimezone(timezone.utc).replace(microsecond=0)


def general_name(text: object) -> x509.GeneralName:
    """A SAN entry: an IP address if ``text`` parses as one, else a DNS name."""
    if not isinstance(text, str) or not text.strip() or text != text.strip():
        raise CertificateRequestError(f"SAN must be a non-empty string without spaces, got {text!r}")
    ip = parse_ip(text)
    if ip is not None:
        return x509.IPAddress(ip)
    if not text.isascii() or any(ch.isspace() for ch in text):
        raise CertificateRequestError(f"DNS SAN must be ASCII (use the xn-- form): {text!r}")
    return x509.DNSName(text)


def _subject_name(subject: str) -> x509.Name:
    if not subject:
        return x509.Name([])
    try:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    except ValueError as exc:  # e.g. CN longer than 64 characters
        raise CertificateRequestError(f"bad subject {subject!r}: {exc}") from exc


def _ski_aki(
    builder: x509.CertificateBuilder, public_key: object, issuer_cert: x509.Certificate | None
) -> x509.CertificateBuilder:
    builder = builder.add_extension(
        x509.SubjectKeyIdentifier.from_public_key(public_key),  # type: ignore[arg-type]
        critical=False,
    )
    if issuer_cert is not None:
        ski = issuer_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
    return builder


def build_leaf_cert(
    *,
    subject: str,
    sans: Sequence[x509.GeneralName],
    eku: Eku,
    not_before: datetime,
    not_after: datetime,
    key: PrivateKey,
    issuer_cert: x509.Certificate,
    issuer_key: PrivateKey,
) -> x509.Certificate:
    """Sign an end-entity certificate (not a CA) with the given EKU and SANs."""
    public_key = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(_subject_name(subject))
        .issuer_name(issuer_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=isinstance(key, rsa.RSAPrivateKey),
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    builder = _ski_aki(builder, public_key, issuer_cert)
    if sans:
        # RFC 5280 4.2.1.6: SAN is critical when the subject is empty.
        builder = builder.add_extension(x509.SubjectAlternativeName(list(sans)), critical=not subject)
    if eku.oids:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku.oids)), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def build_ca_cert(
    *,
    name: str,
    key: PrivateKey,
    issuer_cert: x509.Certificate | None,
    issuer_key: PrivateKey | None,
    path_length: int,
    not_before: datetime,
    not_after: datetime,
) -> x509.Certificate:
    """Sign a CA certificate shaped like trustme's, but with chosen validity.

    Self-signed when ``issuer_cert`` is None. The OU is derived from the key's
    SKI so that names are unique without extra randomness.
    """
    public_key = key.public_key()
    ski = x509.SubjectKeyIdentifier.from_public_key(public_key)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"CA {ski.digest.hex()[:16]}"),
        ]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject if issuer_cert is None else issuer_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    builder = _ski_aki(builder, public_key, issuer_cert)
    return builder.sign(key if issuer_key is None else issuer_key, hashes.SHA256())
