"""simcore.pki: issue certificates (trustme + cryptography) and validate them
against a virtual clock, naming every reason a chain is refused.

Nothing here reads the wall clock: callers pass their lab clock's time.
"""

from __future__ import annotations

from ._authority import CertificateAuthority
from ._certificate import IssuedCertificate, thumbprint
from ._eku import Eku
from ._errors import CertificateRequestError, PkiError
from ._keys import MIN_EC_KEY_BITS, MIN_RSA_KEY_BITS, KeyType, is_weak_key
from ._names import hostname_matches
from ._revocation import CrlRevocationSource, RevocationSource
from ._validate import Reason, Validation, validate

__all__ = [
    "MIN_EC_KEY_BITS",
    "MIN_RSA_KEY_BITS",
    "CertificateAuthority",
    "CertificateRequestError",
    "CrlRevocationSource",
    "Eku",
    "IssuedCertificate",
    "KeyType",
    "PkiError",
    "Reason",
    "RevocationSource",
    "Validation",
    "hostname_matches",
    "is_weak_key",
    "thumbprint",
    "validate",
]
