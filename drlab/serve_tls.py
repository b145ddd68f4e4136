"""The TLS material of ``asr-harness serve``: a trustme CA whose bundle clients read from disk, and a
server certificate whose private key lives in memory only.

The CA is fresh for each run, or, with ``serve --state DIR``, kept in ``DIR`` (``ca.pem``, and its key
``ca-key.pem`` created 0600 and refused if anyone else may read it) and reused on every restart, so
a client's copy of the bundle keeps verifying; the server certificate is issued afresh each run.

``ssl.SSLContext.load_cert_chain`` reads files only, so the key passes through one file: created
with mode 0600 (``KEY_FILE_MODE``, never wider whatever the umask) inside the server's private
directory (``mkdtemp``: mode 0700), loaded, and unlinked before the server accepts a connection.
The directory, with the CA bundle (unless it is the state's), is removed when the context manager exits — normally, on SIGINT
/ SIGTERM (which ``serve`` turns into a normal exit), or on an exception. SIGKILL cannot be caught:
it leaves the directory and its ``ca.pem`` (a public certificate) behind, but no key, since none is
on disk while the server runs; the CA's own key is never written at all.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import ssl
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import trustme

__all__ = ["ServerTls", "server_tls", "load_identity", "kept_ca", "TlsStateError", "KEY_FILE_MODE", "CA_BUNDLE_NAME",
           "CA_KEY_NAME"]

#: The only mode the server's key file ever has (owner read/write), for the instant it exists.
KEY_FILE_MODE = 0o600
CA_BUNDLE_NAME = "ca.pem"
CA_KEY_NAME = "ca-key.pem"
_KEY_FILE_NAME = "server-key.pem"


class TlsStateError(ValueError):
    """A state directory's CA that cannot be used; the message is one line."""


@dataclass(frozen=True)
class ServerTls:
    """The CA bundle clients trust (a file) and the server's context (certificate and key loaded)."""

    ca_bundle: Path
    context: ssl.SSLContext


def load_identity(context: ssl.SSLContext, leaf: trustme.LeafCert, directory: Path) -> None:
    """Load ``leaf``'s key and chain into ``context`` through a 0600 file in ``directory`` that is
    gone again when this returns (or raises)."""
    path = directory / _KEY_FILE_NAME
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_FILE_MODE)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(leaf.private_key_and_cert_chain_pem.bytes())
        context.load_cert_chain(str(path))
    finally:
        path.unlink(missing_ok=True)


def kept_ca(state: Path) -> trustme.CA:
    """The CA kept in ``state`` (made and saved there the first time)."""
    cert, key = state / CA_BUNDLE_NAME, state / CA_KEY_NAME
    if key.exists():
        mode = key.stat().st_mode & 0o777
        if mode & 0o077:
            raise TlsStateError(f"{key} may be read by others (mode {mode:04o}); chmod 600 it")
        try:
            return trustme.CA.from_pem(cert.read_bytes(), key.read_bytes())
        except (OSError, ValueError) as error:
            raise TlsStateError(f"the CA kept in {state} cannot be loaded: {error}") from None
    ca = trustme.CA()
    try:
        descriptor = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_FILE_MODE)
        with os.fdopen(descriptor, "wb") as file:
            file.write(ca.private_key_pem.bytes())
        ca.cert_pem.write_to_path(str(cert))
    except OSError as error:
        raise TlsStateError(f"cannot keep the CA in {state}: {error.strerror}") from None
    return ca


@contextlib.contextmanager
def server_tls(host: str, state: Path | None = None) -> Iterator[ServerTls]:
    """A CA (fresh, or the one kept in ``state``) and a server certificate for ``host`` (and the loopback
    names), for one run."""
    ca = kept_ca(state) if state is not None else trustme.CA()
    leaf = ca.issue_cert(*dict.fromkeys([host, "127.0.0.1", "localhost", "::1"]))
    directory = Path(tempfile.mkdtemp(prefix="asr-harness-serve-"))
    try:
        ca_bundle = (state if state is not None else directory) / CA_BUNDLE_NAME
        if state is None:
            ca.cert_pem.write_to_path(str(ca_bundle))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        load_identity(context, leaf, directory)
        yield ServerTls(ca_bundle, context)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
