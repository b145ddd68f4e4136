"""Cloud pairings and network mappings as the vault keeps them (asr-orchestration.md §A.1, §A.2).

``ContainerMapping`` is a ``replicationProtectionContainerMappings/{name}`` under the primary
cloud's container; ``NetworkMapping`` a ``replicationNetworkMappings/{name}`` under the primary VM
network. Both render the recorded ``properties`` (§A.1.2, §A.2.2); the workflows in
``asr_emulator.workflows`` create and remove them. A pairing's ``health`` and
``healthErrorDetails`` follow what the VMM servers report of their hosts
(``asr_emulator.channel.pairing_health``); nothing else in it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .health import HealthError, health_of

__all__ = ["ContainerRef", "ContainerMapping", "NetworkRef", "NetworkMapping"]


@dataclass(frozen=True)
class ContainerRef:
    """A discovered cloud: its fabric, container (= VMM cloud GUID) and the names ASR shows."""

    fabric: str
    container: str
    friendly_name: str
    fabric_friendly_name: str
    arm_id: str


@dataclass(eq=False)
class ContainerMapping:
    """A cloud pairing: ``primary`` protected to ``recovery`` with ``policy``."""

    name: str
    primary: ContainerRef
    recovery: ContainerRef
    policy_id: str
    policy_name: str
    state: str = "Paired"
    health_errors: tuple[HealthError, ...] = ()  # what the VMM servers report of the paired hosts

    @property
    def health(self) -> str:
        """``Normal`` while no host of either cloud has a defect (policy ``HEALTH_BY_ERROR_LEVEL``)."""
        return health_of(self.health_errors)

    def arm_properties(self) -> dict[str, Any]:
        return {
            "targetProtectionContainerId": self.recovery.arm_id,
            "targetProtectionContainerFriendlyName": self.recovery.friendly_name,
            "providerSpecificDetails": None, "health": self.health,
            "healthErrorDetails": [error.to_json() for error in self.health_errors],
            "policyId": self.policy_id, "state": self.state,
            "sourceProtectionContainerFriendlyName": self.primary.friendly_name,
            "sourceFabricFriendlyName": self.primary.fabric_friendly_name,
            "targetFabricFriendlyName": self.recovery.fabric_friendly_name,
            "policyFriendlyName": self.policy_name,
        }


@dataclass(frozen=True)
class NetworkRef:
    """A discovered VM network: its fabric, name (= VMM VM-network GUID) and the names ASR shows."""

    fabric: str
    network: str
    friendly_name: str
    fabric_friendly_name: str
    arm_id: str
    fabric_arm_id: str


@dataclass(eq=False)
class NetworkMapping:
    """A VmmToVmm network mapping of ``primary`` to ``recovery``."""

    name: str
    primary: NetworkRef
    recovery: NetworkRef
    state: str = "Paired"

    def arm_properties(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "primaryNetworkFriendlyName": self.primary.friendly_name, "primaryNetworkId": self.primary.arm_id,
            "primaryFabricFriendlyName": self.primary.fabric_friendly_name,
            "recoveryNetworkFriendlyName": self.recovery.friendly_name, "recoveryNetworkId": self.recovery.arm_id,
            "recoveryFabricArmId": self.recovery.fabric_arm_id,
            "recoveryFabricFriendlyName": self.recovery.fabric_friendly_name,
            "fabricSpecificSettings": {"instanceType": "VmmToVmm"},
        }
