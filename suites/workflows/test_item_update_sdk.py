"""Update of a protected item through the official SDK, beyond the static address (handlers.update's
policies): the recovery VM name (``recoveryAzureVMName``) and, for the NICs the update selects, the
recovery VM network (``selectedRecoveryAzureNetworkId``). From the hosts' own state: the replica is
renamed on the recovery VMM and host, and after a failover the VM is named so and its chosen NIC sits
on the chosen network with an address of **that** network's pool. Bad input is a 400 that changes
nothing, on ASR or on the hosts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError

from drlab import CloudSpec, Lab, NetworkSpec, Role, VMSpec

from .conftest import Runbook

#: Corp is mapped 10.1/24 → 10.2/24; Alt (10.5/24 → 10.6/24) is not mapped: web1's second NIC has no
#: recovery network until an update chooses one.
NETWORKS = (NetworkSpec("Corp", "10.1.0.0/24", "10.2.0.0/24"), NetworkSpec("Alt", "10.5.0.0/24", "10.6.0.0/24"))
CLOUDS = (CloudSpec("Gold", Role.primary), CloudSpec("Gold-Recovery", Role.recovery))
UNMAPPED = "00000000-0000-0000-0000-000000000000"
PFO = {"properties": {"failoverDirection": "PrimaryToRecovery",
                      "providerSpecificDetails": {"instanceType": "ProviderSpecificFailoverInput"}}}


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=11, clouds=CLOUDS, networks=NETWORKS, vms=[VMSpec("web1", "Gold", networks=("Corp", "Alt"))]) as built:
        yield built


@pytest.fixture
def protected(runbook: Runbook) -> tuple[Runbook, str]:
    return runbook, runbook.protect("web1")


def _item(runbook: Runbook, name: str) -> Any:
    fabric, container = runbook.container("Gold")
    return runbook.asr.replication_protected_items.get(runbook.rg, runbook.vault, fabric, container, name)


def _update(runbook: Runbook, name: str, properties: dict[str, Any]) -> Any:
    fabric, container = runbook.container("Gold")
    return runbook.asr.replication_protected_items.begin_update(
        runbook.rg, runbook.vault, fabric, container, name, {"properties": properties})


def _network_id(runbook: Runbook, site: str, network: str) -> str:
    fabric, name = runbook.network(site, network)
    return f"{runbook.prefix()}/replicationFabrics/{fabric}/replicationNetworks/{name}"


def _replica(lab: Lab) -> Any:
    """The Hyper-V VM of the recovery site (web1's replica, however it is named)."""
    (vm,) = [vm for host in lab.sites[Role.recovery].hosts for vm in host.vms]
    return vm


def _granted(lab: Lab, pool_prefix: str) -> set[str]:
    vmm = lab.recovery.vmm
    pools = [p for p in vmm.get_sc_static_ip_address_pool() if p.name.startswith(pool_prefix)]
    return {str(a.address) for pool in pools for a in vmm.get_sc_ip_address(static_ip_address_pool=pool)}


def test_the_chosen_name_and_network_are_what_the_failover_brings_up(protected, lab: Lab) -> None:
    runbook, name = protected
    nics = _item(runbook, name).properties.provider_specific_details.vm_nics
    assert [nic.recovery_vm_network_id == UNMAPPED for nic in nics] == [False, True]
    alt = _network_id(runbook, "recovery", "Alt")
    item = _update(runbook, name, {"recoveryAzureVMName": "web1-dr", "selectedRecoveryAzureNetworkId": alt,
                                   "vmNics": [{"nicId": nics[1].nic_id, "selectionType": "SelectedByUser"}]}).result()
    (job,) = runbook.jobs("UpdateVmProperties")
    assert job.properties.state == "Succeeded"
    assert job.properties.custom_details.affected_object_details["recoveryVmName"] == "web1-dr"
    first, second = item.properties.provider_specific_details.vm_nics
    assert (first.selection_type, first.recovery_vm_network_id) == ("NotSelected", nics[0].recovery_vm_network_id)
    assert (second.selection_type, second.recovery_vm_network_id) == ("SelectedByUser", alt.rsplit("/", 1)[-1])
    assert second.ip_configs[0].is_seleted_for_failover is True
    replica = _replica(lab)
    assert replica.name == "web1-dr"  # Rename-VM on the recovery host; VMM's record follows
    assert [vm.name for vm in lab.recovery.vmm.get_sc_virtual_machine()] == ["web1-dr"]
    fabric, container = runbook.container("Gold")
    failed_over = runbook.asr.replication_protected_items.begin_planned_failover(
        runbook.rg, runbook.vault, fabric, container, name, PFO).result()
    assert replica.state.value == "Running" and replica.name == "web1-dr"
    addresses = {adapter: config.ip_addresses for adapter, config in replica.guest.network.items()}
    corp, chosen = (addresses[adapter.name] for adapter in replica.adapters)
    assert corp[0].startswith("10.2.0.") and chosen[0].startswith("10.6.0.")  # the chosen network's pool
    assert chosen[0] in _granted(lab, "Alt") and corp[0] in _granted(lab, "Corp")
    shown = [nic.ip_configs[0].recovery_static_ip_address for nic in failed_over.properties.provider_specific_details.vm_nics]
    assert shown == [corp[0], chosen[0]]


def test_the_official_cmdlets_body_renames_the_replica(protected, lab: Lab) -> None:
    """``Set-AzRecoveryServicesAsrReplicationProtectedItem -Name`` on a VMM-to-VMM item sends no NIC and
    ``licenseType`` WindowsServer whatever it is given (its code path for this provider)."""
    runbook, name = protected
    _update(runbook, name, {"recoveryAzureVMName": "web1-renamed", "recoveryAzureVMSize": None,
                            "selectedRecoveryAzureNetworkId": None, "vmNics": [], "licenseType": "WindowsServer",
                            "recoveryAvailabilitySetId": None,
                            "providerSpecificDetails": {"instanceType": "UpdateReplicationProtectedItemProviderInput"}}
            ).result()
    assert _replica(lab).name == "web1-renamed"


def test_not_selected_puts_a_nic_back_on_its_mapped_network(protected, lab: Lab) -> None:
    runbook, name = protected
    nics = _item(runbook, name).properties.provider_specific_details.vm_nics
    alt = _network_id(runbook, "recovery", "Alt")
    _update(runbook, name, {"selectedRecoveryAzureNetworkId": alt,
                            "vmNics": [{"nicId": nic.nic_id} for nic in nics]}).result()  # SelectedByUser by default
    chosen = _item(runbook, name).properties.provider_specific_details.vm_nics
    assert [nic.recovery_vm_network_id for nic in chosen] == [alt.rsplit("/", 1)[-1]] * 2
    _update(runbook, name, {"vmNics": [{"nicId": nic.nic_id, "selectionType": "NotSelected"} for nic in nics]}).result()
    back = _item(runbook, name).properties.provider_specific_details.vm_nics
    assert [(nic.selection_type, nic.recovery_vm_network_id) for nic in back] == [
        ("NotSelected", nics[0].recovery_vm_network_id), ("NotSelected", UNMAPPED)]
    (record,) = lab.recovery.vmm.get_sc_virtual_machine()
    assert [vnic.vm_network.name for vnic in record.virtual_network_adapters] == ["Corp"]  # the unmapped NIC: none


@pytest.mark.parametrize("case", ["primary network", "unknown network", "not a network id", "no NIC selected",
                                  "name too long", "address with NotSelected", "Azure NIC field", "bad selection"])
def test_a_bad_update_is_a_400_that_changes_nothing(protected, lab: Lab, case: str) -> None:
    runbook, name = protected
    nics = _item(runbook, name).properties.provider_specific_details.vm_nics
    selected = [{"nicId": nics[1].nic_id, "selectionType": "SelectedByUser"}]
    alt = _network_id(runbook, "recovery", "Alt")
    properties = {
        "primary network": {"selectedRecoveryAzureNetworkId": _network_id(runbook, "primary", "Alt"), "vmNics": selected},
        "unknown network": {"selectedRecoveryAzureNetworkId": alt.rsplit("/", 1)[0] + "/" + "1" * 8 + "-0000-0000-0000-"
                            + "0" * 12, "vmNics": selected},
        "not a network id": {"selectedRecoveryAzureNetworkId": "/subscriptions/x/virtualNetworks/vnet1", "vmNics": selected},
        "no NIC selected": {"selectedRecoveryAzureNetworkId": alt, "vmNics": []},
        "name too long": {"recoveryAzureVMName": "v" * 65},
        "address with NotSelected": {"vmNics": [{"nicId": nics[0].nic_id, "selectionType": "NotSelected",
                                                 "ipConfigs": [{"recoveryStaticIPAddress": "10.2.0.50"}]}]},
        "Azure NIC field": {"vmNics": [{"nicId": nics[0].nic_id, "recoveryNetworkSecurityGroupId": "/nsg/1"}]},
        "bad selection": {"recoveryAzureVMName": "web1-dr", "vmNics": [{"nicId": nics[0].nic_id,
                                                                        "selectionType": "Always"}]},
    }[case]
    before = _item(runbook, name).as_dict()
    with pytest.raises(HttpResponseError) as info:
        _update(runbook, name, properties)
    assert (info.value.status_code, info.value.error.code) == (400, "InvalidParameter")
    assert runbook.jobs("UpdateVmProperties") == []
    lab.advance(120)
    assert _item(runbook, name).as_dict()["properties"]["providerSpecificDetails"]["vmNics"] == \
        before["properties"]["providerSpecificDetails"]["vmNics"]
    assert _replica(lab).name == "web1"
