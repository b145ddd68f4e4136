"""What both ends of the socket-mode channel share: loopback, the I/O bound, OpenSSL's no-check-time
flag (time is judged on the lab's virtual clock, PROTOCOL.md §2.1), the 401 codes of refused client
certificates, and PEM plumbing for ``ssl``."""

from __future__ import annotations

import os
import ssl
import tempfile
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from simcore.pki import CertificateAuthority, IssuedCertificate, Reason

__all__ = ["LOOPBACK", "IO_TIMEOUT", "NO_CHECK_TIME", "REFUSAL_CODES", "presented_chain", "load_identity", "pem"]

LOOPBACK = "127.0.0.1"
#: Wall-clock bound of one request on the wire (I/O only; virtual time does not move meanwhile).
IO_TIMEOUT = 30.0
#: OpenSSL's ``X509_V_FLAG_NO_CHECK_TIME`` (1.1.0+; ``ssl`` has no name for it): verify without the
#: validity period, which the lab judges on its virtual clock instead.
NO_CHECK_TIME = 0x200000
#: The 401 code of a client certificate refused for ``reason`` after the handshake.
REFUSAL_CODES: dict[Reason, str] = {reason: "ClientCertificate" + reason.value.title().replace("_", "")
                                    for reason in Reason}


def presented_chain(tls: Any) -> list[x509.Certificate]:
    """The chain the peer of ``tls`` (an ``SSLSocket`` or its ``_sslobj``, as httpcore hands it out)
    presented, leaf first, as sent (empty: none). Python 3.11 has it only on the private ``_sslobj``
    (``get_unverified_chain``, public on ``SSLSocket`` from 3.13); on the server side it includes the leaf."""
    chain = getattr(tls, "_sslobj", tls).get_unverified_chain() or []
    return [x509.load_pem_x509_certificate(cert.public_bytes().encode()) for cert in chain if cert is not None]


def load_identity(context: ssl.SSLContext, credential: IssuedCertificate) -> None:
    """Give ``context`` the certificate chain and key of ``credential``. ``load_cert_chain`` reads only
    files: a private temporary file, deleted once loaded."""
    handle, path = tempfile.mkstemp(prefix="asr-harness-", suffix=".pem")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(credential.chain_pem() + credential.key_pem())
        context.load_cert_chain(path)
    finally:
        Path(path).unlink(missing_ok=True)


def pem(root: CertificateAuthority | x509.Certificate) -> str:
    certificate = root.certificate if isinstance(root, CertificateAuthority) else root
    return certificate.public_bytes(Encoding.PEM).decode()
