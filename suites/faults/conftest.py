"""Fixtures of the Hyper-V suite: one certificate authority per session (key generation is the slow
part), and a factory of fresh two-host labs on it (stateless, so hypothesis tests may share it)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hyperv_fake.testing import ReplicaPair
from simcore.pki import CertificateAuthority


@pytest.fixture(scope="session")
def ca() -> CertificateAuthority:
    return CertificateAuthority.root("Hyper-V suite Root CA")


@pytest.fixture(scope="session")
def make_pair(ca: CertificateAuthority) -> Callable[..., ReplicaPair]:
    def make(**kwargs: object) -> ReplicaPair:
        return ReplicaPair.build(ca=ca, **kwargs)  # type: ignore[arg-type]
    return make


@pytest.fixture
def pair(make_pair: Callable[..., ReplicaPair]) -> ReplicaPair:
    return make_pair()
