"""Key types, key generation and the weak-key policy.

Leaf keys are generated fresh for every certificate (nothing is cached
globally). ECDSA P-256 is the fast default for tests; RSA 2048 is what Windows
hosts usually carry.
"""

from __future__ import annotations

from typing import Literal, Union

from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

from ._errors import CertificateRequestError

__all__ = [
    "MIN_EC_KEY_BITS",
    "MIN_RSA_KEY_BITS",
    "KeyType",
    "PrivateKey",
    "generate_key",
    "is_weak_key",
    "normalize_key_type",
]

KeyType = Literal["rsa", "ecdsa"]
PrivateKey = Union[rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey]

#: Policy: RSA (and DSA) keys shorter than this are WEAK_KEY.
MIN_RSA_KEY_BITS = 2048
#: Policy: elliptic curves smaller than this are WEAK_KEY.
MIN_EC_KEY_BITS = 256

_EC_CURVES: dict[int, type[ec.EllipticCurve]] = {
    192: ec.SECP192R1,
    224: ec.SECP224R1,
    256: ec.SECP256R1,
    384: ec.SECP384R1,
    521: ec.SECP521R1,
}
_RSA_MIN_GENERATE = 1024
_RSA_MAX_GENERATE = 16384
DEFAULT_KEY_SIZE: dict[str, int] = {"rsa": 2048, "ecdsa": 256}


def normalize_key_type(key_type: object) -> str:
    """Return ``"rsa"`` or ``"ecdsa"``; accept ``trustme.KeyType`` too."""
    name = getattr(key_type, "name", key_type)
    if isinstance(name, str) and name.lower() in ("rsa", "ecdsa"):
        return name.lower()
    raise CertificateRequestError(f"unsupported key type {key_type!r} (use 'rsa' or 'ecdsa')")


def generate_key(key_type: object, key_size: int | None) -> PrivateKey:
    """Generate a private key; refuse sizes the request policy does not allow.

    For RSA ``key_size`` is the modulus length (1024..16384, default 2048).
    For ECDSA it selects the NIST curve by size (192, 224, 256, 384, 521;
    default 256). Weak-but-generatable keys (RSA 1024, P-192, P-224) are
    allowed on purpose so tests can inject WEAK_KEY.
    """
    kind = normalize_key_type(key_type)
    size = DEFAULT_KEY_SIZE[kind] if key_size is None else key_size
    if isinstance(size, bool) or not isinstance(size, int):
        raise CertificateRequestError(f"key_size must be an int, got {key_size!r}")
    if kind == "rsa":
        if not _RSA_MIN_GENERATE <= size <= _RSA_MAX_GENERATE:
            raise CertificateRequestError(
                f"RSA key_size must be in [{_RSA_MIN_GENERATE}, {_RSA_MAX_GENERATE}], got {size}"
            )
        return rsa.generate_private_key(public_exponent=65537, key_size=size)
    curve = _EC_CURVES.get(size)
    if curve is None:
        raise CertificateRequestError(
            f"ECDSA key_size must be one of {sorted(_EC_CURVES)}, got {size}"
        )
    return ec.generate_private_key(curve())


def is_weak_key(public_key: object) -> bool:
    """Policy: RSA/DSA < 2048 bits, EC curves < 256 bits, unknown types are weak."""
    if isinstance(public_key, (rsa.RSAPublicKey, dsa.DSAPublicKey)):
        return public_key.key_size < MIN_RSA_KEY_BITS
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return public_key.curve.key_size < MIN_EC_KEY_BITS
    if isinstance(public_key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
        return False
    return True
