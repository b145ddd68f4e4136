"""Cloud pairing and network mapping on the wire (asr-orchestration.md §A.1, §A.2, §B.4).

Each request is parsed (typed 400s naming the field), resolved against what the Providers reported
(404s), checked against the workflow's rules (coded errors), and only then answered 202 with the
job that carries it out (``workflows.pairing``, ``workflows.network_mapping``).
"""

from __future__ import annotations

from typing import Any

from ..catalogue import RECOVERY_FABRIC_MISMATCH
from ..channel.vmware_fabric import VMwareFabricRecord
from ..errors import InvalidParameter
from ..http import HttpResponse
from ..models.mappings import ContainerMapping, NetworkMapping
from ..models.resources import KINDS
from ..models.vault import Vault
from ..routing.registry import handles
from ..wire.call import Call
from ..wire.render import asr_prefix, resource_json
from ..workflows import network_mapping, pairing, sites
from ..workflows.inmage import pairing as inmage_pairing

_PAIRINGS = "ReplicationProtectionContainerMappingsOperations"
_NETWORK_MAPPINGS = "ReplicationNetworkMappingsOperations"


def _properties(call: Call) -> dict[str, Any]:
    properties: dict[str, Any] = Call.field(call.body() or {}, "properties", dict, "", required=True)
    return properties


def _policy_name(vault: Vault, policy_id: str) -> str:
    prefix = f"{asr_prefix(vault)}/replicationPolicies/".lower()
    name = policy_id[len(prefix):] if policy_id.lower().startswith(prefix) else ""
    if not name or "/" in name:
        raise InvalidParameter(f"The value '{policy_id}' of 'properties.policyId' is invalid: expected the id of a "
                               f"replication policy of vault '{vault.name}'.", target="properties.policyId")
    return name


def _pairing(call: Call, vault: Vault) -> tuple[Any, ContainerMapping]:
    channel = call.service.channel
    source = sites.container(channel, vault, call.params["fabricName"], call.params["protectionContainerName"])
    found = vault.resources.get(KINDS["container_mapping"], (source.fabric, source.container), call.params["mappingName"])
    if not isinstance(found, ContainerMapping):
        raise vault.missing(f"replicationFabrics/{call.params['fabricName']}/replicationProtectionContainers/"
                            f"{call.params['protectionContainerName']}/replicationProtectionContainerMappings/"
                            f"{call.params['mappingName']}", target="mappingName")
    return source, found


def _render_pairing(vault: Vault) -> Any:
    return lambda mapping: resource_json(vault, KINDS["container_mapping"],
                                         (mapping.primary.fabric, mapping.primary.container), mapping)


@handles(_PAIRINGS, "begin_create")
def create_pairing(call: Call) -> HttpResponse:
    vault = call.vault()
    properties = _properties(call)
    target_id = Call.field(properties, "targetProtectionContainerId", str, "properties", required=True)
    policy_id = Call.field(properties, "policyId", str, "properties", required=True)
    Call.field(properties, "providerSpecificInput", dict, "properties")
    channel = call.service.channel
    primary = sites.container(channel, vault, call.params["fabricName"], call.params["protectionContainerName"])
    recovery = sites.container(channel, vault, *sites.parse_child_id(
        vault, target_id, "replicationProtectionContainers", "properties.targetProtectionContainerId"))
    policy = call.service.backend.policy(vault, _policy_name(vault, policy_id))
    vmware = isinstance(sites.fabric(channel, vault, primary.fabric), VMwareFabricRecord)
    if not vmware and isinstance(sites.fabric(channel, vault, recovery.fabric), VMwareFabricRecord):
        raise InvalidParameter(f"The value '{target_id}' of 'properties.targetProtectionContainerId' is invalid: a VMM "
                               "cloud pairs with a cloud of another VMM server, not with a configuration server's "
                               "container.", target="properties.targetProtectionContainerId")
    start = inmage_pairing.start_pairing if vmware else pairing.start_pairing
    job = start(channel, vault, call.params["mappingName"], primary, recovery, policy,
                client_request_id=call.client_request_id)
    return call.accepted(vault, job, "resource", _render_pairing(vault))


