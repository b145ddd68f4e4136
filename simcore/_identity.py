"""Identity faults at point ``pki.validate``: a certificate judged defective where it is checked.

Every place that judges a peer's certificate chain — a Hyper-V host at the replication handshake,
ASR's channel judging a Provider's client certificate, a Provider judging ASR's server certificate —
asks the fault plan with context ``node`` (who judges), ``subject`` (the leaf's common name) and
``use`` (``replication`` or ``channel``). A ``Fail`` whose code names a refusal reason (``EXPIRED``,
``REVOKED``, ``UNTRUSTED_ROOT``, ...: ``simcore.pki.Reason``'s values, or a judge's own such as
``REVOCATION_OFFLINE``) adds that reason to the verdict, so the component refuses the chain exactly
as it refuses a certificate that really expired, was revoked, or whose root was removed.

``judged`` also records the judgment in the history (``simcore._judgments``: ``pki.judgment``), so
a checker over the history can judge every accepted and refused chain again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.x509.oid import NameOID

from ._faults import Fail, FaultPlan
from ._judgments import Root, record_judgment
from .pki import CertificateAuthority, Eku, Reason, Validation

if TYPE_CHECKING:
    from ._simulation import Simulation

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


def judged(sim: Simulation, validation: Validation, chain: Sequence[x509.Certificate], *, node: str, use: str,
           purpose: Eku, roots: Sequence[Root], at: datetime, expected_name: str | None = None,
           conn: int | None = None) -> Validation:
    """``validation`` of ``chain`` by ``node`` (against ``roots`` at ``at``, revocation asked of the
    CAs among them, as ``pki.validate`` does), with the reason an identity fault injects (a pki
    reason); the judgment is recorded in the history either way."""
    code = injected_refusal(sim.faults, chain, node=node, use=use)
    result = validation
    if code is not None and code in Reason.__members__:
        result = Validation((*validation.reasons, Reason(code)), (*validation.details, f"{code} (injected)"))
    record_judgment(sim, chain, node=node, use=use, purpose=purpose, roots=roots, at=at, expected_name=expected_name,
                    revocation=[root for root in roots if isinstance(root, CertificateAuthority)],
                    reasons=[reason.value for reason in result.reasons],
                    injected=() if result is validation else (str(code),), conn=conn)
    return result
