"""The update of a protected item (PATCH, the SDK's ``begin_update``; asr-api.md §7) for a VMM target,
as SDK 2.0.0's ``UpdateReplicationProtectedItemInputProperties`` and ``VMNicInputDetails`` allow.

Policies (no VMM-to-VMM update was recorded; the input is Azure-oriented):

* ``recoveryAzureVMName``, the input's only name, names the recovery VM: the replica (the VM that
  fails over) is renamed on the recovery VMM server. 1 to ``RECOVERY_VM_NAME_MAX`` characters.
* ``selectedRecoveryAzureNetworkId``, its only network, is for a VMM target a VM network of the
  recovery fabric (``…/replicationFabrics/{recovery}/replicationNetworks/{id}``, as a test failover's
  ``networkId``): the NICs the update selects connect to it instead of their mapped network, and a
  failover gives them an address of its pool. The official cmdlet likewise pairs ``-RecoveryNetworkId``
  with ``-PrimaryNic``: without a selected NIC the network is refused. While the VM is active at the
  recovery site its NICs' networks are those of the running VM and cannot be chosen.
* ``vmNics[]``: ``nicId``, ``selectionType`` (``SelectedByUser`` — the official cmdlet's default —
  or ``NotSelected``) and ``ipConfigs[0].recoveryStaticIPAddress`` (the address to inject). An entry
  states the NIC's whole choice: a ``SelectedByUser`` NIC gets the address and the update's network
  it names (the mapped network where it names none); a NIC with nothing chosen is ``NotSelected``:
  the mapped network and an address the pool picks.
* ``licenseType`` is accepted and ignored (the official cmdlet sends it on every update; a VMM cloud
  has no Azure licence). Fields that apply only to an Azure target are refused (400), as anything
  not emulated.

Every refusal is a 400 before anything changes; the ``UpdateVmProperties`` job
(``workflows.item_update``) applies the rest once the recovery VMM did its part.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from ..errors import InvalidParameter, ResourceNotFound
from ..http import HttpResponse
from ..models.mappings import NetworkRef
from ..models.protection import ProtectedItem
from ..policy import JOB_SCENARIOS, RECOVERY_VM_NAME_MAX
from ..routing.registry import handles
from ..wire.call import Call
from ..workflows import item_update, sites
from ._item import ITEMS, conflicting, item_of, properties_of, render

_AZURE_ONLY = ("recoveryAzureVMSize", "selectedTfoAzureNetworkId", "selectedSourceNicId", "enableRdpOnTargetOption",
               "recoveryAvailabilitySetId")
_AZURE_NIC_ONLY = ("recoveryNetworkSecurityGroupId", "enableAcceleratedNetworkingOnRecovery",
                   "tfoNetworkSecurityGroupId", "enableAcceleratedNetworkingOnTfo", "recoveryNicName",
                   "recoveryNicResourceGroupName", "reuseExistingNic", "tfoNicName", "tfoNicResourceGroupName",
                   "tfoReuseExistingNic", "targetNicName")
_AZURE_IP_CONFIG_ONLY = ("recoveryPublicIPAddressId", "recoveryLBBackendAddressPoolIds", "tfoSubnetName",
                         "tfoStaticIPAddress", "tfoPublicIPAddressId", "tfoLBBackendAddressPoolIds")
_LICENSE_TYPES = ("NotSpecified", "NoLicenseType", "WindowsServer")  # enum LicenseType
_SELECTIONS = ("SelectedByUser", "NotSelected")


def _refuse_azure_fields(body: dict[str, Any], names: tuple[str, ...], where: str) -> None:
    for name in names:
        if body.get(name) is not None:
            raise InvalidParameter(f"'{where}.{name}' applies to replication to Azure, not to a VMM cloud.",
                                   target=f"{where}.{name}")


def _vm_name(properties: dict[str, Any]) -> str | None:
    name: str | None = Call.field(properties, "recoveryAzureVMName", str, "properties")
    if name is not None and not (name.strip() and len(name) <= RECOVERY_VM_NAME_MAX):
        raise InvalidParameter(f"The value '{name}' of 'properties.recoveryAzureVMName' is invalid: the recovery VM "
                               f"name has 1 to {RECOVERY_VM_NAME_MAX} characters.",
                               target="properties.recoveryAzureVMName")
    return name


def _network(call: Call, item: ProtectedItem, properties: dict[str, Any]) -> NetworkRef | None:
    """The recovery VM network ``selectedRecoveryAzureNetworkId`` names, or None."""
    where = "properties.selectedRecoveryAzureNetworkId"
    network_id = Call.field(properties, "selectedRecoveryAzureNetworkId", str, "properties")
    if network_id is None:
        return None
    vault = call.vault()
    fabric, name = sites.parse_child_id(vault, network_id, "replicationNetworks", where)
    try:
        network = sites.network(call.service.channel, vault, fabric, name)
    except ResourceNotFound:
        network = None
    if network is None or network.fabric.lower() != item.recovery.fabric.lower():
        raise InvalidParameter(f"The value '{network_id}' of '{where}' is invalid: not a VM network of the recovery "
                               f"fabric '{item.recovery.fabric_friendly_name}'.", target=where)
    if item.active_location != "Primary":
        raise InvalidParameter(f"'{item.vm_name}' is active at the recovery site: its NICs are on the networks of "
                               "the running VM and their recovery network cannot be chosen.", target=where)
    return network


def _nic_choice(nic: object, where: str, known: dict[str, dict[str, Any]], item: ProtectedItem,
                network: NetworkRef | None) -> tuple[str, item_update.NicChoice]:
    """(lower-cased nicId, choice) of one ``vmNics`` entry."""
    if not isinstance(nic, dict):
        raise InvalidParameter(f"'{where}' must be an object.", target=where)
    nic_id = Call.field(nic, "nicId", str, where, required=True)
    if nic_id.lower() not in known:
        raise InvalidParameter(f"The value '{nic_id}' of '{where}.nicId' is not a NIC of '{item.vm_name}'.",
                               target=f"{where}.nicId")
    selection = Call.field(nic, "selectionType", str, where) or "SelectedByUser"
    if selection not in _SELECTIONS:
        raise InvalidParameter(f"The value '{selection}' of '{where}.selectionType' is invalid: SelectedByUser or "
                               "NotSelected.", target=f"{where}.selectionType")
    _refuse_azure_fields(nic, _AZURE_NIC_ONLY, where)
    configs = Call.field(nic, "ipConfigs", list, where) or [{}]
    config = configs[0]
    if not isinstance(config, dict):
        raise InvalidParameter(f"'{where}.ipConfigs[0]' must be an object.", target=f"{where}.ipConfigs[0]")
    _refuse_azure_fields(config, _AZURE_IP_CONFIG_ONLY, f"{where}.ipConfigs[0]")
    address = Call.field(config, "recoveryStaticIPAddress", str, f"{where}.ipConfigs[0]")
    if address is not None:
        try:
            ipaddress.IPv4Address(address)
        except ValueError:
            raise InvalidParameter(f"The value '{address}' of '{where}.ipConfigs[0].recoveryStaticIPAddress' is not "
                                   "an IPv4 address.", target=f"{where}.ipConfigs[0].recoveryStaticIPAddress") from None
    if address is not None and selection == "NotSelected":
        raise InvalidParameter(f"'{where}' is NotSelected: the pool picks its address; choose one with "
                               "SelectedByUser.", target=f"{where}.selectionType")
    selected = selection == "SelectedByUser" and (address is not None or network is not None)
    return nic_id.lower(), item_update.NicChoice(selected, address)


@handles(ITEMS, "begin_update")
def update_protected_item(call: Call) -> HttpResponse:
    """Parse and check the whole body (module docstring), then start ``UpdateVmProperties`` — or the
    532 conflict job while another job runs on the item."""
    vault = call.vault()
    properties = properties_of(call)
    _refuse_azure_fields(properties, _AZURE_ONLY, "properties")
    Call.field(properties, "providerSpecificDetails", dict, "properties")
    license_type = Call.field(properties, "licenseType", str, "properties")
    if license_type not in (None, *_LICENSE_TYPES):
        raise InvalidParameter(f"The value '{license_type}' of 'properties.licenseType' is invalid: "
                               + ", ".join(_LICENSE_TYPES) + ".", target="properties.licenseType")
    vm_name = _vm_name(properties)
    nics = Call.field(properties, "vmNics", list, "properties") or []
    item = item_of(call, vault)
    network = _network(call, item, properties)
    known = {nic["nicId"].lower(): nic for nic in item.nics}
    choices = dict(_nic_choice(nic, f"properties.vmNics[{index}]", known, item, network)
                   for index, nic in enumerate(nics))
    if network is not None and not any(choice.selected for choice in choices.values()):
        raise InvalidParameter("'properties.selectedRecoveryAzureNetworkId' applies to the NICs the update selects: "
                               "name them in 'properties.vmNics' with selectionType SelectedByUser.",
                               target="properties.vmNics")
    conflict = conflicting(call, vault, item, JOB_SCENARIOS["UpdateVmProperties"])
    if conflict is not None:
        return conflict
    job = item_update.start_update(call.service.channel, vault, item, vm_name=vm_name, network=network,
                                   nics=choices, client_request_id=call.client_request_id)
    return call.accepted(vault, job, "resource", render(vault))