@handles(_PAIRINGS, "begin_update")
def update_pairing(call: Call) -> HttpResponse:
    """Policy: a VMM-to-VMM pairing has no updatable provider settings (the SDK's update input is
    A2A's), so an update changes nothing and answers the mapping at once through a finished job."""
    vault = call.vault()
    _, mapping = _pairing(call, vault)
    properties = _properties(call)
    Call.field(properties, "providerSpecificInput", dict, "properties")
    backend = call.service.backend
    job = backend.start_job(vault, "UpdateProtectionContainerMapping", target_object_id=mapping.policy_id,
                            target_object_name=mapping.policy_name, actions={
                                "UpdateProtectionContainerMappingTask": lambda: mapping},
                            client_request_id=call.client_request_id)
    return call.accepted(vault, job, "resource", _render_pairing(vault))


@handles(_PAIRINGS, "begin_delete", "begin_purge")
def remove_pairing(call: Call) -> HttpResponse:
    vault = call.vault()
    purge = call.spec.method == "begin_purge"
    if not purge:
        Call.field(_properties(call), "providerSpecificInput", dict, "properties")
    _, mapping = _pairing(call, vault)
    job = pairing.start_unpairing(call.service.channel, vault, mapping, purge=purge,
                                  client_request_id=call.client_request_id)
    return call.accepted(vault, job, "delete")


def _network_mapping_input(call: Call, vault: Vault) -> tuple[Any, Any]:
    properties = _properties(call)
    fabric_name = Call.field(properties, "recoveryFabricName", str, "properties", required=True)
    network_id = Call.field(properties, "recoveryNetworkId", str, "properties", required=True)
    details = Call.field(properties, "fabricSpecificDetails", dict, "properties")
    if details is not None and details.get("instanceType") not in (None, "VmmToVmm"):
        raise InvalidParameter(
            f"The value '{details.get('instanceType')}' of 'properties.fabricSpecificDetails.instanceType' is invalid: "
            "asr-harness maps VMM networks ('VmmToVmm').", target="properties.fabricSpecificDetails.instanceType")
    channel = call.service.channel
    primary = sites.network(channel, vault, call.params["fabricName"], call.params["networkName"])
    recovery_fabric, recovery_network = sites.parse_child_id(vault, network_id, "replicationNetworks",
                                                             "properties.recoveryNetworkId")
    sites.fabric(channel, vault, fabric_name)
    if recovery_fabric.lower() != fabric_name.lower():
        raise RECOVERY_FABRIC_MISMATCH.refusal(network=network_id, fabric=fabric_name,
                                               target="properties.recoveryFabricName")
    return primary, sites.network(channel, vault, recovery_fabric, recovery_network)


def _network_mapping(call: Call, vault: Vault) -> NetworkMapping:
    primary = sites.network(call.service.channel, vault, call.params["fabricName"], call.params["networkName"])
    found = vault.resources.get(KINDS["network_mapping"], (primary.fabric, primary.network),
                                call.params["networkMappingName"])
    if not isinstance(found, NetworkMapping):
        raise vault.missing(f"replicationFabrics/{call.params['fabricName']}/replicationNetworks/"
                            f"{call.params['networkName']}/replicationNetworkMappings/{call.params['networkMappingName']}",
                            target="networkMappingName")
    return found


def _render_network_mapping(vault: Vault) -> Any:
    return lambda mapping: resource_json(vault, KINDS["network_mapping"],
                                         (mapping.primary.fabric, mapping.primary.network), mapping)


@handles(_NETWORK_MAPPINGS, "begin_create", "begin_update")
def put_network_mapping(call: Call) -> HttpResponse:
    vault = call.vault()
    replacing = call.spec.method == "begin_update"
    if replacing:
        _network_mapping(call, vault)
    primary, recovery = _network_mapping_input(call, vault)
    job = network_mapping.start_network_mapping(call.service.channel, vault, call.params["networkMappingName"],
                                                primary, recovery, replacing=replacing,
                                                client_request_id=call.client_request_id)
    return call.accepted(vault, job, "resource", _render_network_mapping(vault))


@handles(_NETWORK_MAPPINGS, "begin_delete")
def delete_network_mapping(call: Call) -> HttpResponse:
    vault = call.vault()
    mapping = _network_mapping(call, vault)
    job = network_mapping.start_network_unmapping(call.service.channel, vault, mapping,
                                                  client_request_id=call.client_request_id)
    return call.accepted(vault, job, "delete")
