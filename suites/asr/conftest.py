"""Fixtures for the ASR emulator suites: a lab, the service, a seeded vault, the two SDK clients."""

from __future__ import annotations

import pytest

from asr_emulator import AsrService
from drlab.azure_transport import DEFAULT_SUBSCRIPTION, recovery_services_client, site_recovery_client
from simcore import Simulation

RG = "rg-dr"
VAULT = "vault1"


@pytest.fixture
def sim() -> Simulation:
    return Simulation(seed=7)


@pytest.fixture
def service(sim: Simulation) -> AsrService:
    return AsrService(sim)


@pytest.fixture
def vault(service: AsrService):
    return service.create_vault(DEFAULT_SUBSCRIPTION, RG, VAULT)


@pytest.fixture
def asr(service: AsrService):
    """``SiteRecoveryManagementClient`` over the in-process transport."""
    return site_recovery_client(service)


@pytest.fixture
def rs(service: AsrService):
    """``RecoveryServicesClient`` (vaults) over the in-process transport."""
    return recovery_services_client(service)


def h2012r2(**fields) -> dict:
    """A valid HyperVReplica2012R2 ``providerSpecificInput`` with ``fields`` overriding it."""
    body = {"instanceType": "HyperVReplica2012R2", "replicationPort": 8083, "allowedAuthenticationType": 1,
            "recoveryPoints": 4, "applicationConsistentSnapshotFrequencyInHours": 2, "compression": "Enable",
            "initialReplicationMethod": "OverNetwork", "replicaDeletion": "Required",
            "replicationFrequencyInSeconds": 30}
    body.update(fields)
    return {key: value for key, value in body.items() if value is not None}


@pytest.fixture
def policy_input():
    return h2012r2
