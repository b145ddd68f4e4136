"""Fabric and Provider actions on the wire (asr-api.md §4): ``refreshProvider``, and removing or purging a
Provider or a VMM fabric. Each answers 202 and runs as a job of the Provider channel
(``asr_emulator.channel``); a missing fabric or Provider is a 404 before anything starts.
"""

from __future__ import annotations

from ..channel.records import FabricRecord, ProviderRecord
from ..http import HttpResponse
from ..models.resources import KINDS
from ..models.vault import Vault
from ..routing.registry import handles
from ..wire.call import Call
from ..wire.render import resource_json

_PROVIDERS = "ReplicationRecoveryServicesProvidersOperations"


def _fabric(call: Call, vault: Vault) -> FabricRecord:
    name = call.params["fabricName"]
    fabric: FabricRecord | None = vault.channel.fabric(name) if vault.channel is not None else None
    if fabric is None:
        raise vault.missing(f"replicationFabrics/{name}")
    return fabric


def _provider(call: Call, vault: Vault) -> tuple[FabricRecord, ProviderRecord]:
    fabric = _fabric(call, vault)
    name = call.params["providerName"]
    record = vault.channel.provider(name)
    if record is None or record.fabric is not fabric:
        raise vault.missing(f"replicationFabrics/{fabric.name}/replicationRecoveryServicesProviders/{name}")
    return fabric, record


@handles(_PROVIDERS, "begin_refresh_provider")
def refresh_provider(call: Call) -> HttpResponse:
    vault = call.vault()
    fabric, record = _provider(call, vault)
    job = call.service.channel.refresh(vault, record, client_request_id=call.client_request_id)
    return call.accepted(vault, job, "resource",
                         lambda provider: resource_json(vault, KINDS["provider"], (fabric.name,), provider))


@handles(_PROVIDERS, "begin_delete", "begin_purge")
def remove_provider(call: Call) -> HttpResponse:
    vault = call.vault()
    fabric, record = _provider(call, vault)
    job = call.service.channel.remove(vault, fabric, record, purge=call.spec.method == "begin_purge",
                                      client_request_id=call.client_request_id)
    return call.accepted(vault, job, "delete")


@handles("ReplicationFabricsOperations", "begin_delete", "begin_purge")
def remove_fabric(call: Call) -> HttpResponse:
    vault = call.vault()
    fabric = _fabric(call, vault)
    job = call.service.channel.remove(vault, fabric, None, purge=call.spec.method == "begin_purge",
                                      client_request_id=call.client_request_id)
    return call.accepted(vault, job, "delete")
