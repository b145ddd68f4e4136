"""Identity faults at point ``pki.validate``: a certificate judged defective where it is checked.

Every place that judges a peer's certificate chain — a Hyper-V host at the replication handshake,
ASR's channel judging a Provider's client certificate, a Provider judging ASR's server certificate —
asks the fault plan with context ``node`` (who judges), ``subject`` (the leaf's common name) and
``use`` (``replication`` or ``channel``). A ``Fail`` whose code names a refusal reason (``EXPIRED``,
``REVOKED``, ``UNTRUSTED_ROOT``, ...: ``simcore.pki.Reason``'s values, or a judge's own such as
``REVOCATION_OFFLINE``) adds that reason to the verdict, so the component refuses the chain exactly
as it refuses a certificate that really expired, was revoked, or whose root was removed.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography import x509
from cryptography.x509.oid import NameOID

from ._faults import Fail, FaultPlan
from .pki import Reason, Validation

__all__ = ["IDENTITY_POINT", "injected_refusal", "judged"]

IDENTITY_POINT = "pki.validate"


def _common_name(chain: Sequence[x509.Certificate]) -> str:
    if not chain:
        return ""
    names = chain[0].subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


def injected_refusal(faults: FaultPlan, chain: Sequence[x509.Certificate], *, node: str, use: str) -> str | None:
    """The refusal reason an identity fault injects into the judgment of ``chain`` by ``node``, if any."""
    if not chain:
        return None
    action = faults.check(IDENTITY_POINT, {"node": node, "subject": _common_name(chain), "use": use})
    return action.code if isinstance(action, Fail) else None


def judged(faults: FaultPlan, validation: Validation, chain: Sequence[x509.Certificate], *, node: str,
           use: str) -> Validation:
    """``validation`` of ``chain`` by ``node``, with the reason an identity fault injects (a pki reason)."""
    code = injected_refusal(faults, chain, node=node, use=use)
    if code is None or code not in Reason.__members__:
        return validation
    return Validation((*validation.reasons, Reason(code)), (*validation.details, f"{code} (injected)"))
