"""Exceptions raised by :mod:`simcore.pki`.

Validation never raises for a bad certificate (it returns a :class:`Validation`
naming the reasons); these exceptions are for misuse of the issuing API.
"""

from __future__ import annotations

__all__ = ["CertificateRequestError", "PkiError"]


class PkiError(Exception):
    """Base class of every error raised on purpose by :mod:`simcore.pki`."""


class CertificateRequestError(PkiError, ValueError):
    """A certificate request was refused before anything was issued.

    Raised for an empty subject without SANs, an empty validity window,
    naive datetimes, an unsupported key type or key size, or a malformed SAN.
    """
