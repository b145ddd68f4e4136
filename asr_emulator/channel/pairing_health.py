"""A cloud pairing's health, from what both VMM servers last reported of their paired hosts.

Each Provider's inventory carries, per paired cloud, the pairings that configure it and the
defects of its hosts (PROTOCOL.md §5.2 ``pairings``; VMM judges its own hosts). ASR keeps the last
report per fabric (``VaultChannel.inventories``); ``refresh_mapping`` turns the two sides' reports
for one mapping into its ``healthErrorDetails`` — one item per host defect, from the catalogue
(``PAIRING_HOST_DEFECTS``) — keeping each item's first-seen ``creationTimeUtc``. Only the
mapping's health changes: its state, policy and names belong to the pairing workflow, and a
report for a pairing ASR does not know (another id) changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from simcore import Clock

from ..catalogue import PAIRING_HOST_DEFECT_OTHER, PAIRING_HOST_DEFECTS
from ..models.health import HealthError
from ..models.mappings import ContainerMapping, ContainerRef
from ..models.resources import KINDS
from ..models.vault import Vault
from ..policy import (
    PAIRING_HEALTH_ERROR_CATEGORY, PAIRING_HEALTH_ERROR_LEVEL, PAIRING_HEALTH_ERROR_SOURCES, PAIRING_HEALTH_ERROR_TYPE,
    PAIRING_HEALTH_RESOLVABILITY,
)
from ..wire.render import asr_prefix, fmt_time
from .discovery import container_name

__all__ = ["pairing_id", "refresh_mapping", "refresh_fabric"]


def pairing_id(vault: Vault, primary: ContainerRef, name: str) -> str:
    """The id ASR gives a pairing in its work items (the mapping's ARM id): what VMM reports it by."""
    return (f"{asr_prefix(vault)}/replicationFabrics/{primary.fabric}/replicationProtectionContainers/"
            f"{primary.container}/replicationProtectionContainerMappings/{name}")


def _reported(vault: Vault, ref: ContainerRef, pairing: str) -> list[dict[str, Any]]:
    """The defects ``ref``'s VMM server last reported for the pairing ``pairing`` (none if no report)."""
    channel = vault.channel
    inventory = channel.inventories.get(ref.fabric.lower()) if channel is not None else None
    for cloud in (inventory or {}).get("clouds", []):
        if container_name(cloud["id"]).lower() != ref.container.lower():
            continue
        for reported in cloud.get("pairings", []):
            if reported["pairingId"].lower() == pairing.lower():
                defects: list[dict[str, Any]] = reported["defects"]
                return defects
    return []


def _health_error(mapping_id: str, side: str, ref: ContainerRef, defect: dict[str, Any], at: str) -> HealthError:
    entry = PAIRING_HOST_DEFECTS.get(defect["kind"], PAIRING_HOST_DEFECT_OTHER)
    names = {"host": defect["host"], "cloud": ref.friendly_name, "vmm": ref.fabric_friendly_name,
             "detail": defect["detail"]}
    key = "|".join((mapping_id.lower(), side, defect["host"].lower(), entry.code, defect["kind"]))
    return HealthError(
        error_source=PAIRING_HEALTH_ERROR_SOURCES[side], error_type=PAIRING_HEALTH_ERROR_TYPE,
        error_level=PAIRING_HEALTH_ERROR_LEVEL, error_category=PAIRING_HEALTH_ERROR_CATEGORY, error_code=entry.code,
        summary_message=entry.summary.format(**names), error_message=entry.message.format(**names),
        possible_causes=entry.possible_causes.format(**names),
        recommended_action=entry.recommended_action.format(**names), creation_time_utc=at,
        entity_id=defect["host"], error_id=str(uuid.uuid5(uuid.NAMESPACE_URL, key)),
        customer_resolvability=PAIRING_HEALTH_RESOLVABILITY)


def refresh_mapping(vault: Vault, mapping: ContainerMapping, clock: Clock) -> None:
    """Set ``mapping``'s health errors from both sides' last reports (policy ``PAIRING_HEALTH_ERROR_ID``:
    an error seen before keeps its id and creation time)."""
    mapping_id = pairing_id(vault, mapping.primary, mapping.name)
    now = fmt_time(clock, clock.now) or ""
    kept = {error.error_id: error for error in mapping.health_errors}
    errors: dict[str, HealthError] = {}
    for side, ref in (("Primary", mapping.primary), ("Recovery", mapping.recovery)):
        for defect in _reported(vault, ref, mapping_id):
            error = _health_error(mapping_id, side, ref, defect, now)
            seen = kept.get(error.error_id)
            errors.setdefault(error.error_id, error if seen is None else seen)
    mapping.health_errors = tuple(errors.values())


def _mappings(vault: Vault) -> Iterable[ContainerMapping]:
    for _, found in vault.resources.everywhere(KINDS["container_mapping"]):
        if isinstance(found, ContainerMapping):
            yield found


def refresh_fabric(vault: Vault, fabric: str, clock: Clock) -> None:
    """``refresh_mapping`` for every pairing with a cloud of ``fabric`` (its Provider just reported)."""
    for mapping in _mappings(vault):
        if fabric.lower() in (mapping.primary.fabric.lower(), mapping.recovery.fabric.lower()):
            refresh_mapping(vault, mapping, clock)
